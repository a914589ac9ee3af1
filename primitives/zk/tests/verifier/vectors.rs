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
	for name in ["iris", "conv", "mlp16", "mlp64", "mlp256", "mlp508"] {
		let (vka, p) = load(name);
		let stats =
			verify(&vka, &p.proof, &p.instances, &Pure).unwrap_or_else(|e| panic!("{name}: {e}"));
		// The cost found without a proof is the real proof's, exactly.
		let cost = aos_zk::cost(&vka, u64::MAX).unwrap_or_else(|e| panic!("{name}: cost: {e}"));
		println!("{name}: {stats:?}, dry run {cost:?}");
		assert_eq!(cost, stats, "{name}");
		// Priced within a smaller allowance, it stops there.
		assert_eq!(aos_zk::cost(&vka, cost.steps - 1), Err(aos_zk::Error::Budget));
	}
}

/// The embedded vectors (`aos_zk::vectors`, what the runtime's benchmarks prove with) are the
/// committed proof.json files, and all verify.
#[test]
fn embedded_vectors_are_the_committed_proofs() {
	let mut last = 0;
	for v in aos_zk::vectors::ALL.iter() {
		let (vka, p) = load(v.name);
		assert_eq!(std::fs::read(dir(v.name).join("vka.bin")).unwrap(), v.vka, "{}", v.name);
		assert_eq!(p.proof, v.proof, "{}", v.name);
		assert_eq!(p.instances, v.instances().collect::<Vec<_>>(), "{}", v.name);
		assert_eq!(vka.num_instances(), v.num_instances(), "{}", v.name);
		assert!(v.num_instances() > last, "ALL is by instance count ascending");
		last = v.num_instances();
		let input = std::fs::read_to_string(dir(v.name).join("input.json")).unwrap();
		let input: serde_json::Value = serde_json::from_str(&input).unwrap();
		let want: Vec<i8> = input["input_data"][0]
			.as_array()
			.unwrap()
			.iter()
			.map(|x| x.as_i64().unwrap() as i8)
			.collect();
		assert_eq!(v.input(), Some(want), "{}", v.name);
		verify(&vka, v.proof, &p.instances, &Pure).unwrap_or_else(|e| panic!("{}: {e}", v.name));
	}
	assert_eq!(aos_zk::vectors::at_least(8).map(|v| v.name), Some("mlp16"));
	assert_eq!(aos_zk::vectors::at_least(513).map(|v| v.name), None);
}

/// A registered VKA re-read without the subgroup checks verifies the same proofs, and still
/// refuses everything else `parse` refuses before the points.
#[test]
fn registered_vkas_parse_the_same() {
	for v in aos_zk::vectors::ALL.iter() {
		let full = Vka::parse(v.vka).unwrap();
		let fast = Vka::parse_registered(v.vka).unwrap();
		assert_eq!(full.verified_words(), fast.verified_words());
		let instances = v.instances().collect::<Vec<_>>();
		assert_eq!(
			verify(&full, v.proof, &instances, &Pure),
			verify(&fast, v.proof, &instances, &Pure),
			"{}",
			v.name
		);
		let mut short = v.vka.to_vec();
		short.truncate(short.len() - 32);
		assert!(Vka::parse_registered(&short).is_err());
	}
}
