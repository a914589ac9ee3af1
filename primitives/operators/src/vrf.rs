//! An operator's VRF key, and the proof that the operator holds it.

use alloc::vec::Vec;
use codec::Encode;
use sp_core::sr25519;

/// An operator's public sr25519 key for VRF task sampling.
pub type VrfPublic = sr25519::Public;

/// The message an operator's VRF key signs to prove that the operator holds it (so that no one
/// registers a key it cannot sample with, or another operator's key): this prefix followed by
/// the SCALE encoding of the operator's account id.
pub const VRF_KEY_PROOF_PREFIX: &[u8] = b"aos:operator-vrf-key:";

/// What an operator's VRF key signs: [`VRF_KEY_PROOF_PREFIX`] and the SCALE encoding of its
/// account id.
pub fn vrf_key_message<AccountId: Encode>(operator: &AccountId) -> Vec<u8> {
	let mut message = Vec::from(VRF_KEY_PROOF_PREFIX);
	operator.encode_to(&mut message);
	message
}
