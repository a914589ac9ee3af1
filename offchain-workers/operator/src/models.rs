//! A content-addressed model store: a model is named by the hash of its file, and a file that
//! does not hash to the name it was fetched by is refused. Files come from the configured
//! source (a directory, or an `http://` URL, holding `<model id>.aosm`) or, without one, from
//! the URI the model was registered with; they are kept in a local cache.

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use sp_core::H256;
use std::{
	path::{Path, PathBuf},
	time::Duration,
};

/// The largest model file fetched.
const MAX_MODEL_BYTES: usize = 256 << 20;

/// Where model files come from.
pub struct ModelStore {
	source: Option<String>,
	cache: PathBuf,
}

/// A model file's name in a store.
pub fn file_name(id: &H256) -> String {
	format!("0x{}.aosm", hex::encode(id.as_bytes()))
}

impl ModelStore {
	/// A store that fetches from `source` (or the registered URIs) into `cache`.
	pub fn new(source: Option<String>, cache: PathBuf) -> ModelStore {
		ModelStore { source, cache }
	}

	/// The file of model `id`, registered with `uri`, checked against its hash.
	pub async fn get(&self, id: &H256, uri: &str) -> Result<Vec<u8>, String> {
		let cached = self.cache.join(file_name(id));
		if let Ok(bytes) = std::fs::read(&cached) {
			if check(id, &bytes, &cached.display().to_string()).is_ok() {
				return Ok(bytes);
			}
		}
		let location = match &self.source {
			Some(source) if is_http(source) => {
				format!("{}/{}", source.trim_end_matches('/'), file_name(id))
			},
			Some(dir) => Path::new(dir).join(file_name(id)).display().to_string(),
			None => uri.to_string(),
		};
		let bytes = fetch(&location).await?;
		check(id, &bytes, &location)?;
		std::fs::create_dir_all(&self.cache)
			.and_then(|()| std::fs::write(&cached, &bytes))
			.map_err(|e| format!("cannot cache the model in {}: {e}", cached.display()))?;
		Ok(bytes)
	}
}

fn is_http(location: &str) -> bool {
	location.starts_with("http://") || location.starts_with("https://")
}

/// Refuses a file that is not model `id`.
fn check(id: &H256, bytes: &[u8], location: &str) -> Result<(), String> {
	let hash = H256(aos_kernel::model::content_hash(bytes));
	if hash != *id {
		return Err(format!(
			"the model file from {location} hashes to {hash:?}, not to the model id {id:?}: refused"
		));
	}
	Ok(())
}

/// The bytes at a path, `file://` URL or `http://` URL.
pub async fn fetch(location: &str) -> Result<Vec<u8>, String> {
	if location.starts_with("https://") {
		return Err(format!("{location}: https is not supported yet; use http:// or a directory"));
	}
	if !location.starts_with("http://") {
		let path = location.strip_prefix("file://").unwrap_or(location);
		return std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"));
	}
	let uri: hyper::Uri = location.parse().map_err(|e| format!("{location}: {e}"))?;
	let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
	let response = tokio::time::timeout(Duration::from_secs(60), client.get(uri))
		.await
		.map_err(|_| format!("{location}: no answer within 60 s"))?
		.map_err(|e| format!("{location}: {e}"))?;
	if !response.status().is_success() {
		return Err(format!("{location}: HTTP {}", response.status()));
	}
	let body = Limited::new(response.into_body(), MAX_MODEL_BYTES)
		.collect()
		.await
		.map_err(|e| format!("{location}: {e}"))?;
	Ok(body.to_bytes().to_vec())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn files_are_checked_against_their_names() {
		let dir = std::env::temp_dir().join(format!("aos-models-{}", std::process::id()));
		let source = dir.join("source");
		std::fs::create_dir_all(&source).unwrap();
		let file = aos_kernel::golden::model().to_file();
		let id = H256(aos_kernel::model::content_hash(&file));
		std::fs::write(source.join(file_name(&id)), &file).unwrap();
		let store = ModelStore::new(Some(source.display().to_string()), dir.join("cache"));
		assert_eq!(store.get(&id, "unused").await.unwrap(), file);
		assert!(dir.join("cache").join(file_name(&id)).exists());

		// A file that is not what its name says is refused, wherever it comes from.
		let other = H256::repeat_byte(5);
		std::fs::write(source.join(file_name(&other)), &file).unwrap();
		let err = store.get(&other, "unused").await.unwrap_err();
		assert!(err.contains("not to the model id"), "{err}");
		let by_uri = ModelStore::new(None, dir.join("cache2"));
		let path = source.join(file_name(&other)).display().to_string();
		assert!(by_uri.get(&other, &path).await.unwrap_err().contains("refused"));
		let _ = std::fs::remove_dir_all(&dir);
	}
}
