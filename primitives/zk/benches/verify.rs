//! Native verification time of real ezkl proofs (arkworks, no host-function boundary):
//! `cargo bench -p aos-zk --features bench --bench verify`. The runtime's figures (wasm, with and without the
//! node's BN254 host functions) come from the pallet's benchmarks; see docs/PERFORMANCE.md.

use aos_zk::{proof_json, verify, Pure, Vka};
use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
	let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/");
	for name in ["iris", "conv", "mlp256"] {
		let vka_bytes = std::fs::read(format!("{dir}{name}/vka.bin")).unwrap();
		let p =
			proof_json::parse(&std::fs::read(format!("{dir}{name}/proof.json")).unwrap()).unwrap();
		let vka = Vka::parse(&vka_bytes).unwrap();
		c.bench_function(&format!("verify {name} ({} instances)", p.instances.len()), |b| {
			b.iter(|| verify(&vka, &p.proof, &p.instances, &Pure).unwrap())
		});
		c.bench_function(&format!("parse VKA {name}"), |b| {
			b.iter(|| Vka::parse(&vka_bytes).unwrap())
		});
	}
}

criterion_group!(benches, bench);
criterion_main!(benches);
