//! Sampled intermediate values (kernel spec §5).
//!
//! With its result an operator reports the values at a few positions of its run — hidden
//! activations or logits — chosen by H(task, operator). They differ per operator, so copying
//! another operator's report does not pass, and any node holding the model can check them.
//!
//! Positions are flat: the hidden layers' int8 outputs layer by layer, then the logits. They are
//! drawn uniformly (as [`crate::sampler::uniform_below`]) from ChaCha20 seeded with the
//! intermediates seed, skipping repeats, until `count` are chosen or `4·count + 64` draws are
//! spent; with no more positions than `count`, all are taken in order.

use alloc::vec::Vec;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::{exec::Trace, hash_parts, sampler::uniform_below, Hash};

/// At most this many intermediates per result.
pub const MAX_INTERMEDIATES: u32 = 64;

/// The seed of `operator`'s intermediates for `task`.
pub fn intermediates_seed(task: &Hash, operator: &[u8]) -> Hash {
	hash_parts(&[
		b"aos/kernel/v1/intermediates",
		task,
		&(operator.len() as u32).to_le_bytes(),
		operator,
	])
}

/// The positions to report, in draw order.
pub fn positions(seed: Hash, total: u64, count: u32) -> Vec<u64> {
	let count = count.min(MAX_INTERMEDIATES) as u64;
	if total <= count {
		return (0..total).collect();
	}
	let mut rng = ChaCha20Rng::from_seed(seed);
	let mut chosen: Vec<u64> = Vec::with_capacity(count as usize);
	for _ in 0..(4 * count + 64) {
		if chosen.len() as u64 == count {
			break;
		}
		let p = uniform_below(&mut rng, total);
		if !chosen.contains(&p) {
			chosen.push(p);
		}
	}
	chosen
}

/// The reported `(position, value)` pairs of a run.
pub fn sample_intermediates(trace: &Trace, seed: Hash, count: u32) -> Vec<(u64, i32)> {
	positions(seed, trace.positions(), count)
		.into_iter()
		.filter_map(|p| trace.value_at(p).map(|v| (p, v)))
		.collect()
}
