//! `config.yaml`: the AOS operator's keys (`node_id`, `signer_key`) with their meaning, and
//! what AOS adds. Every error names the key at fault.

use serde::Deserialize;
use sp_core::H160;
use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
};

/// The operator's configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
	/// The operator's Ethereum address (AOS: `node_id`).
	pub node_id: String,
	/// Who signs for `node_id` (AOS: `signer_key`): the URL of a Web3Signer (`http://…`), or
	/// a `0x`-hex secp256k1 private key kept in this file (never printed: see [`Secret`]).
	pub signer_key: Secret,
	/// The node's WebSocket JSON-RPC endpoint.
	#[serde(default = "default_node_url")]
	pub node_url: String,
	/// The file with the chain account's and the VRF key's secrets.
	pub keystore: PathBuf,
	/// Where the operator keeps its database and its model cache.
	pub data_dir: PathBuf,
	/// Where models are fetched from.
	#[serde(default)]
	pub models: ModelsConfig,
	/// TEE mode: the enclave (`aos-enclave serve`) that runs models and signs their results.
	/// Without it, TEE-mode tasks are not claimed.
	#[serde(default)]
	pub enclave: Option<EnclaveConfig>,
	/// Register and bond at start when the account is not an operator yet.
	#[serde(default)]
	pub register: Option<RegisterConfig>,
	/// Prometheus metrics address (`host:port`); none serves no metrics.
	#[serde(default)]
	pub metrics: Option<SocketAddr>,
	/// The wasm kernel's limits.
	#[serde(default)]
	pub kernel: KernelConfig,
	/// Zk mode: proving with ezkl. Without it, Zk-mode tasks are not claimed.
	#[serde(default)]
	pub zk: Option<ZkConfig>,
	/// Optimistic mode: watch every optimistic result other operators post, re-execute it and
	/// dispute it when it is wrong (the challenge bond is held from this account while a game
	/// runs). This operator defends its own optimistic results whatever this says.
	#[serde(default)]
	pub challenger: bool,
	/// Test-only misbehaviour, for the end-to-end tests of liquidation.
	#[serde(default)]
	pub testing: TestingConfig,
}

fn default_node_url() -> String {
	"ws://127.0.0.1:9944".into()
}

/// A configuration value that may be a secret: its `Debug` shows a URL, and hides anything
/// else, so that printing the configuration (a log, a panic) never leaks a private key.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		let text = self.0.trim();
		if text.starts_with("http://") || text.starts_with("https://") {
			write!(f, "{text:?}")
		} else {
			f.write_str("<redacted>")
		}
	}
}

/// Where models come from: files named `<model id>.aosm` (the id in `0x` hex) in a directory or
/// under an HTTP URL. Without a source, the URI the model was registered with is used.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsConfig {
	#[serde(default)]
	pub source: Option<String>,
}

/// What to register with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterConfig {
	pub name: String,
	#[serde(default)]
	pub endpoint: String,
	/// The operator's cut of rewards, in percent.
	#[serde(default)]
	pub commission_percent: u8,
	/// The collateral to bond, in AOS (decimal, e.g. `"1000"` or `"1000.5"`).
	pub collateral: String,
}

/// The wasm kernel's limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KernelConfig {
	/// Fuel (wasm instructions, roughly) one evaluation may use.
	#[serde(default = "default_fuel")]
	pub fuel: u64,
	/// Also run the native kernel and refuse to commit when they differ.
	#[serde(default = "default_true")]
	pub check_native: bool,
}

impl Default for KernelConfig {
	fn default() -> Self {
		KernelConfig { fuel: default_fuel(), check_native: true }
	}
}

fn default_fuel() -> u64 {
	20_000_000_000
}

fn default_true() -> bool {
	true
}

/// How to prove with ezkl (offchain-workers/zk-prover).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZkConfig {
	/// The Python that has the pinned ezkl (`offchain-workers/zk-prover/setup-venv.sh` makes
	/// the venv and prints it).
	pub python: PathBuf,
	/// `offchain-workers/zk-prover/ezkl_helper.py`.
	pub helper: PathBuf,
	/// A directory with one circuit per model, named by the model's id (`0x…`): what
	/// `ezkl_helper.py setup` writes (settings, compiled circuit, SRS, keys, vka.bin).
	pub circuits: PathBuf,
	/// The longest a proof may take, in seconds.
	#[serde(default = "default_prove_timeout")]
	pub timeout_secs: u64,
}

