//! The attestation document: the COSE payload, a CBOR map whose fields and bounds AWS specifies
//! ("Attestation document specification", Nitro Enclaves user guide).

use crate::{Error, MAX_CHAIN_LEN};
use alloc::vec::Vec;
use minicbor::{data::Type, Decoder};

/// A field of the document, to say which one is malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
	/// The payload is not a definite-length map of text keys, or names a field twice.
	Map,
	/// A key that AWS's schema does not have.
	Unknown,
	ModuleId,
	Digest,
	Timestamp,
	Pcrs,
	Certificate,
	CaBundle,
	PublicKey,
	UserData,
	Nonce,
}

impl Field {
	/// The field's key in the document (or what went wrong with the map).
	pub fn name(self) -> &'static str {
		match self {
			Field::Map => "(map)",
			Field::Unknown => "(unknown key)",
			Field::ModuleId => "module_id",
			Field::Digest => "digest",
			Field::Timestamp => "timestamp",
			Field::Pcrs => "pcrs",
			Field::Certificate => "certificate",
			Field::CaBundle => "cabundle",
			Field::PublicKey => "public_key",
			Field::UserData => "user_data",
			Field::Nonce => "nonce",
		}
	}

	fn of_key(key: &str) -> Field {
		match key {
			"module_id" => Field::ModuleId,
			"digest" => Field::Digest,
			"timestamp" => Field::Timestamp,
			"pcrs" => Field::Pcrs,
			"certificate" => Field::Certificate,
			"cabundle" => Field::CaBundle,
			"public_key" => Field::PublicKey,
			"user_data" => Field::UserData,
			"nonce" => Field::Nonce,
			_ => Field::Unknown,
		}
	}
}

/// AWS's bounds on the document's fields.
pub mod bounds {
	/// PCRs a document may carry (indices 0 to 31).
	pub const MAX_PCRS: usize = 32;
	/// A certificate's DER length (`certificate` and each of `cabundle`).
	pub const MAX_CERTIFICATE_LEN: usize = 1024;
	/// `public_key`'s length (at least one byte when present).
	pub const MAX_PUBLIC_KEY_LEN: usize = 1024;
	/// `user_data`'s and `nonce`'s length.
	pub const MAX_USER_DATA_LEN: usize = 512;
	/// `module_id`'s length (AWS's ids are about 40 characters).
	pub const MAX_MODULE_ID_LEN: usize = 256;
	/// A PCR's length: SHA-256, SHA-384 or SHA-512 (the NSM's are SHA-384).
	pub const PCR_LENS: [usize; 3] = [32, 48, 64];
}

/// The PCRs a document carries, by index (ascending, each once).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pcrs<'a>(Vec<(u8, &'a [u8])>);

impl<'a> Pcrs<'a> {
	/// PCR `index`, if the document carries it.
	pub fn get(&self, index: u8) -> Option<&'a [u8]> {
		self.0.iter().find(|(i, _)| *i == index).map(|(_, v)| *v)
	}

	/// Every PCR, by ascending index.
	pub fn iter(&self) -> impl Iterator<Item = (u8, &'a [u8])> + '_ {
		self.0.iter().copied()
	}

	/// How many PCRs the document carries.
	pub fn len(&self) -> usize {
		self.0.len()
	}

	/// Whether it carries none (a parsed document never does).
	pub fn is_empty(&self) -> bool {
		self.0.is_empty()
	}
}

/// An attestation document, borrowed from the COSE payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttestationDocument<'a> {
	/// The enclave's id, as the NSM names it (`i-…-enc…`).
	pub module_id: &'a str,
	/// When the NSM made the document, Unix milliseconds.
	pub timestamp_ms: u64,
	/// The enclave's measurements: PCR0 (image), PCR1 (kernel and boot ramfs), PCR2
	/// (application), and whatever else the enclave extended.
	pub pcrs: Pcrs<'a>,
	/// The leaf certificate (DER), which signs the document.
	pub certificate: &'a [u8],
	/// The CA bundle (DER each), the root first and the leaf's issuer last.
	pub cabundle: Vec<&'a [u8]>,
	/// The key the enclave asked the NSM to vouch for.
	pub public_key: Option<&'a [u8]>,
	/// Data the enclave asked the NSM to sign along.
	pub user_data: Option<&'a [u8]>,
	/// A nonce the enclave asked the NSM to sign along.
	pub nonce: Option<&'a [u8]>,
}

