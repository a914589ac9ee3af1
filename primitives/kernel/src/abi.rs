//! The kernel as one function of bytes, for running it in a sandbox: `aos-operator` runs it
//! compiled to wasm inside wasmtime (`offchain-workers/kernel-wasm`), and the enclave will run
//! the same. A [`Request`] goes in SCALE-encoded, a [`Reply`] comes out SCALE-encoded; both
//! sides use these types, so they cannot disagree on the layout.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::{evaluate, Hash, Model, ModelError, SamplingParams, TaskSeed};

/// One evaluation: a model file, an input, and the task and operator the seeds are bound to.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct Request {
	/// An `AOSM` model file (kernel spec §3).
	pub model_file: Vec<u8>,
	pub input: Vec<i8>,
	/// The task's 32-byte hash.
	pub task: Hash,
	/// The operator's encoded account id.
	pub operator: Vec<u8>,
	pub sampling: SamplingParams,
	pub samples: u32,
	pub intermediates: u32,
}

/// What an evaluation gives.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct Run {
	/// The last layer's logits.
	pub logits: Vec<i32>,
	/// The output digest of the logits.
	pub output: Hash,
	/// The top classes, largest logit first.
	pub top: Vec<u32>,
	/// The operator's draws.
	pub samples: Vec<u32>,
	/// The operator's `(position, value)` intermediates.
	pub intermediates: Vec<(u64, i32)>,
}

/// The answer to a [`Request`].
pub type Reply = Result<Run, ModelError>;

/// Evaluates `request` (kernel spec §7).
pub fn run(request: &Request) -> Reply {
	let model = Model::from_file(&request.model_file)?;
	let seed = TaskSeed { task: &request.task, operator: &request.operator };
	let run = evaluate(
		&model,
		&request.input,
		seed,
		request.sampling,
		request.samples,
		request.intermediates,
	)?;
	Ok(Run {
		logits: run.trace.logits,
		output: run.output,
		top: run.top,
		samples: run.samples,
		intermediates: run.intermediates,
	})
}

/// Decodes a SCALE [`Request`], runs it and encodes the [`Reply`]; an undecodable request is a
/// [`ModelError::BadRequest`].
pub fn run_encoded(request: &[u8]) -> Vec<u8> {
	let reply: Reply = match Request::decode(&mut &request[..]) {
		Ok(request) => run(&request),
		Err(_) => Err(ModelError::BadRequest),
	};
	reply.encode()
}
