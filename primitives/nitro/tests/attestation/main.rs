//! The verifier against real AWS Nitro attestation documents (`test-vectors/`, made by Nitro
//! Secure Modules on EC2) and the simulated NSM's.

mod fuzz_harness;
mod real;
mod simulated;

use aos_nitro::{CachedCertificate, Fingerprint, TrustStore};
use std::collections::HashMap;

/// AWS's real document, its time and its root.
pub const VALID: &[u8] = include_bytes!("../../test-vectors/valid_attestation_2024-07-31.cbor");
pub const VALID_AT_MS: u64 = 1_722_455_771_686;
pub const INVALID_SIGNATURE: &[u8] =
	include_bytes!("../../test-vectors/invalid_signature_attestation_2024-07-23.cbor");
pub const INVALID_SIGNATURE_AT_MS: u64 = 1_721_770_180_771;
pub const AWS_ROOT: &[u8] = include_bytes!("../../test-vectors/aws_nitro_root_g1.der");
/// The fingerprint AWS publishes for its root.
pub const AWS_ROOT_FINGERPRINT: &str =
	"641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b";

pub fn fingerprint(hex_str: &str) -> Fingerprint {
	hex::decode(hex_str).unwrap().try_into().unwrap()
}

/// A trust store with a cache, as the pallet keeps one.
#[derive(Default)]
pub struct Cache {
	pub roots: Vec<Fingerprint>,
	pub certificates: HashMap<Fingerprint, CachedCertificate>,
}

impl Cache {
	pub fn trusting(root: Fingerprint) -> Self {
		Cache { roots: vec![root], certificates: HashMap::new() }
	}
}

impl TrustStore for Cache {
	fn is_trusted_root(&self, fingerprint: &Fingerprint) -> bool {
		self.roots.contains(fingerprint)
	}

	fn cached(&self, fingerprint: &Fingerprint) -> Option<CachedCertificate> {
		self.certificates.get(fingerprint).copied()
	}
}
