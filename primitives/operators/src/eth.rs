//! The binding of an operator to its Ethereum address, for the EigenLayer bridge: what the
//! address's key signs (EIP-191) and how the runtime recovers the address from the signature.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H160;

/// An Ethereum address (20 bytes), for the EigenLayer bridge.
pub type EthAddress = H160;

/// The message an operator's Ethereum key signs to prove that the operator owns its address:
/// this prefix followed by the SCALE encoding of the operator's account id.
pub const ETH_ADDRESS_PROOF_PREFIX: &[u8] = b"aos:operator-eth-address:";

/// An operator's Ethereum address with the proof that the operator controls it: the address's
/// EIP-191 signature ("personal_sign", what a Web3Signer's `eth_sign` returns) of
/// [`eth_address_message`]. Without the proof anyone could claim another's address on the
/// EigenLayer side.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct EthBinding {
	pub address: EthAddress,
	/// `r ‖ s ‖ v`, with `v` either 0/1 or Ethereum's 27/28.
	pub signature: [u8; 65],
}

/// What an operator's Ethereum key signs: [`ETH_ADDRESS_PROOF_PREFIX`] and the SCALE
/// encoding of its account id.
pub fn eth_address_message<AccountId: Encode>(operator: &AccountId) -> Vec<u8> {
	let mut message = Vec::from(ETH_ADDRESS_PROOF_PREFIX);
	operator.encode_to(&mut message);
	message
}

/// The hash an EIP-191 "personal_sign" signature signs:
/// `keccak256("\x19Ethereum Signed Message:\n" ‖ len(message) ‖ message)`.
pub fn eip191_hash(message: &[u8]) -> [u8; 32] {
	let mut data = Vec::from(&b"\x19Ethereum Signed Message:\n"[..]);
	data.extend_from_slice(alloc::format!("{}", message.len()).as_bytes());
	data.extend_from_slice(message);
	sp_crypto_hashing::keccak_256(&data)
}

/// The Ethereum address of an uncompressed secp256k1 public key (`x ‖ y`, 64 bytes).
pub fn eth_address_of(public: &[u8; 64]) -> EthAddress {
	let hash = sp_crypto_hashing::keccak_256(public);
	EthAddress::from_slice(&hash[12..])
}

/// A signature's `r ‖ s ‖ v` with `v` as 0 or 1, as `secp256k1_ecdsa_recover` takes it.
pub fn normalized_recovery_id(signature: &[u8; 65]) -> [u8; 65] {
	let mut sig = *signature;
	if sig[64] >= 27 {
		sig[64] -= 27;
	}
	sig
}
