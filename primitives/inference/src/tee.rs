//! What the TEE pallet, the enclave and the operator service share about enclaves: how an
//! attestation document binds an enclave to an operator's chain account, and what an enclave
//! signs for a result.
//!
//! An enclave asks its NSM for a document whose `user_data` is [`enclave_binding`] of the chain
//! and the operator's account, and whose `public_key` is the ed25519 key it generated inside.
//! The chain registers the key only for that operator, so a document read off the wire cannot
//! be registered by anyone else, nor on another chain.

/// The domain of [`enclave_binding`].
pub const ENCLAVE_BINDING_DOMAIN: &[u8] = b"aos/tee/enclave-binding/v1";

/// The `user_data` an enclave's attestation document carries to be registered by `operator` (an
/// encoded account id) on the chain whose genesis block hash is `genesis`:
/// BLAKE2b-256(domain ‖ genesis ‖ operator).
pub fn enclave_binding(genesis: &[u8; 32], operator: &[u8]) -> [u8; 32] {
	let mut preimage =
		alloc::vec::Vec::with_capacity(ENCLAVE_BINDING_DOMAIN.len() + 32 + operator.len());
	preimage.extend_from_slice(ENCLAVE_BINDING_DOMAIN);
	preimage.extend_from_slice(genesis);
	preimage.extend_from_slice(operator);
	sp_crypto_hashing::blake2_256(&preimage)
}

/// The hash a TEE-mode result names its input by: BLAKE2b-256 of the input's bytes (its `i8`
/// values as bytes), the hash a task with a remote input already carries.
pub fn input_hash(input: &[i8]) -> sp_core::H256 {
	let bytes: alloc::vec::Vec<u8> = input.iter().map(|v| v.to_ne_bytes()[0]).collect();
	sp_core::H256(sp_crypto_hashing::blake2_256(&bytes))
}

/// The domain of [`result_message`].
pub const RESULT_DOMAIN: &[u8] = b"aos/tee/result/v1";

/// What an enclave's key signs (ed25519) for a TEE-mode result: BLAKE2b-256 of the domain and
/// the SCALE encoding of the task, the model, the input's hash, and the output digest and top
/// classes the result reports. Everything the chain settles on is in it, so a signature for one
/// task, model or input is worthless for another.
pub fn result_message(
	task: crate::TaskId,
	model: &crate::ModelId,
	input_hash: &sp_core::H256,
	output: &sp_core::H256,
	top: &[u32],
) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(&codec::Encode::encode(&(
		RESULT_DOMAIN,
		task,
		model,
		input_hash,
		output,
		top,
	)))
}

/// Why a TEE-mode result was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ResultRejection {
	/// The operator has no live enclave allowed to run the model (none registered, expired,
	/// revoked, or its image revoked or not allowed for the model).
	NoEnclave,
	/// The signature is not the enclave key's over the result.
	BadSignature,
}

/// The enclaves as the inference pallet sees them (`pallet-tee`; `()` for none): who may take a
/// TEE-mode task for a model, and whether a result is its enclave's.
pub trait TeeEnclaves<AccountId> {
	/// Whether `operator` has a live enclave allowed to run `model` now.
	fn may_run(operator: &AccountId, model: &crate::ModelId) -> bool;
	/// The weight of [`Self::may_run`].
	fn may_run_weight() -> sp_weights::Weight;
	/// Whether `signature` is the key's of `operator`'s live enclave allowed for `model`, over
	/// [`result_message`] of the task, model, input hash and result.
	#[allow(clippy::too_many_arguments)]
	fn check_result(
		operator: &AccountId,
		model: &crate::ModelId,
		task: crate::TaskId,
		input_hash: &sp_core::H256,
		output: &sp_core::H256,
		top: &[u32],
		signature: &[u8; 64],
	) -> Result<(), ResultRejection>;
}

impl<AccountId> TeeEnclaves<AccountId> for () {
	fn may_run(_: &AccountId, _: &crate::ModelId) -> bool {
		false
	}
	fn may_run_weight() -> sp_weights::Weight {
		sp_weights::Weight::zero()
	}
	fn check_result(
		_: &AccountId,
		_: &crate::ModelId,
		_: crate::TaskId,
		_: &sp_core::H256,
		_: &sp_core::H256,
		_: &[u32],
		_: &[u8; 64],
	) -> Result<(), ResultRejection> {
		Err(ResultRejection::NoEnclave)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_binding_depends_on_chain_and_operator() {
		let a = enclave_binding(&[1; 32], &[7; 32]);
		assert_ne!(a, enclave_binding(&[2; 32], &[7; 32]));
		assert_ne!(a, enclave_binding(&[1; 32], &[8; 32]));
		assert_eq!(a, enclave_binding(&[1; 32], &[7; 32]));
	}

	#[test]
	fn the_result_message_covers_every_field() {
		use sp_core::H256;
		let m = |task, model, input, output, top: &[u32]| {
			result_message(task, &H256([model; 32]), &H256([input; 32]), &H256([output; 32]), top)
		};
		let base = m(1, 2, 3, 4, &[5, 6]);
		assert_eq!(base, m(1, 2, 3, 4, &[5, 6]));
		for other in [
			m(9, 2, 3, 4, &[5, 6]),
			m(1, 9, 3, 4, &[5, 6]),
			m(1, 2, 9, 4, &[5, 6]),
			m(1, 2, 3, 9, &[5, 6]),
			m(1, 2, 3, 4, &[6, 5]),
			m(1, 2, 3, 4, &[5]),
		] {
			assert_ne!(base, other);
		}
	}
}
