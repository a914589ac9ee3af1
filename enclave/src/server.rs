//! `aos-enclave serve`: the enclave's server.
//!
//! At start the enclave makes its ed25519 key from OS randomness; the key never leaves the
//! process. It then answers [`Request`]s (aos-enclave-protocol) on connections it serves on
//! threads of their own, at most [`MAX_CONNECTIONS`] at once (one more is told it is busy and
//! closed). A refused request is answered [`Reply::Error`] and the connection goes on; a frame
//! that breaks the framing (longer than the cap, cut short, or a read timing out) closes that
//! connection only. Requests are answered under `catch_unwind` as a last guard, so even a panic
//! in a library (tract parsing a hostile model) becomes an error reply; only running out of
//! memory, which aborts, ends the process (docs/TEE.md).

use crate::{
	models::{Loaded, ModelCache, MAX_MODELS, MAX_MODEL_BYTES},
	nsm::Nsm,
};
use aos_enclave_protocol::{
	read_frame_bytes, write_frame, FrameError, ModelFormat, ModelId, Reply, Request,
	SamplingParams, MAX_NONCE, VERSION,
};
use aos_inference_primitives::{
	task_hash,
	tee::{input_hash, result_message},
};
use aos_kernel::{model::content_hash, output_digest, sampler::top_k};
use aos_sandbox::WasmKernel;
use codec::DecodeAll;
use sp_core::{ed25519, Pair, H256};
use std::{
	io::{self, Read, Write},
	net::{SocketAddr, TcpListener, TcpStream},
	panic::{self, AssertUnwindSafe},
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, Mutex, PoisonError,
	},
	thread,
	time::Duration,
};

/// Connections served at once: the sandbox's slots, so that every connection's kernel run has
/// an instance.
pub const MAX_CONNECTIONS: usize = aos_sandbox::SLOTS as usize;

/// A connection idle this long (or stalled inside a frame) is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// A reply that cannot be written in this long closes the connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// The enclave's state, shared by its connections.
pub struct Enclave {
	key: ed25519::Pair,
	public_key: [u8; 32],
	nsm: Box<dyn Nsm>,
	kernel: WasmKernel,
	models: Mutex<ModelCache>,
}

impl Enclave {
	/// An enclave with the key `key`, attested by `nsm`, running kernel models with `fuel`.
	pub fn new(key: ed25519::Pair, nsm: Box<dyn Nsm>, fuel: u64) -> Result<Enclave, String> {
		let kernel = WasmKernel::new(fuel).map_err(|e| format!("the kernel's sandbox: {e}"))?;
		let public_key = key.public().0;
		Ok(Enclave {
			key,
			public_key,
			nsm,
			kernel,
			models: Mutex::new(ModelCache::new(MAX_MODELS, MAX_MODEL_BYTES)),
		})
	}

	/// Answers `request`; a refusal, or a panic, is [`Reply::Error`].
	pub fn handle(&self, request: Request) -> Reply {
		let kind = request.kind();
		match panic::catch_unwind(AssertUnwindSafe(|| self.answer(request))) {
			Ok(Ok(reply)) => reply,
			Ok(Err(reason)) => Reply::Error(reason),
			Err(_) => Reply::Error(format!("internal error: the enclave failed answering {kind}")),
		}
	}

