//! Reading an ONNX graph as a chain of dense float layers.
//!
//! The kernel runs a stack of dense layers, so the importer accepts exactly the ONNX graphs that
//! are one: from the single graph input to the single graph output, each tensor feeds one node,
//! and the nodes are `Gemm` (or `MatMul` then an optional `Add` of a constant bias), each
//! followed by at most one `Relu` or `Clip(0, c)`. `Flatten` (axis 1) and `Identity` change
//! nothing for a flat vector and are skipped. Weights, biases and clip bounds must be constants
//! (initializers or `Constant` nodes) of type float or double. Anything else is refused with the
//! op and the node named, rather than approximated.

use std::{
	collections::{HashMap, HashSet},
	path::Path,
};

use tract_onnx::{
	data_resolver::{FopenDataResolver, ModelDataResolver},
	pb::{
		self, attribute_proto::AttributeType, tensor_proto::DataType,
		tensor_shape_proto::dimension::Value as Dim, type_proto::Value as TypeValue,
	},
};

use crate::ImportError;

/// What follows a dense layer.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum FloatActivation {
	/// Nothing: the next layer (or the graph output) takes the affine output as it is.
	Identity,
	/// `max(x, 0)`.
	Relu,
	/// `min(max(x, 0), max)`: ONNX `Clip(0, max)`.
	Clip { max: f64 },
}

impl FloatActivation {
	/// Applies the activation to one value.
	pub fn apply(self, x: f64) -> f64 {
		match self {
			FloatActivation::Identity => x,
			FloatActivation::Relu => x.max(0.0),
			FloatActivation::Clip { max } => x.max(0.0).min(max),
		}
	}
}

/// One dense layer in floating point: `y = activation(W·x + b)`.
#[derive(Clone, PartialEq, Debug)]
pub struct FloatLayer {
	pub inputs: usize,
	pub outputs: usize,
	/// `outputs × inputs`, row-major (row `j` is neuron `j`), like the kernel's layout.
	pub weights: Vec<f64>,
	/// One per neuron.
	pub biases: Vec<f64>,
	pub activation: FloatActivation,
	/// The node the layer was read from, for messages.
	pub node: String,
}

impl FloatLayer {
	/// The layer's output on `x` (of length `inputs`), the activation applied.
	pub fn apply(&self, x: &[f64]) -> Vec<f64> {
		self.weights
			.chunks_exact(self.inputs.max(1))
			.zip(&self.biases)
			.map(|(row, b)| {
				let dot: f64 = row.iter().zip(x).map(|(w, v)| w * v).sum();
				self.activation.apply(dot + b)
			})
			.collect()
	}
}

/// A float MLP read from an ONNX graph.
#[derive(Clone, PartialEq, Debug)]
pub struct FloatMlp {
	/// The flat input width (the first layer's inputs).
	pub inputs: usize,
	/// The graph input's name.
	pub input_name: String,
	/// The graph input's declared dimensions (`None` for a symbolic or unknown one), if it
	/// declares a shape. Only used to feed tract a tensor of the right rank.
	pub input_shape: Option<Vec<Option<usize>>>,
	pub layers: Vec<FloatLayer>,
}

impl FloatMlp {
	/// The number of outputs (logits).
	pub fn outputs(&self) -> usize {
		self.layers.last().map_or(0, |l| l.outputs)
	}

	/// Every layer's output on `x`, in order; the last is the logits. `x` must have
	/// [`inputs`](Self::inputs) values.
	pub fn forward(&self, x: &[f64]) -> Vec<Vec<f64>> {
		let mut outputs: Vec<Vec<f64>> = Vec::with_capacity(self.layers.len());
		for layer in &self.layers {
			let y = layer.apply(outputs.last().map_or(x, |o| o.as_slice()));
			outputs.push(y);
		}
		outputs
	}

	/// Reads the MLP from a decoded ONNX model. `dir` is the model file's directory, where
	/// tensors stored as external data are looked up.
	pub fn from_proto(proto: &pb::ModelProto, dir: Option<&Path>) -> Result<Self, ImportError> {
		let graph = proto
			.graph
			.as_ref()
			.ok_or_else(|| ImportError::Graph("the model has no graph".into()))?;
		Reader::new(graph, dir).read()
	}
}

/// How a node is named in messages: its name if it has one, and always its index.
pub fn describe_node(index: usize, node: &pb::NodeProto) -> String {
	if node.name.is_empty() {
		format!("unnamed node #{index}")
	} else {
		format!("node `{}` (#{index})", node.name)
	}
}

