//! The fuzz harnesses: what each target does with its input. The cargo-fuzz targets
//! (`fuzz_targets/`) call them under libFuzzer on nightly; aos-zk's `tests/verifier/fuzz_harnesses.rs` includes
//! this file and calls them on pseudo-random mutations of the real vectors, on stable, so CI
//! runs them too.
//!
//! Each harness fails only by panicking: the library must turn every input into `Ok` or `Err`.
//! The verify harnesses also check the one answer a fuzzer can check: bytes that are not the
//! real proof (or a VKA that is not the real one for it) are never accepted, bar the
//! mutations the corpus in `tests/verifier/mutations.rs` explains.

use aos_zk::{proof_json, verify, Pure, Vka};
use std::sync::OnceLock;

/// The Iris vector, which every harness verifies against.
pub struct Iris {
	pub vka: Vec<u8>,
	pub parsed: Vka,
	pub proof_json: &'static [u8],
	pub proof: Vec<u8>,
	pub instances: Vec<[u8; 32]>,
}

/// The Iris vector, parsed once.
pub fn iris() -> &'static Iris {
	static IRIS: OnceLock<Iris> = OnceLock::new();
	IRIS.get_or_init(|| {
		let vka = include_bytes!("../../test-vectors/iris/vka.bin").to_vec();
		let proof_json: &[u8] = include_bytes!("../../test-vectors/iris/proof.json");
		let parsed = Vka::parse(&vka).expect("the iris VKA parses");
		let p = proof_json::parse(proof_json).expect("the iris proof.json parses");
		Iris { vka, parsed, proof_json, proof: p.proof, instances: p.instances }
	})
}

/// Arbitrary bytes as a VKA: parsing must not panic, and a VKA that parses is run on the Iris
/// proof and instances, which must not panic either.
pub fn vka_parse(data: &[u8]) {
	let iris = iris();
	if let Ok(vka) = Vka::parse(data) {
		let _ = verify(&vka, &iris.proof, &iris.instances, &Pure);
	}
}

/// Arbitrary bytes as ezkl's proof.json: parsing must not panic.
pub fn proof_json(data: &[u8]) {
	let _ = proof_json::parse(data);
}

/// Arbitrary bytes as the proof (cut or padded with zeros to the length the VKA implies, so
/// that verification gets past the length check), with the Iris VKA and instances:
/// verification must not panic, and accept nothing but the real proof.
pub fn verify_proof(data: &[u8]) {
	let iris = iris();
	let mut proof = data.to_vec();
	proof.resize(iris.proof.len(), 0);
	if verify(&iris.parsed, &proof, &iris.instances, &Pure).is_ok() {
		assert_eq!(proof, iris.proof, "a proof that is not the real one verified");
	}
}
