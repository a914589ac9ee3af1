//! # aos-vrf-host: the claim's VRF check as a host function
//!
//! Every claim of a task carries an sr25519 VRF signature that the runtime checks
//! ([`aos_inference_primitives::verify_sampling_vrf`]): schnorrkel's `vrf_verify` and the
//! output's derivation. Substrate has host functions for sr25519 signatures but none for VRFs,
//! so in the runtime's wasm this check took about 0.6 ms, most of a claim's weight. The node
//! exposes it as a host function ([`sampling_vrf`]) that runs the same function natively, and
//! the runtime calls it through [`HostVrf`]; [`aos_inference_primitives::PureVrf`] is the
//! pure-wasm path (a runtime built with `vrf-pure-wasm`). `tests` check both give the same
//! answer on valid and invalid signatures.
//!
//! The arguments are fixed-size byte strings; the host decodes them itself and answers
//! malformed ones (a pre-output or proof that is not a curve point or scalar) as invalid.
//!
//! The node registers [`HostFunctions`] (node/src/service.rs); a node without them cannot run
//! a runtime that calls them, so validators upgrade the node before such a runtime is enacted
//! (docs/VALIDATORS.md).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

use aos_inference_primitives::SamplingVrf;
use sp_core::sr25519::Public;
use sp_runtime_interface::{
	pass_by::{PassFatPointerAndRead, PassFatPointerAndWrite},
	runtime_interface,
};

/// The host's answer when the signature verifies (the output is written).
pub const VALID: u32 = 1;
/// The host's answer when it does not, or the arguments are malformed (nothing written).
pub const INVALID: u32 = 0;

/// The sampling VRF check, run by the node.
#[runtime_interface]
pub trait SamplingVrfHost {
	/// [`aos_inference_primitives::verify_sampling_vrf`]: `args` is the key (32 bytes), the
	/// task hash (32), the randomness (32), the pre-output (32) and the proof (64), 192 bytes in
	/// all; the 16-byte little-endian output is written to `out`. Returns [`VALID`] or
	/// [`INVALID`].
	fn verify(args: PassFatPointerAndRead<&[u8]>, out: PassFatPointerAndWrite<&mut [u8]>) -> u32 {
		host::verify(args, out)
	}
}

/// The length of [`sampling_vrf_host::verify`]'s arguments.
pub const ARGS_LEN: usize = 32 * 4 + 64;

/// What the host function runs (compiled natively into the node).
#[cfg(feature = "std")]
pub mod host {
	use super::*;

	pub fn verify(args: &[u8], out: &mut [u8]) -> u32 {
		let Some(output) = decode(args).and_then(|(key, task, randomness, pre, proof)| {
			aos_inference_primitives::verify_sampling_vrf(&key, &task, &randomness, &pre, &proof)
		}) else {
			return INVALID;
		};
		if out.len() != 16 {
			return INVALID;
		}
		out.copy_from_slice(&output.to_le_bytes());
		VALID
	}

	type Args = (Public, [u8; 32], [u8; 32], [u8; 32], [u8; 64]);

	fn decode(args: &[u8]) -> Option<Args> {
		if args.len() != ARGS_LEN {
			return None;
		}
		let (key, rest) = args.split_first_chunk::<32>()?;
		let (task, rest) = rest.split_first_chunk::<32>()?;
		let (randomness, rest) = rest.split_first_chunk::<32>()?;
		let (pre, rest) = rest.split_first_chunk::<32>()?;
		let proof = rest.first_chunk::<64>()?;
		Some((Public::from_raw(*key), *task, *randomness, *pre, *proof))
	}
}

/// [`SamplingVrf`] through the node's host function.
#[derive(Clone, Copy, Default, Debug)]
pub struct HostVrf;

impl SamplingVrf for HostVrf {
	fn verify(
		key: &Public,
		task: &[u8; 32],
		randomness: &[u8; 32],
		pre_output: &[u8; 32],
		proof: &[u8; 64],
	) -> Option<u128> {
		let mut args = [0u8; ARGS_LEN];
		let parts: [&[u8]; 5] = [key.as_ref(), task, randomness, pre_output, proof];
		let mut at = 0;
		for part in parts {
			let end = at + part.len();
			args.get_mut(at..end)?.copy_from_slice(part);
			at = end;
		}
		let mut out = [0u8; 16];
		(sampling_vrf_host::verify(&args, &mut out) == VALID).then(|| u128::from_le_bytes(out))
	}
}

/// The host functions the node registers.
#[cfg(feature = "std")]
pub type HostFunctions = sampling_vrf_host::HostFunctions;

#[cfg(test)]
mod tests {
	use super::*;
	use aos_inference_primitives::{task_hash, vrf_transcript, PureVrf};
	use codec::Encode;
	use sp_core::{crypto::VrfSecret, sr25519, Pair};

	/// The 32- and 64-byte parts of a signature, as a claim carries them.
	fn parts(sig: &sr25519::vrf::VrfSignature) -> ([u8; 32], [u8; 64]) {
		(sig.pre_output.encode().try_into().unwrap(), sig.proof.encode().try_into().unwrap())
	}

	#[test]
	fn host_and_pure_give_the_same_answers() {
		let pair = sr25519::Pair::from_seed(&[7; 32]);
		let other = sr25519::Pair::from_seed(&[8; 32]);
		for id in 0..8u64 {
			let (task, randomness) = (task_hash(id), [id as u8; 32]);
			let sig = pair.vrf_sign(&vrf_transcript(&task, &randomness).into_sign_data());
			let (pre, proof) = parts(&sig);
			let key = pair.public();
			let host = HostVrf::verify(&key, &task, &randomness, &pre, &proof);
			assert!(host.is_some());
			assert_eq!(host, PureVrf::verify(&key, &task, &randomness, &pre, &proof));
			// Another key, another task, another randomness, a flipped proof bit: refused by both.
			let wrong_key = other.public();
			let next = task_hash(id + 100);
			let mut bad_proof = proof;
			bad_proof[5] ^= 1;
			for (k, t, r, p) in [
				(wrong_key, task, randomness, proof),
				(key, next, randomness, proof),
				(key, task, [0xff; 32], proof),
				(key, task, randomness, bad_proof),
			] {
				assert_eq!(HostVrf::verify(&k, &t, &r, &pre, &p), None);
				assert_eq!(PureVrf::verify(&k, &t, &r, &pre, &p), None);
			}
		}
	}

	#[test]
	fn malformed_arguments_are_refused() {
		let mut out = [0u8; 16];
		assert_eq!(host::verify(&[0u8; ARGS_LEN - 1], &mut out), INVALID);
		// Not a point, not a scalar.
		assert_eq!(host::verify(&[0xffu8; ARGS_LEN], &mut out), INVALID);
		assert_eq!(out, [0u8; 16]);
	}
}
