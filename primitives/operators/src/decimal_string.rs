//! JSON (serde) helpers for the RPC views: balances travel as decimal strings, since they
//! exceed the integers JavaScript represents exactly (2^53).

use serde::{de::Error, Deserialize, Deserializer, Serializer};
use std::{fmt::Display, str::FromStr, string::String};

/// `value` as a decimal string.
pub fn serialize<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
	s.collect_str(value)
}

/// A decimal string as a number; a clear error otherwise.
pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
	let text = String::deserialize(d)?;
	text.parse().map_err(|_| D::Error::custom(format!("not a decimal amount: {text:?}")))
}

/// `(block, amount)` pairs, with the amounts as decimal strings.
pub mod pairs {
	use super::*;
	use serde::{ser::SerializeSeq, Serialize};
	use std::vec::Vec;

	pub fn serialize<B: Serialize, T: Display, S: Serializer>(
		value: &[(B, T)],
		s: S,
	) -> Result<S::Ok, S::Error> {
		let mut seq = s.serialize_seq(Some(value.len()))?;
		for (b, t) in value {
			seq.serialize_element(&(b, t.to_string()))?;
		}
		seq.end()
	}

	pub fn deserialize<'de, B, T, D>(d: D) -> Result<Vec<(B, T)>, D::Error>
	where
		B: Deserialize<'de>,
		T: FromStr,
		D: Deserializer<'de>,
	{
		let pairs: Vec<(B, String)> = Vec::deserialize(d)?;
		pairs
			.into_iter()
			.map(|(b, text)| {
				let t = text
					.parse()
					.map_err(|_| D::Error::custom(format!("not a decimal amount: {text:?}")))?;
				Ok((b, t))
			})
			.collect()
	}
}
