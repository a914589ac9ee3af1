//! # aos-model-import
//!
//! Turns a float ONNX classifier into a model the AOS kernel runs (`docs/KERNEL.md`): a stack of
//! dense int8 layers with i32 accumulators, per-layer fixed-point requantization and i32 logits.
//! std-only: it runs on a developer's machine, never in the runtime.
//!
//! The pipeline ([`import`]):
//!
//! 1. [`graph`]: read the ONNX graph as a chain of dense float layers (Gemm, or MatMul + Add,
//!    with Relu or Clip(0, c) between them); anything else is refused, naming the op and node.
//! 2. [`quantize`]: symmetric int8 scales from a calibration set (max |x| / 127 for the input and
//!    for each hidden layer's activations, max |w| / 127 per layer for the weights), biases in
//!    accumulator units, requantization ratios as exact `(multiplier, shift)` pairs.
//! 3. [`reference`](mod@reference): run the ONNX model itself with tract on the calibration set, check the
//!    importer's float reading of the graph against it, and measure how often the kernel's
//!    argmax on the quantized input equals tract's float argmax (the *agreement*).
//! 4. [`meta`]: the sidecar (`model.json`) with the input scale, per-layer shapes, scales and
//!    Merkle roots, the content hash, the model commitment, labels and the agreement.
//!
//! The import is deterministic: the same ONNX file and calibration set give the same model file
//! byte for byte. [`quantize::quantize_input`] (or [`Meta::quantize_input`]) quantizes a float
//! input the way the import did, for the operator service and clients.

pub mod calibration;
mod error;
pub mod graph;
pub mod meta;
pub mod quantize;
pub mod reference;

use std::path::{Path, PathBuf};

use aos_kernel::{commit, model::content_hash, Hash, Model};
use tract_onnx::{pb, prelude::Framework};

pub use error::ImportError;
pub use graph::FloatMlp;
pub use meta::{Agreement, LayerMeta, Meta};
pub use quantize::{quantize_input, Quantized};

/// The default for [`ImportOptions::min_agreement`].
pub const DEFAULT_MIN_AGREEMENT: f64 = 0.9;

/// How far (relative to the sample's largest logit, plus one) the importer's f64 forward pass
/// may stray from tract's f32 logits before the import is refused as a misreading of the graph.
/// f32 rounding is far below it; a transposed matrix or a dropped bias is far above.
const FLOAT_TOLERANCE: f64 = 1e-3;

/// A decoded ONNX model.
#[derive(Clone, Debug)]
pub struct OnnxSource {
	pub proto: pb::ModelProto,
	/// Where tensors stored as external data are looked up: the model file's directory.
	pub dir: Option<PathBuf>,
	/// BLAKE2b-256 of the file's bytes.
	pub hash: Hash,
}

impl OnnxSource {
	/// Decodes an ONNX model from its bytes; `dir` is where its external data lives, if any.
	pub fn from_bytes(bytes: &[u8], dir: Option<PathBuf>) -> Result<Self, ImportError> {
		let proto = tract_onnx::onnx()
			.proto_model_for_read(&mut &bytes[..])
			.map_err(|e| ImportError::Onnx(format!("{e:#}")))?;
		Ok(OnnxSource { proto, dir, hash: content_hash(bytes) })
	}

	/// Reads and decodes an ONNX file.
	pub fn from_path(path: &Path) -> Result<Self, ImportError> {
		let bytes = std::fs::read(path)
			.map_err(|e| ImportError::Onnx(format!("reading {}: {e}", path.display())))?;
		let dir = path.parent().map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p });
		Self::from_bytes(&bytes, dir.map(Path::to_path_buf))
	}
}

/// What an import may be told.
#[derive(Clone, Debug)]
pub struct ImportOptions {
	/// Class names in logit order; their number must match the model's outputs.
	pub labels: Option<Vec<String>>,
	/// The import fails below this agreement (a fraction in `0 ..= 1`).
	pub min_agreement: f64,
}

impl Default for ImportOptions {
	fn default() -> Self {
		ImportOptions { labels: None, min_agreement: DEFAULT_MIN_AGREEMENT }
	}
}

/// An imported model.
#[derive(Clone, Debug)]
pub struct Imported {
	pub model: Model,
	/// The model file ([`Model::to_file`]).
	pub file: Vec<u8>,
	/// The sidecar.
	pub meta: Meta,
	/// The float MLP as the importer read it.
	pub float: FloatMlp,
	/// The scales it was quantized with.
	pub quantized: Quantized,
	/// The largest relative gap between the importer's f64 forward pass and tract's logits.
	pub float_deviation: f64,
}

