//! The host's side: a blocking client for one connection to the enclave.
//!
//! Each method sends one request and waits for its reply, within the [`Timeouts`]. After an
//! error other than [`ClientError::Refused`] the connection's state is unknown: drop the client
//! and connect again.

use crate::{
	frame::{read_frame, write_frame, FrameError},
	ModelFormat, ModelId, Reply, Request, SamplingParams, MAX_NONCE,
};
use codec::Encode;
use std::{
	fmt,
	io::{self, Read, Write},
	net::{SocketAddr, TcpStream},
	str::FromStr,
	time::Duration,
};

/// Where the enclave listens.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Endpoint {
	/// TCP: the simulated enclave of tests and devnets (`aos-enclave serve --simulated-nsm --tcp`).
	Tcp(SocketAddr),
	/// vsock (Linux): a Nitro enclave, by its CID (`nitro-cli run-enclave --enclave-cid`) and
	/// port (`aos-enclave serve --vsock-port`).
	Vsock { cid: u32, port: u32 },
}

impl fmt::Display for Endpoint {
	/// `127.0.0.1:5005` or `vsock:16:5005`, which [`Endpoint::from_str`] reads back.
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Endpoint::Tcp(addr) => write!(f, "{addr}"),
			Endpoint::Vsock { cid, port } => write!(f, "vsock:{cid}:{port}"),
		}
	}
}

/// Why a string is not an [`Endpoint`].
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an enclave endpoint: `HOST_IP:PORT` (TCP) or `vsock:CID:PORT` expected")]
pub struct ParseEndpointError(String);

impl FromStr for Endpoint {
	type Err = ParseEndpointError;

	/// `vsock:CID:PORT`, or a socket address (`127.0.0.1:5005`, `[::1]:5005`), optionally
	/// prefixed `tcp:`.
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		let error = || ParseEndpointError(s.to_string());
		if let Some(rest) = s.strip_prefix("vsock:") {
			let (cid, port) = rest.split_once(':').ok_or_else(error)?;
			return Ok(Endpoint::Vsock {
				cid: cid.parse().map_err(|_| error())?,
				port: port.parse().map_err(|_| error())?,
			});
		}
		let addr = s.strip_prefix("tcp:").unwrap_or(s);
		addr.parse().map(Endpoint::Tcp).map_err(|_| error())
	}
}

/// How long the client waits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Timeouts {
	/// For the connection to be made.
	pub connect: Duration,
	/// For each read: a reply's first byte comes once the enclave has done the work, so this
	/// bounds a model's run and load too.
	pub read: Duration,
	/// For each write.
	pub write: Duration,
}

impl Default for Timeouts {
	/// 5 s to connect, 120 s to read (a large ONNX model's load or run), 60 s to write.
	fn default() -> Self {
		Timeouts {
			connect: Duration::from_secs(5),
			read: Duration::from_secs(120),
			write: Duration::from_secs(60),
		}
	}
}

/// What went wrong talking to the enclave.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
	#[error("cannot connect to the enclave at {endpoint}: {source}")]
	Connect { endpoint: Endpoint, source: io::Error },
	#[error("the connection to the enclave failed: {0}")]
	Frame(#[from] FrameError),
	/// The enclave refused the request ([`Reply::Error`]); the connection is still usable.
	#[error("the enclave refused the request: {0}")]
	Refused(String),
	#[error("the enclave answered {got} to a {asked} request")]
	Unexpected { asked: &'static str, got: &'static str },
	/// Not sent: the enclave would refuse it.
	#[error("invalid request: {0}")]
	Invalid(String),
}

/// The enclave's [`Reply::Hello`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Hello {
	pub version: u32,
	/// The enclave's ed25519 public key: what its attestation document carries and its results'
	/// signatures verify under.
	pub public_key: [u8; 32],
	/// Whether the enclave's NSM is the simulated one.
	pub simulated: bool,
}

/// The enclave's [`Reply::Result`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RunResult {
	/// The output digest of the logits.
	pub output: [u8; 32],
	/// The top classes, largest logit first.
	pub top: Vec<u32>,
	/// The enclave key's ed25519 signature over the result's message.
	pub signature: [u8; 64],
}

