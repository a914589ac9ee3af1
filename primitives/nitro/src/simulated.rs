//! **A simulated NSM**, for machines without Nitro hardware: attestation documents in exactly
//! the format of AWS's (untagged COSE_Sign1, ES384, the payload's fields and bounds) from a
//! locally generated CA shaped like AWS's: a root, three intermediates with path lengths 2, 1
//! and 0, and a leaf that lives three hours.
//!
//! It proves nothing about the hardware: anyone with the CA's keys makes documents it signs.
//! [`SimulatedCa::dev`]'s keys are derived from a published seed, like the dev accounts, and
//! only the dev and local chain specs trust its root; testnet and production trust only the AWS
//! Nitro Root G1.

use crate::{cose, Fingerprint};
use alloc::{string::String, vec::Vec};
use core::{str::FromStr, time::Duration};
use der::{asn1::UtcTime, Encode};
use minicbor::Encoder;
use p384::ecdsa::{signature::Signer, DerSignature, Signature, SigningKey};
use sha2::{Digest, Sha384};
use x509_cert::{
	builder::{Builder, CertificateBuilder, Profile},
	name::Name,
	serial_number::SerialNumber,
	spki::SubjectPublicKeyInfoOwned,
	time::{Time, Validity},
};

/// The seed of [`SimulatedCa::dev`]: public, like the dev accounts' keys.
pub const DEV_SEED: &[u8] = b"aos simulated nsm: dev ca";

/// How long a leaf certificate lives (AWS's live about three hours).
pub const LEAF_LIFETIME: Duration = Duration::from_secs(3 * 3600);

/// 2024-01-01T00:00:00Z and 2049-12-31T23:59:59Z: the CA certificates' validity (UTCTime's
/// range ends in 2049).
const CA_NOT_BEFORE: Duration = Duration::from_secs(1_704_067_200);
const CA_NOT_AFTER: Duration = Duration::from_secs(2_524_607_999);

/// What went wrong making a document (a key or a certificate could not be encoded).
#[derive(Debug)]
pub struct SimulationError(pub String);

impl core::fmt::Display for SimulationError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		write!(f, "simulated NSM: {}", self.0)
	}
}

impl std::error::Error for SimulationError {}

fn err(e: impl core::fmt::Display) -> SimulationError {
	SimulationError(alloc::format!("{e}"))
}

/// A CA in AWS's shape, with its keys.
pub struct SimulatedCa {
	seed: Vec<u8>,
	/// Root first, then the intermediates; the last signs leaves.
	chain: Vec<(SigningKey, Name, Vec<u8>)>,
}

/// What an enclave asks its NSM to attest.
#[derive(Clone, Debug, Default)]
pub struct AttestationRequest {
	/// The enclave's id (`i-…-enc…` on AWS).
	pub module_id: String,
	/// The PCRs, by index (48 bytes each on Nitro).
	pub pcrs: Vec<(u8, Vec<u8>)>,
	pub public_key: Option<Vec<u8>>,
	pub user_data: Option<Vec<u8>>,
	pub nonce: Option<Vec<u8>>,
}

impl SimulatedCa {
	/// The dev CA, from [`DEV_SEED`]: what `aos-enclave --simulated-nsm` uses and the dev and
	/// local chain specs trust.
	pub fn dev() -> Result<Self, SimulationError> {
		Self::from_seed(DEV_SEED)
	}

	/// A CA whose keys are derived from `seed` (a test's own, to make a second, untrusted one),
	/// with AWS's three intermediates.
	pub fn from_seed(seed: &[u8]) -> Result<Self, SimulationError> {
		Self::with_intermediates(seed, 3)
	}

	/// A CA with `intermediates` CA certificates below the root (AWS has three; benchmarks
	/// take the longest chain the verifier accepts, `MAX_CHAIN_LEN - 1`).
	pub fn with_intermediates(seed: &[u8], intermediates: usize) -> Result<Self, SimulationError> {
		let mut chain: Vec<(SigningKey, Name, Vec<u8>)> = Vec::new();
		for i in 0..=intermediates {
			let key = derive_key(seed, &[b"ca", &[i as u8]])?;
			let name = match i {
				0 => String::from("CN=aos.simulated-nitro-enclaves,O=AOS simulated NSM,C=XX"),
				_ => {
					alloc::format!("CN=ca{i}.aos.simulated-nitro-enclaves,O=AOS simulated NSM,C=XX")
				},
			};
			let subject = Name::from_str(&name).map_err(err)?;
			let profile = match chain.last() {
				None => Profile::Root,
				Some((_, issuer, _)) => Profile::SubCA {
					issuer: issuer.clone(),
					// Each may have the rest of the chain below it, and no more.
					path_len_constraint: Some(
						u8::try_from(intermediates.saturating_sub(i)).map_err(err)?,
					),
				},
			};
			let signer = chain.last().map(|(k, _, _)| k.clone()).unwrap_or_else(|| key.clone());
			let der = certificate(
				profile,
				i as u32 + 1,
				(CA_NOT_BEFORE, CA_NOT_AFTER),
				subject.clone(),
				&key,
				&signer,
			)?;
			chain.push((key, subject, der));
		}
		Ok(SimulatedCa { seed: seed.to_vec(), chain })
	}

