//! The kernel natively and in aos-operator's wasmtime sandbox (a fresh instance per
//! evaluation, as the operator runs it), on the Iris demo model and on a larger MLP.
//!
//! `cargo bench -p aos-operator --features bench --bench kernel`; figures in docs/PERFORMANCE.md.

use aos_kernel::{abi::Request, golden};
use aos_operator::sandbox::WasmKernel;
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;

fn request(model: &aos_kernel::Model, input: Vec<i8>) -> Request {
	Request {
		model_file: model.to_file(),
		input,
		task: [7; 32],
		operator: vec![1; 32],
		sampling: aos_kernel::SamplingParams { top_k: 1, inv_temperature_q16: 1 << 16 },
		samples: 2,
		intermediates: 8,
	}
}

fn kernel(c: &mut Criterion) {
	let iris_file =
		std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/iris/iris.aosm"))
			.expect("models/iris/iris.aosm");
	let iris = aos_kernel::Model::from_file(&iris_file).expect("the Iris model");
	let mlp = golden::mlp(b"aos/bench/mlp", &[784, 512, 512, 10]);
	let cases = [
		("iris 4-16-16-3", request(&iris, vec![82, 56, 23, 3])),
		("mlp 784-512-512-10", request(&mlp, golden::input_of(b"aos/bench/input", 784))),
	];
	let wasm = WasmKernel::new(u64::MAX / 2).expect("the wasm kernel");
	for (name, req) in &cases {
		assert_eq!(wasm.evaluate_checked(req).expect("agree").reply, aos_kernel::abi::run(req));
		let mut group = c.benchmark_group(*name);
		group.bench_function("native", |b| b.iter(|| aos_kernel::abi::run(req)));
		group.bench_function("wasmtime", |b| b.iter(|| wasm.evaluate(req).expect("runs")));
		group.finish();
	}
}

criterion_group!(benches, kernel);
criterion_main!(benches);