fn default_prove_timeout() -> u64 {
	300
}

/// Where the enclave listens: `vsock: { cid, port }` for a Nitro enclave on this host
/// (`nitro-cli run-enclave --enclave-cid`, `aos-enclave serve --vsock-port`), or `tcp: HOST:PORT`
/// for the simulated enclave (`aos-enclave serve --simulated-nsm --tcp`), never both.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnclaveConfig {
	#[serde(default)]
	pub vsock: Option<VsockConfig>,
	#[serde(default)]
	pub tcp: Option<SocketAddr>,
	/// Re-register the enclave when its key expires within this many seconds (AWS's leaf
	/// certificates, and so the key's registration, last three hours).
	#[serde(default = "default_renew_before")]
	pub renew_before_secs: u64,
}

/// A vsock address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VsockConfig {
	pub cid: u32,
	pub port: u32,
}

fn default_renew_before() -> u64 {
	1_800
}

impl EnclaveConfig {
	/// The endpoint to connect to.
	pub fn endpoint(&self) -> Result<aos_enclave_protocol::Endpoint, Invalid> {
		use aos_enclave_protocol::Endpoint;
		match (self.vsock, self.tcp) {
			(Some(VsockConfig { cid, port }), None) => Ok(Endpoint::Vsock { cid, port }),
			(None, Some(addr)) => Ok(Endpoint::Tcp(addr)),
			_ => Err(Invalid::OneEnclaveEndpoint),
		}
	}
}

/// Test-only misbehaviour.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestingConfig {
	/// Report a wrong result (the logits' digest with one logit changed) for every task.
	#[serde(default)]
	pub wrong_results: bool,
	/// TEE mode: hold an enclave's signed result this many blocks before submitting it.
	#[serde(default)]
	pub attest_delay_blocks: u32,
	/// Optimistic mode: post a trace with one activation of a layer changed, every later layer
	/// computed from it (so the result is wrong too), in a task's first rounds.
	#[serde(default)]
	pub wrong_activation: Option<WrongActivation>,
}

/// Where `testing.wrong_activation` lies.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WrongActivation {
	/// The layer (0 is the first) whose first neuron's value is changed.
	pub layer: u32,
	/// Lie in rounds `0 .. rounds` only, answer honestly after.
	pub rounds: u8,
}

/// Who signs Ethereum messages for `node_id`.
#[derive(Clone, PartialEq, Eq)]
pub enum SignerKey {
	/// A Web3Signer-compatible server at this URL.
	Web3Signer(String),
	/// A local secp256k1 secret key.
	Local([u8; 32]),
}

impl std::fmt::Debug for SignerKey {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			SignerKey::Web3Signer(url) => f.debug_tuple("Web3Signer").field(url).finish(),
			SignerKey::Local(_) => f.write_str("Local(<redacted>)"),
		}
	}
}

/// A configuration error: the key and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
	#[error("cannot read {path}: {source}")]
	Read { path: PathBuf, source: std::io::Error },
	#[error("{path}: {source}")]
	Syntax { path: PathBuf, source: Box<serde_saphyr::Error> },
	#[error("{path}: `{key}`: {problem}")]
	Key { path: PathBuf, key: &'static str, problem: Invalid },
}

/// What is wrong with a configuration value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
	#[error("{0:?} is not an Ethereum address (0x and 40 hex digits)")]
	NotAnAddress(String),
	#[error("neither a Web3Signer URL (http://…) nor a 0x-hex 32-byte private key")]
	NotASigner,
	#[error("{0:?} is not a ws:// or wss:// URL")]
	NotAWebSocketUrl(String),
	#[error(transparent)]
	NotAnAmount(#[from] aos_client::NotAnAmount),
	#[error("is above 100")]
	Above100,
	#[error("{0} is not a file")]
	NotAFile(PathBuf),
	#[error("{0} is not a directory")]
	NotADirectory(PathBuf),
	#[error("must be above 0")]
	Zero,
	#[error("give exactly one of `vsock` and `tcp`")]
	OneEnclaveEndpoint,
}

