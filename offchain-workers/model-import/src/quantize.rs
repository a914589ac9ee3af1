//! Symmetric int8 quantization of a float MLP (no zero points, as the kernel has none).
//!
//! A real value `x` is represented by the integer `q = round(x / s)` for a scale `s`, saturated
//! to `-127 ..= 127` (never −128, so that the range is symmetric). Per layer:
//!
//! - the input scale `s_in` is the model's input scale (max |x| over the calibration set / 127)
//!   for the first layer and the previous layer's output scale after that;
//! - the weight scale is `s_w = max |w| / 127`;
//! - the bias is in accumulator units, `round(b / (s_in · s_w))`;
//! - a hidden layer's output scale is `s_out = max |activation| / 127`, measured by running the
//!   float model on the calibration set, and its requantization is the fixed-point form of
//!   `s_in · s_w / s_out` ([`requant_for_ratio`]);
//! - the last layer keeps its i32 accumulators as the logits (in units of `s_in · s_w`).
//!
//! Everything is IEEE-754 f64 arithmetic in a fixed order, so the same float model and
//! calibration set give the same bytes on every machine.

use aos_kernel::{
	model::{MAX_SHIFT, MAX_WIDTH},
	Activation, Layer, LayerOutput, Model, Requant, KERNEL_VERSION,
};

use crate::{
	graph::{FloatActivation, FloatMlp},
	ImportError,
};

/// The largest magnitude of a quantized value.
pub const QMAX: i8 = 127;

/// The scale that maps `max_abs` to [`QMAX`].
pub fn scale_for(max_abs: f64) -> f64 {
	max_abs / f64::from(QMAX)
}

/// `round(x / scale)` (halves away from zero), saturated to `-127 ..= 127`. `scale` must be
/// positive and `x` finite; see [`quantize_input`] for the checked version.
pub fn quantize_value(x: f64, scale: f64) -> i8 {
	let q = (x / scale).round();
	// In range after the clamp; an infinite quotient (tiny scale) saturates too.
	q.clamp(-f64::from(QMAX), f64::from(QMAX)) as i8
}

/// Quantizes one float input vector with the model's input scale (the sidecar's
/// `input_scale`): what an operator or a client feeds the kernel. Values beyond ±127 steps
/// saturate. Refuses a scale that is not positive and finite, and values that are not finite.
pub fn quantize_input(x: &[f64], scale: f64) -> Result<Vec<i8>, ImportError> {
	if !(scale.is_finite() && scale > 0.0) {
		return Err(ImportError::Input(format!("scale {scale} is not a positive finite number")));
	}
	x.iter()
		.enumerate()
		.map(|(i, v)| {
			if v.is_finite() {
				Ok(quantize_value(*v, scale))
			} else {
				Err(ImportError::Input(format!("value {i} is {v}, not a finite number")))
			}
		})
		.collect()
}

/// A requantization ratio the kernel's fixed point cannot express.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum RequantError {
	#[error("the requantization ratio {0} is not a positive finite number")]
	NotPositiveFinite(f64),
	#[error("the requantization ratio {0:e} is too small (subnormal)")]
	Subnormal(f64),
	#[error(
		"the requantization ratio {ratio:e} needs a shift of {shift}, outside the kernel's \
		 0..={MAX_SHIFT} (the ratio must be between about 2^-32 and 2^31)"
	)]
	ShiftOutOfRange { ratio: f64, shift: i64 },
}

/// The kernel requantization `(multiplier, shift)` closest to `ratio`: `multiplier` in
/// `[2^30, 2^31)` and `multiplier / 2^shift ≈ ratio` to 31 significant bits.
///
/// Computed exactly from the bits of the f64 (no logarithms): `ratio = sig · 2^(e − 1075)` with a
/// 53-bit significand `sig`, and the multiplier is `sig` rounded (half up) to 31 bits. Fails if
/// the shift falls outside `0 ..= 62`, i.e. unless `2^−32 ≲ ratio < 2^31`.
pub fn requant_for_ratio(ratio: f64) -> Result<Requant, RequantError> {
	if !(ratio.is_finite() && ratio > 0.0) {
		return Err(RequantError::NotPositiveFinite(ratio));
	}
	let bits = ratio.to_bits();
	let biased_exponent = ((bits >> 52) & 0x7ff) as i64;
	if biased_exponent == 0 {
		return Err(RequantError::Subnormal(ratio));
	}
	let significand = (1u64 << 52) | (bits & ((1u64 << 52) - 1));
	// Drop 22 of the 53 bits, rounding half up: a multiplier in [2^30, 2^31], and
	// ratio ≈ multiplier · 2^(biased_exponent − 1053).
	let mut multiplier = (significand + (1 << 21)) >> 22;
	let mut shift = 1053 - biased_exponent;
	if multiplier == 1 << 31 {
		multiplier = 1 << 30;
		shift -= 1;
	}
	if !(0..=i64::from(MAX_SHIFT)).contains(&shift) {
		return Err(RequantError::ShiftOutOfRange { ratio, shift });
	}
	Ok(Requant { multiplier: multiplier as u32, shift: shift as u8 })
}

