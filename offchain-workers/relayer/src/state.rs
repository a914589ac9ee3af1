//! What the relayer remembers across restarts: the transaction it may have in flight. Written
//! (and synced to disk) before the transaction leaves, so that a restart sends the same
//! checkpoint with the same nonce rather than a second transaction.

use crate::Error;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A `submitCheckpoint` transaction that may be in flight.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InFlight {
	/// The checkpoint it carries.
	pub id: u64,
	/// Its nonce: a resend uses the same, so that only one can be included.
	pub nonce: u64,
	/// Its hash, once sent.
	pub tx: Option<alloy::primitives::B256>,
	/// How many times it was sent again: each resend raises the fees, as a replacement of a
	/// transaction still in a pool must.
	#[serde(default)]
	pub attempt: u32,
}

/// The state file.
#[derive(Debug)]
pub struct State {
	path: PathBuf,
	/// The transaction that may be in flight.
	pub in_flight: Option<InFlight>,
}

impl State {
	/// Reads the state at `path`; none yet is an empty state.
	pub fn load(path: &Path) -> Result<State, Error> {
		let err = |reason: String| Error::State { path: path.to_path_buf(), reason };
		let in_flight = match std::fs::read(path) {
			Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()))?,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
			Err(e) => return Err(err(e.to_string())),
		};
		Ok(State { path: path.to_path_buf(), in_flight })
	}

	/// Sets the transaction in flight (or none) and writes it to disk before returning: a
	/// temporary file, synced, renamed over the old one.
	pub fn set(&mut self, in_flight: Option<InFlight>) -> Result<(), Error> {
		use std::io::Write;
		let err = |reason: String| Error::State { path: self.path.clone(), reason };
		let tmp = self.path.with_extension("tmp");
		let mut file = std::fs::File::create(&tmp).map_err(|e| err(e.to_string()))?;
		let json = serde_json::to_vec_pretty(&in_flight).map_err(|e| err(e.to_string()))?;
		file.write_all(&json).map_err(|e| err(e.to_string()))?;
		file.sync_all().map_err(|e| err(e.to_string()))?;
		std::fs::rename(&tmp, &self.path).map_err(|e| err(e.to_string()))?;
		if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
			if let Ok(d) = std::fs::File::open(dir) {
				let _ = d.sync_all();
			}
		}
		self.in_flight = in_flight;
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn what_is_set_survives_a_reload() {
		let dir = std::env::temp_dir().join(format!("aos-relayer-state-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let path = dir.join("state.json");
		let mut state = State::load(&path).unwrap();
		assert_eq!(state.in_flight, None);
		let f = InFlight {
			id: 4,
			nonce: 9,
			tx: Some(alloy::primitives::B256::repeat_byte(3)),
			attempt: 2,
		};
		state.set(Some(f)).unwrap();
		assert_eq!(State::load(&path).unwrap().in_flight, Some(f));
		state.set(None).unwrap();
		assert_eq!(State::load(&path).unwrap().in_flight, None);
		std::fs::write(&path, b"{not json").unwrap();
		assert!(State::load(&path).is_err());
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