enum Stream {
	Tcp(TcpStream),
	#[cfg(target_os = "linux")]
	Vsock(vsock::VsockStream),
}

impl Read for Stream {
	fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
		match self {
			Stream::Tcp(s) => s.read(buf),
			#[cfg(target_os = "linux")]
			Stream::Vsock(s) => s.read(buf),
		}
	}
}

impl Write for Stream {
	fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
		match self {
			Stream::Tcp(s) => s.write(buf),
			#[cfg(target_os = "linux")]
			Stream::Vsock(s) => s.write(buf),
		}
	}

	fn flush(&mut self) -> io::Result<()> {
		match self {
			Stream::Tcp(s) => s.flush(),
			#[cfg(target_os = "linux")]
			Stream::Vsock(s) => s.flush(),
		}
	}
}

/// One connection to the enclave.
pub struct Client {
	stream: Stream,
}

impl Client {
	/// Connects to the enclave at `endpoint`.
	pub fn connect(endpoint: &Endpoint, timeouts: Timeouts) -> Result<Client, ClientError> {
		let failed = |source| ClientError::Connect { endpoint: *endpoint, source };
		let stream = match *endpoint {
			Endpoint::Tcp(addr) => {
				let s = TcpStream::connect_timeout(&addr, timeouts.connect).map_err(failed)?;
				s.set_read_timeout(Some(timeouts.read)).map_err(failed)?;
				s.set_write_timeout(Some(timeouts.write)).map_err(failed)?;
				// Requests and replies are whole frames written at once: send them now.
				s.set_nodelay(true).map_err(failed)?;
				Stream::Tcp(s)
			},
			Endpoint::Vsock { cid, port } => connect_vsock(cid, port, timeouts).map_err(failed)?,
		};
		Ok(Client { stream })
	}

	/// Sends `request` and returns the reply as it is, [`Reply::Error`] included.
	pub fn request(&mut self, request: &Request) -> Result<Reply, ClientError> {
		self.exchange(request)
	}

	fn exchange(&mut self, request: &impl Encode) -> Result<Reply, ClientError> {
		write_frame(&mut self.stream, request)?;
		Ok(read_frame(&mut self.stream)?)
	}

	/// [`Request::Hello`]: the enclave's version and key.
	pub fn hello(&mut self) -> Result<Hello, ClientError> {
		match self.exchange(&Request::Hello)? {
			Reply::Hello { version, public_key, simulated } => {
				Ok(Hello { version, public_key, simulated })
			},
			other => Err(unexpected("Hello", other)),
		}
	}

	/// [`Request::Attest`]: an attestation document for the enclave's key with this
	/// `user_data` and `nonce` (at most [`MAX_NONCE`] bytes; empty for none).
	pub fn attest(&mut self, user_data: [u8; 32], nonce: &[u8]) -> Result<Vec<u8>, ClientError> {
		if nonce.len() > MAX_NONCE {
			return Err(ClientError::Invalid(format!(
				"a nonce of {} bytes; at most {MAX_NONCE}",
				nonce.len()
			)));
		}
		match self.exchange(&Request::Attest { user_data, nonce: nonce.to_vec() })? {
			Reply::Attestation { document } => Ok(document),
			other => Err(unexpected("Attest", other)),
		}
	}

	/// [`Request::LoadModel`]: loads the model `bytes` of `format`, named `id` (its BLAKE2b-256).
	pub fn load_model(
		&mut self,
		id: ModelId,
		format: ModelFormat,
		bytes: &[u8],
	) -> Result<(), ClientError> {
		// The SCALE encoding of `Request::LoadModel` (variant 2, then its fields), without
		// copying a model of up to 128 MiB into a `Request` first.
		match self.exchange(&(2u8, id, format, bytes))? {
			Reply::Loaded => Ok(()),
			other => Err(unexpected("LoadModel", other)),
		}
	}

