fn main() {
	#[cfg(feature = "std")]
	{
		// The wasm is built by a nested cargo invocation that must use this workspace's
		// Cargo.lock. It looks for the lock above the target directory, which is outside the
		// work tree here (~/.cache/aos-target), so point it at the workspace. Set only for this
		// build script: a global setting would also apply to the wasm builds of dependencies
		// (frame-benchmarking-cli's test runtime), which are not in this workspace.
		if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
			let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
			std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
		}
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}
