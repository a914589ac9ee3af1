//! What the TEE pallet stores.

use aos_inference_primitives::ModelId;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec};
use scale_info::TypeInfo;
use sp_core::{ed25519, H256};

/// A PCR of a Nitro enclave: SHA-384.
pub type Pcr = [u8; 48];

/// An enclave image, named by its measurements: BLAKE2b-256(PCR0 ‖ PCR1 ‖ PCR2).
pub type ImageId = H256;

/// A certificate's SHA-256 fingerprint.
pub type Fingerprint = [u8; 32];

/// The image id of the measurements PCR0 (the image), PCR1 (kernel and boot ramfs) and PCR2
/// (the application).
pub fn image_id(pcrs: &[Pcr; 3]) -> ImageId {
	let mut preimage = [0u8; 144];
	for (chunk, pcr) in preimage.chunks_exact_mut(48).zip(pcrs) {
		chunk.copy_from_slice(pcr);
	}
	H256(sp_crypto_hashing::blake2_256(&preimage))
}

/// An enclave image governance allows, and the models enclaves running it may serve.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
#[scale_info(skip_type_params(MaxModels))]
pub struct ImageInfo<MaxModels: Get<u32>> {
	/// PCR0, PCR1 and PCR2.
	pub pcrs: [Pcr; 3],
	/// The models its enclaves may run.
	pub models: BoundedVec<ModelId, MaxModels>,
	/// Revoked by governance: no enclave of it registers, and results under it are refused.
	pub revoked: bool,
}

/// An operator's registered enclave.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct EnclaveInfo<Balance> {
	/// The ed25519 key the enclave generated inside and the NSM attested: it signs results.
	pub key: ed25519::Public,
	/// The image it runs.
	pub image: ImageId,
	/// BLAKE2b-256 of the NSM's module id (which enclave instance).
	pub module: H256,
	/// The document's timestamp, Unix ms.
	pub attested_at_ms: u64,
	/// When the key stops being trusted, Unix ms: when the first certificate of its chain
	/// expires (AWS's leaf lives three hours, so enclaves re-register before).
	pub expires_at_ms: u64,
	/// The deposit held for the entry.
	pub deposit: Balance,
}

/// A CA certificate verified before (`aos_nitro::CachedCertificate`, keyed by its fingerprint).
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
pub struct CachedCertificate {
	/// The trusted root it chains to.
	pub root: Fingerprint,
	/// When it and the certificates above it are all valid, Unix ms.
	pub not_before_ms: u64,
	pub not_after_ms: u64,
	/// How many more CA certificates may follow it (`None`: no limit).
	pub path_budget: Option<u8>,
}

impl CachedCertificate {
	pub fn to_nitro(self, fingerprint: Fingerprint) -> aos_nitro::CachedCertificate {
		aos_nitro::CachedCertificate {
			fingerprint,
			root: self.root,
			not_before_ms: self.not_before_ms,
			not_after_ms: self.not_after_ms,
			path_budget: self.path_budget,
		}
	}

	pub fn from_nitro(c: &aos_nitro::CachedCertificate) -> Self {
		CachedCertificate {
			root: c.root,
			not_before_ms: c.not_before_ms,
			not_after_ms: c.not_after_ms,
			path_budget: c.path_budget,
		}
	}
}

pub use aos_inference_primitives::tee::ResultRejection;
