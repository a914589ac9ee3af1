fn main() {
	#[cfg(feature = "std")]
	{
		// The wasm is built by a nested cargo invocation that must use this workspace's
		// Cargo.lock. It looks for the lock above the target directory, which is outside the
		// work tree here (~/.cache/aos-target), so point it at the workspace. Set only for this
		// build script: a global setting would also apply to the wasm builds of dependencies
		// (frame-benchmarking-cli's test runtime), which are not in this workspace.
		// Read when the script runs, not baked in when it is compiled (`env!`): cargo reuses a
		// compiled build script for a clone of the workspace at another path (its hashes are
		// relative to the workspace), and a baked path would name the other clone.
		if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
			if let Some(manifest) = std::env::var_os("CARGO_MANIFEST_DIR") {
				let workspace = std::path::Path::new(&manifest).join("..");
				std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
			}
		}
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}
