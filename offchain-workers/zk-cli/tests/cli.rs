//! The `aos-zk-cli` binary on the real Iris vector (primitives/zk/test-vectors): a valid proof, the
//! same proof with one instance changed, and files that are missing or are not what they
//! should be — one exit code each.

use std::{
	path::{Path, PathBuf},
	process::{Command, Output},
};

fn vector(name: &str, file: &str) -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR"))
		.join("../../primitives/zk/test-vectors")
		.join(name)
		.join(file)
}

fn verify(vka: &Path, proof: &Path) -> Output {
	Command::new(env!("CARGO_BIN_EXE_aos-zk-cli"))
		.args(["verify", "--vka"])
		.arg(vka)
		.arg("--proof")
		.arg(proof)
		.output()
		.unwrap()
}

fn stdout(o: &Output) -> String {
	String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
	String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file in this test binary's scratch directory.
fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
	let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
	std::fs::write(&path, bytes).unwrap();
	path
}

#[test]
fn a_valid_proof_prints_valid() {
	for name in ["iris", "conv"] {
		let o = verify(&vector(name, "vka.bin"), &vector(name, "proof.json"));
		assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
		assert_eq!(stdout(&o), "valid\n");
		assert!(stderr(&o).contains("steps"), "{}", stderr(&o));
	}
}

#[test]
fn a_changed_instance_prints_invalid() {
	let json = std::fs::read(vector("iris", "proof.json")).unwrap();
	let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
	// The first input, 64 hex digits of its little-endian bytes: add 1 to the lowest byte.
	let first = &mut v["instances"][0][0];
	let hex = first.as_str().unwrap().to_string();
	let low = u8::from_str_radix(&hex[..2], 16).unwrap().wrapping_add(1);
	*first = format!("{low:02x}{}", &hex[2..]).into();
	let proof = scratch("changed-instance.json", &serde_json::to_vec(&v).unwrap());

	let o = verify(&vector("iris", "vka.bin"), &proof);
	assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
	assert!(stdout(&o).starts_with("invalid: "), "{}", stdout(&o));
}

#[test]
fn a_proof_for_another_circuit_prints_invalid() {
	let o = verify(&vector("iris", "vka.bin"), &vector("conv", "proof.json"));
	assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
	assert!(stdout(&o).starts_with("invalid: "), "{}", stdout(&o));
}

#[test]
fn a_missing_file_is_named() {
	let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-vka.bin");
	let o = verify(&missing, &vector("iris", "proof.json"));
	assert_eq!(o.status.code(), Some(2));
	assert_eq!(stdout(&o), "");
	assert!(stderr(&o).contains("no-such-vka.bin"), "{}", stderr(&o));
}

#[test]
fn files_that_are_not_a_vka_or_a_proof_are_named() {
	let garbage = scratch("garbage.bin", b"not a vka");
	let o = verify(&garbage, &vector("iris", "proof.json"));
	assert_eq!(o.status.code(), Some(2));
	assert!(stderr(&o).contains("garbage.bin") && stderr(&o).contains("VKA"), "{}", stderr(&o));

	let o = verify(&vector("iris", "vka.bin"), &vector("iris", "vka.bin"));
	assert_eq!(o.status.code(), Some(2));
	assert!(stderr(&o).contains("vka.bin") && stderr(&o).contains("proof.json"), "{}", stderr(&o));
}
