//! Running a model (kernel spec §3).

use alloc::vec::Vec;

use crate::model::{Activation, Layer, LayerOutput, Model, ModelError, Requant};

/// Everything a run computes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Trace {
	/// The int8 outputs of every layer but the last, in order.
	pub activations: Vec<Vec<i8>>,
	/// The last layer's i32 outputs.
	pub logits: Vec<i32>,
}

/// `(acc · multiplier + 2^(shift-1)) >> shift` in i64 (an arithmetic shift: the floor, so halves
/// round up), saturated to `-128 ..= 127` (spec §3.2). A shift of 0 adds no rounding term.
pub fn requantize(acc: i32, requant: Requant) -> i8 {
	let product = i64::from(acc) * i64::from(requant.multiplier);
	let rounding = if requant.shift == 0 { 0 } else { 1i64 << (requant.shift - 1) };
	// |product| < 2^62 and rounding ≤ 2^61: the sum cannot overflow; saturate anyway.
	let shifted = product.saturating_add(rounding) >> requant.shift;
	shifted.clamp(i64::from(i8::MIN), i64::from(i8::MAX)) as i8
}

/// Applies an activation to a requantized value (spec §3.3).
pub fn activate(x: i8, activation: Activation) -> i8 {
	match activation {
		Activation::Identity => x,
		Activation::Relu => x.max(0),
		Activation::ClampedRelu { max } => x.clamp(0, max.max(0)),
	}
}

/// Neuron accumulators of a layer: `Σ w·x` in i32 (exact: widths are bounded), then the bias
/// added with saturation (spec §3.1).
fn accumulate<'a>(layer: &'a Layer, input: &'a [i8]) -> impl Iterator<Item = i32> + 'a {
	let width = (layer.inputs as usize).max(1);
	layer
		.weights
		.chunks_exact(width)
		.zip(layer.biases.iter())
		.map(move |(row, bias)| dot(row, input).saturating_add(*bias))
}

/// One neuron's output (spec §3): its accumulator, requantized and activated for an `Int8`
/// layer (widened to i32), as is for `Logits`. What a dispute's one-step check recomputes.
pub fn neuron(row: &[i8], bias: i32, output: LayerOutput, input: &[i8]) -> i32 {
	let acc = dot(row, input).saturating_add(bias);
	match output {
		LayerOutput::Int8 { requant, activation } => {
			i32::from(activate(requantize(acc, requant), activation))
		},
		LayerOutput::Logits => acc,
	}
}

/// `Σ w·x` over the common length. The sum is exact (at most [`crate::MAX_WIDTH`] products of
/// at most 2^14), so any order of additions gives the same i32.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dot(row: &[i8], input: &[i8]) -> i32 {
	row.iter().zip(input).map(|(w, x)| i32::from(*w) * i32::from(*x)).sum()
}

/// [`dot`] in wasm SIMD128, 16 products a step: what the sandboxed kernel of `aos-operator`
/// runs (LLVM vectorizes the plain loop only 4 wide for wasm). Integer SIMD is deterministic.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dot(row: &[i8], input: &[i8]) -> i32 {
	use core::arch::wasm32::*;
	fn lanes(s: &[i8]) -> v128 {
		let mut a = [0i8; 16];
		a.copy_from_slice(s);
		i8x16(
			a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13],
			a[14], a[15],
		)
	}
	let n = row.len().min(input.len());
	let (row, input) = (row.get(..n).unwrap_or(&[]), input.get(..n).unwrap_or(&[]));
	let mut acc = i32x4_splat(0);
	let mut rows = row.chunks_exact(16);
	let mut inputs = input.chunks_exact(16);
	for (w, x) in (&mut rows).zip(&mut inputs) {
		let (w, x) = (lanes(w), lanes(x));
		// i8·i8 fits in i16 (|p| ≤ 2^14); pairs of them widen to i32 before they are added.
		acc = i32x4_add(acc, i32x4_extadd_pairwise_i16x8(i16x8_extmul_low_i8x16(w, x)));
		acc = i32x4_add(acc, i32x4_extadd_pairwise_i16x8(i16x8_extmul_high_i8x16(w, x)));
	}
	let tail: i32 = rows
		.remainder()
		.iter()
		.zip(inputs.remainder())
		.map(|(w, x)| i32::from(*w) * i32::from(*x))
		.sum();
	tail.wrapping_add(i32x4_extract_lane::<0>(acc))
		.wrapping_add(i32x4_extract_lane::<1>(acc))
		.wrapping_add(i32x4_extract_lane::<2>(acc))
		.wrapping_add(i32x4_extract_lane::<3>(acc))
}

/// Runs `model` on `input`, keeping every activation. Validates the model and the input first.
pub fn infer(model: &Model, input: &[i8]) -> Result<Trace, ModelError> {
	model.validate()?;
	if input.len() != model.inputs as usize {
		return Err(ModelError::InputLength { expected: model.inputs, found: input.len() as u32 });
	}
	let mut activations: Vec<Vec<i8>> = Vec::with_capacity(model.layers.len().saturating_sub(1));
	let mut logits = Vec::new();
	for layer in &model.layers {
		let x: &[i8] = activations.last().map_or(input, |a| a.as_slice());
		match layer.output {
			LayerOutput::Int8 { requant, activation } => {
				let y = accumulate(layer, x)
					.map(|acc| activate(requantize(acc, requant), activation))
					.collect();
				activations.push(y);
			},
			LayerOutput::Logits => logits = accumulate(layer, x).collect(),
		}
	}
	Ok(Trace { activations, logits })
}

impl Trace {
	/// The value at a flat position: the hidden activations layer by layer, then the logits
	/// (spec §5).
	pub fn value_at(&self, position: u64) -> Option<i32> {
		let mut rest = position;
		for layer in &self.activations {
			let len = layer.len() as u64;
			if rest < len {
				return layer.get(rest as usize).map(|v| i32::from(*v));
			}
			rest -= len;
		}
		self.logits.get(usize::try_from(rest).ok()?).copied()
	}

	/// The number of flat positions.
	pub fn positions(&self) -> u64 {
		self.activations.iter().map(|a| a.len() as u64).sum::<u64>() + self.logits.len() as u64
	}
}