impl<'a> AttestationDocument<'a> {
	/// Reads a document (the COSE payload). Every required field present once, every field
	/// typed and within AWS's bounds, no other field; definite lengths only.
	pub fn parse(payload: &'a [u8]) -> Result<Self, Error> {
		let map_err = |_| Error::MalformedDocument(Field::Map);
		let mut d = Decoder::new(payload);
		let entries = d.map().map_err(map_err)?.ok_or(Error::MalformedDocument(Field::Map))?;
		let mut module_id = None;
		let mut digest_seen = false;
		let mut timestamp_ms = None;
		let mut pcrs = None;
		let mut certificate = None;
		let mut cabundle = None;
		let mut public_key = None;
		let mut user_data = None;
		let mut nonce = None;
		let mut seen = [false; 9];
		// At most one entry per field: a longer map names one twice or an unknown one.
		if entries > seen.len() as u64 {
			return Err(Error::MalformedDocument(Field::Map));
		}
		for _ in 0..entries {
			let field = Field::of_key(d.str().map_err(map_err)?);
			let slot = match field {
				Field::ModuleId => 0,
				Field::Digest => 1,
				Field::Timestamp => 2,
				Field::Pcrs => 3,
				Field::Certificate => 4,
				Field::CaBundle => 5,
				Field::PublicKey => 6,
				Field::UserData => 7,
				Field::Nonce => 8,
				Field::Map | Field::Unknown => return Err(Error::MalformedDocument(field)),
			};
			match seen.get_mut(slot) {
				Some(s) if !*s => *s = true,
				_ => return Err(Error::MalformedDocument(Field::Map)),
			}
			let bad = |_| Error::MalformedDocument(field);
			match field {
				Field::ModuleId => {
					let id = d.str().map_err(bad)?;
					if id.is_empty() || id.len() > bounds::MAX_MODULE_ID_LEN {
						return Err(Error::MalformedDocument(field));
					}
					module_id = Some(id);
				},
				Field::Digest => {
					if d.str().map_err(bad)? != "SHA384" {
						return Err(Error::MalformedDocument(field));
					}
					digest_seen = true;
				},
				Field::Timestamp => {
					let t = d.u64().map_err(bad)?;
					if t == 0 {
						return Err(Error::MalformedDocument(field));
					}
					timestamp_ms = Some(t);
				},
				Field::Pcrs => pcrs = Some(parse_pcrs(&mut d)?),
				Field::Certificate => certificate = Some(certificate_bytes(&mut d, field)?),
				Field::CaBundle => {
					let n = d.array().map_err(bad)?.ok_or(Error::MalformedDocument(field))?;
					if n == 0 || n > MAX_CHAIN_LEN as u64 {
						return Err(Error::ChainLength);
					}
					let mut certs = Vec::with_capacity(n as usize);
					for _ in 0..n {
						certs.push(certificate_bytes(&mut d, field)?);
					}
					cabundle = Some(certs);
				},
				Field::PublicKey => {
					public_key = optional_bytes(&mut d, field, 1, bounds::MAX_PUBLIC_KEY_LEN)?
				},
				Field::UserData => {
					user_data = optional_bytes(&mut d, field, 0, bounds::MAX_USER_DATA_LEN)?
				},
				Field::Nonce => {
					nonce = optional_bytes(&mut d, field, 0, bounds::MAX_USER_DATA_LEN)?
				},
				Field::Map | Field::Unknown => return Err(Error::MalformedDocument(field)),
			}
		}
		if d.position() != payload.len() {
			return Err(Error::MalformedDocument(Field::Map));
		}
		if !digest_seen {
			return Err(Error::MalformedDocument(Field::Digest));
		}
		Ok(AttestationDocument {
			module_id: module_id.ok_or(Error::MalformedDocument(Field::ModuleId))?,
			timestamp_ms: timestamp_ms.ok_or(Error::MalformedDocument(Field::Timestamp))?,
			pcrs: pcrs.ok_or(Error::MalformedDocument(Field::Pcrs))?,
			certificate: certificate.ok_or(Error::MalformedDocument(Field::Certificate))?,
			cabundle: cabundle.ok_or(Error::MalformedDocument(Field::CaBundle))?,
			public_key,
			user_data,
			nonce,
		})
	}
}

fn parse_pcrs<'a>(d: &mut Decoder<'a>) -> Result<Pcrs<'a>, Error> {
	let bad = |_| Error::MalformedDocument(Field::Pcrs);
	let n = d.map().map_err(bad)?.ok_or(Error::MalformedDocument(Field::Pcrs))?;
	if n == 0 || n > bounds::MAX_PCRS as u64 {
		return Err(Error::MalformedDocument(Field::Pcrs));
	}
	let mut pcrs: Vec<(u8, &[u8])> = Vec::with_capacity(n as usize);
	for _ in 0..n {
		let index = d.u8().map_err(bad)?;
		let value = d.bytes().map_err(bad)?;
		if usize::from(index) >= bounds::MAX_PCRS
			|| !bounds::PCR_LENS.contains(&value.len())
			|| pcrs.iter().any(|(i, _)| *i == index)
		{
			return Err(Error::MalformedDocument(Field::Pcrs));
		}
		pcrs.push((index, value));
	}
	pcrs.sort_unstable_by_key(|(i, _)| *i);
	Ok(Pcrs(pcrs))
}

fn certificate_bytes<'a>(d: &mut Decoder<'a>, field: Field) -> Result<&'a [u8], Error> {
	let cert = d.bytes().map_err(|_| Error::MalformedDocument(field))?;
	if cert.is_empty() || cert.len() > bounds::MAX_CERTIFICATE_LEN {
		return Err(Error::MalformedDocument(field));
	}
	Ok(cert)
}

/// A byte string of `min..=max` bytes, or null (absent).
fn optional_bytes<'a>(
	d: &mut Decoder<'a>,
	field: Field,
	min: usize,
	max: usize,
) -> Result<Option<&'a [u8]>, Error> {
	let bad = |_| Error::MalformedDocument(field);
	if d.datatype().map_err(bad)? == Type::Null {
		d.null().map_err(bad)?;
		return Ok(None);
	}
	let value = d.bytes().map_err(bad)?;
	if value.len() < min || value.len() > max {
		return Err(Error::MalformedDocument(field));
	}
	Ok(Some(value))
}
