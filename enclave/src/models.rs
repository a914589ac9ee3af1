//! Loaded models: kernel files (run later in the wasm sandbox) and ONNX models (parsed and
//! optimized by tract once, at load), kept in a cache bounded in count and bytes that evicts
//! the least recently used.
//!
//! An ONNX model's run is defined so that it yields logits like the kernel's:
//!
//! - the input's `i8` values become `f32` values, unchanged (`-3` is `-3.0`), in a tensor of the
//!   model's one input's declared shape, a symbolic dimension (a batch) taken as 1;
//! - the first output, flattened in row-major order, is read as `f32`;
//! - each value `v` becomes the Q16 fixed-point logit `round(v · 65536)` (half away from zero),
//!   saturated to `i32` (±infinity to `i32::MAX` / `i32::MIN`), NaN as 0.
//!
//! The output digest and top classes are then the kernel's functions of those logits.

use aos_enclave_protocol::{ModelFormat, ModelId};
use std::sync::Arc;
use tract_onnx::{prelude::*, tract_hir::infer::Factoid};

/// Models kept at once.
pub const MAX_MODELS: usize = 16;

/// Bytes of model files kept at once (an ONNX model's tract plan holds about as much as its
/// file). The enclave's memory must hold this, the sandbox's slots and a frame per connection.
pub const MAX_MODEL_BYTES: usize = 1 << 30;

/// A loaded model.
pub enum Loaded {
	/// An `AOSM` kernel file, validated; the sandbox parses it again for each run, inside wasm.
	Kernel { file: Vec<u8> },
	/// An ONNX model, ready to run.
	Onnx(OnnxModel),
}

impl Loaded {
	/// Validates and loads `bytes` as a model of `format`.
	pub fn load(format: ModelFormat, bytes: Vec<u8>) -> Result<Loaded, String> {
		match format {
			ModelFormat::Kernel => {
				aos_kernel::Model::from_file(&bytes)
					.map_err(|e| format!("not a kernel model file: {e:?}"))?;
				Ok(Loaded::Kernel { file: bytes })
			},
			ModelFormat::Onnx => Ok(Loaded::Onnx(OnnxModel::load(&bytes)?)),
		}
	}

	/// The format it was loaded as.
	pub fn format(&self) -> ModelFormat {
		match self {
			Loaded::Kernel { .. } => ModelFormat::Kernel,
			Loaded::Onnx(_) => ModelFormat::Onnx,
		}
	}
}

/// An ONNX model, optimized for its input shape.
pub struct OnnxModel {
	plan: Arc<TypedRunnableModel>,
	shape: Vec<usize>,
	/// The product of `shape`: the input's length.
	len: usize,
}

fn tract_error(context: &str) -> impl Fn(TractError) -> String + '_ {
	move |e| format!("{context}: {e:#}")
}

impl OnnxModel {
	/// Parses an ONNX file (external tensor data refused: the file must hold every weight) and
	/// optimizes it for its declared input shape.
	pub fn load(bytes: &[u8]) -> Result<OnnxModel, String> {
		let mut model = tract_onnx::onnx()
			.model_for_read(&mut &bytes[..])
			.map_err(tract_error("not an ONNX model tract can load"))?;
		let inputs = model.input_outlets().map_err(tract_error("the model's inputs"))?.len();
		if inputs != 1 {
			return Err(format!("the ONNX model has {inputs} inputs; the enclave feeds one"));
		}
		let fact = model.input_fact(0).map_err(tract_error("the model's input"))?;
		if let Some(datum) = fact.datum_type.concretize() {
			if datum != f32::datum_type() {
				return Err(format!("the ONNX model's input is {datum:?}; the enclave feeds f32"));
			}
		}
		if fact.shape.is_open() {
			return Err("the ONNX model's input declares no shape".into());
		}
		let shape: Vec<usize> = fact
			.shape
			.dims()
			.map(|d| {
				d.concretize()
					.and_then(|d| d.as_i64())
					.and_then(|d| usize::try_from(d).ok())
					.unwrap_or(1)
			})
			.collect();
		let len = shape
			.iter()
			.try_fold(1usize, |n, d| n.checked_mul(*d))
			.ok_or_else(|| format!("the ONNX model's input shape {shape:?} is too large"))?;
		model
			.set_input_fact(0, f32::fact(shape.as_slice()).into())
			.map_err(tract_error("setting the input shape"))?;
		let plan = model
			.into_optimized()
			.and_then(|m| m.into_runnable())
			.map_err(tract_error("optimizing the ONNX model"))?;
		Ok(OnnxModel { plan, shape, len })
	}

