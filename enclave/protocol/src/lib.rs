//! # aos-enclave-protocol: the operator service and its enclave
//!
//! In TEE mode the operator service (the *host*, on the parent EC2 instance) runs models inside
//! an AWS Nitro enclave (`aos-enclave serve`). They talk over vsock (TCP for the simulated
//! enclave of tests and devnets), one request and one reply at a time on a connection:
//!
//! - [`frame`]: a frame is a `u32` little-endian length, then that many bytes, the SCALE
//!   encoding of a [`Request`] or a [`Reply`]. A reader refuses a length above [`MAX_FRAME`]
//!   before allocating anything for it.
//! - [`Request`] and [`Reply`]: `Hello` (the enclave's ed25519 key), `Attest` (an NSM attestation
//!   document vouching for that key), `LoadModel` (a kernel or ONNX model, named by its content
//!   hash) and `Run` (a task's result, signed by the key). Any refusal is [`Reply::Error`].
//! - [`client`]: a blocking [`Client`] for the host, with timeouts, over an [`Endpoint`].
//!
//! The enclave's side, and what each reply means exactly, is `aos-enclave`'s `serve` and
//! docs/TEE.md.

pub mod client;
pub mod frame;

pub use aos_kernel::SamplingParams;
pub use client::{Client, ClientError, Endpoint, Hello, RunResult, Timeouts};
pub use frame::{read_frame, read_frame_bytes, write_frame, FrameError, MAX_FRAME};

use codec::{Decode, Encode};

/// The protocol's version, which [`Reply::Hello`] reports: a host refuses an enclave of
/// another.
pub const VERSION: u32 = 1;

/// The longest nonce an attestation may carry (the NSM takes more; the chain needs none, and a
/// host uses it only to make a document fresh).
pub const MAX_NONCE: usize = 64;

/// A model's name: BLAKE2b-256 of its file, as the chain's model registry records it.
pub type ModelId = [u8; 32];

/// What a model file is.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum ModelFormat {
	/// An `AOSM` file of the AOS integer kernel (docs/KERNEL.md), run in the kernel's wasm
	/// sandbox.
	Kernel,
	/// An ONNX model, run with tract; its float outputs are turned into Q16 logits (docs/TEE.md).
	Onnx,
}

/// What the host asks the enclave.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Request {
	/// The enclave's protocol version and public key. Answered by [`Reply::Hello`].
	Hello,
	/// An attestation document from the NSM whose `public_key` is the enclave's ed25519 key,
	/// `user_data` these 32 bytes (the operator passes
	/// `aos_inference_primitives::tee::enclave_binding(genesis, account)`), and `nonce` this one
	/// (at most [`MAX_NONCE`] bytes; empty asks for no nonce). Answered by
	/// [`Reply::Attestation`].
	Attest { user_data: [u8; 32], nonce: Vec<u8> },
	/// Keep this model for later runs. Refused unless BLAKE2b-256 of `bytes` is `id`, and unless
	/// the bytes are a model of `format`. Answered by [`Reply::Loaded`].
	LoadModel { id: ModelId, format: ModelFormat, bytes: Vec<u8> },
	/// Run a loaded model on `input` for task `task`; `sampling.top_k` classes are reported.
	/// Answered by [`Reply::Result`].
	Run { task: u64, model: ModelId, input: Vec<i8>, sampling: SamplingParams },
}

/// What the enclave answers.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Reply {
	/// To [`Request::Hello`]: the protocol [`VERSION`], the enclave's ed25519 public key (made
	/// inside at start, never leaves it), and whether its NSM is the simulated one (whose
	/// documents only dev and local chains trust).
	Hello { version: u32, public_key: [u8; 32], simulated: bool },
	/// To [`Request::Attest`]: the NSM's document (COSE_Sign1 bytes).
	Attestation { document: Vec<u8> },
	/// To [`Request::LoadModel`]: the model is loaded.
	Loaded,
	/// To [`Request::Run`]: the output digest of the logits (`aos_kernel::output_digest`), the
	/// top classes (`aos_kernel::sampler::top_k`), and the enclave key's ed25519 signature over
	/// `aos_inference_primitives::tee::result_message(task, model, input_hash(input), output,
	/// top)`.
	Result { output: [u8; 32], top: Vec<u32>, signature: [u8; 64] },
	/// The request was refused, and why. The connection stays open.
	Error(String),
}

impl Request {
	/// The request's name, for messages.
	pub fn kind(&self) -> &'static str {
		match self {
			Request::Hello => "Hello",
			Request::Attest { .. } => "Attest",
			Request::LoadModel { .. } => "LoadModel",
			Request::Run { .. } => "Run",
		}
	}
}

impl Reply {
	/// The reply's name, for messages.
	pub fn kind(&self) -> &'static str {
		match self {
			Reply::Hello { .. } => "Hello",
			Reply::Attestation { .. } => "Attestation",
			Reply::Loaded => "Loaded",
			Reply::Result { .. } => "Result",
			Reply::Error(_) => "Error",
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The variants' indices are the wire format: reordering them breaks every deployed enclave.
	#[test]
	fn variant_indices_are_stable() {
		assert_eq!(Request::Hello.encode(), [0]);
		assert_eq!(Request::Attest { user_data: [0; 32], nonce: vec![] }.encode()[0], 1);
		let load = Request::LoadModel { id: [0; 32], format: ModelFormat::Onnx, bytes: vec![] };
		assert_eq!(load.encode()[0], 2);
		assert_eq!(load.encode()[33], 1);
		let sampling = SamplingParams { top_k: 1, inv_temperature_q16: 0 };
		let run = Request::Run { task: 0, model: [0; 32], input: vec![], sampling };
		assert_eq!(run.encode()[0], 3);
		assert_eq!(Reply::Loaded.encode(), [2]);
		assert_eq!(Reply::Error(String::new()).encode(), [4, 0]);
	}
}
