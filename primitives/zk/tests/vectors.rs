//! The verifier against real ezkl 23.0.5 artifacts (offchain-workers/zk-prover/gen-test-vectors.sh):
//! it accepts what ezkl's own `verify` accepted, for two circuits of different shapes.

use aos_zk::{proof_json, verify, Pure, Vka};
use std::path::PathBuf;

fn dir(name: &str) -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors").join(name)
}

fn load(name: &str) -> (Vka, proof_json::ProofFile) {
	let vka = Vka::parse(&std::fs::read(dir(name).join("vka.bin")).unwrap()).unwrap();
	let proof = proof_json::parse(&std::fs::read(dir(name).join("proof.json")).unwrap()).unwrap();
	(vka, proof)
}

#[test]
fn accepts_ezkl_proofs() {
	for name in ["iris", "conv"] {
		let (vka, p) = load(name);
		let stats =
			verify(&vka, &p.proof, &p.instances, &Pure).unwrap_or_else(|e| panic!("{name}: {e}"));
		println!("{name}: {stats:?}");
	}
}
