//! The hashing and signature checks a verification needs, behind a trait so that the runtime can
//! route them to faster implementations than the ones compiled into it.

use crate::Fingerprint;

/// SHA-256, SHA-384 and ECDSA verification on P-384.
pub trait Crypto {
	/// SHA-256 (certificate fingerprints).
	fn sha256(data: &[u8]) -> Fingerprint;
	/// SHA-384 (what ES384 and ecdsa-with-SHA384 sign).
	fn sha384(data: &[u8]) -> [u8; 48];
	/// Whether `signature` (`r ‖ s`, 48 bytes each, big-endian) is an ECDSA signature of the
	/// SHA-384 digest `prehash` under `key` (a SEC1-encoded P-384 point). Any malformed input
	/// is a signature that does not verify.
	fn p384_verify(key: &[u8], prehash: &[u8; 48], signature: &[u8; 96]) -> bool;
}

/// RustCrypto's `sha2` and `p384`, run in place.
pub struct Pure;

impl Crypto for Pure {
	fn sha256(data: &[u8]) -> Fingerprint {
		use sha2::Digest;
		sha2::Sha256::digest(data).into()
	}

	fn sha384(data: &[u8]) -> [u8; 48] {
		use sha2::Digest;
		sha2::Sha384::digest(data).into()
	}

	fn p384_verify(key: &[u8], prehash: &[u8; 48], signature: &[u8; 96]) -> bool {
		use p384::ecdsa::{signature::hazmat::PrehashVerifier, Signature, VerifyingKey};
		let Ok(key) = VerifyingKey::from_sec1_bytes(key) else { return false };
		let Ok(signature) = Signature::from_slice(signature) else { return false };
		key.verify_prehash(prehash, &signature).is_ok()
	}
}
