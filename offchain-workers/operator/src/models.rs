//! Fetching what tasks name, as an attacker would have it fetched.
//!
//! Every location in chain data (a model's registered URI, a task's input URI) was written by
//! whoever registered or submitted it, so it is never read as a local path: only `http://` and
//! `https://` URLs are fetched, each within an overall deadline (connection, headers and body
//! together: a server that drips a byte a minute is cut off) and a byte cap (a body larger
//! than what may come is refused before it is read). Local files come only from the operator's
//! own configuration (`models.source`).
//!
//! Models are content-addressed: a model is named by the hash of its file, and a file that
//! does not hash to the name it was fetched by is refused. Files come from the configured
//! source (a directory, or an http(s) URL, holding `<model id>.aosm`) or, without one, from
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
pub const MAX_MODEL_BYTES: usize = 256 << 20;

/// How long a model may take to fetch, all of it.
pub const MODEL_DEADLINE: Duration = Duration::from_secs(120);

/// How long a task's input may take to fetch, all of it.
pub const INPUT_DEADLINE: Duration = Duration::from_secs(20);

/// The most a fetch may take: time and bytes.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
	pub deadline: Duration,
	pub max_bytes: usize,
}

/// Why a model or an input could not be fetched, or was refused.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
	#[error("{0:?} is not an http(s) URL: locations in chain data are never read as local paths")]
	NotHttp(String),
	#[error("{location}: not fetched within {deadline:?}")]
	Deadline { location: String, deadline: Duration },
	#[error("{location}: {source}")]
	Url { location: String, source: hyper::http::uri::InvalidUri },
	#[error("no TLS root certificates: {0}")]
	TlsRoots(std::io::Error),
	#[error("{location}: {source}")]
	Request { location: String, source: hyper_util::client::legacy::Error },
	#[error("{location}: HTTP {status}")]
	Status { location: String, status: hyper::StatusCode },
	/// The announced length is above the cap: refused before the body.
	#[error("{location}: larger than {max_bytes} bytes")]
	TooLarge { location: String, max_bytes: usize },
	/// The body failed, or went past the cap.
	#[error("{location}: {source} (at most {max_bytes} bytes are taken)")]
	Body { location: String, max_bytes: usize, source: Box<dyn std::error::Error + Send + Sync> },
	#[error("the input from {uri} does not hash to {hash:?}")]
	InputHash { uri: String, hash: H256 },
	#[error(
		"the model file from {location} hashes to {hash:?}, not to the model id {id:?}: refused"
	)]
	ModelHash { location: String, hash: H256, id: H256 },
	#[error("cannot read {path}: {source}")]
	Read { path: PathBuf, source: std::io::Error },
	#[error("{path}: not a file of at most {max_bytes} bytes")]
	NotAFile { path: PathBuf, max_bytes: usize },
	#[error("cannot cache the model in {path}: {source}")]
	Cache { path: PathBuf, source: std::io::Error },
}

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
	pub async fn get(&self, id: &H256, uri: &str) -> Result<Vec<u8>, FetchError> {
		let cached = self.cache.join(file_name(id));
		if let Ok(bytes) = std::fs::read(&cached) {
			if check(id, &bytes, &cached.display().to_string()).is_ok() {
				return Ok(bytes);
			}
		}
		let limits = Limits { deadline: MODEL_DEADLINE, max_bytes: MAX_MODEL_BYTES };
		let (bytes, location) = match &self.source {
			Some(source) if is_http(source) => {
				let url = format!("{}/{}", source.trim_end_matches('/'), file_name(id));
				(fetch(&url, limits).await?, url)
			},
			// The operator's own directory: the one place local files come from.
			Some(dir) => {
				let path = Path::new(dir).join(file_name(id));
				let bytes = read_capped(&path, MAX_MODEL_BYTES)?;
				(bytes, path.display().to_string())
			},
			None => (fetch(uri, limits).await?, uri.to_string()),
		};
		check(id, &bytes, &location)?;
		std::fs::create_dir_all(&self.cache)
			.and_then(|()| std::fs::write(&cached, &bytes))
			.map_err(|source| FetchError::Cache { path: cached, source })?;
		Ok(bytes)
	}
}

/// A task's remote input: at most `max_len` values, fetched from `uri` and checked against
/// the BLAKE2b-256 `hash` its submitter committed to.
pub async fn fetch_input(uri: &str, hash: &H256, max_len: usize) -> Result<Vec<i8>, FetchError> {
	let bytes = fetch(uri, Limits { deadline: INPUT_DEADLINE, max_bytes: max_len }).await?;
	if sp_crypto_hashing::blake2_256(&bytes) != hash.0 {
		return Err(FetchError::InputHash { uri: uri.into(), hash: *hash });
	}
	Ok(bytes.into_iter().map(|b| b as i8).collect())
}

fn is_http(location: &str) -> bool {
	location.starts_with("http://") || location.starts_with("https://")
}

/// Refuses a file that is not model `id`.
fn check(id: &H256, bytes: &[u8], location: &str) -> Result<(), FetchError> {
	let hash = H256(aos_kernel::model::content_hash(bytes));
	if hash != *id {
		return Err(FetchError::ModelHash { location: location.into(), hash, id: *id });
	}
	Ok(())
}

