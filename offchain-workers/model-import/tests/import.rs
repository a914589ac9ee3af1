//! End-to-end tests: the shipped Iris model, small graphs built here, and the quantization
//! helpers' edge cases.

use std::path::PathBuf;

use aos_kernel::{
	commit, model::content_hash, Activation, LayerOutput, Model, Requant, KERNEL_VERSION,
};
use aos_model_import::{
	calibration::parse_csv,
	import,
	meta::to_hex,
	quantize::{quantize_input, quantize_value, requant_for_ratio},
	ImportError, ImportOptions, Meta, OnnxSource,
};
use prost::Message;
use tract_onnx::pb::{
	self, attribute_proto::AttributeType, tensor_proto::DataType,
	tensor_shape_proto::dimension::Value as Dim, type_proto,
};

fn iris_dir() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/iris")
}

fn iris_import() -> aos_model_import::Imported {
	let dir = iris_dir();
	let source = OnnxSource::from_path(&dir.join("iris.onnx")).expect("iris.onnx decodes");
	let text = std::fs::read_to_string(dir.join("calibration.csv")).expect("calibration.csv");
	let samples = parse_csv(&text).expect("calibration parses");
	let labels = std::fs::read_to_string(dir.join("labels.txt"))
		.expect("labels.txt")
		.lines()
		.map(String::from)
		.collect();
	import(&source, &samples, &ImportOptions { labels: Some(labels), ..Default::default() })
		.expect("iris imports")
}

#[test]
fn iris_import_reproduces_the_shipped_files_byte_for_byte() {
	let dir = iris_dir();
	let imported = iris_import();
	let shipped = std::fs::read(dir.join("iris.aosm")).expect("iris.aosm");
	assert!(imported.file == shipped, "iris.aosm differs from a fresh import of iris.onnx");
	let sidecar = std::fs::read_to_string(dir.join("model.json")).expect("model.json");
	assert_eq!(imported.meta.to_json().expect("json"), sidecar, "model.json differs");
	// And a second import in the same process is identical too.
	assert!(iris_import().file == shipped);
}

#[test]
fn iris_agrees_with_tract_and_its_sidecar_matches_the_model() {
	let imported = iris_import();
	let meta = &imported.meta;
	assert!(meta.agreement.fraction >= 0.9, "agreement {:?}", meta.agreement);
	assert_eq!(meta.agreement.samples, 120);
	assert!(imported.float_deviation < 1e-5, "float gap {}", imported.float_deviation);

	let dir = iris_dir();
	let model = Model::from_file(&std::fs::read(dir.join("iris.aosm")).expect("file"))
		.expect("the shipped model is valid");
	assert_eq!(model.kernel_version, KERNEL_VERSION);
	assert_eq!((model.inputs, model.outputs(), model.layers.len()), (4, 3, 3));
	assert!(model.layers[..2]
		.iter()
		.all(|l| matches!(l.output, LayerOutput::Int8 { activation: Activation::Relu, .. })));

	let sidecar =
		Meta::from_json(&std::fs::read_to_string(dir.join("model.json")).expect("model.json"))
			.expect("sidecar parses");
	assert_eq!(sidecar.content_hash, to_hex(&content_hash(&model.to_file())));
	let roots = commit::layer_roots(&model);
	assert_eq!(sidecar.model_commitment, to_hex(&commit::model_commitment(&model, &roots)));
	let sidecar_roots: Vec<&str> = sidecar.layers.iter().map(|l| l.root.as_str()).collect();
	let expected: Vec<String> = roots.iter().map(|r| to_hex(r)).collect();
	assert_eq!(sidecar_roots, expected);
	assert_eq!(sidecar.label(2), Some("virginica"));

	// A setosa measurement, quantized with the sidecar's scale, is classified as setosa.
	let input = sidecar.quantize_input(&[5.1, 3.5, 1.4, 0.2]).expect("quantizes");
	let logits = aos_kernel::infer(&model, &input).expect("runs").logits;
	let best = (0..logits.len()).max_by_key(|i| (logits[*i], std::cmp::Reverse(*i))).unwrap();
	assert_eq!(sidecar.label(best), Some("setosa"));
}

