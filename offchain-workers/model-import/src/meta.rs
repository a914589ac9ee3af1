//! The sidecar (`model.json`): what the kernel does not see but its users need — the input
//! scale to quantize float inputs with, the logit scale, the class labels — and the model's
//! hashes as the chain records them, with the agreement the import measured.

use serde::{Deserialize, Serialize};

use crate::{quantize::quantize_input, ImportError};

/// The sidecar of an imported model.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Meta {
	/// The importer that wrote it, `aos-model-import <version>`.
	pub importer: String,
	/// The kernel spec version of the model.
	pub kernel_version: u16,
	/// The input width.
	pub inputs: u32,
	/// The number of logits.
	pub outputs: u32,
	/// The scale of the int8 input: a float input `x` is fed as `round(x / input_scale)`,
	/// saturated to ±127 ([`Meta::quantize_input`]).
	pub input_scale: f64,
	/// The value of one logit unit: `logit · logit_scale` approximates the float logit.
	pub logit_scale: f64,
	/// Per layer, in order.
	pub layers: Vec<LayerMeta>,
	/// BLAKE2b-256 of the model file (`0x` hex): what the registry records.
	pub content_hash: String,
	/// The model commitment over the per-layer Merkle roots (`0x` hex, kernel spec §4).
	pub model_commitment: String,
	/// Class names in logit order, if given.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub labels: Option<Vec<String>>,
	/// How often the quantized model picks the float model's class.
	pub agreement: Agreement,
	/// BLAKE2b-256 of the ONNX file it was imported from (`0x` hex).
	pub source_onnx_hash: String,
}

/// One layer of the sidecar.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct LayerMeta {
	pub inputs: u32,
	pub outputs: u32,
	/// The scale of its int8 weights.
	pub weight_scale: f64,
	/// The scale of its int8 output; absent for the logits layer.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub output_scale: Option<f64>,
	/// The root of its Merkle tree (`0x` hex, kernel spec §4).
	pub root: String,
}

/// The measured agreement between the quantized and the float model.
#[derive(Clone, Copy, PartialEq, Debug, Serialize, Deserialize)]
pub struct Agreement {
	/// Calibration samples evaluated.
	pub samples: usize,
	/// Those whose kernel argmax equals tract's float argmax.
	pub matching: usize,
	/// `matching / samples`.
	pub fraction: f64,
}

impl Meta {
	/// Quantizes one float input vector with [`input_scale`](Self::input_scale) for the kernel;
	/// refuses a vector of the wrong length or with non-finite values.
	pub fn quantize_input(&self, x: &[f64]) -> Result<Vec<i8>, ImportError> {
		if x.len() != self.inputs as usize {
			return Err(ImportError::Input(format!(
				"{} values; the model takes {}",
				x.len(),
				self.inputs
			)));
		}
		quantize_input(x, self.input_scale)
	}

	/// The label of class `index`, if labels were given.
	pub fn label(&self, index: usize) -> Option<&str> {
		self.labels.as_ref()?.get(index).map(String::as_str)
	}

	/// The sidecar as pretty-printed JSON, with a final newline.
	pub fn to_json(&self) -> Result<String, ImportError> {
		let mut text =
			serde_json::to_string_pretty(self).map_err(|e| ImportError::Meta(e.to_string()))?;
		text.push('\n');
		Ok(text)
	}

	/// Reads a sidecar.
	pub fn from_json(text: &str) -> Result<Self, ImportError> {
		serde_json::from_str(text).map_err(|e| ImportError::Meta(e.to_string()))
	}
}

/// `0x`-prefixed lowercase hex, as Substrate's JSON writes hashes.
pub fn to_hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut s = String::with_capacity(2 + 2 * bytes.len());
	s.push_str("0x");
	for b in bytes {
		s.push(char::from(DIGITS[usize::from(b >> 4)]));
		s.push(char::from(DIGITS[usize::from(b & 0xf)]));
	}
	s
}