/// A local file of the operator's own configuration, at most `max_bytes`.
fn read_capped(path: &Path, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
	let read = |source| FetchError::Read { path: path.into(), source };
	let len = std::fs::metadata(path).map_err(read)?;
	if !len.is_file() || len.len() > max_bytes as u64 {
		return Err(FetchError::NotAFile { path: path.into(), max_bytes });
	}
	std::fs::read(path).map_err(read)
}

/// The body at an `http://` or `https://` URL, within `limits`. Anything else is refused: a
/// location from chain data is never a local path.
pub async fn fetch(location: &str, limits: Limits) -> Result<Vec<u8>, FetchError> {
	if !is_http(location) {
		return Err(FetchError::NotHttp(location.into()));
	}
	tokio::time::timeout(limits.deadline, get(location, limits.max_bytes)).await.map_err(|_| {
		FetchError::Deadline { location: location.into(), deadline: limits.deadline }
	})?
}

async fn get(location: &str, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
	let uri: hyper::Uri =
		location.parse().map_err(|source| FetchError::Url { location: location.into(), source })?;
	let https = hyper_rustls::HttpsConnectorBuilder::new()
		.with_native_roots()
		.map_err(FetchError::TlsRoots)?
		.https_or_http()
		.enable_http1()
		.build();
	let client = Client::builder(TokioExecutor::new()).build::<_, Empty<Bytes>>(https);
	let response = client
		.get(uri)
		.await
		.map_err(|source| FetchError::Request { location: location.into(), source })?;
	if !response.status().is_success() {
		return Err(FetchError::Status { location: location.into(), status: response.status() });
	}
	let announced = response
		.headers()
		.get(hyper::header::CONTENT_LENGTH)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.parse::<u64>().ok());
	if announced.is_some_and(|n| n > max_bytes as u64) {
		return Err(FetchError::TooLarge { location: location.into(), max_bytes });
	}
	let body = Limited::new(response.into_body(), max_bytes)
		.collect()
		.await
		.map_err(|source| FetchError::Body { location: location.into(), max_bytes, source })?;
	Ok(body.to_bytes().to_vec())
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::io::{Read, Write};

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

		// A file that is not what its name says is refused.
		let other = H256::repeat_byte(5);
		std::fs::write(source.join(file_name(&other)), &file).unwrap();
		let err = store.get(&other, "unused").await.unwrap_err().to_string();
		assert!(err.contains("not to the model id"), "{err}");
		let _ = std::fs::remove_dir_all(&dir);
	}

	#[tokio::test]
	async fn locations_from_chain_data_are_never_local_paths() {
		let by_uri = ModelStore::new(None, std::env::temp_dir().join("aos-models-none"));
		for uri in ["/dev/zero", "file:///etc/passwd", "../operator.redb", "ftp://x/y"] {
			let err = by_uri.get(&H256::repeat_byte(1), uri).await.unwrap_err().to_string();
			assert!(err.contains("never read as local paths"), "{uri}: {err}");
			let err = fetch_input(uri, &H256::zero(), 16).await.unwrap_err().to_string();
			assert!(err.contains("never read as local paths"), "{uri}: {err}");
		}
	}

	/// Serves one HTTP response on a local port: `head`, then `body` a byte at a time every
	/// `drip` (none: at once).
	fn serve(head: String, body: Vec<u8>, drip: Option<Duration>) -> String {
		let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let addr = listener.local_addr().unwrap();
		std::thread::spawn(move || {
			if let Ok((mut s, _)) = listener.accept() {
				let mut buf = [0u8; 1024];
				let _ = s.read(&mut buf);
				let _ = s.write_all(head.as_bytes());
				for b in body {
					if let Some(d) = drip {
						std::thread::sleep(d);
					}
					if s.write_all(&[b]).is_err() {
						return;
					}
				}
			}
		});
		format!("http://{addr}/x")
	}

	#[tokio::test]
	async fn fetches_have_a_deadline_and_a_byte_cap() {
		let limits = |secs, bytes| Limits { deadline: Duration::from_secs(secs), max_bytes: bytes };
		// A body that drips: cut off at the deadline, however slowly it keeps coming.
		let head = "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n".to_string();
		let url = serve(head, vec![1; 100], Some(Duration::from_millis(500)));
		let started = std::time::Instant::now();
		let err = fetch(&url, limits(2, 1_000)).await.unwrap_err().to_string();
		assert!(err.contains("not fetched within"), "{err}");
		assert!(started.elapsed() < Duration::from_secs(4));
		// Announced too large: refused before the body.
		let head = "HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n".to_string();
		let url = serve(head, vec![1; 10], None);
		let err = fetch(&url, limits(5, 1_000)).await.unwrap_err().to_string();
		assert!(err.contains("larger than 1000 bytes"), "{err}");
		// Not announced, and more than the cap: refused at the cap.
		let head = "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_string();
		let url = serve(head, vec![1; 5_000], None);
		let err = fetch(&url, limits(5, 1_000)).await.unwrap_err().to_string();
		assert!(err.contains("at most 1000 bytes"), "{err}");
		// Missing.
		let head = "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_string();
		let url = serve(head, vec![], None);
		let err = fetch(&url, limits(5, 1_000)).await.unwrap_err().to_string();
		assert!(err.contains("404"), "{err}");
		// Within both: fetched.
		let head = "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n".to_string();
		let url = serve(head, vec![1, 2, 3, 4], None);
		assert_eq!(fetch(&url, limits(5, 1_000)).await.unwrap(), vec![1, 2, 3, 4]);
	}
}
