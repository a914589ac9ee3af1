//! The golden vectors: a fixed model, input, task and operator, built from a seeded generator.
//! Their outputs are pinned in the kernel's tests and compared, bit for bit, with the kernel run
//! inside the wasm runtime. A change to any output is a change of the kernel spec.

use alloc::vec::Vec;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

use crate::{
	model::{Activation, Layer, LayerOutput, Model, Requant},
	sampler::SamplingParams,
	Hash, KERNEL_VERSION,
};

fn rng(label: &[u8]) -> ChaCha20Rng {
	ChaCha20Rng::from_seed(sp_crypto_hashing::blake2_256(label))
}

fn bytes(rng: &mut ChaCha20Rng, n: usize) -> Vec<i8> {
	let mut out = alloc::vec![0u8; n];
	rng.fill_bytes(&mut out);
	out.into_iter().map(|b| b as i8).collect()
}

fn layer(rng: &mut ChaCha20Rng, inputs: u32, outputs: u32, output: LayerOutput) -> Layer {
	let weights = bytes(rng, (inputs * outputs) as usize);
	let biases = (0..outputs).map(|_| (rng.next_u32() as i32) >> 18).collect();
	Layer { inputs, outputs, weights, biases, output }
}

/// A 32 → 64 → 32 → 10 model using every activation and both rounding directions.
pub fn model() -> Model {
	let mut r = rng(b"aos/kernel/golden/model");
	Model {
		kernel_version: KERNEL_VERSION,
		inputs: 32,
		layers: alloc::vec![
			layer(
				&mut r,
				32,
				64,
				LayerOutput::Int8 {
					requant: Requant { multiplier: 1_518_500_250, shift: 39 },
					activation: Activation::Relu
				}
			),
			layer(
				&mut r,
				64,
				32,
				LayerOutput::Int8 {
					requant: Requant { multiplier: 1 << 20, shift: 28 },
					activation: Activation::ClampedRelu { max: 100 }
				}
			),
			layer(&mut r, 32, 10, LayerOutput::Logits),
		],
	}
}

/// The golden input.
pub fn input() -> Vec<i8> {
	bytes(&mut rng(b"aos/kernel/golden/input"), 32)
}

/// The golden task id.
pub fn task() -> Hash {
	sp_crypto_hashing::blake2_256(b"aos/kernel/golden/task")
}

/// The golden operators (encoded account ids).
pub fn operators() -> [[u8; 32]; 2] {
	[
		sp_crypto_hashing::blake2_256(b"aos/kernel/golden/alice"),
		sp_crypto_hashing::blake2_256(b"aos/kernel/golden/bob"),
	]
}

/// Sampling for the golden task: top 4, one halving of weight per 4,096 logit units.
pub fn sampling() -> SamplingParams {
	SamplingParams { top_k: 4, inv_temperature_q16: 16 }
}

/// A seeded ReLU MLP of the given layer widths (`widths[0]` inputs, the last width logits), for
/// benchmarks and tests of models larger than the golden one. Requantization scales by about
/// `1 / (32·√inputs)`, which keeps most int8 activations in range for random weights.
pub fn mlp(label: &[u8], widths: &[u32]) -> Model {
	let mut r = rng(label);
	let mut layers = Vec::new();
	for (i, pair) in widths.windows(2).enumerate() {
		let &[inputs, outputs] = pair else { continue };
		let output = if i + 2 == widths.len() {
			LayerOutput::Logits
		} else {
			// (acc · 2^30) >> (35 + ⌈log2(inputs) / 2⌉) ≈ acc / (32·√inputs).
			let shift = 31 + 4 + (32 - inputs.leading_zeros()).div_ceil(2) as u8;
			LayerOutput::Int8 {
				requant: Requant { multiplier: 1 << 30, shift },
				activation: Activation::Relu,
			}
		};
		layers.push(layer(&mut r, inputs, outputs, output));
	}
	Model { kernel_version: KERNEL_VERSION, inputs: widths.first().copied().unwrap_or(0), layers }
}

/// A seeded input of `n` values.
pub fn input_of(label: &[u8], n: usize) -> Vec<i8> {
	bytes(&mut rng(label), n)
}
