//! `aos-relayer run …` relays the AOS chain's final checkpoints to the AVS contract;
//! `aos-relayer deploy …` deploys the contracts on a development network.

use alloy::{primitives::Address, signers::local::PrivateKeySigner};
use aos_relayer::{deploy, key::TxKey, metrics::Metrics, relay};
use clap::{Parser, Subcommand};
use std::{path::PathBuf, process::ExitCode, str::FromStr, time::Duration};

#[derive(Parser)]
#[command(version, about = "Relays AOS bridge checkpoints to the AVS contract on Ethereum")]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

/// Where the Ethereum transaction key is: a file holding its hex private key (never the key
/// itself on the command line, where other users of the machine see it), or a
/// Web3Signer-compatible signer holding the key of `--address`.
#[derive(clap::Args)]
#[group(skip)]
#[command(group = clap::ArgGroup::new("key").required(true).multiple(false))]
struct Key {
	/// A file with the transaction key's private key in hex.
	#[arg(long, group = "key")]
	key_file: Option<PathBuf>,
	/// A Web3Signer-compatible signer's HTTP JSON-RPC (`eth_accounts`, `eth_signTransaction`);
	/// with `--address`.
	#[arg(long, group = "key", requires = "address")]
	web3signer: Option<String>,
	/// The account whose key the signer holds.
	#[arg(long)]
	address: Option<String>,
}

impl Key {
	async fn load(&self) -> Result<TxKey, String> {
		match (&self.key_file, &self.web3signer, &self.address) {
			(Some(file), None, None) => {
				let text = std::fs::read_to_string(file)
					.map_err(|e| format!("--key-file {}: {e}", file.display()))?;
				let key = PrivateKeySigner::from_str(text.trim().trim_start_matches("0x"))
					.map_err(|_| {
						format!("--key-file {}: not a secp256k1 private key", file.display())
					})?;
				Ok(TxKey::local(key))
			},
			(None, Some(signer), Some(a)) => {
				TxKey::web3signer(url(signer)?, address(a)?).await.map_err(|e| e.to_string())
			},
			(Some(_), None, Some(_)) => Err("--address goes with --web3signer".into()),
			_ => Err("give --key-file, or --web3signer with --address".into()),
		}
	}
}

#[derive(Subcommand)]
enum Command {
	/// Relays final checkpoints, in order, once each; resumes where the contract is.
	Run {
		/// The AOS node's WebSocket JSON-RPC.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		node: String,
		/// The Ethereum node's HTTP JSON-RPC.
		#[arg(long)]
		eth: String,
		/// The AVS contract's address.
		#[arg(long)]
		contract: String,
		#[command(flatten)]
		key: Key,
		/// The state file (the transaction that may be in flight).
		#[arg(long, default_value = "aos-relayer.json")]
		state: PathBuf,
		/// Prometheus metrics address (e.g. 127.0.0.1:9617).
		#[arg(long)]
		metrics: Option<std::net::SocketAddr>,
		/// Milliseconds between looks at the chain and the contract.
		#[arg(long, default_value_t = 2_000)]
		poll_ms: u64,
		/// Seconds a transaction is given before it is sent again (same nonce, higher fees).
		#[arg(long, default_value_t = 120)]
		inclusion_timeout: u64,
	},
	/// Deploys the AllocationManager stand-in (unless `--allocation-manager` is given) and the
	/// AVS with the chain's bootstrap checkpoint and quorum; prints their addresses as JSON.
	Deploy {
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		node: String,
		#[arg(long)]
		eth: String,
		#[command(flatten)]
		key: Key,
		/// forge's build output (`contracts/out`).
		#[arg(long, default_value = "contracts/out")]
		artifacts: PathBuf,
		/// An AllocationManager already deployed (EigenLayer's, on a real network).
		#[arg(long)]
		allocation_manager: Option<String>,
		/// The AVS's operator set id at the AllocationManager.
		#[arg(long, default_value_t = 0)]
		operator_set_id: u32,
	},
}

fn url(s: &str) -> Result<alloy::transports::http::reqwest::Url, String> {
	s.parse().map_err(|e| format!("{s}: not a URL: {e}"))
}

fn address(s: &str) -> Result<Address, String> {
	Address::from_str(s).map_err(|e| format!("{s}: not an address: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
	tracing_subscriber::fmt()
		.with_writer(std::io::stderr)
		// Plain text into files and pipes: scripts read the relayer's log lines.
		.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| "aos_relayer=info".into()),
		)
		.init();
	match start(Cli::parse()).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("aos-relayer: {e}");
			ExitCode::FAILURE
		},
	}
}

async fn start(cli: Cli) -> Result<(), String> {
	match cli.command {
		Command::Run { node, eth, contract, key, state, metrics, poll_ms, inclusion_timeout } => {
			let config = relay::Config {
				node_url: node,
				eth_url: url(&eth)?,
				contract: address(&contract)?,
				key: key.load().await?,
				state,
				poll: Duration::from_millis(poll_ms.max(100)),
				inclusion_timeout: Duration::from_secs(inclusion_timeout.max(1)),
			};
			let m = Metrics::new().map_err(|e| format!("metrics: {e}"))?;
			if let Some(addr) = metrics {
				let registry = m.registry.clone();
				tokio::spawn(async move {
					if let Err(e) =
						substrate_prometheus_endpoint::init_prometheus(addr, registry).await
					{
						tracing::error!("metrics at {addr}: {e}");
					}
				});
			}
			tokio::select! {
				() = relay::run(config, m) => Ok(()),
				_ = tokio::signal::ctrl_c() => {
					tracing::info!("stopping");
					Ok(())
				},
			}
		},
		Command::Deploy { node, eth, key, artifacts, allocation_manager, operator_set_id } => {
			let am = allocation_manager.as_deref().map(address).transpose()?;
			let deployed = deploy::deploy(
				&node,
				url(&eth)?,
				key.load().await?,
				&artifacts,
				am,
				operator_set_id,
			)
			.await
			.map_err(|e| e.to_string())?;
			println!("{}", serde_json::to_string(&deployed).map_err(|e| e.to_string())?);
			Ok(())
		},
	}
}