/// A constant tensor, as f64.
#[derive(Clone, PartialEq, Debug)]
struct Const {
	shape: Vec<usize>,
	values: Vec<f64>,
}

impl Const {
	/// A single value (any shape with one element).
	fn scalar(&self) -> Option<f64> {
		match self.values.as_slice() {
			[v] => Some(*v),
			_ => None,
		}
	}
}

/// Where a constant comes from.
enum ConstSource<'a> {
	Tensor(&'a pb::TensorProto),
	Value(Const),
}

/// The layer being built: its activation is set by the node after it, if any.
struct Pending {
	layer: FloatLayer,
	activation: Option<FloatActivation>,
}

impl Pending {
	fn finish(self) -> FloatLayer {
		FloatLayer {
			activation: self.activation.unwrap_or(FloatActivation::Identity),
			..self.layer
		}
	}
}

struct Reader<'a> {
	graph: &'a pb::GraphProto,
	dir: Option<&'a Path>,
	constants: HashMap<&'a str, ConstSource<'a>>,
}

fn is_default_domain(domain: &str) -> bool {
	domain.is_empty() || domain == "ai.onnx"
}

impl<'a> Reader<'a> {
	fn new(graph: &'a pb::GraphProto, dir: Option<&'a Path>) -> Self {
		let mut constants = HashMap::new();
		for t in &graph.initializer {
			constants.insert(t.name.as_str(), ConstSource::Tensor(t));
		}
		for node in graph.node.iter().filter(|n| Self::is_constant_node(n)) {
			let Some(out) = node.output.first() else { continue };
			// Only the float forms can serve as weights or bounds; others are left out, so a
			// use of them is reported as "not a float constant".
			let source = node.attribute.iter().find_map(|a| match a.name.as_str() {
				"value" => a.t.as_ref().map(ConstSource::Tensor),
				"value_float" => {
					Some(ConstSource::Value(Const { shape: vec![], values: vec![f64::from(a.f)] }))
				},
				"value_floats" => Some(ConstSource::Value(Const {
					shape: vec![a.floats.len()],
					values: a.floats.iter().map(|v| f64::from(*v)).collect(),
				})),
				_ => None,
			});
			if let Some(source) = source {
				constants.insert(out.as_str(), source);
			}
		}
		Reader { graph, dir, constants }
	}

	fn is_constant_node(node: &pb::NodeProto) -> bool {
		node.op_type == "Constant" && is_default_domain(&node.domain)
	}

	/// The constant named `name`, or `None` if no initializer or `Constant` node gives it.
	fn constant(&self, name: &str) -> Result<Option<Const>, String> {
		match self.constants.get(name) {
			None => Ok(None),
			Some(ConstSource::Value(c)) => Ok(Some(c.clone())),
			Some(ConstSource::Tensor(t)) => {
				decode_tensor(t, self.dir).map(Some).map_err(|e| format!("tensor `{name}`: {e}"))
			},
		}
	}