/// Parses a YAML file of the operator's (its config, its keystore). Strict booleans (`true`,
/// `false`), as the YAML 1.2 core schema has them; errors without a snippet of the file, which
/// could print a secret key of it into a log.
pub(crate) fn from_yaml<T: serde::de::DeserializeOwned>(
	text: &str,
) -> Result<T, Box<serde_saphyr::Error>> {
	serde_saphyr::from_str_with_options(
		text,
		serde_saphyr::options! { strict_booleans: true, with_snippet: false },
	)
	.map_err(Box::new)
}

impl Config {
	/// Reads and checks `path`; relative paths in it are relative to its directory.
	pub fn load(path: &Path) -> Result<Config, ConfigError> {
		let text = std::fs::read_to_string(path)
			.map_err(|source| ConfigError::Read { path: path.into(), source })?;
		let mut config: Config =
			from_yaml(&text).map_err(|source| ConfigError::Syntax { path: path.into(), source })?;
		let base = path.parent().unwrap_or(Path::new("."));
		config.keystore = base.join(&config.keystore);
		config.data_dir = base.join(&config.data_dir);
		let key = |key, problem: Invalid| ConfigError::Key { path: path.into(), key, problem };
		config.eth_address().map_err(|m| key("node_id", m))?;
		config.signer().map_err(|m| key("signer_key", m))?;
		if !(config.node_url.starts_with("ws://") || config.node_url.starts_with("wss://")) {
			return Err(key("node_url", Invalid::NotAWebSocketUrl(config.node_url.clone())));
		}
		if let Some(register) = &config.register {
			aos_client::parse_aos(&register.collateral)
				.map_err(|e| key("register.collateral", e.into()))?;
			if register.commission_percent > 100 {
				return Err(key("register.commission_percent", Invalid::Above100));
			}
		}
		if let Some(zk) = &mut config.zk {
			// A bare name (`python3`) is looked up on PATH; a path is relative to the file.
			if zk.python.components().count() > 1 {
				zk.python = base.join(&zk.python);
			}
			zk.helper = base.join(&zk.helper);
			zk.circuits = base.join(&zk.circuits);
			if !zk.helper.is_file() {
				return Err(key("zk.helper", Invalid::NotAFile(zk.helper.clone())));
			}
			if !zk.circuits.is_dir() {
				return Err(key("zk.circuits", Invalid::NotADirectory(zk.circuits.clone())));
			}
			if zk.timeout_secs == 0 {
				return Err(key("zk.timeout_secs", Invalid::Zero));
			}
		}
		if config.kernel.fuel == 0 {
			return Err(key("kernel.fuel", Invalid::Zero));
		}
		if let Some(enclave) = &config.enclave {
			enclave.endpoint().map_err(|m| key("enclave", m))?;
		}
		Ok(config)
	}

	/// `node_id` as an address.
	pub fn eth_address(&self) -> Result<H160, Invalid> {
		let hex = self.node_id.strip_prefix("0x").unwrap_or(&self.node_id);
		let bytes = hex::decode(hex)
			.ok()
			.filter(|b| b.len() == 20)
			.ok_or_else(|| Invalid::NotAnAddress(self.node_id.clone()))?;
		Ok(H160::from_slice(&bytes))
	}

