//! Compiles `offchain-workers/kernel-wasm` (the AOS kernel as a wasm module) for
//! `wasm32v1-none`, for `aos-sandbox` to embed and run inside wasmtime.

use std::{
	env,
	path::{Path, PathBuf},
	process::Command,
};

fn main() {
	let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
	let crate_dir = manifest_dir.join("../kernel-wasm");
	let kernel_dir = manifest_dir.join("../../primitives/kernel");
	for watched in [crate_dir.join("src"), crate_dir.join("Cargo.toml"), kernel_dir.join("src")] {
		println!("cargo:rerun-if-changed={}", watched.display());
	}
	let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
	let target_dir = out_dir.join("kernel-wasm-target");
	let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
	let status = Command::new(cargo)
		.args(["build", "--release", "--locked", "--target", "wasm32v1-none"])
		.arg("--manifest-path")
		.arg(crate_dir.join("Cargo.toml"))
		.arg("--target-dir")
		.arg(&target_dir)
		// The outer build's flags and target are not the wasm build's. SIMD128 is on: its
		// integer operations are deterministic (only relaxed SIMD and float NaN bits are not, and
		// the sandbox pins both), and the kernel's i8 dot products vectorize with it.
		.env_remove("RUSTFLAGS")
		.env("CARGO_ENCODED_RUSTFLAGS", "-Ctarget-feature=+simd128")
		.env_remove("CARGO_BUILD_TARGET")
		.env_remove("CARGO_TARGET_DIR")
		.status()
		.unwrap_or_else(|e| panic!("cannot run cargo to build the kernel's wasm: {e}"));
	assert!(
		status.success(),
		"building offchain-workers/kernel-wasm for wasm32v1-none failed; is the target installed \
		 (`rustup target add wasm32v1-none`)?"
	);
	let wasm = target_dir.join("wasm32v1-none/release/aos_kernel_wasm.wasm");
	copy(&wasm, &out_dir.join("aos_kernel.wasm"));
}

fn copy(from: &Path, to: &Path) {
	std::fs::copy(from, to)
		.unwrap_or_else(|e| panic!("copy {} to {}: {e}", from.display(), to.display()));
}