/// Imports `source`, calibrated and evaluated on `calibration` (one float vector per sample).
pub fn import(
	source: &OnnxSource,
	calibration: &[Vec<f64>],
	options: &ImportOptions,
) -> Result<Imported, ImportError> {
	if !(0.0..=1.0).contains(&options.min_agreement) {
		return Err(ImportError::Options(format!(
			"the minimum agreement {} is not a fraction in 0..=1",
			options.min_agreement
		)));
	}
	let float = FloatMlp::from_proto(&source.proto, source.dir.as_deref())?;
	if let Some(labels) = &options.labels {
		if labels.len() != float.outputs() {
			return Err(ImportError::Labels(format!(
				"{} labels for {} outputs",
				labels.len(),
				float.outputs()
			)));
		}
		if labels.iter().any(|l| l.trim().is_empty()) {
			return Err(ImportError::Labels("a label is empty".into()));
		}
	}
	let quantized = quantize::quantize(&float, calibration)?;
	let reference =
		reference::tract_logits(&source.proto, source.dir.as_deref(), &float, calibration)?;
	let float_deviation = float_deviation(&float, calibration, &reference)?;
	let agreement = agreement(&quantized, calibration, &reference)?;
	if agreement.fraction < options.min_agreement {
		return Err(ImportError::AgreementTooLow {
			matching: agreement.matching,
			samples: agreement.samples,
			agreement: agreement.fraction,
			min: options.min_agreement,
		});
	}

	let model = quantized.model.clone();
	let file = model.to_file();
	let roots = commit::layer_roots(&model);
	let commitment = commit::model_commitment(&model, &roots);
	let layers = model
		.layers
		.iter()
		.zip(&quantized.layers)
		.zip(&roots)
		.map(|((layer, scales), root)| LayerMeta {
			inputs: layer.inputs,
			outputs: layer.outputs,
			weight_scale: scales.weight_scale,
			output_scale: scales.output_scale,
			root: meta::to_hex(root),
		})
		.collect();
	let meta = Meta {
		importer: format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
		kernel_version: model.kernel_version,
		inputs: model.inputs,
		outputs: model.outputs(),
		input_scale: quantized.input_scale,
		logit_scale: quantized.layers.last().map_or(0.0, |l| l.accumulator_scale),
		layers,
		content_hash: meta::to_hex(&content_hash(&file)),
		model_commitment: meta::to_hex(&commitment),
		labels: options.labels.clone(),
		agreement,
		source_onnx_hash: meta::to_hex(&source.hash),
	};
	Ok(Imported { model, file, meta, float, quantized, float_deviation })
}

/// The first index of the largest value.
fn argmax<T: PartialOrd + Copy>(values: &[T]) -> Option<usize> {
	let mut best: Option<(usize, T)> = None;
	for (i, v) in values.iter().enumerate() {
		if best.is_none_or(|(_, b)| *v > b) {
			best = Some((i, *v));
		}
	}
	best.map(|(i, _)| i)
}

/// Checks the importer's f64 forward pass against tract's logits; returns the largest relative
/// gap.
fn float_deviation(
	float: &FloatMlp,
	samples: &[Vec<f64>],
	reference: &[Vec<f32>],
) -> Result<f64, ImportError> {
	let mut worst = 0.0f64;
	for (i, (sample, theirs)) in samples.iter().zip(reference).enumerate() {
		let ours = float.forward(sample).pop().unwrap_or_default();
		let magnitude = 1.0 + theirs.iter().fold(0.0f64, |m, v| m.max(f64::from(*v).abs()));
		for (j, (a, b)) in ours.iter().zip(theirs).enumerate() {
			let gap = (a - f64::from(*b)).abs() / magnitude;
			if gap.is_nan() || gap > FLOAT_TOLERANCE {
				return Err(ImportError::Reference(format!(
					"the importer's reading of the graph computes logit {j} of sample {i} as {a}, \
					 tract as {b}: the graph uses a feature the importer does not model"
				)));
			}
			worst = worst.max(gap);
		}
	}
	Ok(worst)
}

/// How often the kernel's argmax on the quantized input equals tract's float argmax.
fn agreement(
	quantized: &Quantized,
	samples: &[Vec<f64>],
	reference: &[Vec<f32>],
) -> Result<Agreement, ImportError> {
	let mut matching = 0;
	for (i, (sample, float_logits)) in samples.iter().zip(reference).enumerate() {
		if float_logits.iter().any(|v| v.is_nan()) {
			return Err(ImportError::Reference(format!("tract's logits for sample {i} are NaN")));
		}
		let input = quantize_input(sample, quantized.input_scale)?;
		let trace = aos_kernel::infer(&quantized.model, &input).map_err(ImportError::Kernel)?;
		if argmax(&trace.logits) == argmax(float_logits) {
			matching += 1;
		}
	}
	let samples = samples.len();
	let fraction = if samples == 0 { 0.0 } else { matching as f64 / samples as f64 };
	Ok(Agreement { samples, matching, fraction })
}

#[cfg(test)]
mod tests {
	use super::argmax;

	#[test]
	fn argmax_takes_the_first_maximum() {
		assert_eq!(argmax(&[1, 3, 3, 2]), Some(1));
		assert_eq!(argmax(&[-1.0f32]), Some(0));
		assert_eq!(argmax::<i32>(&[]), None);
	}
}