	/// `signer_key` as a signer.
	pub fn signer(&self) -> Result<SignerKey, Invalid> {
		let key = self.signer_key.0.trim();
		if key.starts_with("http://") || key.starts_with("https://") {
			return Ok(SignerKey::Web3Signer(key.trim_end_matches('/').into()));
		}
		let hex = key.strip_prefix("0x").unwrap_or(key);
		match hex::decode(hex).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()) {
			Some(secret) => Ok(SignerKey::Local(secret)),
			None => Err(Invalid::NotASigner),
		}
	}

	/// The collateral to register with, in the smallest unit.
	pub fn collateral(&self) -> Option<u128> {
		self.register.as_ref().and_then(|r| aos_client::parse_aos(&r.collateral).ok())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn load(text: &str) -> Result<Config, String> {
		let dir = std::env::temp_dir().join(format!("aos-config-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let path = dir.join(format!("{}.yaml", text.len()));
		std::fs::write(&path, text).unwrap();
		Config::load(&path).map_err(|e| e.to_string())
	}

	const GOOD: &str = "node_id: \"0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1\"\n\
		signer_key: http://127.0.0.1:9000\nkeystore: keys.yaml\ndata_dir: data\n";

	#[test]
	fn the_aos_keys_keep_their_meaning() {
		let config = load(GOOD).unwrap();
		assert_eq!(config.signer(), Ok(SignerKey::Web3Signer("http://127.0.0.1:9000".into())));
		assert_eq!(
			config.eth_address().unwrap(),
			H160::from_slice(&hex::decode("90F8bf6A479f320ead074411a4B0e7944Ea8c9C1").unwrap())
		);
		assert_eq!(config.node_url, "ws://127.0.0.1:9944");
		assert!(config.kernel.check_native);
		let local = GOOD.replace("http://127.0.0.1:9000", &format!("\"0x{}\"", "11".repeat(32)));
		let config = load(&local).unwrap();
		assert_eq!(config.signer(), Ok(SignerKey::Local([0x11; 32])));
		// The private key is never printed, however the configuration is.
		let printed = format!("{config:?} {:?}", config.signer());
		assert!(!printed.contains(&"11".repeat(32)), "{printed}");
		assert!(printed.contains("<redacted>"), "{printed}");
	}

	#[test]
	fn errors_name_the_key() {
		let bad_id = GOOD.replace("0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1", "0x1234");
		assert!(load(&bad_id).unwrap_err().contains("`node_id`: \"0x1234\" is not an Ethereum"));
		let bad_signer = GOOD.replace("http://127.0.0.1:9000", "/tmp/key");
		assert!(load(&bad_signer).unwrap_err().contains("`signer_key`: neither a Web3Signer URL"));
		let missing = GOOD.replace("keystore: keys.yaml\n", "");
		assert!(load(&missing).unwrap_err().contains("missing field `keystore`"));
		let unknown = format!("{GOOD}node_idd: 1\n");
		assert!(load(&unknown).unwrap_err().contains("unknown field `node_idd`"));
		let url = format!("{GOOD}node_url: http://127.0.0.1:9944\n");
		assert!(load(&url).unwrap_err().contains("`node_url`: \"http://127.0.0.1:9944\" is not"));
		let zk = format!("{GOOD}zk:\n  python: python3\n  helper: nowhere.py\n  circuits: .\n");
		assert!(load(&zk).unwrap_err().contains("`zk.helper`:"));
		let collateral = format!("{GOOD}register:\n  name: op\n  collateral: lots\n");
		assert!(load(&collateral).unwrap_err().contains("`register.collateral`: \"lots\""));
		let both =
			format!("{GOOD}enclave:\n  tcp: 127.0.0.1:5005\n  vsock: {{ cid: 16, port: 5005 }}\n");
		assert!(load(&both).unwrap_err().contains("`enclave`: give exactly one of"));
		assert!(load(&format!("{GOOD}enclave:\n  tcp: localhost\n")).is_err());
		// Booleans are `true` and `false`, not YAML 1.1's `yes` and `no`.
		assert!(load(&format!("{GOOD}kernel:\n  check_native: yes\n")).is_err());
	}

	#[test]
	fn syntax_errors_do_not_quote_the_file() {
		// A private key in the file, and an error on the line after it.
		let secret = "ab".repeat(32);
		let text = GOOD.replace("http://127.0.0.1:9000", &format!("\"0x{secret}\"\nnode_idd: 1"));
		let err = load(&text).unwrap_err();
		assert!(err.contains("unknown field `node_idd`"), "{err}");
		assert!(!err.contains(&secret), "{err}");
	}

	#[test]
	fn the_documented_config_parses() {
		let doc = std::fs::read_to_string(
			Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/OPERATORS.md"),
		)
		.unwrap();
		// docs/OPERATORS.md's first YAML block is `config.yaml`.
		let block = doc.split("```yaml\n").nth(1).and_then(|b| b.split("```").next()).unwrap();
		let config: Config = from_yaml(block).unwrap();
		assert_eq!(config.signer(), Ok(SignerKey::Web3Signer("http://127.0.0.1:9000".into())));
		assert_eq!(config.metrics, Some(SocketAddr::from(([127, 0, 0, 1], 9616))));
		assert_eq!(config.kernel.fuel, 20_000_000_000);
		let enclave = config.enclave.unwrap();
		assert_eq!(
			enclave.endpoint(),
			Ok(aos_enclave_protocol::Endpoint::Vsock { cid: 16, port: 5005 })
		);
		assert_eq!(enclave.renew_before_secs, 1_800);
		let zk = config.zk.unwrap();
		assert_eq!(zk.python, Path::new("~/.cache/aos-ezkl-venv/bin/python"));
		assert_eq!(zk.timeout_secs, 300);
	}
}