	fn read(&self) -> Result<FloatMlp, ImportError> {
		let graph = self.graph;
		let inputs: Vec<&pb::ValueInfoProto> =
			graph.input.iter().filter(|v| !self.constants.contains_key(v.name.as_str())).collect();
		let [input] = inputs.as_slice() else {
			let names: Vec<&str> = inputs.iter().map(|v| v.name.as_str()).collect();
			return Err(ImportError::Graph(format!(
				"the model has {} inputs ({}); the kernel takes exactly one",
				names.len(),
				names.join(", ")
			)));
		};
		let [output] = graph.output.as_slice() else {
			return Err(ImportError::Graph(format!(
				"the model has {} outputs; the kernel produces exactly one (the logits)",
				graph.output.len()
			)));
		};
		let input_shape = declared_shape(input)?;

		// Which nodes read each tensor. Constant nodes are no part of the chain.
		let mut consumers: HashMap<&str, Vec<usize>> = HashMap::new();
		for (i, node) in graph.node.iter().enumerate() {
			if Self::is_constant_node(node) {
				continue;
			}
			for name in node.input.iter().filter(|n| !n.is_empty()) {
				let list = consumers.entry(name.as_str()).or_default();
				if !list.contains(&i) {
					list.push(i);
				}
			}
		}

		let mut layers: Vec<FloatLayer> = Vec::new();
		let mut pending: Option<Pending> = None;
		let mut visited: HashSet<usize> = HashSet::new();
		let mut current: &str = input.name.as_str();
		loop {
			let next = consumers.get(current).map_or(&[][..], |v| v.as_slice());
			if current == output.name {
				if let Some(i) = next.first() {
					return Err(ImportError::Graph(format!(
						"the graph output `{current}` is also read by {}: only a chain is supported",
						describe_node(*i, &graph.node[*i])
					)));
				}
				break;
			}
			let index = match next {
				[] => {
					return Err(ImportError::Graph(format!(
						"tensor `{current}` is read by no node and is not the graph output `{}`",
						output.name
					)))
				},
				[i] => *i,
				many => {
					let names: Vec<String> =
						many.iter().map(|i| describe_node(*i, &graph.node[*i])).collect();
					return Err(ImportError::Graph(format!(
						"tensor `{current}` is read by {} nodes ({}): only a chain is supported",
						many.len(),
						names.join(", ")
					)));
				},
			};
			if !visited.insert(index) {
				return Err(ImportError::Graph(format!(
					"{} is reached twice: the graph has a cycle",
					describe_node(index, &graph.node[index])
				)));
			}
			let node = &graph.node[index];
			current = self.step(index, node, current, &mut layers, &mut pending)?;
		}

		let last = pending
			.ok_or_else(|| ImportError::Graph("the graph has no Gemm or MatMul layer".into()))?;
		if let Some(activation) = last.activation {
			return Err(ImportError::Graph(format!(
				"the last layer ({}) is followed by {activation:?}: the kernel's last layer \
				 outputs raw logits, so the graph must end with the affine layer",
				last.layer.node
			)));
		}
		layers.push(last.finish());

		// Nodes off the chain would compute something the kernel does not.
		if let Some((i, node)) = graph
			.node
			.iter()
			.enumerate()
			.find(|(i, n)| !visited.contains(i) && !Self::is_constant_node(n))
		{
			return Err(ImportError::Graph(format!(
				"{} ({}) is not on the chain from the input to the output",
				describe_node(i, node),
				node.op_type
			)));
		}

		let inputs = layers.first().map_or(0, |l| l.inputs);
		check_declared_width(&input.name, input_shape.as_deref(), inputs)?;
		Ok(FloatMlp { inputs, input_name: input.name.clone(), input_shape, layers })
	}

	/// Takes node `index` (which reads `current`) into the layers; returns the tensor it
	/// produces.
	fn step(
		&self,
		index: usize,
		node: &'a pb::NodeProto,
		current: &str,
		layers: &mut Vec<FloatLayer>,
		pending: &mut Option<Pending>,
	) -> Result<&'a str, ImportError> {
		let op = node.op_type.as_str();
		let where_ = describe_node(index, node);
		let err =
			|reason: String| ImportError::Node { op: op.to_string(), node: where_.clone(), reason };
		if !is_default_domain(&node.domain) {
			return Err(ImportError::UnsupportedOp {
				op: format!("{}:{op}", node.domain),
				node: where_.clone(),
			});
		}
		let supported =
			matches!(op, "Gemm" | "MatMul" | "Add" | "Relu" | "Clip" | "Flatten" | "Identity");
		if !supported {
			return Err(ImportError::UnsupportedOp { op: op.to_string(), node: where_.clone() });
		}
		let output = match node.output.as_slice() {
			[out] if !out.is_empty() => out.as_str(),
			_ => return Err(err("expected exactly one output".into())),
		};
		let first_input_is_current = node.input.first().is_some_and(|n| n == current);

