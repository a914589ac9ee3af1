//! The float reference: the ONNX model run by tract, independently of the importer's own reading
//! of the graph. Agreement is measured against it, and the importer's float forward pass is
//! checked against it (a misread attribute would show up there).

use std::path::Path;

use tract_onnx::{pb, prelude::*};

use crate::{graph::FloatMlp, ImportError};

/// Samples per tract run when the batch dimension is free: bounds the input tensor's size.
const BATCH: usize = 256;

fn tract_error(context: &str, e: impl std::fmt::Display) -> ImportError {
	ImportError::Reference(format!("{context}: {e:#}"))
}

/// The tensor shape tract is fed, and how many samples it holds. The batch dimension is the
/// declared one if it is fixed (a short last batch is padded with zeros), else up to [`BATCH`];
/// an input declared as one flat vector takes one sample per run.
fn feed_shape(mlp: &FloatMlp, samples: usize) -> Result<(usize, Vec<usize>), ImportError> {
	let free = samples.clamp(1, BATCH);
	match mlp.input_shape.as_deref() {
		None => Ok((free, vec![free, mlp.inputs])),
		Some([_]) => Ok((1, vec![mlp.inputs])),
		Some([batch, rest @ ..]) => {
			let batch = batch.unwrap_or(free);
			let rest: Vec<usize> = match rest.iter().copied().collect::<Option<Vec<usize>>>() {
				Some(dims) => dims,
				None if rest.len() == 1 => vec![mlp.inputs],
				None => {
					return Err(ImportError::Reference(format!(
						"the input `{}` has unknown dimensions {rest:?}",
						mlp.input_name
					)))
				},
			};
			let mut shape = vec![batch];
			shape.extend(rest);
			Ok((batch, shape))
		},
		Some([]) => {
			Err(ImportError::Reference(format!("the input `{}` is a scalar", mlp.input_name)))
		},
	}
}

/// The float logits of every sample, computed by tract from the ONNX model. `dir` is where
/// external tensor data lives.
pub fn tract_logits(
	proto: &pb::ModelProto,
	dir: Option<&Path>,
	mlp: &FloatMlp,
	samples: &[Vec<f64>],
) -> Result<Vec<Vec<f32>>, ImportError> {
	let dir = match dir {
		Some(d) => Some(d.to_str().ok_or_else(|| {
			ImportError::Reference(format!("the model directory {d:?} is not UTF-8"))
		})?),
		None => None,
	};
	let parsed = tract_onnx::onnx().parse(proto, dir).map_err(|e| tract_error("loading", e))?;
	if !parsed.unresolved_inputs.is_empty() {
		return Err(ImportError::Reference(format!(
			"unresolved inputs {:?}",
			parsed.unresolved_inputs
		)));
	}
	let (batch, shape) = feed_shape(mlp, samples.len())?;
	let mut model = parsed.model;
	model
		.set_input_fact(0, f32::fact(shape.as_slice()).into())
		.map_err(|e| tract_error("setting the input shape", e))?;
	let plan = model
		.into_optimized()
		.and_then(|m| m.into_runnable())
		.map_err(|e| tract_error("optimizing", e))?;

	let outputs = mlp.outputs();
	let mut logits = Vec::with_capacity(samples.len());
	for chunk in samples.chunks(batch) {
		let mut data: Vec<f32> = Vec::with_capacity(batch * mlp.inputs);
		for sample in chunk {
			// The ONNX model computes in f32: feed it what it would be fed.
			data.extend(sample.iter().map(|v| *v as f32));
		}
		data.resize(batch * mlp.inputs, 0.0);
		let input = Tensor::from_shape(&shape, &data).map_err(|e| tract_error("input", e))?;
		let result = plan.run(tvec!(input.into())).map_err(|e| tract_error("running", e))?;
		let out = result
			.first()
			.ok_or_else(|| ImportError::Reference("the model produced no output".into()))?;
		let out = out.cast_to::<f32>().map_err(|e| tract_error("output", e))?;
		// Logical (row-major) order, whatever the storage layout.
		let values: Vec<f32> = out
			.to_plain_array_view::<f32>()
			.map_err(|e| tract_error("output", e))?
			.iter()
			.copied()
			.collect();
		if values.len() != batch * outputs {
			return Err(ImportError::Reference(format!(
				"the output has shape {:?}; {batch} × {outputs} expected",
				out.shape()
			)));
		}
		logits.extend(values.chunks_exact(outputs).take(chunk.len()).map(<[f32]>::to_vec));
	}
	Ok(logits)
}
