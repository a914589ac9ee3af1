//! Top-k sampling from integer logits (kernel spec §6).
//!
//! The ASLI rule of AegisAI's PoS+W: each node draws its pseudo-random numbers from a seed tied
//! to its own address and the task, with precision fixed by integer rules, so any node can
//! reproduce any other node's draw and no node can reuse another's.
//!
//! 1. Candidates: the `top_k` largest logits, ordered by logit descending, then index ascending.
//! 2. Weights: `w = 2^(-d)` in Q32 fixed point with `d = (max - logit) · inv_temperature_q16 / 2^16`
//!    (a base-2 softmax), from a 17-entry table of `2^(-j/16)` with linear interpolation
//!    between entries; `w = 0` once `d ≥ 32`. The top candidate always weighs 2^32.
//! 3. Draw: `r` uniform below `Σ w` from ChaCha20 (20 rounds, 32-byte seed, stream 0), by
//!    rejection of the top partial range of `u64`, at most [`MAX_REJECTIONS`] times, after which
//!    the last value is reduced modulo `Σ w`; the candidate whose cumulative weight first
//!    exceeds `r` is drawn.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use scale_info::TypeInfo;

use crate::{hash_parts, model::ModelError, Hash};

/// At most this many candidates.
pub const MAX_TOP_K: u32 = 256;
/// Rejection-sampling rounds before a draw falls back to a plain modulo.
pub const MAX_REJECTIONS: u32 = 64;

/// `round(2^32 · 2^(-j/16))` for `j = 0 ..= 16`.
const EXP2_NEG_Q32: [u64; 17] = [
	4294967296, 4112874773, 3938502376, 3771522796, 3611622603, 3458501653, 3311872529, 3171459999,
	3037000500, 2908241642, 2784941738, 2666869345, 2553802834, 2445529972, 2341847524, 2242560872,
	2147483648,
];

/// How a task's outputs are sampled.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
)]
pub struct SamplingParams {
	/// Candidates drawn from: `1` is greedy (argmax), at most [`MAX_TOP_K`].
	pub top_k: u32,
	/// `2^16 / temperature`: larger is sharper, `0` draws uniformly among the candidates.
	pub inv_temperature_q16: u32,
}

impl SamplingParams {
	pub fn validate(&self, logits: usize) -> Result<(), ModelError> {
		if self.top_k == 0 || self.top_k > MAX_TOP_K || self.top_k as usize > logits {
			return Err(ModelError::Sampling);
		}
		Ok(())
	}
}

/// The indices of the `k` largest logits, largest first, ties to the lower index.
pub fn top_k(logits: &[i32], k: u32) -> Vec<u32> {
	let mut order: Vec<u32> = (0..logits.len() as u32).collect();
	order.sort_by(|a, b| {
		let la = logits.get(*a as usize).copied().unwrap_or(i32::MIN);
		let lb = logits.get(*b as usize).copied().unwrap_or(i32::MIN);
		lb.cmp(&la).then(a.cmp(b))
	});
	order.truncate(k as usize);
	order
}

/// `2^(-d)` in Q32 for `d` in Q16.
pub fn exp2_neg_q32(d_q16: u64) -> u64 {
	let int = d_q16 >> 16;
	if int >= 32 {
		return 0;
	}
	let frac = d_q16 & 0xFFFF;
	let j = (frac >> 12) as usize;
	let low = frac & 0xFFF;
	let (hi, lo) = match (EXP2_NEG_Q32.get(j), EXP2_NEG_Q32.get(j + 1)) {
		(Some(h), Some(l)) => (*h, *l),
		_ => return 0,
	};
	let interpolated = hi - (((hi - lo) * low) >> 12);
	interpolated >> int
}

/// The candidates' weights, in the order of [`top_k`].
pub fn weights(logits: &[i32], candidates: &[u32], inv_temperature_q16: u32) -> Vec<u64> {
	let max = candidates.first().and_then(|i| logits.get(*i as usize)).copied().unwrap_or(0);
	candidates
		.iter()
		.map(|i| {
			let logit = logits.get(*i as usize).copied().unwrap_or(i32::MIN);
			let diff = (i64::from(max) - i64::from(logit)).max(0) as u64;
			exp2_neg_q32(diff.saturating_mul(u64::from(inv_temperature_q16)))
		})
		.collect()
}

/// A uniform value below `bound` (> 0) from the generator (see the module docs).
pub fn uniform_below(rng: &mut ChaCha20Rng, bound: u64) -> u64 {
	let zone = (u64::MAX / bound) * bound;
	let mut x = rng.next_u64();
	for _ in 0..MAX_REJECTIONS {
		if x < zone {
			break;
		}
		x = rng.next_u64();
	}
	x % bound
}

/// The seed of draw `index` of `operator` for `task`.
pub fn sample_seed(task: &Hash, operator: &[u8], index: u32) -> Hash {
	hash_parts(&[
		b"aos/kernel/v1/sample",
		task,
		&(operator.len() as u32).to_le_bytes(),
		operator,
		&index.to_le_bytes(),
	])
}

/// Draws one output index from `logits` with the given seed.
pub fn sample(logits: &[i32], params: SamplingParams, seed: Hash) -> Result<u32, ModelError> {
	params.validate(logits.len())?;
	let candidates = top_k(logits, params.top_k);
	let weights = weights(logits, &candidates, params.inv_temperature_q16);
	let total: u64 = weights.iter().sum();
	let mut rng = ChaCha20Rng::from_seed(seed);
	let r = uniform_below(&mut rng, total.max(1));
	let mut cumulative = 0u64;
	for (candidate, weight) in candidates.iter().zip(&weights) {
		cumulative += weight;
		if r < cumulative {
			return Ok(*candidate);
		}
	}
	candidates.first().copied().ok_or(ModelError::Sampling)
}
