//! The model format (kernel spec §2).
//!
//! A model is a stack of dense layers. Every layer but the last maps int8 activations to int8
//! activations (i32 accumulation, requantization, activation); the last one produces the i32
//! logits. A model file is the 4-byte magic `AOSM` followed by the SCALE encoding of [`Model`];
//! its content hash is BLAKE2b-256 of the whole file.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

use crate::{Hash, KERNEL_VERSION};

/// The first bytes of every model file.
pub const MAGIC: [u8; 4] = *b"AOSM";
/// At most this many layers.
pub const MAX_LAYERS: usize = 16;
/// At most this many inputs or outputs per layer. With it an i32 accumulator cannot overflow
/// before the bias is added: |Σ w·x| ≤ 128 · 128 · 4096 = 2^26.
pub const MAX_WIDTH: u32 = 4096;
/// At most this many weights in a model (64 MiB of int8).
pub const MAX_PARAMETERS: u64 = 64 * 1024 * 1024;
/// Largest requantization shift.
pub const MAX_SHIFT: u8 = 62;

/// Fixed-point requantization of an i32 accumulator to int8: `(acc · multiplier) >> shift`,
/// rounded half up, saturated (spec §3.2).
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub struct Requant {
	/// In `1 ..= 2^31 - 1`.
	pub multiplier: u32,
	/// In `0 ..= 62`.
	pub shift: u8,
}

/// The activation applied to a requantized int8 value (spec §3.3).
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub enum Activation {
	/// `y = x`.
	Identity,
	/// `y = max(x, 0)`.
	Relu,
	/// `y = min(max(x, 0), max)`: ReLU6 and the like, `max` in `1 ..= 127`.
	ClampedRelu { max: i8 },
}

/// What a layer outputs.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub enum LayerOutput {
	/// Int8 activations: requantized, then the activation applied. Every layer but the last.
	Int8 { requant: Requant, activation: Activation },
	/// The raw i32 accumulators (bias included): the model's logits. The last layer only.
	Logits,
}

/// A dense (fully connected) layer.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Layer {
	pub inputs: u32,
	pub outputs: u32,
	/// `outputs × inputs` weights, row-major: row `j` holds neuron `j`'s weights.
	pub weights: Vec<i8>,
	/// One bias per neuron, in accumulator units.
	pub biases: Vec<i32>,
	pub output: LayerOutput,
}

impl Layer {
	/// Neuron `j`'s weights, if it exists.
	pub fn row(&self, j: u32) -> Option<&[i8]> {
		let start = (j as usize).checked_mul(self.inputs as usize)?;
		self.weights.get(start..start.checked_add(self.inputs as usize)?)
	}
}

/// A quantized feed-forward model.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Model {
	/// The kernel spec version the model was built for: [`KERNEL_VERSION`].
	pub kernel_version: u16,
	/// The length of the int8 input vector.
	pub inputs: u32,
	pub layers: Vec<Layer>,
}

/// Why a model or an input is refused.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub enum ModelError {
	/// The file does not start with `AOSM`.
	BadMagic,
	/// The bytes after the magic are not a SCALE-encoded model.
	Undecodable,
	/// Bytes follow the encoded model.
	TrailingBytes,
	/// The model was built for another kernel version.
	UnsupportedKernelVersion { found: u16 },
	/// No layers, or more than [`MAX_LAYERS`].
	LayerCount,
	/// A layer's input or output width is 0 or above [`MAX_WIDTH`].
	Width { layer: u32 },
	/// A layer's inputs do not match the previous layer's outputs (or the model's inputs).
	Shape { layer: u32 },
	/// A layer's weight or bias count does not match its shape.
	ParameterCount { layer: u32 },
	/// More than [`MAX_PARAMETERS`] weights.
	TooManyParameters,
	/// The last layer does not output logits, or another layer does.
	LogitsPlacement { layer: u32 },
	/// A requantization multiplier or shift out of range.
	Requant { layer: u32 },
	/// A clamped ReLU's maximum is not in `1 ..= 127`.
	Activation { layer: u32 },
	/// The input's length is not the model's input width.
	InputLength { expected: u32, found: u32 },
	/// Sampling parameters out of range (top-k of 0 or more than the logits).
	Sampling,
	/// A sandboxed kernel got a request it cannot decode ([`crate::abi`]).
	BadRequest,
}

