//! The certificate chain: from a trusted root through the CA bundle to the leaf that signs the
//! document, each certificate issued by the one before and valid at the time of verification.

use crate::{AttestationDocument, ChainPosition, Crypto, Error, Fingerprint, MAX_CHAIN_LEN};
use alloc::vec::Vec;
use der::{asn1::ObjectIdentifier, Decode, Header, Reader, SliceReader};
use x509_cert::{
	ext::pkix::{BasicConstraints, KeyUsage},
	name::Name,
	Certificate,
};

/// ecdsa-with-SHA384 (RFC 5758 §3.2): how every certificate of a Nitro chain is signed.
pub const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// id-ecPublicKey (RFC 5480 §2.1.1).
pub const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp384r1, the curve of every key of a Nitro chain (RFC 5480 §2.1.1.1).
pub const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// The basicConstraints extension (RFC 5280 §4.2.1.9).
pub const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// The keyUsage extension (RFC 5280 §4.2.1.3).
pub const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");

/// Which roots a verifier trusts, and what it already verified.
pub trait TrustStore {
	/// Whether the certificate with this fingerprint is a trusted root.
	fn is_trusted_root(&self, fingerprint: &Fingerprint) -> bool;

	/// A CA certificate verified before ([`crate::Verified::newly_verified`]), if remembered.
	/// The verifier uses it only if it chains to this document's root and its window holds the
	/// time of verification.
	fn cached(&self, _fingerprint: &Fingerprint) -> Option<CachedCertificate> {
		None
	}
}

/// A list of trusted roots' fingerprints, with no cache.
pub struct TrustedRoots<'a>(pub &'a [Fingerprint]);

impl TrustStore for TrustedRoots<'_> {
	fn is_trusted_root(&self, fingerprint: &Fingerprint) -> bool {
		self.0.contains(fingerprint)
	}
}

/// What a cache keeps of a CA certificate it verified: enough to start a later chain from it
/// without re-checking anything above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(Hash))]
pub struct CachedCertificate {
	/// The certificate's SHA-256 fingerprint.
	pub fingerprint: Fingerprint,
	/// The trusted root it was verified to chain to (a cache must drop it if the root is no
	/// longer trusted; the verifier also checks it is this document's root).
	pub root: Fingerprint,
	/// When it, and every certificate above it, is valid: from (Unix ms) …
	pub not_before_ms: u64,
	/// … to (Unix ms). A cache may drop it after this.
	pub not_after_ms: u64,
	/// How many more CA certificates may follow it (path-length constraints of it and the
	/// certificates above); `None` for no limit.
	pub path_budget: Option<u8>,
}

/// What the chain yields to the document's verification.
pub(crate) struct Chain {
	pub root: Fingerprint,
	pub leaf_key: Vec<u8>,
	pub newly_verified: Vec<CachedCertificate>,
	pub valid_until_ms: u64,
}

/// The parts of a certificate the chain checks, read strictly.
struct Parsed<'a> {
	/// The signed bytes (`tbsCertificate`), as they appear in the certificate.
	tbs: &'a [u8],
	signature: [u8; 96],
	issuer: Name,
	subject: Name,
	/// The subject's P-384 key, SEC1-encoded.
	key: Vec<u8>,
	not_before_ms: u64,
	not_after_ms: u64,
	ca: bool,
	path_len: Option<u8>,
	/// `None` if the certificate has no keyUsage extension (no restriction).
	key_usage: Option<KeyUsage>,
}

impl<'a> Parsed<'a> {
	fn parse(der: &'a [u8], position: ChainPosition) -> Result<Self, Error> {
		let bad = |_| Error::MalformedCertificate(position);
		// The signed bytes as they are, rather than re-encoded from the decoded value.
		let mut reader = SliceReader::new(der).map_err(bad)?;
		Header::decode(&mut reader).map_err(bad)?;
		let tbs = reader.tlv_bytes().map_err(bad)?;
		let cert = Certificate::from_der(der).map_err(bad)?;
		let tbs_cert = &cert.tbs_certificate;
		if cert.signature_algorithm.oid != ECDSA_WITH_SHA384
			|| tbs_cert.signature.oid != ECDSA_WITH_SHA384
		{
			return Err(Error::MalformedCertificate(position));
		}
		let spki = &tbs_cert.subject_public_key_info;
		let curve =
			spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
		if spki.algorithm.oid != ID_EC_PUBLIC_KEY || curve != Some(SECP384R1) {
			return Err(Error::MalformedCertificate(position));
		}
		let key =
			spki.subject_public_key.as_bytes().ok_or(Error::MalformedCertificate(position))?;
		let signature: [u8; 96] = cert
			.signature
			.as_bytes()
			.and_then(|sig| p384::ecdsa::Signature::from_der(sig).ok())
			.and_then(|sig| sig.to_bytes().as_slice().try_into().ok())
			.ok_or(Error::MalformedCertificate(position))?;
		let mut parsed = Parsed {
			tbs,
			signature,
			issuer: tbs_cert.issuer.clone(),
			subject: tbs_cert.subject.clone(),
			key: key.to_vec(),
			not_before_ms: unix_ms(tbs_cert.validity.not_before),
			not_after_ms: unix_ms(tbs_cert.validity.not_after),
			ca: false,
			path_len: None,
			key_usage: None,
		};
		let (mut basic_seen, mut usage_seen) = (false, false);
		for ext in tbs_cert.extensions.iter().flatten() {
			let value = ext.extn_value.as_bytes();
			if ext.extn_id == BASIC_CONSTRAINTS && !basic_seen {
				let bc = BasicConstraints::from_der(value).map_err(bad)?;
				(parsed.ca, parsed.path_len) = (bc.ca, bc.path_len_constraint);
				basic_seen = true;
			} else if ext.extn_id == KEY_USAGE && !usage_seen {
				parsed.key_usage = Some(KeyUsage::from_der(value).map_err(bad)?);
				usage_seen = true;
			} else if ext.critical || ext.extn_id == BASIC_CONSTRAINTS || ext.extn_id == KEY_USAGE {
				// A critical extension the verifier does not process must fail the chain
				// (RFC 5280 §4.2); so must a repeated one.
				return Err(Error::MalformedCertificate(position));
			}
		}
		Ok(parsed)
	}