#[test]
fn a_minimum_agreement_above_the_measured_one_fails_the_import() {
	let dir = iris_dir();
	let source = OnnxSource::from_path(&dir.join("iris.onnx")).unwrap();
	let samples =
		parse_csv(&std::fs::read_to_string(dir.join("calibration.csv")).unwrap()).unwrap();
	let measured = iris_import().meta.agreement;
	if measured.fraction >= 1.0 {
		return; // nothing above it to ask for
	}
	let options = ImportOptions { min_agreement: 1.0, ..Default::default() };
	match import(&source, &samples, &options) {
		Err(ImportError::AgreementTooLow { matching, samples, .. }) => {
			assert_eq!((matching, samples), (measured.matching, measured.samples));
		},
		other => panic!("expected AgreementTooLow, got {other:?}"),
	}
}

// ---- small graphs built in the test ----

/// A deterministic stream of values in [-1, 1).
struct Lcg(u64);

impl Lcg {
	fn next(&mut self) -> f32 {
		self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
		((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
	}
	fn vec(&mut self, n: usize) -> Vec<f32> {
		(0..n).map(|_| self.next()).collect()
	}
}

fn tensor(name: &str, dims: &[i64], values: Vec<f32>) -> pb::TensorProto {
	pb::TensorProto {
		name: name.into(),
		dims: dims.to_vec(),
		data_type: DataType::Float as i32,
		float_data: values,
		..Default::default()
	}
}

fn int_attr(name: &str, i: i64) -> pb::AttributeProto {
	pb::AttributeProto {
		name: name.into(),
		r#type: AttributeType::Int as i32,
		i,
		..Default::default()
	}
}

fn node(
	op: &str,
	name: &str,
	inputs: &[&str],
	output: &str,
	attribute: Vec<pb::AttributeProto>,
) -> pb::NodeProto {
	pb::NodeProto {
		op_type: op.into(),
		name: name.into(),
		input: inputs.iter().map(|s| s.to_string()).collect(),
		output: vec![output.into()],
		attribute,
		..Default::default()
	}
}

fn value_info(name: &str, width: i64) -> pb::ValueInfoProto {
	let dim =
		|value| pb::tensor_shape_proto::Dimension { value: Some(value), ..Default::default() };
	pb::ValueInfoProto {
		name: name.into(),
		r#type: Some(pb::TypeProto {
			value: Some(type_proto::Value::TensorType(type_proto::Tensor {
				elem_type: DataType::Float as i32,
				shape: Some(pb::TensorShapeProto {
					dim: vec![dim(Dim::DimParam("N".into())), dim(Dim::DimValue(width))],
				}),
			})),
			..Default::default()
		}),
		..Default::default()
	}
}

fn onnx(
	nodes: Vec<pb::NodeProto>,
	initializer: Vec<pb::TensorProto>,
	inputs: i64,
	output: &str,
	outputs: i64,
) -> OnnxSource {
	let model = pb::ModelProto {
		ir_version: 8,
		opset_import: vec![pb::OperatorSetIdProto { domain: String::new(), version: 13 }],
		producer_name: "aos-model-import tests".into(),
		graph: Some(pb::GraphProto {
			name: "test".into(),
			node: nodes,
			initializer,
			input: vec![value_info("x", inputs)],
			output: vec![value_info(output, outputs)],
			..Default::default()
		}),
		..Default::default()
	};
	OnnxSource::from_bytes(&model.encode_to_vec(), None).expect("decodes")
}

fn samples(rng: &mut Lcg, n: usize, width: usize) -> Vec<Vec<f64>> {
	(0..n).map(|_| rng.vec(width).into_iter().map(|v| f64::from(v) * 3.0).collect()).collect()
}