	/// The Q16 logits of the model on `input` (the module's rule).
	pub fn logits(&self, input: &[i8]) -> Result<Vec<i32>, String> {
		if input.len() != self.len {
			return Err(format!(
				"the input has {} values; the ONNX model takes {} (shape {:?})",
				input.len(),
				self.len,
				self.shape
			));
		}
		let data: Vec<f32> = input.iter().map(|v| f32::from(*v)).collect();
		let tensor = Tensor::from_shape(&self.shape, &data).map_err(tract_error("the input"))?;
		let outputs = self.plan.run(tvec!(tensor.into())).map_err(tract_error("running"))?;
		let first = outputs.first().ok_or("the ONNX model produced no output")?;
		let first = first.cast_to::<f32>().map_err(tract_error("the output"))?;
		let values = first.to_plain_array_view::<f32>().map_err(tract_error("the output"))?;
		Ok(values.iter().map(|v| q16(*v)).collect())
	}
}

/// `v` as a Q16 fixed-point logit: `round(v · 65536)` (half away from zero), saturated to
/// `i32`, NaN as 0 (Rust's float-to-int `as` saturates and maps NaN to 0).
pub fn q16(v: f32) -> i32 {
	(f64::from(v) * 65536.0).round() as i32
}

struct Entry {
	id: ModelId,
	model: Arc<Loaded>,
	size: usize,
	last_used: u64,
}

/// Loaded models, at most `max_models` and `max_bytes` of files; the least recently used is
/// evicted first.
pub struct ModelCache {
	entries: Vec<Entry>,
	clock: u64,
	max_models: usize,
	max_bytes: usize,
}

impl ModelCache {
	/// An empty cache with these bounds.
	pub fn new(max_models: usize, max_bytes: usize) -> ModelCache {
		ModelCache { entries: Vec::new(), clock: 0, max_models, max_bytes }
	}

	/// The model `id`, marked as used now.
	pub fn get(&mut self, id: &ModelId) -> Option<Arc<Loaded>> {
		self.clock += 1;
		let entry = self.entries.iter_mut().find(|e| e.id == *id)?;
		entry.last_used = self.clock;
		Some(entry.model.clone())
	}

	/// Whether a model of `size` bytes can be kept at all.
	pub fn fits(&self, size: usize) -> bool {
		size <= self.max_bytes && self.max_models > 0
	}

	/// Keeps `model` (of `size` file bytes) as `id`, evicting the least recently used models
	/// until it fits. Refused if it cannot fit even alone.
	pub fn insert(&mut self, id: ModelId, model: Arc<Loaded>, size: usize) -> Result<(), String> {
		if !self.fits(size) {
			return Err(format!(
				"a model of {size} bytes is larger than the enclave's model cache ({} bytes)",
				self.max_bytes
			));
		}
		self.entries.retain(|e| e.id != id);
		while self.entries.len() >= self.max_models
			|| self.total().saturating_add(size) > self.max_bytes
		{
			let Some(oldest) =
				self.entries.iter().enumerate().min_by_key(|(_, e)| e.last_used).map(|(i, _)| i)
			else {
				break;
			};
			self.entries.swap_remove(oldest);
		}
		self.clock += 1;
		self.entries.push(Entry { id, model, size, last_used: self.clock });
		Ok(())
	}