	fn valid_at(&self, at_ms: u64) -> bool {
		self.not_before_ms <= at_ms && at_ms <= self.not_after_ms
	}

	/// Whether it may sign certificates: a CA whose key usage (if restricted) allows it.
	fn may_issue(&self) -> bool {
		self.ca && self.key_usage.is_none_or(|u| u.key_cert_sign())
	}
}

/// A certificate's time as Unix milliseconds (X.509 times are whole seconds).
fn unix_ms(time: x509_cert::time::Time) -> u64 {
	time.to_unix_duration().as_secs().saturating_mul(1000)
}

/// Checks the document's chain at `at_ms`, and returns the leaf's key.
pub(crate) fn verify<C: Crypto>(
	document: &AttestationDocument<'_>,
	trust: &impl TrustStore,
	at_ms: u64,
) -> Result<Chain, Error> {
	let mut certs: Vec<&[u8]> = document.cabundle.clone();
	certs.push(document.certificate);
	if document.cabundle.is_empty() || certs.len() > MAX_CHAIN_LEN.saturating_add(1) {
		return Err(Error::ChainLength);
	}
	let fingerprints: Vec<Fingerprint> = certs.iter().map(|c| C::sha256(c)).collect();
	let root = *fingerprints.first().ok_or(Error::ChainLength)?;
	if !trust.is_trusted_root(&root) {
		return Err(Error::UntrustedRoot);
	}
	let leaf_position = certs.len().saturating_sub(1);

	// Start from the deepest CA certificate verified before (its issuers need no second look),
	// else from the root, trusted as it is.
	let cached = (1..leaf_position).rev().find_map(|i| {
		let fingerprint = fingerprints.get(i)?;
		trust
			.cached(fingerprint)
			.filter(|c| {
				c.fingerprint == *fingerprint
					&& c.root == root
					&& c.not_before_ms <= at_ms
					&& at_ms <= c.not_after_ms
			})
			.map(|c| (i, c))
	});
	let (start, mut window, mut budget) = match cached {
		Some((i, c)) => (i, (c.not_before_ms, c.not_after_ms), c.path_budget),
		None => (0, (0, u64::MAX), None),
	};
	let start_position = position(start)?;
	let mut issuer = Parsed::parse(certs.get(start).ok_or(Error::ChainLength)?, start_position)?;
	if !issuer.valid_at(at_ms) {
		return Err(Error::CertificateNotValid(start_position));
	}
	window = (window.0.max(issuer.not_before_ms), window.1.min(issuer.not_after_ms));
	if cached.is_none() {
		budget = issuer.path_len;
	}

	let mut newly_verified = Vec::new();
	for (i, der) in certs.iter().enumerate().skip(start.saturating_add(1)) {
		let here = position(i)?;
		let cert = Parsed::parse(der, here)?;
		let issuer_position = here.saturating_sub(1);
		let is_leaf = i == leaf_position;
		if !issuer.may_issue() || (!is_leaf && budget == Some(0)) {
			return Err(Error::NotAnIssuer(issuer_position));
		}
		if cert.issuer != issuer.subject {
			return Err(Error::IssuerMismatch(here));
		}
		if !C::p384_verify(&issuer.key, &C::sha384(cert.tbs), &cert.signature) {
			return Err(Error::CertificateSignature(here));
		}
		if !cert.valid_at(at_ms) {
			return Err(Error::CertificateNotValid(here));
		}
		window = (window.0.max(cert.not_before_ms), window.1.min(cert.not_after_ms));
		if is_leaf {
			if cert.key_usage.is_some_and(|u| !u.digital_signature()) {
				return Err(Error::MalformedCertificate(here));
			}
			return Ok(Chain {
				root,
				leaf_key: cert.key,
				newly_verified,
				valid_until_ms: window.1,
			});
		}
		budget = match (budget.map(|b| b.saturating_sub(1)), cert.path_len) {
			(Some(a), Some(b)) => Some(a.min(b)),
			(a, b) => a.or(b),
		};
		newly_verified.push(CachedCertificate {
			fingerprint: *fingerprints.get(i).ok_or(Error::ChainLength)?,
			root,
			not_before_ms: window.0,
			not_after_ms: window.1,
			path_budget: budget,
		});
		issuer = cert;
	}
	// The loop returns at the leaf, which is always after the start.
	Err(Error::ChainLength)
}

fn position(i: usize) -> Result<ChainPosition, Error> {
	ChainPosition::try_from(i).map_err(|_| Error::ChainLength)
}
