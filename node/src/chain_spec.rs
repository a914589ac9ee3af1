//! The chains `aos-node` knows: `dev`, `local` and `testnet-template` are built from the
//! runtime's genesis presets; `testnet` (the default) is the checked-in raw spec of the AOS test
//! network, `chain-specs/testnet.json`.

use aos_runtime::{genesis_config_presets::TESTNET_RUNTIME_PRESET, TOKEN_DECIMALS, TOKEN_SYMBOL};
use sc_service::{ChainType, Properties};

/// A chain specification of AOS (no client extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

/// Raw chain spec of the AOS test network, as validators use it.
const TESTNET_SPEC: &[u8] = include_bytes!("../../chain-specs/testnet.json");

fn properties() -> Properties {
	let mut p = Properties::new();
	p.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	p.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	p.insert("ss58Format".into(), aos_runtime::configs::SS58Prefix::get().into());
	p
}

fn wasm() -> Result<&'static [u8], String> {
	aos_runtime::WASM_BINARY.ok_or_else(|| {
		"this aos-node was built without the runtime wasm (SKIP_WASM_BUILD was set); rebuild \
		 without it"
			.to_string()
	})
}

fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, Default::default())
		.with_name(name)
		.with_id(id)
		.with_protocol_id("aos")
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// One validator (Alice), short epochs, sudo: `aos-node --dev`.
pub fn development() -> Result<ChainSpec, String> {
	from_preset(
		"AOS Development",
		"aos_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// Three validators (Alice, Bob, Charlie), short epochs, sudo: `--chain local`.
pub fn local_testnet() -> Result<ChainSpec, String> {
	from_preset(
		"AOS Local Testnet",
		"aos_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

/// The template the test network's spec is generated from: production timing, no sudo.
pub fn testnet_template() -> Result<ChainSpec, String> {
	from_preset("AOS Testnet", "aos_testnet", ChainType::Live, TESTNET_RUNTIME_PRESET)
}

/// The AOS test network.
pub fn testnet() -> Result<ChainSpec, String> {
	ChainSpec::from_json_bytes(TESTNET_SPEC)
}

/// Resolves a `--chain` argument: a known name, else a path to a chain spec file.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" => Box::new(development()?),
		"local" => Box::new(local_testnet()?),
		"testnet-template" => Box::new(testnet_template()?),
		"" | "testnet" => Box::new(testnet()?),
		path => {
			Box::new(ChainSpec::from_json_file(std::path::PathBuf::from(path)).map_err(|e| {
				format!(
					"`--chain {path}` is neither dev, local, testnet nor testnet-template, and \
					 reading it as a chain spec file failed: {e}"
				)
			})?)
		},
	})
}