	/// The root certificate (DER).
	pub fn root_der(&self) -> &[u8] {
		self.chain.first().map(|(_, _, der)| der.as_slice()).unwrap_or_default()
	}

	/// The root's SHA-256 fingerprint, what a chain spec trusts.
	pub fn root_fingerprint(&self) -> Fingerprint {
		sha2::Sha256::digest(self.root_der()).into()
	}

	/// A document attesting `request` at `now_ms` (Unix ms), signed by a fresh leaf.
	pub fn attest(
		&self,
		request: &AttestationRequest,
		now_ms: u64,
	) -> Result<Vec<u8>, SimulationError> {
		let (issuer_key, issuer_name, _) =
			self.chain.last().ok_or_else(|| err("a CA without certificates"))?;
		let now = Duration::from_millis(now_ms);
		// A leaf per document, as the NSM makes one per enclave: its key from the seed, the
		// module and the time, so a simulation is reproducible.
		let leaf_key = derive_key(
			&self.seed,
			&[b"leaf", request.module_id.as_bytes(), &now_ms.to_be_bytes()],
		)?;
		let leaf_name = Name::from_str(&alloc::format!(
			"CN={},O=AOS simulated NSM,C=XX",
			request.module_id.replace(['=', ',', '+', '"', '\\', '<', '>', ';'], "-")
		))
		.map_err(err)?;
		let leaf = certificate(
			Profile::Leaf {
				issuer: issuer_name.clone(),
				enable_key_agreement: false,
				enable_key_encipherment: false,
			},
			u32::try_from(now_ms / 1000).unwrap_or(u32::MAX),
			(now.saturating_sub(Duration::from_secs(3)), now.saturating_add(LEAF_LIFETIME)),
			leaf_name,
			&leaf_key,
			issuer_key,
		)?;
		let cabundle: Vec<&[u8]> = self.chain.iter().map(|(_, _, der)| der.as_slice()).collect();
		let payload = document(request, now_ms, &leaf, &cabundle)?;
		let protected = cose::es384_protected_header();
		let signature: Signature =
			leaf_key.sign(&cose::sig_structure(&protected, &payload).map_err(err)?);
		let mut e = Encoder::new(Vec::new());
		e.array(4)
			.and_then(|e| e.bytes(&protected))
			.and_then(|e| e.map(0))
			.and_then(|e| e.bytes(&payload))
			.and_then(|e| e.bytes(&signature.to_bytes()))
			.map_err(err)?;
		Ok(e.into_writer())
	}
}

/// A P-384 key from SHA-384(seed ‖ parts), retried with a counter in the (negligible) case the
/// digest is not a valid scalar.
fn derive_key(seed: &[u8], parts: &[&[u8]]) -> Result<SigningKey, SimulationError> {
	for counter in 0u8..=255 {
		let mut h = Sha384::new();
		h.update(seed);
		for part in parts {
			h.update((part.len() as u64).to_be_bytes());
			h.update(part);
		}
		h.update([counter]);
		if let Ok(key) = SigningKey::from_slice(&h.finalize()) {
			return Ok(key);
		}
	}
	Err(err("no key from this seed"))
}

fn certificate(
	profile: Profile,
	serial: u32,
	(not_before, not_after): (Duration, Duration),
	subject: Name,
	key: &SigningKey,
	signer: &SigningKey,
) -> Result<Vec<u8>, SimulationError> {
	let validity = Validity {
		not_before: Time::UtcTime(UtcTime::from_unix_duration(not_before).map_err(err)?),
		not_after: Time::UtcTime(UtcTime::from_unix_duration(not_after).map_err(err)?),
	};
	let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(err)?;
	let builder = CertificateBuilder::new(
		profile,
		SerialNumber::from(serial),
		validity,
		subject,
		spki,
		signer,
	)
	.map_err(err)?;
	builder.build::<DerSignature>().map_err(err)?.to_der().map_err(err)
}

/// The payload, with AWS's keys in AWS's order.
fn document(
	request: &AttestationRequest,
	timestamp_ms: u64,
	certificate: &[u8],
	cabundle: &[&[u8]],
) -> Result<Vec<u8>, SimulationError> {
	let mut e = Encoder::new(Vec::new());
	e.map(9)
		.and_then(|e| e.str("module_id")?.str(&request.module_id))
		.and_then(|e| e.str("digest")?.str("SHA384"))
		.and_then(|e| e.str("timestamp")?.u64(timestamp_ms))
		.and_then(|e| e.str("pcrs")?.map(request.pcrs.len() as u64))
		.map_err(err)?;
	for (index, value) in &request.pcrs {
		e.u8(*index).and_then(|e| e.bytes(value)).map_err(err)?;
	}
	e.str("certificate")
		.and_then(|e| e.bytes(certificate))
		.and_then(|e| e.str("cabundle")?.array(cabundle.len() as u64))
		.map_err(err)?;
	for cert in cabundle {
		e.bytes(cert).map_err(err)?;
	}
	for (key, value) in [
		("public_key", &request.public_key),
		("user_data", &request.user_data),
		("nonce", &request.nonce),
	] {
		e.str(key).map_err(err)?;
		match value {
			Some(v) => e.bytes(v).map_err(err)?,
			None => e.null().map_err(err)?,
		};
	}
	Ok(e.into_writer())
}
