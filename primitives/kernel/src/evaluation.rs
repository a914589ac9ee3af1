//! One task, one operator: everything an operator reports (kernel spec §7).

use alloc::vec::Vec;
use codec::Encode;

use crate::{
	exec::{infer, Trace},
	hash_parts,
	intermediates::{intermediates_seed, sample_intermediates},
	model::{Model, ModelError},
	sampler::{sample, sample_seed, top_k, SamplingParams},
	Hash,
};

/// At most this many draws per result.
pub const MAX_SAMPLES: u32 = 256;

/// Whose run this is: the task's id and the operator's account, encoded.
#[derive(Clone, Copy, Debug)]
pub struct TaskSeed<'a> {
	pub task: &'a Hash,
	pub operator: &'a [u8],
}

/// The outcome of a run for one operator.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Evaluation {
	pub trace: Trace,
	/// [`output_digest`] of the logits: the same for every honest operator.
	pub output: Hash,
	/// The `top_k` classes, largest logit first: the same for every honest operator.
	pub top: Vec<u32>,
	/// The operator's own draws, one per requested sample.
	pub samples: Vec<u32>,
	/// The operator's own `(position, value)` intermediates.
	pub intermediates: Vec<(u64, i32)>,
}

/// The digest of a run's logits that results are compared by.
pub fn output_digest(logits: &[i32]) -> Hash {
	hash_parts(&[b"aos/kernel/v1/output", &logits.encode()])
}

/// Runs `model` on `input` for `seed`'s task and operator: the logits, the top classes,
/// `samples` draws and `intermediates` sampled values.
pub fn evaluate(
	model: &Model,
	input: &[i8],
	seed: TaskSeed,
	sampling: SamplingParams,
	samples: u32,
	intermediates: u32,
) -> Result<Evaluation, ModelError> {
	if samples > MAX_SAMPLES {
		return Err(ModelError::Sampling);
	}
	let trace = infer(model, input)?;
	sampling.validate(trace.logits.len())?;
	let draws = (0..samples)
		.map(|i| sample(&trace.logits, sampling, sample_seed(seed.task, seed.operator, i)))
		.collect::<Result<Vec<_>, _>>()?;
	let reported =
		sample_intermediates(&trace, intermediates_seed(seed.task, seed.operator), intermediates);
	Ok(Evaluation {
		output: output_digest(&trace.logits),
		top: top_k(&trace.logits, sampling.top_k),
		samples: draws,
		intermediates: reported,
		trace,
	})
}