	/// [`Request::Run`]: the loaded model `model` on `input` for task `task`, signed.
	pub fn run(
		&mut self,
		task: u64,
		model: ModelId,
		input: &[i8],
		sampling: SamplingParams,
	) -> Result<RunResult, ClientError> {
		// `Request::Run` (variant 3) encoded from borrowed fields, as in `load_model`.
		match self.exchange(&(3u8, task, model, input, sampling))? {
			Reply::Result { output, top, signature } => Ok(RunResult { output, top, signature }),
			other => Err(unexpected("Run", other)),
		}
	}
}

fn unexpected(asked: &'static str, reply: Reply) -> ClientError {
	match reply {
		Reply::Error(reason) => ClientError::Refused(reason),
		other => ClientError::Unexpected { asked, got: other.kind() },
	}
}

#[cfg(target_os = "linux")]
fn connect_vsock(cid: u32, port: u32, timeouts: Timeouts) -> io::Result<Stream> {
	// The vsock crate's connect blocks (Linux gives up after 2 s by default); waiting for it on
	// a thread bounds it by our timeout too, and the thread ends when the kernel gives up.
	let (tx, rx) = std::sync::mpsc::channel();
	std::thread::Builder::new().name("vsock-connect".into()).spawn(move || {
		let _ = tx.send(vsock::VsockStream::connect_with_cid_port(cid, port));
	})?;
	let s = match rx.recv_timeout(timeouts.connect) {
		Ok(result) => result?,
		Err(_) => return Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
	};
	s.set_read_timeout(Some(timeouts.read))?;
	s.set_write_timeout(Some(timeouts.write))?;
	Ok(Stream::Vsock(s))
}

#[cfg(not(target_os = "linux"))]
fn connect_vsock(_cid: u32, _port: u32, _timeouts: Timeouts) -> io::Result<Stream> {
	Err(io::Error::new(io::ErrorKind::Unsupported, "vsock is only available on Linux"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn endpoints_parse_and_print() {
		for (text, endpoint) in [
			("127.0.0.1:5005", Endpoint::Tcp("127.0.0.1:5005".parse().unwrap())),
			("[::1]:9", Endpoint::Tcp("[::1]:9".parse().unwrap())),
			("vsock:16:5005", Endpoint::Vsock { cid: 16, port: 5005 }),
		] {
			assert_eq!(text.parse::<Endpoint>().unwrap(), endpoint);
			assert_eq!(endpoint.to_string(), text);
		}
		assert_eq!(
			"tcp:10.0.0.1:1".parse::<Endpoint>().unwrap(),
			Endpoint::Tcp("10.0.0.1:1".parse().unwrap())
		);
		for bad in ["", "localhost:5005", "vsock:16", "vsock:x:1", "vsock:1:65536x", "127.0.0.1"] {
			assert!(bad.parse::<Endpoint>().is_err(), "{bad}");
		}
	}

	/// The borrowed encodings the client sends are the enclave's `Request`s.
	#[test]
	fn borrowed_requests_encode_as_the_enum() {
		let bytes = vec![1u8, 2, 3];
		let load = Request::LoadModel { id: [9; 32], format: ModelFormat::Onnx, bytes };
		assert_eq!((2u8, [9u8; 32], ModelFormat::Onnx, &[1u8, 2, 3][..]).encode(), load.encode());
		let sampling = SamplingParams { top_k: 2, inv_temperature_q16: 7 };
		let input = vec![-1i8, 5];
		let run = Request::Run { task: 42, model: [8; 32], input: input.clone(), sampling };
		assert_eq!((3u8, 42u64, [8u8; 32], &input[..], sampling).encode(), run.encode());
	}

	#[test]
	fn a_long_nonce_is_not_sent() {
		let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let endpoint = Endpoint::Tcp(listener.local_addr().unwrap());
		let mut client = Client::connect(&endpoint, Timeouts::default()).unwrap();
		let err = client.attest([0; 32], &[0; MAX_NONCE + 1]).unwrap_err();
		assert!(matches!(err, ClientError::Invalid(_)), "{err}");
		drop(client);
		// The listener's side of the connection sees it closed with nothing sent.
		let (mut accepted, _) = listener.accept().unwrap();
		let mut received = Vec::new();
		accepted.read_to_end(&mut received).unwrap();
		assert!(received.is_empty());
	}
}