/// x[3] → MatMul + Add → Clip(0, 6) → Gemm (transB = 0) → logits[2]: the other supported forms.
#[test]
fn matmul_add_clip_and_untransposed_gemm_import_and_match_tract() {
	let mut rng = Lcg(7);
	let source = onnx(
		vec![
			node("Identity", "id", &["x"], "x1", vec![]),
			node("MatMul", "mm", &["x1", "w1"], "h0", vec![]),
			node("Add", "bias", &["b1", "h0"], "h1", vec![]),
			node("Clip", "relu6", &["h1", "lo", "hi"], "a1", vec![]),
			node("Flatten", "flat", &["a1"], "a2", vec![]),
			node("Gemm", "out", &["a2", "w2", "b2"], "y", vec![]),
		],
		vec![
			tensor("w1", &[3, 5], rng.vec(15)),
			tensor("b1", &[5], rng.vec(5)),
			tensor("lo", &[], vec![0.0]),
			tensor("hi", &[], vec![6.0]),
			tensor("w2", &[5, 2], rng.vec(10)),
			tensor("b2", &[1, 2], rng.vec(2)),
		],
		3,
		"y",
		2,
	);
	let data = samples(&mut rng, 200, 3);
	let imported =
		import(&source, &data, &ImportOptions { min_agreement: 0.0, ..Default::default() })
			.expect("imports");
	// The float check passed, so the importer read the layout as tract does.
	assert!(imported.float_deviation < 1e-5);
	assert!(imported.meta.agreement.fraction >= 0.9, "{:?}", imported.meta.agreement);
	let layers = &imported.model.layers;
	assert_eq!(layers.len(), 2);
	assert_eq!((layers[0].inputs, layers[0].outputs, layers[1].outputs), (3, 5, 2));
	// The clip bound is at or above the calibrated range: the full int8 range.
	assert!(matches!(
		layers[0].output,
		LayerOutput::Int8 { activation: Activation::ClampedRelu { max: 127 }, .. }
	));
	assert_eq!(layers[1].output, LayerOutput::Logits);
	assert!(imported.meta.labels.is_none());
	// The weight of largest magnitude quantizes to ±127.
	assert!(layers.iter().all(|l| l.weights.iter().any(|w| w.unsigned_abs() == 127)));
}

fn gemm(name: &str, input: &str, w: &str, b: &str, output: &str) -> pb::NodeProto {
	node("Gemm", name, &[input, w, b], output, vec![int_attr("transB", 1)])
}

/// x[3] → Gemm → `act` → Gemm → logits[2], with weights for both layers.
fn two_layers(act: pb::NodeProto, act_out: &str) -> OnnxSource {
	let mut rng = Lcg(11);
	onnx(
		vec![gemm("fc1", "x", "w1", "b1", "h1"), act, gemm("fc2", act_out, "w2", "b2", "y")],
		vec![
			tensor("w1", &[4, 3], rng.vec(12)),
			tensor("b1", &[4], rng.vec(4)),
			tensor("w2", &[2, 4], rng.vec(8)),
			tensor("b2", &[2], rng.vec(2)),
		],
		3,
		"y",
		2,
	)
}

#[test]
fn an_unsupported_op_is_refused_naming_the_op_and_the_node() {
	let source = two_layers(node("Sigmoid", "squash", &["h1"], "a1", vec![]), "a1");
	let data = samples(&mut Lcg(3), 10, 3);
	let err = import(&source, &data, &ImportOptions::default()).expect_err("must refuse Sigmoid");
	match &err {
		ImportError::UnsupportedOp { op, node } => {
			assert_eq!(op, "Sigmoid");
			assert_eq!(node, "node `squash` (#1)");
		},
		other => panic!("expected UnsupportedOp, got {other:?}"),
	}
	let message = err.to_string();
	assert!(message.starts_with("unsupported op `Sigmoid` at node `squash` (#1)"), "{message}");
	assert!(message.contains("Gemm"), "the message says what is supported: {message}");
}

#[test]
fn the_same_graph_with_relu_imports() {
	let source = two_layers(node("Relu", "relu", &["h1"], "a1", vec![]), "a1");
	let data = samples(&mut Lcg(3), 50, 3);
	let imported =
		import(&source, &data, &ImportOptions { min_agreement: 0.0, ..Default::default() })
			.expect("imports");
	assert!(matches!(
		imported.model.layers[0].output,
		LayerOutput::Int8 { activation: Activation::Relu, .. }
	));
}

