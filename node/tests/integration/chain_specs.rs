//! Every checked-in chain spec stays loadable by the node, and the built-in chains build.

use crate::common;
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

/// The hex (without `0x`) and SS58 forms of every well-known development key: anyone holds
/// their secrets.
fn well_known_keys() -> Vec<(String, String)> {
	use sp_core::crypto::Ss58Codec;
	let mut keys = Vec::new();
	for k in sp_keyring::Sr25519Keyring::iter() {
		keys.push((format!("{k:?} (sr25519)"), hex_of(&k.public().0)));
		keys.push((format!("{k:?} (sr25519)"), k.public().to_ss58check()));
	}
	for k in sp_keyring::Ed25519Keyring::iter() {
		keys.push((format!("{k:?} (ed25519)"), hex_of(&k.public().0)));
		keys.push((format!("{k:?} (ed25519)"), k.public().to_ss58check()));
	}
	keys
}

fn hex_of(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A spec's text, lowercase, without its runtime code. The wasm holds the development keys its
/// genesis presets use (for the dev and local chains), and whether they show in the spec's
/// compressed code depends on the compressor, not on whom the spec names: the test is about
/// accounts, validators, council and sudo.
fn without_code(text: &str) -> String {
	let mut spec: serde_json::Value = serde_json::from_str(text).expect("a JSON chain spec");
	if let Some(top) = spec.pointer_mut("/genesis/raw/top").and_then(|t| t.as_object_mut()) {
		assert!(top.remove("0x3a636f6465").is_some(), "a raw spec without its code");
	}
	if let Some(g) = spec.pointer_mut("/genesis/runtimeGenesis").and_then(|g| g.as_object_mut()) {
		g.remove("code");
	}
	spec.to_string().to_lowercase()
}

/// The default chain and every checked-in spec but the development ones name no well-known
/// key: as validator, council member, endowed account or sudo.
#[test]
fn no_network_spec_names_a_well_known_key() {
	let dir = common::repo_root().join("chain-specs");
	let keys = well_known_keys();
	let mut checked = 0;
	for entry in std::fs::read_dir(&dir).expect("chain-specs/").flatten() {
		let path = entry.path();
		let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
		if !name.ends_with(".json") || name == "dev.json" || name == "local.json" {
			continue;
		}
		let text = without_code(&std::fs::read_to_string(&path).expect("spec"));
		for (who, key) in &keys {
			assert!(!text.contains(&key.to_lowercase()), "{name} names {who}: {key}");
		}
		checked += 1;
	}
	assert!(checked >= 1, "testnet.json is checked");
	// The node's default chain, as it runs it.
	let default = Command::new(common::node_binary())
		.args(["build-spec", "--raw"])
		.output()
		.expect("run aos-node");
	let text = without_code(&String::from_utf8_lossy(&default.stdout));
	for (who, key) in &keys {
		assert!(!text.contains(&key.to_lowercase()), "the default chain names {who}: {key}");
	}
}
