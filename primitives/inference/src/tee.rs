//! What the TEE pallet, the enclave and the operator service share about enclaves: how an
//! attestation document binds an enclave to an operator's chain account.
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
}