		match op {
			"Identity" => {},
			"Flatten" => {
				let axis = attr_int(node, "axis", 1).map_err(&err)?;
				if axis != 1 {
					return Err(err(format!(
						"axis = {axis} is not supported: only axis = 1 (keep the batch dimension)"
					)));
				}
			},
			"Gemm" | "MatMul" => {
				if !first_input_is_current {
					return Err(err(format!(
						"the activations `{current}` must be the first input (A), the weights \
						 the second"
					)));
				}
				let layer = if op == "Gemm" {
					self.gemm(node, &where_).map_err(&err)?
				} else {
					self.matmul(node, &where_).map_err(&err)?
				};
				let previous = pending.as_ref().map(|p| p.layer.outputs);
				if let Some(previous) = previous {
					if previous != layer.inputs {
						return Err(err(format!(
							"takes {} inputs but the previous layer has {previous} outputs",
							layer.inputs
						)));
					}
				}
				if let Some(done) = pending.take() {
					layers.push(done.finish());
				}
				*pending = Some(Pending { layer, activation: None });
			},
			"Add" => {
				let Some(p) = pending.as_mut().filter(|p| p.activation.is_none()) else {
					return Err(err(
						"Add must directly follow a Gemm or MatMul: it is taken as the layer's bias"
							.into(),
					));
				};
				let [a, b] = node.input.as_slice() else {
					return Err(err("expected two inputs".into()));
				};
				let other = if a == current { b } else { a };
				let bias = self
					.constant(other)
					.map_err(&err)?
					.ok_or_else(|| err(format!("the addend `{other}` is not a float constant")))?;
				let add = broadcast_bias(&bias, p.layer.outputs).map_err(&err)?;
				for (b, a) in p.layer.biases.iter_mut().zip(add) {
					*b += a;
				}
			},
			"Relu" | "Clip" => {
				if !first_input_is_current {
					return Err(err(format!("expected `{current}` as the first input")));
				}
				let Some(p) = pending.as_mut().filter(|p| p.activation.is_none()) else {
					return Err(err(
						"an activation must directly follow a dense layer (Gemm, MatMul or its \
						 bias Add); one before the first layer or two in a row are not supported"
							.into(),
					));
				};
				p.activation = Some(if op == "Relu" {
					if node.input.len() != 1 {
						return Err(err("expected one input".into()));
					}
					FloatActivation::Relu
				} else {
					self.clip(node).map_err(&err)?
				});
			},
			_ => return Err(ImportError::UnsupportedOp { op: op.to_string(), node: where_ }),
		}
		Ok(output)
	}

	/// A constant input of a node, by position.
	fn weight_input(
		&self,
		node: &pb::NodeProto,
		position: usize,
		what: &str,
	) -> Result<Const, String> {
		let name = node
			.input
			.get(position)
			.filter(|n| !n.is_empty())
			.ok_or_else(|| format!("missing input {what}"))?;
		self.constant(name)?.ok_or_else(|| {
			format!(
				"input {what} `{name}` is not a float constant (an initializer or a Constant node)"
			)
		})
	}

	/// `Y = alpha · A · B' + beta · C`, `A` the activations (not transposed).
	fn gemm(&self, node: &pb::NodeProto, where_: &str) -> Result<FloatLayer, String> {
		if !(2..=3).contains(&node.input.len()) {
			return Err(format!("expected 2 or 3 inputs, found {}", node.input.len()));
		}
		if attr_int(node, "transA", 0)? != 0 {
			return Err(
				"transA = 1 is not supported: the activations must not be transposed".into()
			);
		}
		let trans_b = attr_int(node, "transB", 0)? != 0;
		let alpha = attr_float(node, "alpha", 1.0)?;
		let beta = attr_float(node, "beta", 1.0)?;
		let b = self.weight_input(node, 1, "B")?;
		let &[d0, d1] = b.shape.as_slice() else {
			return Err(format!("B must be a matrix, its shape is {:?}", b.shape));
		};
		// Row-major `outputs × inputs`: with transB, B already is; without, B is `inputs ×
		// outputs` and is transposed.
		let (outputs, inputs) = if trans_b { (d0, d1) } else { (d1, d0) };
		let mut weights = Vec::with_capacity(outputs * inputs);
		for j in 0..outputs {
			for i in 0..inputs {
				let w = if trans_b { b.values[j * d1 + i] } else { b.values[i * d1 + j] };
				weights.push(alpha * w);
			}
		}
		let biases = match node.input.get(2).filter(|n| !n.is_empty()) {
			None => vec![0.0; outputs],
			Some(_) => {
				let c = self.weight_input(node, 2, "C")?;
				broadcast_bias(&c, outputs)?.into_iter().map(|v| beta * v).collect()
			},
		};
		layer(inputs, outputs, weights, biases, where_)
	}

	/// `Y = A · B`, `B` an `inputs × outputs` constant; a following `Add` supplies the bias.
	fn matmul(&self, node: &pb::NodeProto, where_: &str) -> Result<FloatLayer, String> {
		if node.input.len() != 2 {
			return Err(format!("expected 2 inputs, found {}", node.input.len()));
		}
		let b = self.weight_input(node, 1, "B")?;
		let &[inputs, outputs] = b.shape.as_slice() else {
			return Err(format!("B must be a matrix, its shape is {:?}", b.shape));
		};
		let mut weights = Vec::with_capacity(outputs * inputs);
		for j in 0..outputs {
			for i in 0..inputs {
				weights.push(b.values[i * outputs + j]);
			}
		}
		layer(inputs, outputs, weights, vec![0.0; outputs], where_)
	}

	/// `Clip(0, c)` (bounds as attributes before opset 11, as inputs from it on); `Clip(0, ∞)`
	/// is a ReLU.
	fn clip(&self, node: &pb::NodeProto) -> Result<FloatActivation, String> {
		let bound = |position: usize, attr: &str, default: f64| -> Result<f64, String> {
			if let Some(name) = node.input.get(position).filter(|n| !n.is_empty()) {
				let c = self
					.constant(name)?
					.ok_or_else(|| format!("the bound `{name}` is not a float constant"))?;
				return c.scalar().ok_or_else(|| format!("the bound `{name}` is not a scalar"));
			}
			attr_float(node, attr, default)
		};
		let min = bound(1, "min", f64::NEG_INFINITY)?;
		let max = bound(2, "max", f64::INFINITY)?;
		if min != 0.0 {
			return Err(format!(
				"Clip(min = {min}, max = {max}) is not supported: only Clip(0, c)"
			));
		}
		if max == f64::INFINITY {
			Ok(FloatActivation::Relu)
		} else if max.is_finite() && max > 0.0 {
			Ok(FloatActivation::Clip { max })
		} else {
			Err(format!("Clip(0, {max}) is not supported: the upper bound must be positive"))
		}
	}
}

