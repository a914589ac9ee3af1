//! Why an import fails.

use aos_kernel::ModelError;

/// Everything that can stop an import, each with enough context to fix the input.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
	/// The file is not a readable ONNX model.
	#[error("reading the ONNX model: {0}")]
	Onnx(String),
	/// A node whose op the kernel cannot express.
	#[error(
		"unsupported op `{op}` at {node}: the importer takes a chain of Gemm (or MatMul + Add) \
		 layers with Relu or Clip(0, c) between them (Flatten and Identity are skipped)"
	)]
	UnsupportedOp {
		/// The op type, with its domain when it is not the default one.
		op: String,
		/// The node, as [`describe_node`](crate::graph::describe_node) names it.
		node: String,
	},
	/// A supported op used in a way the kernel cannot express (an attribute, a shape, a
	/// non-constant weight).
	#[error("{op} at {node}: {reason}")]
	Node {
		/// The node's op type.
		op: String,
		/// The node, as [`describe_node`](crate::graph::describe_node) names it.
		node: String,
		reason: String,
	},
	/// The graph as a whole is not a chain of dense layers.
	#[error("graph: {0}")]
	Graph(String),
	/// The calibration set is unusable.
	#[error("calibration data: {0}")]
	Calibration(String),
	/// A layer's scales cannot be expressed in the kernel's fixed point.
	#[error("quantizing layer {layer}: {reason}")]
	Quantization { layer: usize, reason: String },
	/// A float input vector cannot be quantized.
	#[error("input: {0}")]
	Input(String),
	/// The quantized model fails the kernel's validation (spec §2.2).
	#[error("the quantized model is not a valid kernel model: {0:?}")]
	Kernel(ModelError),
	/// Running the float model with tract failed, or tract computes something else than the
	/// importer's reading of the graph.
	#[error("float reference (tract): {0}")]
	Reference(String),
	/// The quantized model agrees too rarely with the float model.
	#[error(
		"the quantized model agrees with the float model on {matching} of {samples} calibration \
		 samples ({agreement:.4}), below the minimum {min}"
	)]
	AgreementTooLow { matching: usize, samples: usize, agreement: f64, min: f64 },
	/// Class labels that do not fit the model.
	#[error("labels: {0}")]
	Labels(String),
	/// Import options out of range.
	#[error("options: {0}")]
	Options(String),
	/// A sidecar that cannot be read.
	#[error("sidecar: {0}")]
	Meta(String),
}
