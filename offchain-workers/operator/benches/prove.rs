//! Proving through the operator vs ezkl's own call, on the same model and input.
//!
//! For each circuit (offchain-workers/zk-prover/circuit.sh makes it once), criterion times the
//! operator's whole proving path — [`Prover::prove`]: the input file, the `ezkl_helper.py prove`
//! subprocess (interpreter start, ezkl import, witness, proof), reading proof.json and checking
//! the proof with the chain's verifier — while the helper reports the time of ezkl's own
//! `ezkl.prove` call in the same runs. The ratio of the two is the operator's overhead.
//!
//! `cargo bench -p aos-operator --features bench --bench prove`; figures in docs/PERFORMANCE.md.

use aos_operator::{
	config::ZkConfig,
	prover::{ChainVk, Prover},
};
use criterion::{criterion_group, criterion_main, Criterion};
use std::{
	path::{Path, PathBuf},
	process::Command,
	time::Duration,
};

fn script(name: &str, args: &[&str]) -> PathBuf {
	let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../zk-prover").join(name);
	let out = Command::new(&path).args(args).output().expect(name);
	assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
	PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn prove(c: &mut Criterion) {
	let python = script("setup-venv.sh", &[]);
	let runtime = tokio::runtime::Runtime::new().expect("tokio");
	let mut group = c.benchmark_group("prove");
	group.sample_size(10).measurement_time(Duration::from_secs(60));
	for name in ["iris", "mlp256"] {
		let circuit = script("circuit.sh", &[name]);
		let model = sp_core::H256::repeat_byte(1);
		// The prover finds a model's circuit by its id: name one after this circuit.
		let work = std::env::temp_dir().join(format!("aos-prove-bench-{}", std::process::id()));
		let by_id = work.join("circuits");
		std::fs::create_dir_all(&by_id).unwrap();
		let link = by_id.join(format!("0x{}", hex::encode(model)));
		let _ = std::fs::remove_file(&link);
		std::os::unix::fs::symlink(&circuit, &link).unwrap();
		let prover = Prover::new(
			ZkConfig {
				python: python.clone(),
				helper: Path::new(env!("CARGO_MANIFEST_DIR")).join("../zk-prover/ezkl_helper.py"),
				circuits: by_id,
				timeout_secs: 600,
			},
			work.join("tasks"),
		);
		let vk = ChainVk { vka: std::fs::read(circuit.join("vka.bin")).unwrap(), input_scale: 7 };
		let input: serde_json::Value =
			serde_json::from_slice(&std::fs::read(circuit.join("input.json")).unwrap()).unwrap();
		let input: Vec<i8> = input["input_data"][0]
			.as_array()
			.unwrap()
			.iter()
			.map(|v| v.as_i64().unwrap() as i8)
			.collect();
		let mut ezkl = Vec::new();
		group.bench_function(format!("operator {name}"), |b| {
			b.iter_custom(|iters| {
				let mut total = Duration::ZERO;
				for _ in 0..iters {
					let proved = runtime
						.block_on(prover.prove(0, &model, &input, &vk))
						.expect("the operator's proof");
					ezkl.push((proved.ezkl_prove, proved.ezkl_witness, proved.total));
					total += proved.total;
				}
				total
			})
		});
		let n = ezkl.len() as u32;
		let mean = |f: fn(&(Duration, Duration, Duration)) -> Duration| {
			ezkl.iter().map(f).sum::<Duration>() / n.max(1)
		};
		let (p, w, t) = (mean(|e| e.0), mean(|e| e.1), mean(|e| e.2));
		println!(
			"{name}: over {n} proofs, ezkl.prove {p:.2?}, ezkl.gen_witness {w:.2?}, operator total \
			 {t:.2?}: operator / ezkl.prove = {:.3}",
			t.as_secs_f64() / p.as_secs_f64()
		);
		let _ = std::fs::remove_dir_all(&work);
	}
	group.finish();
}

criterion_group!(benches, prove);
criterion_main!(benches);