	fn cache(&self) -> std::sync::MutexGuard<'_, ModelCache> {
		// A panic never happens with the lock held (loads and runs are outside it); if one did,
		// the cache is still consistent: each change is one step.
		self.models.lock().unwrap_or_else(PoisonError::into_inner)
	}

	fn answer(&self, request: Request) -> Result<Reply, String> {
		match request {
			Request::Hello => Ok(Reply::Hello {
				version: VERSION,
				public_key: self.public_key,
				simulated: self.nsm.simulated(),
			}),
			Request::Attest { user_data, nonce } => {
				if nonce.len() > MAX_NONCE {
					return Err(format!(
						"a nonce of {} bytes; at most {MAX_NONCE} are attested",
						nonce.len()
					));
				}
				let nonce = (!nonce.is_empty()).then_some(nonce.as_slice());
				let document = self.nsm.attest(&self.public_key, &user_data, nonce)?;
				Ok(Reply::Attestation { document })
			},
			Request::LoadModel { id, format, bytes } => self.load(id, format, bytes),
			Request::Run { task, model, input, sampling } => self.run(task, model, input, sampling),
		}
	}

	fn load(&self, id: ModelId, format: ModelFormat, bytes: Vec<u8>) -> Result<Reply, String> {
		let hash = content_hash(&bytes);
		if hash != id {
			return Err(format!(
				"the model's bytes hash to 0x{} (BLAKE2b-256), not to its id 0x{}",
				hex::encode(hash),
				hex::encode(id)
			));
		}
		let size = bytes.len();
		if let Some(loaded) = self.cache().get(&id) {
			if loaded.format() == format {
				return Ok(Reply::Loaded);
			}
		}
		if !self.cache().fits(size) {
			return Err(format!(
				"a model of {size} bytes is larger than the enclave's model cache \
				 ({MAX_MODEL_BYTES} bytes)"
			));
		}
		// Parsed outside the lock: other connections' runs go on meanwhile.
		let loaded = Loaded::load(format, bytes)?;
		self.cache().insert(id, Arc::new(loaded), size)?;
		Ok(Reply::Loaded)
	}

	fn run(
		&self,
		task: u64,
		model: ModelId,
		input: Vec<i8>,
		sampling: SamplingParams,
	) -> Result<Reply, String> {
		let loaded = self.cache().get(&model).ok_or_else(|| {
			format!("model 0x{} is not loaded: send LoadModel first", hex::encode(model))
		})?;
		let input_hash = input_hash(&input);
		let logits = match &*loaded {
			Loaded::Kernel { file } => {
				// No samples nor intermediates are drawn, so the operator the kernel seeds them
				// with plays no part: none is given.
				let request = aos_kernel::abi::Request {
					model_file: file.clone(),
					input,
					task: task_hash(task),
					operator: Vec::new(),
					sampling,
					samples: 0,
					intermediates: 0,
				};
				let metered = self.kernel.evaluate(&request).map_err(|e| e.to_string())?;
				metered.reply.map_err(|e| format!("the kernel refused the run: {e:?}"))?.logits
			},
			Loaded::Onnx(onnx) => onnx.logits(&input)?,
		};
		if sampling.validate(logits.len()).is_err() {
			return Err(format!(
				"top_k {} is not between 1 and {} (the model's {} logits, at most {})",
				sampling.top_k,
				logits.len().min(aos_kernel::sampler::MAX_TOP_K as usize),
				logits.len(),
				aos_kernel::sampler::MAX_TOP_K
			));
		}
		let output = output_digest(&logits);
		let top = top_k(&logits, sampling.top_k);
		let message = result_message(task, &H256(model), &input_hash, &H256(output), &top);
		let signature = self.key.sign(&message).0;
		Ok(Reply::Result { output, top, signature })
	}
}

/// Where the server listens.
#[derive(Clone, Copy, Debug)]
pub enum Listen {
	/// TCP (the simulated enclave of tests and devnets).
	Tcp(SocketAddr),
	/// vsock, any CID (inside a Nitro enclave, the parent instance connects to the enclave's).
	Vsock { port: u32 },
}

/// A connection, over either transport.
enum Conn {
	Tcp(TcpStream),
	#[cfg(target_os = "linux")]
	Vsock(vsock::VsockStream),
}

impl Conn {
	fn set_timeouts(&self, read: Duration, write: Duration) -> io::Result<()> {
		match self {
			Conn::Tcp(s) => {
				s.set_nodelay(true)?;
				s.set_read_timeout(Some(read))?;
				s.set_write_timeout(Some(write))
			},
			#[cfg(target_os = "linux")]
			Conn::Vsock(s) => {
				s.set_read_timeout(Some(read))?;
				s.set_write_timeout(Some(write))
			},
		}
	}
}

impl Read for Conn {
	fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
		match self {
			Conn::Tcp(s) => s.read(buf),
			#[cfg(target_os = "linux")]
			Conn::Vsock(s) => s.read(buf),
		}
	}
}

impl Write for Conn {
	fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
		match self {
			Conn::Tcp(s) => s.write(buf),
			#[cfg(target_os = "linux")]
			Conn::Vsock(s) => s.write(buf),
		}
	}

	fn flush(&mut self) -> io::Result<()> {
		match self {
			Conn::Tcp(s) => s.flush(),
			#[cfg(target_os = "linux")]
			Conn::Vsock(s) => s.flush(),
		}
	}
}