	/// The bytes of the models kept.
	pub fn total(&self) -> usize {
		self.entries.iter().map(|e| e.size).sum()
	}

	/// The ids kept, in no particular order.
	#[cfg(test)]
	fn ids(&self) -> impl Iterator<Item = &ModelId> {
		self.entries.iter().map(|e| &e.id)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn kernel(n: u8) -> Arc<Loaded> {
		Arc::new(Loaded::Kernel { file: vec![n] })
	}

	fn ids(cache: &ModelCache) -> Vec<u8> {
		let mut ids: Vec<u8> = cache.ids().map(|id| id[0]).collect();
		ids.sort();
		ids
	}

	#[test]
	fn the_cache_evicts_the_least_recently_used_by_count_and_bytes() {
		let mut cache = ModelCache::new(3, 100);
		for n in 1..=3 {
			cache.insert([n; 32], kernel(n), 10).unwrap();
		}
		// 1 is used, so 2 is the oldest when 4 comes.
		assert!(cache.get(&[1; 32]).is_some());
		cache.insert([4; 32], kernel(4), 10).unwrap();
		assert_eq!(ids(&cache), [1, 3, 4]);
		// By bytes: 80 more evicts the oldest, 3, and then fits (30 + 80 > 100, 20 + 80 = 100).
		assert!(cache.get(&[4; 32]).is_some());
		cache.insert([5; 32], kernel(5), 80).unwrap();
		assert_eq!(ids(&cache), [1, 4, 5]);
		assert_eq!(cache.total(), 100);
		// 90 more leaves room for nothing else: 1, 4 and 5 go, oldest first.
		cache.insert([6; 32], kernel(6), 90).unwrap();
		assert_eq!(ids(&cache), [6]);
		// Too large alone: refused, nothing evicted.
		assert!(cache.insert([7; 32], kernel(7), 101).is_err());
		assert_eq!(ids(&cache), [6]);
		// The same id again replaces it.
		cache.insert([6; 32], kernel(6), 50).unwrap();
		assert_eq!(ids(&cache), [6]);
		assert_eq!(cache.total(), 50);
		assert!(cache.get(&[9; 32]).is_none());
	}

	#[test]
	fn q16_rounds_saturates_and_zeroes_nan() {
		assert_eq!(q16(1.0), 65536);
		assert_eq!(q16(-0.5), -32768);
		assert_eq!(q16(1.5 / 65536.0), 2);
		assert_eq!(q16(-1.5 / 65536.0), -2);
		assert_eq!(q16(0.4 / 65536.0), 0);
		assert_eq!(q16(32767.0), 2_147_418_112);
		assert_eq!(q16(32768.0), i32::MAX);
		assert_eq!(q16(1e30), i32::MAX);
		assert_eq!(q16(f32::INFINITY), i32::MAX);
		assert_eq!(q16(-32768.0), i32::MIN);
		assert_eq!(q16(f32::NEG_INFINITY), i32::MIN);
		assert_eq!(q16(f32::NAN), 0);
	}

	#[test]
	fn models_are_checked_at_load() {
		let file = aos_kernel::golden::model().to_file();
		assert_eq!(
			Loaded::load(ModelFormat::Kernel, file.clone()).unwrap().format(),
			ModelFormat::Kernel
		);
		let mut bad = file.clone();
		bad[0] = b'X';
		let err = Loaded::load(ModelFormat::Kernel, bad).err().unwrap();
		assert!(err.contains("BadMagic"), "{err}");
		let err = Loaded::load(ModelFormat::Onnx, file).err().unwrap();
		assert!(err.starts_with("not an ONNX model"), "{err}");
		let err = Loaded::load(ModelFormat::Onnx, Vec::new()).err().unwrap();
		assert!(err.contains("ONNX"), "{err}");
	}
}