#[test]
fn misused_supported_ops_are_refused_with_reasons() {
	let data = samples(&mut Lcg(3), 10, 3);
	let refuse = |source: OnnxSource| {
		import(&source, &data, &ImportOptions::default()).expect_err("must refuse").to_string()
	};

	// Clip with a negative lower bound is not a ReLU.
	let mut rng = Lcg(5);
	let clip = onnx(
		vec![
			gemm("fc1", "x", "w1", "b1", "h1"),
			node("Clip", "clip", &["h1", "lo", "hi"], "a1", vec![]),
			gemm("fc2", "a1", "w2", "b2", "y"),
		],
		vec![
			tensor("w1", &[4, 3], rng.vec(12)),
			tensor("b1", &[4], rng.vec(4)),
			tensor("lo", &[], vec![-1.0]),
			tensor("hi", &[], vec![1.0]),
			tensor("w2", &[2, 4], rng.vec(8)),
			tensor("b2", &[2], rng.vec(2)),
		],
		3,
		"y",
		2,
	);
	let message = refuse(clip);
	assert!(
		message.contains("Clip at node `clip` (#1)") && message.contains("Clip(0, c)"),
		"{message}"
	);

	// An activation after the last layer: the kernel's logits are raw.
	let mut rng = Lcg(5);
	let final_relu = onnx(
		vec![gemm("fc1", "x", "w1", "b1", "h1"), node("Relu", "relu", &["h1"], "y", vec![])],
		vec![tensor("w1", &[2, 3], rng.vec(6)), tensor("b1", &[2], rng.vec(2))],
		3,
		"y",
		2,
	);
	let message = refuse(final_relu);
	assert!(message.contains("the last layer") && message.contains("raw logits"), "{message}");

	// transA.
	let mut rng = Lcg(5);
	let trans_a = onnx(
		vec![node("Gemm", "fc1", &["x", "w1"], "y", vec![int_attr("transA", 1)])],
		vec![tensor("w1", &[3, 2], rng.vec(6))],
		3,
		"y",
		2,
	);
	let message = refuse(trans_a);
	assert!(message.contains("transA"), "{message}");

	// A tensor read twice (a branch) is not a chain.
	let mut rng = Lcg(5);
	let branch = onnx(
		vec![
			gemm("fc1", "x", "w1", "b1", "h1"),
			node("Relu", "relu", &["h1"], "a1", vec![]),
			node("Add", "skip", &["h1", "a1"], "y", vec![]),
		],
		vec![tensor("w1", &[3, 3], rng.vec(9)), tensor("b1", &[3], rng.vec(3))],
		3,
		"y",
		3,
	);
	let message = refuse(branch);
	assert!(message.contains("only a chain"), "{message}");

	// A weight computed at run time rather than a constant.
	let mut rng = Lcg(5);
	let dynamic = onnx(
		vec![node("MatMul", "mm", &["x", "x"], "y", vec![])],
		vec![tensor("unused", &[1], rng.vec(1))],
		3,
		"y",
		3,
	);
	let message = refuse(dynamic);
	assert!(message.contains("not a float constant"), "{message}");
}

#[test]
fn labels_must_match_the_outputs() {
	let source = two_layers(node("Relu", "relu", &["h1"], "a1", vec![]), "a1");
	let data = samples(&mut Lcg(3), 10, 3);
	let options = ImportOptions {
		labels: Some(vec!["a".into(), "b".into(), "c".into()]),
		min_agreement: 0.0,
	};
	let err = import(&source, &data, &options).expect_err("3 labels for 2 outputs");
	assert!(matches!(err, ImportError::Labels(_)), "{err}");
}

#[test]
fn calibration_rows_must_match_the_input_width() {
	let source = two_layers(node("Relu", "relu", &["h1"], "a1", vec![]), "a1");
	let data = samples(&mut Lcg(3), 10, 4);
	let err = import(&source, &data, &ImportOptions::default()).expect_err("4 values for 3 inputs");
	assert!(matches!(err, ImportError::Calibration(_)), "{err}");
}

// ---- quantization helpers ----