/// A checked layer.
fn layer(
	inputs: usize,
	outputs: usize,
	weights: Vec<f64>,
	biases: Vec<f64>,
	node: &str,
) -> Result<FloatLayer, String> {
	if inputs == 0 || outputs == 0 {
		return Err(format!("a layer of shape {outputs} × {inputs} has no weights"));
	}
	if weights.iter().chain(&biases).any(|v| !v.is_finite()) {
		return Err("the weights or biases contain a value that is not finite".into());
	}
	Ok(FloatLayer {
		inputs,
		outputs,
		weights,
		biases,
		activation: FloatActivation::Identity,
		node: node.to_string(),
	})
}

/// A bias constant as one value per neuron: a scalar, `[outputs]` or `[1, outputs]`.
fn broadcast_bias(c: &Const, outputs: usize) -> Result<Vec<f64>, String> {
	if let Some(v) = c.scalar() {
		return Ok(vec![v; outputs]);
	}
	match c.shape.as_slice() {
		[n] | [1, n] if *n == outputs => Ok(c.values.clone()),
		shape => Err(format!(
			"a bias of shape {shape:?} does not give one value per output neuron ({outputs}): \
			 expected [{outputs}], [1, {outputs}] or a scalar"
		)),
	}
}

/// An integer attribute, or `default` if absent.
fn attr_int(node: &pb::NodeProto, name: &str, default: i64) -> Result<i64, String> {
	match node.attribute.iter().find(|a| a.name == name) {
		None => Ok(default),
		// IR versions before 0.0.2 leave the type unset.
		Some(a) if a.r#type == AttributeType::Int as i32 || a.r#type == 0 => Ok(a.i),
		Some(_) => Err(format!("attribute {name} is not an integer")),
	}
}

/// A float attribute, or `default` if absent.
fn attr_float(node: &pb::NodeProto, name: &str, default: f64) -> Result<f64, String> {
	match node.attribute.iter().find(|a| a.name == name) {
		None => Ok(default),
		Some(a) if a.r#type == AttributeType::Float as i32 || a.r#type == 0 => Ok(f64::from(a.f)),
		Some(_) => Err(format!("attribute {name} is not a float")),
	}
}

/// The declared dimensions of the graph input; it must be a float32 tensor.
fn declared_shape(input: &pb::ValueInfoProto) -> Result<Option<Vec<Option<usize>>>, ImportError> {
	let Some(TypeValue::TensorType(t)) = input.r#type.as_ref().and_then(|t| t.value.as_ref())
	else {
		return Err(ImportError::Graph(format!("the input `{}` is not a tensor", input.name)));
	};
	if t.elem_type != DataType::Float as i32 {
		return Err(ImportError::Graph(format!(
			"the input `{}` has element type {}: float32 expected",
			input.name,
			data_type_name(t.elem_type)
		)));
	}
	Ok(t.shape.as_ref().map(|s| {
		s.dim
			.iter()
			.map(|d| match d.value {
				Some(Dim::DimValue(v)) if v > 0 => usize::try_from(v).ok(),
				_ => None,
			})
			.collect()
	}))
}

