//! # aos-nitro: verifying AWS Nitro Enclaves attestation documents
//!
//! A Nitro enclave proves what it runs with an *attestation document* from the Nitro Secure
//! Module (NSM): a COSE_Sign1 structure (RFC 9052), signed with ES384, whose payload is a CBOR
//! map carrying the enclave image's PCR measurements, a `public_key`, `user_data` and a `nonce`,
//! the signing (leaf) certificate and the CA bundle that links it to the AWS Nitro root. This
//! crate checks one, `no_std`, for the AOS runtime (pallet-tee), the enclave's CLI and the
//! operator service alike, following AWS's "Verifying the root of trust":
//!
//! 1. [`cose`]: the COSE_Sign1 structure, its protected header naming ES384 and nothing the
//!    verifier would have to understand;
//! 2. [`document`]: the payload, every field of AWS's schema present once, typed and within
//!    AWS's bounds, no other field;
//! 3. [`chain`]: the CA bundle's first certificate is a trusted root (by its SHA-256
//!    fingerprint); each next certificate, and last the leaf, is issued by the one before
//!    (names, ecdsa-with-SHA384 signature, CA and key-usage constraints, path length), and
//!    every one is valid at the time given (the document's own timestamp, or chain time);
//! 4. the COSE signature over the payload verifies under the leaf's P-384 key.
//!
//! Intermediate certificates change rarely: [`TrustStore::cached`] lets a caller skip what it
//! has verified before ([`Verified::newly_verified`] says what to remember), so a later document
//! from the same CA costs the leaf and the COSE signature only.
//!
//! The hashing and the ECDSA verifications go through [`Crypto`]: [`Pure`] runs RustCrypto's
//! `sha2` and `p384` in place.
//!
//! With `std`, [`simulated`] makes documents in the same format from a locally
//! generated CA: the simulated NSM for machines without Nitro hardware. Only dev and local chain
//! specs trust its root.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests may).
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

extern crate alloc;

pub mod chain;
pub mod cose;
pub mod crypto;
pub mod document;
#[cfg(feature = "std")]
pub mod simulated;

pub use chain::{CachedCertificate, TrustStore, TrustedRoots};
pub use crypto::{Crypto, Pure};
pub use document::{AttestationDocument, Field, Pcrs};

use alloc::vec::Vec;

/// A certificate's SHA-256 fingerprint (over its DER encoding), as AWS publishes the root's.
pub type Fingerprint = [u8; 32];

/// The SHA-256 fingerprint of the AWS Nitro Enclaves Root-G1 certificate, as AWS publishes it:
/// the root production and testnet trust.
pub const AWS_NITRO_ROOT_G1_FINGERPRINT: Fingerprint = [
	0x64, 0x1a, 0x03, 0x21, 0xa3, 0xe2, 0x44, 0xef, 0xe4, 0x56, 0x46, 0x31, 0x95, 0xd6, 0x06, 0x31,
	0x7e, 0xd7, 0xcd, 0xcc, 0x3c, 0x17, 0x56, 0xe0, 0x98, 0x93, 0xf3, 0xc6, 0x8f, 0x79, 0xbb, 0x5b,
];

/// The fingerprint of the simulated NSM's dev CA root (`simulated::SimulatedCa::dev`), whose
/// keys are public: only the dev and local chains trust it.
pub const SIMULATED_DEV_ROOT_FINGERPRINT: Fingerprint = [
	0x8f, 0xb6, 0x44, 0x38, 0xaf, 0x49, 0x10, 0xc3, 0x8d, 0xe9, 0x2b, 0x38, 0x7b, 0x0a, 0xd2, 0x00,
	0x08, 0xc1, 0x13, 0xc0, 0x61, 0xe0, 0x58, 0x1b, 0x1f, 0xcf, 0x9a, 0x2c, 0x81, 0x69, 0x50, 0xbe,
];

/// The largest document accepted, in bytes. Real ones are about 4.5 KiB (four CA certificates,
/// the leaf and the PCRs); AWS bounds each field, and their sum is below this.
pub const MAX_DOCUMENT_LEN: usize = 16 * 1024;

/// The most certificates in the CA bundle, the root included (AWS's chains have four).
pub const MAX_CHAIN_LEN: usize = 8;

/// Where a certificate sits in the chain: 0 is the root (the CA bundle's first), the leaf is
/// last (the document's `certificate`).
pub type ChainPosition = u8;

