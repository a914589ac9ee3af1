//! COSE_Sign1 (RFC 9052 §4.2) as the NSM makes it: `[protected, unprotected, payload,
//! signature]`, optionally under tag 18, with `{1: -35}` (alg: ES384) as the protected header, an
//! empty unprotected header and a 96-byte `r ‖ s` signature.

use crate::Error;
use alloc::vec::Vec;
use minicbor::{data::Type, Decoder, Encoder};

/// The COSE tag of a COSE_Sign1 structure (RFC 9052 §2); the NSM's documents are untagged.
pub const COSE_SIGN1_TAG: u64 = 18;
/// The COSE header label `alg` (RFC 9052 §3.1).
pub const HEADER_ALG: u8 = 1;
/// The COSE algorithm ES384: ECDSA on P-384 with SHA-384 (RFC 9053 §2.1).
pub const ALG_ES384: i32 = -35;

/// A COSE_Sign1 structure whose header names ES384, borrowed from the document's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sign1<'a> {
	/// The protected header, as encoded (it is signed as these bytes).
	pub protected: &'a [u8],
	/// The payload: the attestation document.
	pub payload: &'a [u8],
	/// The signature, `r ‖ s`.
	pub signature: [u8; 96],
}

impl<'a> Sign1<'a> {
	/// Reads a COSE_Sign1 structure that fills `bytes` exactly.
	///
	/// Strict where RFC 9052 leaves room, because a verifier must understand everything it
	/// accepts: definite lengths only, the protected header exactly `{alg: ES384}`, the
	/// unprotected header empty.
	pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
		let mut d = Decoder::new(bytes);
		let cose = |_| Error::MalformedCose;
		if d.datatype().map_err(cose)? == Type::Tag
			&& d.tag().map_err(cose)?.as_u64() != COSE_SIGN1_TAG
		{
			return Err(Error::MalformedCose);
		}
		if d.array().map_err(cose)? != Some(4) {
			return Err(Error::MalformedCose);
		}
		let protected = d.bytes().map_err(cose)?;
		if d.map().map_err(cose)? != Some(0) {
			return Err(Error::UnsupportedHeader);
		}
		let payload = d.bytes().map_err(cose)?;
		let signature = d.bytes().map_err(cose)?.try_into().map_err(|_| Error::MalformedCose)?;
		if d.position() != bytes.len() {
			return Err(Error::MalformedCose);
		}
		check_protected_header(protected)?;
		Ok(Sign1 { protected, payload, signature })
	}

	/// The bytes the signature signs: the `Sig_structure` of RFC 9052 §4.4,
	/// `["Signature1", protected, external_aad = h'', payload]`.
	pub fn to_be_signed(&self) -> Result<Vec<u8>, Error> {
		sig_structure(self.protected, self.payload)
	}
}

/// `["Signature1", protected, h'', payload]` in CBOR.
pub fn sig_structure(protected: &[u8], payload: &[u8]) -> Result<Vec<u8>, Error> {
	let mut e = Encoder::new(Vec::with_capacity(payload.len().saturating_add(32)));
	e.array(4)
		.and_then(|e| e.str("Signature1"))
		.and_then(|e| e.bytes(protected))
		.and_then(|e| e.bytes(&[]))
		.and_then(|e| e.bytes(payload))
		.map_err(|_| Error::MalformedCose)?;
	Ok(e.into_writer())
}

/// The protected header the NSM writes: `{1: -35}`, encoded.
pub fn es384_protected_header() -> Vec<u8> {
	// A map of one entry, key 1, value -35 (negative integer 34): RFC 8949 §3.1.
	alloc::vec![0xa1, 0x01, 0x38, 0x22]
}

fn check_protected_header(protected: &[u8]) -> Result<(), Error> {
	let mut d = Decoder::new(protected);
	let header = |_| Error::UnsupportedHeader;
	if d.map().map_err(header)? != Some(1)
		|| d.u8().map_err(header)? != HEADER_ALG
		|| d.i32().map_err(header)? != ALG_ES384
		|| d.position() != protected.len()
	{
		return Err(Error::UnsupportedHeader);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_es384_header_reads_back() {
		assert_eq!(check_protected_header(&es384_protected_header()), Ok(()));
		// ES256 (-7), and a second parameter, are refused.
		assert_eq!(check_protected_header(&[0xa1, 0x01, 0x26]), Err(Error::UnsupportedHeader));
		assert_eq!(
			check_protected_header(&[0xa2, 0x01, 0x38, 0x22, 0x02, 0x80]),
			Err(Error::UnsupportedHeader)
		);
	}
}