#[test]
fn quantize_input_saturates_and_rounds_symmetrically() {
	let scale = 0.5;
	let q = quantize_input(&[0.0, 63.5, -63.5, 63.75, 1e9, -1e9, 0.25, -0.25, 0.75, -0.74], scale)
		.unwrap();
	// 63.5 / 0.5 = 127 exactly; beyond it saturates at ±127, never −128. Halves round away
	// from zero.
	assert_eq!(q, vec![0, 127, -127, 127, 127, -127, 1, -1, 2, -1]);

	// The calibration maximum maps to exactly ±127 with scale = max / 127.
	for max in [7.9, 1e-6, 3.0, 123456.789] {
		let scale = max / 127.0;
		assert_eq!(quantize_input(&[max, -max], scale).unwrap(), vec![127, -127], "max {max}");
		assert_eq!(quantize_value(max * 1.0001, scale), 127);
		assert_eq!(quantize_value(-max * 10.0, scale), -127);
	}
	// A scale so small that the quotient overflows still saturates.
	assert_eq!(quantize_input(&[1.0, -1.0], f64::MIN_POSITIVE).unwrap(), vec![127, -127]);

	assert!(matches!(quantize_input(&[f64::NAN], 1.0), Err(ImportError::Input(_))));
	assert!(matches!(quantize_input(&[f64::INFINITY], 1.0), Err(ImportError::Input(_))));
	assert!(matches!(quantize_input(&[1.0], 0.0), Err(ImportError::Input(_))));
	assert!(matches!(quantize_input(&[1.0], -1.0), Err(ImportError::Input(_))));
	assert!(matches!(quantize_input(&[1.0], f64::NAN), Err(ImportError::Input(_))));
	assert_eq!(quantize_input(&[], 1.0).unwrap(), Vec::<i8>::new());
}

#[test]
fn sidecar_quantize_input_checks_the_length() {
	let meta = iris_import().meta;
	assert!(matches!(meta.quantize_input(&[1.0, 2.0, 3.0]), Err(ImportError::Input(_))));
	let max = meta.input_scale * 127.0;
	assert_eq!(meta.quantize_input(&[max, -max, 100.0, 0.0]).unwrap(), vec![127, -127, 127, 0]);
}

#[test]
fn requant_is_exact_and_in_range() {
	assert_eq!(requant_for_ratio(1.0), Ok(Requant { multiplier: 1 << 30, shift: 30 }));
	assert_eq!(requant_for_ratio(0.5), Ok(Requant { multiplier: 1 << 30, shift: 31 }));
	assert_eq!(requant_for_ratio(0.75), Ok(Requant { multiplier: 3 << 29, shift: 31 }));
	// Just below 2.0 rounds up to the next power of two, which renormalizes.
	assert_eq!(
		requant_for_ratio(f64::from_bits(2.0f64.to_bits() - 1)),
		Ok(Requant { multiplier: 1 << 30, shift: 29 })
	);
	// The ends of the range: shift 0 and shift 62.
	assert_eq!(requant_for_ratio(2f64.powi(30)), Ok(Requant { multiplier: 1 << 30, shift: 0 }));
	assert_eq!(requant_for_ratio(2f64.powi(-32)), Ok(Requant { multiplier: 1 << 30, shift: 62 }));
	assert!(requant_for_ratio(2f64.powi(31)).is_err());
	assert!(requant_for_ratio(2f64.powi(-33)).is_err());
	for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::MIN_POSITIVE / 2.0] {
		assert!(requant_for_ratio(bad).is_err(), "{bad}");
	}
	// Within half a unit in the 31st bit, multiplier always in [2^30, 2^31).
	let mut rng = Lcg(1);
	for _ in 0..10_000 {
		let ratio = 2f64.powf(f64::from(rng.next()) * 30.0);
		let r = requant_for_ratio(ratio).unwrap();
		assert!((1 << 30..1 << 31).contains(&r.multiplier));
		let value = f64::from(r.multiplier) / 2f64.powi(i32::from(r.shift));
		assert!(((value - ratio) / ratio).abs() <= 2f64.powi(-31), "{ratio} → {r:?}");
	}
}

#[test]
fn calibration_csv_accepts_a_header_and_comments_and_refuses_ragged_rows() {
	let samples = parse_csv("a,b\n# comment\n1, 2\n\n3.5,-4e-1\n").unwrap();
	assert_eq!(samples, vec![vec![1.0, 2.0], vec![3.5, -0.4]]);
	assert!(parse_csv("1,2\n3\n").is_err());
	assert!(parse_csv("1,2\nx,y\n").is_err());
	assert!(parse_csv("1,inf\n").is_err());
	assert!(parse_csv("# nothing\n").is_err());
}