/// Why a document was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
	/// Longer than [`MAX_DOCUMENT_LEN`].
	TooLarge,
	/// Not a COSE_Sign1 structure in definite-length CBOR, or bytes after it.
	MalformedCose,
	/// The protected header names an algorithm other than ES384, or a parameter the verifier
	/// would have to understand (`crit`, or anything but `alg`).
	UnsupportedHeader,
	/// The payload is not an attestation document as AWS specifies it; the field named.
	MalformedDocument(Field),
	/// A certificate is not DER X.509 with a P-384 key and an ecdsa-with-SHA384 signature, or
	/// carries a critical extension the verifier does not know.
	MalformedCertificate(ChainPosition),
	/// The CA bundle is empty or longer than [`MAX_CHAIN_LEN`].
	ChainLength,
	/// The CA bundle's first certificate is not a trusted root.
	UntrustedRoot,
	/// The certificate's issuer is not the subject of the one before it.
	IssuerMismatch(ChainPosition),
	/// The certificate's signature does not verify under its issuer's key.
	CertificateSignature(ChainPosition),
	/// The certificate is not valid at the time of verification (not yet, or no longer).
	CertificateNotValid(ChainPosition),
	/// The certificate issues another, but is not a CA allowed to sign certificates, or the
	/// chain below it is longer than its path-length constraint allows.
	NotAnIssuer(ChainPosition),
	/// The COSE signature does not verify under the leaf certificate's key.
	Signature,
}

impl core::fmt::Display for Error {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			Error::TooLarge => write!(f, "document longer than {MAX_DOCUMENT_LEN} bytes"),
			Error::MalformedCose => write!(f, "not a COSE_Sign1 structure"),
			Error::UnsupportedHeader => {
				write!(f, "protected header is not exactly {{alg: ES384}}")
			},
			Error::MalformedDocument(field) => {
				write!(f, "malformed attestation document: field `{}`", field.name())
			},
			Error::MalformedCertificate(i) => write!(f, "certificate {i} is malformed"),
			Error::ChainLength => {
				write!(f, "CA bundle empty or longer than {MAX_CHAIN_LEN} certificates")
			},
			Error::UntrustedRoot => write!(f, "the chain's root is not a trusted root"),
			Error::IssuerMismatch(i) => {
				write!(
					f,
					"certificate {i}'s issuer is not certificate {}'s subject",
					i.saturating_sub(1)
				)
			},
			Error::CertificateSignature(i) => {
				write!(f, "certificate {i}'s signature does not verify under its issuer's key")
			},
			Error::CertificateNotValid(i) => {
				write!(f, "certificate {i} is not valid at the time of verification")
			},
			Error::NotAnIssuer(i) => write!(f, "certificate {i} may not issue the next one"),
			Error::Signature => write!(f, "the COSE signature does not verify"),
		}
	}
}

/// A document that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified<'a> {
	/// Its payload.
	pub document: AttestationDocument<'a>,
	/// The fingerprint of the trusted root it chains to.
	pub root: Fingerprint,
	/// The CA certificates (root excluded, leaf excluded) whose signatures were checked now
	/// rather than found in the cache, with what a cache must remember of them.
	pub newly_verified: Vec<CachedCertificate>,
	/// The last instant (Unix ms) at which every certificate of the chain is still valid: a key
	/// the document vouches for should not be trusted beyond it.
	pub valid_until_ms: u64,
}

/// Verifies an attestation document at `at_ms` (Unix milliseconds): every certificate of its
/// chain must be valid then. [`verify_as_made`] checks it at its own timestamp instead.
///
/// Freshness of the document itself (its timestamp against the caller's clock) is the
/// caller's policy.
pub fn verify<'a, C: Crypto>(
	bytes: &'a [u8],
	trust: &impl TrustStore,
	at_ms: u64,
) -> Result<Verified<'a>, Error> {
	verify_at::<C>(bytes, trust, Some(at_ms))
}

/// Verifies an attestation document as of its making: every certificate valid at the
/// document's own timestamp (what the chain checks, beside the timestamp's freshness).
pub fn verify_as_made<'a, C: Crypto>(
	bytes: &'a [u8],
	trust: &impl TrustStore,
) -> Result<Verified<'a>, Error> {
	verify_at::<C>(bytes, trust, None)
}

fn verify_at<'a, C: Crypto>(
	bytes: &'a [u8],
	trust: &impl TrustStore,
	at_ms: Option<u64>,
) -> Result<Verified<'a>, Error> {
	if bytes.len() > MAX_DOCUMENT_LEN {
		return Err(Error::TooLarge);
	}
	let sign1 = cose::Sign1::parse(bytes)?;
	let document = AttestationDocument::parse(sign1.payload)?;
	let at_ms = at_ms.unwrap_or(document.timestamp_ms);
	let chain = chain::verify::<C>(&document, trust, at_ms)?;
	let signed = sign1.to_be_signed()?;
	if !C::p384_verify(&chain.leaf_key, &C::sha384(&signed), &sign1.signature) {
		return Err(Error::Signature);
	}
	Ok(Verified {
		document,
		root: chain.root,
		newly_verified: chain.newly_verified,
		valid_until_ms: chain.valid_until_ms,
	})
}