impl Model {
	/// Checks the model against the spec (§2.2). Cheap: proportional to the number of layers.
	pub fn validate(&self) -> Result<(), ModelError> {
		if self.kernel_version != KERNEL_VERSION {
			return Err(ModelError::UnsupportedKernelVersion { found: self.kernel_version });
		}
		if self.layers.is_empty() || self.layers.len() > MAX_LAYERS {
			return Err(ModelError::LayerCount);
		}
		let last = self.layers.len() - 1;
		let mut width = self.inputs;
		let mut parameters: u64 = 0;
		for (i, layer) in self.layers.iter().enumerate() {
			let index = i as u32;
			for w in [layer.inputs, layer.outputs] {
				if w == 0 || w > MAX_WIDTH {
					return Err(ModelError::Width { layer: index });
				}
			}
			if layer.inputs != width {
				return Err(ModelError::Shape { layer: index });
			}
			let count = u64::from(layer.inputs) * u64::from(layer.outputs);
			if layer.weights.len() as u64 != count
				|| layer.biases.len() as u64 != u64::from(layer.outputs)
			{
				return Err(ModelError::ParameterCount { layer: index });
			}
			parameters = parameters.saturating_add(count);
			match layer.output {
				LayerOutput::Logits if i != last => {
					return Err(ModelError::LogitsPlacement { layer: index })
				},
				LayerOutput::Int8 { .. } if i == last => {
					return Err(ModelError::LogitsPlacement { layer: index })
				},
				LayerOutput::Int8 { requant, activation } => {
					if requant.multiplier == 0
						|| requant.multiplier > i32::MAX as u32
						|| requant.shift > MAX_SHIFT
					{
						return Err(ModelError::Requant { layer: index });
					}
					if let Activation::ClampedRelu { max } = activation {
						if max < 1 {
							return Err(ModelError::Activation { layer: index });
						}
					}
				},
				LayerOutput::Logits => {},
			}
			width = layer.outputs;
		}
		if parameters > MAX_PARAMETERS {
			return Err(ModelError::TooManyParameters);
		}
		Ok(())
	}

	/// The number of logits the model produces.
	pub fn outputs(&self) -> u32 {
		self.layers.last().map_or(0, |l| l.outputs)
	}

	/// The number of int8 activations a run produces before the logits (the hidden layers'
	/// outputs): with the logits, the positions [`crate::intermediates`] chooses from.
	pub fn hidden_activations(&self) -> u64 {
		self.layers
			.iter()
			.filter(|l| matches!(l.output, LayerOutput::Int8 { .. }))
			.map(|l| u64::from(l.outputs))
			.sum()
	}

	/// The model file: [`MAGIC`] then the SCALE encoding.
	pub fn to_file(&self) -> Vec<u8> {
		let mut out = Vec::from(MAGIC);
		self.encode_to(&mut out);
		out
	}

	/// Reads and validates a model file.
	pub fn from_file(bytes: &[u8]) -> Result<Self, ModelError> {
		let mut rest = bytes.strip_prefix(&MAGIC[..]).ok_or(ModelError::BadMagic)?;
		let model = Model::decode(&mut rest).map_err(|_| ModelError::Undecodable)?;
		if !rest.is_empty() {
			return Err(ModelError::TrailingBytes);
		}
		model.validate()?;
		Ok(model)
	}
}

/// The content hash of a model file: what the registry records and what model stores check.
pub fn content_hash(file: &[u8]) -> Hash {
	sp_crypto_hashing::blake2_256(file)
}
