//! Every checked-in chain spec stays loadable by the node, and the built-in chains build.

mod common;

use serde_json::Value;
use std::process::Command;

fn export(chain: &str) -> Result<Value, String> {
	let out = Command::new(common::node_binary())
		.args(["export-chain-spec", "--raw", "--chain", chain])
		.output()
		.expect("run aos-node");
	if !out.status.success() {
		return Err(String::from_utf8_lossy(&out.stderr).into_owned());
	}
	serde_json::from_slice(&out.stdout).map_err(|e| format!("output is not JSON: {e}"))
}

fn assert_raw_genesis(chain: &str, spec: &Value) {
	let top = spec["genesis"]["raw"]["top"].as_object();
	assert!(top.is_some_and(|t| t.len() > 10), "{chain}: raw genesis has state");
	let code = spec["genesis"]["raw"]["top"]["0x3a636f6465"].as_str().unwrap_or_default();
	assert!(code.len() > 1000, "{chain}: genesis holds the runtime code");
}

#[test]
fn checked_in_specs_load() {
	let dir = common::repo_root().join("chain-specs");
	let mut specs: Vec<_> = std::fs::read_dir(&dir)
		.expect("chain-specs/")
		.filter_map(|e| e.ok().map(|e| e.path()))
		.filter(|p| p.extension().is_some_and(|e| e == "json"))
		.collect();
	specs.sort();
	let names: Vec<String> =
		specs.iter().filter_map(|p| p.file_name()?.to_str().map(String::from)).collect();
	assert_eq!(names, ["dev.json", "local.json", "testnet.json"]);
	for path in specs {
		let chain = path.to_str().expect("utf-8 path");
		let spec = export(chain).unwrap_or_else(|e| panic!("{chain} does not load: {e}"));
		assert_raw_genesis(chain, &spec);
	}
}

#[test]
fn built_in_chains_build() {
	for chain in ["dev", "local", "testnet-template", "testnet"] {
		let spec = export(chain).unwrap_or_else(|e| panic!("--chain {chain}: {e}"));
		assert_raw_genesis(chain, &spec);
	}
	// Without `--chain`, the node runs the test network (`export-chain-spec` has its own
	// default, `local`; `build-spec` follows the node's).
	let default = Command::new(common::node_binary())
		.args(["build-spec", "--raw"])
		.output()
		.expect("run aos-node");
	let default: Value = serde_json::from_slice(&default.stdout).expect("JSON");
	assert_eq!(default["id"], "aos_testnet");
}

#[test]
fn an_unknown_chain_is_a_clear_error() {
	let err = export("no-such-chain").unwrap_err();
	assert!(err.contains("neither dev, local, testnet nor testnet-template"), "{err}");
}

#[test]
fn benchmark_without_the_feature_explains_how_to_get_it() {
	if cfg!(feature = "runtime-benchmarks") {
		return;
	}
	let out = Command::new(common::node_binary())
		.args(["benchmark", "pallet", "--pallet", "pallet_balances"])
		.output()
		.expect("run aos-node");
	assert!(!out.status.success());
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(stderr.contains("--features runtime-benchmarks"), "{stderr}");
}