/// The real-valued scales of one quantized layer (recorded in the sidecar).
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct LayerScales {
	/// The scale of the layer's int8 input.
	pub input_scale: f64,
	/// The scale of its int8 weights.
	pub weight_scale: f64,
	/// `input_scale · weight_scale`: the value of one accumulator unit (for the last layer, of
	/// one logit unit).
	pub accumulator_scale: f64,
	/// The scale of its int8 output; `None` for the logits.
	pub output_scale: Option<f64>,
}

/// A quantized model with its scales.
#[derive(Clone, PartialEq, Debug)]
pub struct Quantized {
	pub model: Model,
	/// The scale of the model's int8 input.
	pub input_scale: f64,
	pub layers: Vec<LayerScales>,
}

/// The largest |x| over every value of every sample.
fn max_abs<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
	values.into_iter().fold(0.0, |m: f64, v| m.max(v.abs()))
}

/// Quantizes `mlp` with scales calibrated on `calibration` (samples of `mlp.inputs` finite
/// values each).
pub fn quantize(mlp: &FloatMlp, calibration: &[Vec<f64>]) -> Result<Quantized, ImportError> {
	if calibration.is_empty() {
		return Err(ImportError::Calibration("no samples".into()));
	}
	for (i, sample) in calibration.iter().enumerate() {
		if sample.len() != mlp.inputs {
			return Err(ImportError::Calibration(format!(
				"sample {i} has {} values; the model takes {}",
				sample.len(),
				mlp.inputs
			)));
		}
		if sample.iter().any(|v| !v.is_finite()) {
			return Err(ImportError::Calibration(format!("sample {i} has a non-finite value")));
		}
	}
	for (i, layer) in mlp.layers.iter().enumerate() {
		if layer.inputs > MAX_WIDTH as usize || layer.outputs > MAX_WIDTH as usize {
			return Err(ImportError::Quantization {
				layer: i,
				reason: format!(
					"shape {} × {} is wider than the kernel's {MAX_WIDTH}",
					layer.outputs, layer.inputs
				),
			});
		}
	}

	let input_max = max_abs(calibration.iter().flatten());
	if input_max == 0.0 {
		return Err(ImportError::Calibration("every input value is 0: no input scale".into()));
	}
	let input_scale = scale_for(input_max);

	// Each hidden layer's largest |activation| over the calibration set, after the activation
	// function: the range its int8 output has to cover.
	let hidden = mlp.layers.len().saturating_sub(1);
	let mut hidden_max = vec![0.0f64; hidden];
	for sample in calibration {
		for (m, out) in hidden_max.iter_mut().zip(mlp.forward(sample)) {
			*m = m.max(max_abs(&out));
		}
	}

	let mut layers = Vec::with_capacity(mlp.layers.len());
	let mut scales = Vec::with_capacity(mlp.layers.len());
	let mut s_in = input_scale;
	for (i, float) in mlp.layers.iter().enumerate() {
		let fail = |reason: String| ImportError::Quantization { layer: i, reason };
		let w_max = max_abs(&float.weights);
		if w_max == 0.0 {
			return Err(fail(format!("every weight of {} is 0", float.node)));
		}
		let s_w = scale_for(w_max);
		let weights: Vec<i8> = float.weights.iter().map(|w| quantize_value(*w, s_w)).collect();
		let s_acc = s_in * s_w;
		let biases = float
			.biases
			.iter()
			.enumerate()
			.map(|(j, b)| {
				let q = (b / s_acc).round();
				if q.is_finite() && q >= f64::from(i32::MIN) && q <= f64::from(i32::MAX) {
					Ok(q as i32)
				} else {
					Err(fail(format!(
						"bias {j} ({b}) is {q:e} accumulator units of {s_acc:e}: outside i32"
					)))
				}
			})
			.collect::<Result<Vec<i32>, ImportError>>()?;

		let (output, s_out) = if i + 1 < mlp.layers.len() {
			let out_max = hidden_max[i];
			if out_max == 0.0 {
				return Err(fail(format!(
					"the output of {} is 0 on every calibration sample (a dead layer): the \
					 calibration set gives it no scale",
					float.node
				)));
			}
			let s_out = scale_for(out_max);
			let requant = requant_for_ratio(s_acc / s_out).map_err(|e| fail(e.to_string()))?;
			let activation = match float.activation {
				FloatActivation::Identity => Activation::Identity,
				FloatActivation::Relu => Activation::Relu,
				FloatActivation::Clip { max } => {
					let q = (max / s_out).round().clamp(1.0, f64::from(QMAX));
					Activation::ClampedRelu { max: q as i8 }
				},
			};
			(LayerOutput::Int8 { requant, activation }, Some(s_out))
		} else {
			(LayerOutput::Logits, None)
		};

		layers.push(Layer {
			inputs: float.inputs as u32,
			outputs: float.outputs as u32,
			weights,
			biases,
			output,
		});
		scales.push(LayerScales {
			input_scale: s_in,
			weight_scale: s_w,
			accumulator_scale: s_acc,
			output_scale: s_out,
		});
		if let Some(s) = s_out {
			s_in = s;
		}
	}

	let model = Model { kernel_version: KERNEL_VERSION, inputs: mlp.inputs as u32, layers };
	model.validate().map_err(ImportError::Kernel)?;
	Ok(Quantized { model, input_scale, layers: scales })
}