/// Whether the declared input shape (`[F]`, `[N, F]` or `[N, d1, d2, …]` flattened) can carry
/// `inputs` values per sample.
fn check_declared_width(
	name: &str,
	shape: Option<&[Option<usize>]>,
	inputs: usize,
) -> Result<(), ImportError> {
	let Some(shape) = shape else { return Ok(()) };
	let per_sample: Option<usize> = match shape {
		[] => {
			return Err(ImportError::Graph(format!("the input `{name}` is a scalar")));
		},
		[f] => *f,
		[_, rest @ ..] => rest.iter().try_fold(1usize, |acc, d| acc.checked_mul((*d)?)),
	};
	match per_sample {
		Some(n) if n != inputs => Err(ImportError::Graph(format!(
			"the input `{name}` has {n} values per sample but the first layer takes {inputs}"
		))),
		None if shape.len() > 2 => Err(ImportError::Graph(format!(
			"the input `{name}` has unknown dimensions {shape:?} after the batch dimension"
		))),
		_ => Ok(()),
	}
}

fn data_type_name(t: i32) -> String {
	DataType::try_from(t).map_or_else(|_| format!("#{t}"), |d| d.as_str_name().to_string())
}

/// Decodes a float or double tensor (inline, raw or external data) to f64.
fn decode_tensor(t: &pb::TensorProto, dir: Option<&Path>) -> Result<Const, String> {
	let shape = t
		.dims
		.iter()
		.map(|d| usize::try_from(*d).map_err(|_| format!("negative dimension {d}")))
		.collect::<Result<Vec<usize>, String>>()?;
	let count = shape
		.iter()
		.try_fold(1usize, |acc, d| acc.checked_mul(*d))
		.ok_or_else(|| format!("shape {shape:?} is too large"))?;
	if t.segment.is_some() {
		return Err("segmented tensors are not supported".into());
	}
	let width = if t.data_type == DataType::Float as i32 {
		4
	} else if t.data_type == DataType::Double as i32 {
		8
	} else {
		return Err(format!(
			"element type {} is not supported: weights must be float or double",
			data_type_name(t.data_type)
		));
	};
	let external = t.data_location == Some(pb::tensor_proto::DataLocation::External as i32);
	let raw: Option<Vec<u8>> = if external {
		Some(read_external(t, dir)?)
	} else if !t.raw_data.is_empty() {
		Some(t.raw_data.clone())
	} else {
		None
	};
	let values: Vec<f64> = match raw {
		Some(bytes) => {
			if bytes.len() != count * width {
				return Err(format!(
					"{} bytes of data for shape {shape:?} ({} expected)",
					bytes.len(),
					count * width
				));
			}
			// ONNX raw data is little-endian.
			if width == 4 {
				bytes
					.chunks_exact(4)
					.map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
					.collect()
			} else {
				bytes
					.chunks_exact(8)
					.map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
					.collect()
			}
		},
		None if width == 4 => t.float_data.iter().map(|v| f64::from(*v)).collect(),
		None => t.double_data.clone(),
	};
	if values.len() != count {
		return Err(format!("{} values for shape {shape:?} ({count} expected)", values.len()));
	}
	Ok(Const { shape, values })
}

/// The bytes of a tensor stored outside the model file (`location`, `offset`, `length`).
fn read_external(t: &pb::TensorProto, dir: Option<&Path>) -> Result<Vec<u8>, String> {
	let entry = |key: &str| t.external_data.iter().find(|e| e.key == key).map(|e| e.value.as_str());
	let location = entry("location").ok_or("external data without a location")?;
	let number = |key: &str| -> Result<Option<usize>, String> {
		entry(key)
			.map(|v| v.parse::<usize>().map_err(|_| format!("external data {key} `{v}`")))
			.transpose()
	};
	let offset = number("offset")?.unwrap_or(0);
	let length = number("length")?;
	let dir = dir.ok_or("external data, but the model was not read from a file")?;
	let mut buf = Vec::new();
	FopenDataResolver
		.read_bytes_from_path(&mut buf, &dir.join(location), offset, length)
		.map_err(|e| format!("reading external data `{location}`: {e}"))?;
	Ok(buf)
}