/// Binds `listen`, prints `listening on <addr>` to stdout, and serves until the process ends.
/// Only binding fails.
pub fn serve(enclave: Arc<Enclave>, listen: Listen) -> Result<(), String> {
	match listen {
		Listen::Tcp(addr) => {
			let listener =
				TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
			let local = listener.local_addr().map_err(|e| format!("the bound address: {e}"))?;
			announce(&local.to_string());
			accept_loop(&enclave, || listener.accept().map(|(s, _)| Conn::Tcp(s)))
		},
		Listen::Vsock { port } => serve_vsock(enclave, port),
	}
}

#[cfg(target_os = "linux")]
fn serve_vsock(enclave: Arc<Enclave>, port: u32) -> Result<(), String> {
	let listener = vsock::VsockListener::bind_with_cid_port(vsock::VMADDR_CID_ANY, port)
		.map_err(|e| format!("cannot listen on vsock port {port}: {e}"))?;
	announce(&format!("vsock:any:{port}"));
	accept_loop(&enclave, || listener.accept().map(|(s, _)| Conn::Vsock(s)))
}

#[cfg(not(target_os = "linux"))]
fn serve_vsock(_enclave: Arc<Enclave>, _port: u32) -> Result<(), String> {
	Err("vsock is only available on Linux".into())
}

fn announce(addr: &str) {
	let mut out = io::stdout().lock();
	// Scripts and tests read this line; if stdout is gone, serving is still the job.
	let _ = writeln!(out, "listening on {addr}").and_then(|()| out.flush());
}

/// Gives its slot back when the connection's thread ends, however it ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
	fn drop(&mut self) {
		self.0.fetch_sub(1, Ordering::SeqCst);
	}
}

fn accept_loop(
	enclave: &Arc<Enclave>,
	accept: impl Fn() -> io::Result<Conn>,
) -> Result<(), String> {
	let open = Arc::new(AtomicUsize::new(0));
	loop {
		let mut conn = match accept() {
			Ok(conn) => conn,
			Err(e) => {
				// Out of descriptors, a connection reset before it was accepted: wait, go on.
				eprintln!("aos-enclave: accepting a connection failed: {e}");
				thread::sleep(Duration::from_millis(100));
				continue;
			},
		};
		if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
			open.fetch_sub(1, Ordering::SeqCst);
			// A short write timeout: a client that does not read cannot hold the accept loop.
			let _ = conn.set_timeouts(Duration::from_secs(1), Duration::from_secs(1));
			let busy = Reply::Error(format!(
				"busy: {MAX_CONNECTIONS} connections are open, the most served at once; try later"
			));
			let _ = write_frame(&mut conn, &busy);
			continue;
		}
		let slot = Slot(open.clone());
		let enclave = enclave.clone();
		let spawned = thread::Builder::new().name("aos-enclave-conn".into()).spawn(move || {
			let _slot = slot;
			serve_connection(&enclave, conn);
		});
		// If the thread could not start, the closure (and the slot with it) is dropped.
		if let Err(e) = spawned {
			eprintln!("aos-enclave: cannot start a connection's thread: {e}");
		}
	}
}

/// Answers requests on `conn` until the client closes it or breaks the framing.
fn serve_connection(enclave: &Enclave, mut conn: Conn) {
	if let Err(e) = conn.set_timeouts(IDLE_TIMEOUT, WRITE_TIMEOUT) {
		eprintln!("aos-enclave: a connection's timeouts: {e}");
		return;
	}
	loop {
		let body = match read_frame_bytes(&mut conn) {
			Ok(body) => body,
			Err(FrameError::Closed) => return,
			Err(e @ FrameError::TooLarge { .. }) => {
				// The body is not read, so the stream is out of step: say why, and close.
				let _ = write_frame(&mut conn, &Reply::Error(format!("{e}; connection closed")));
				return;
			},
			Err(e) => {
				eprintln!("aos-enclave: a connection ended: {e}");
				return;
			},
		};
		let decoded = Request::decode_all(&mut body.as_slice());
		let reply = match decoded {
			Ok(request) => {
				// A model's bytes are in the request now: free the frame before loading it.
				drop(body);
				enclave.handle(request)
			},
			Err(e) => Reply::Error(format!("not a request of protocol version {VERSION}: {e}")),
		};
		if let Err(e) = write_frame(&mut conn, &reply) {
			eprintln!("aos-enclave: writing a reply failed: {e}");
			return;
		}
	}
}
