//! ezkl's `proof.json`: the proof bytes and the public instances.
//!
//! ezkl writes the proof both as `hex_proof` ("0x…") and as `proof` (a byte array), and the
//! instances as `instances: [[…]]`, one inner list per instance column (ezkl has one), each
//! element 64 hex digits of the field element's **little-endian** bytes. The verifier takes
//! instances big-endian, as the EVM does.

use alloc::{string::String, vec::Vec};

/// A proof and its instances (32-byte big-endian each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofFile {
	pub proof: Vec<u8>,
	pub instances: Vec<[u8; 32]>,
}

/// Hex digits to bytes, by bytes: slicing the string in twos would cut a multi-byte character
/// (a panic), and `from_str_radix` would take a sign.
fn hex(s: &str) -> Result<Vec<u8>, String> {
	let s = s.strip_prefix("0x").unwrap_or(s).as_bytes();
	if !s.len().is_multiple_of(2) {
		return Err("odd number of hex digits".into());
	}
	let digit = |c: u8| char::from(c).to_digit(16).ok_or(format!("not a hex digit: {c:#04x}"));
	s.chunks_exact(2)
		.map(|pair| match pair {
			[hi, lo] => Ok((digit(*hi)? << 4 | digit(*lo)?) as u8),
			_ => Err("odd number of hex digits".into()),
		})
		.collect()
}

/// Parses ezkl's proof.json.
pub fn parse(json: &[u8]) -> Result<ProofFile, String> {
	let v: serde_json::Value =
		serde_json::from_slice(json).map_err(|e| format!("not JSON: {e}"))?;
	let proof = match (v.get("hex_proof").and_then(|p| p.as_str()), v.get("proof")) {
		(Some(h), _) => hex(h).map_err(|e| format!("hex_proof: {e}"))?,
		(None, Some(serde_json::Value::Array(bytes))) => bytes
			.iter()
			.map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()).ok_or("proof: not a byte"))
			.collect::<Result<_, _>>()?,
		_ => return Err("no hex_proof or proof".into()),
	};
	let cols = v.get("instances").and_then(|i| i.as_array()).ok_or("no instances")?;
	let mut instances = Vec::new();
	for col in cols {
		for e in col.as_array().ok_or("instances: not a list of lists")? {
			let s = e.as_str().ok_or("instance: not a string")?;
			let mut b: [u8; 32] = hex(s)
				.map_err(|e| format!("instance: {e}"))?
				.try_into()
				.map_err(|_| "instance: not 32 bytes")?;
			b.reverse();
			instances.push(b);
		}
	}
	Ok(ProofFile { proof, instances })
}
