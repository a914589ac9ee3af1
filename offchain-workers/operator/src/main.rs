//! `aos-operator --config config.yaml` (`-c` for short): runs the AOS operator service.

use aos_operator::{
	config::{Config, ConfigError, Invalid},
	keys::{EthSigner, Keys, KeysError, SignerError},
	metrics::Metrics,
	models::ModelStore,
	prover::Prover,
	sandbox::{CompileError, WasmKernel},
	worker::Operator,
};
use clap::Parser;
use std::{path::PathBuf, process::ExitCode, sync::Arc};

/// The AOS operator: claims inference tasks selected by VRF, computes them, commits and reveals.
#[derive(Parser)]
#[command(version)]
struct Cli {
	/// The configuration file.
	#[arg(short, long, default_value = "config.yaml")]
	config: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
	// Logs go to stderr, as a service's should; stdout stays free.
	tracing_subscriber::fmt()
		.with_writer(std::io::stderr)
		.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| "aos_operator=info".into()),
		)
		.init();
	let cli = Cli::parse();
	match start(&cli).await {
		Ok(operator) => {
			tokio::select! {
				() = operator.run() => ExitCode::SUCCESS,
				_ = tokio::signal::ctrl_c() => {
					tracing::info!("stopping");
					ExitCode::SUCCESS
				},
			}
		},
		Err(e) => {
			eprintln!("aos-operator: {e}");
			ExitCode::FAILURE
		},
	}
}

/// Why the operator did not start.
#[derive(Debug, thiserror::Error)]
enum StartError {
	#[error(transparent)]
	Config(#[from] ConfigError),
	/// `node_id` or `signer_key`, which [`Config::load`] has checked already.
	#[error(transparent)]
	Value(#[from] Invalid),
	#[error(transparent)]
	Keys(#[from] KeysError),
	#[error(transparent)]
	Signer(#[from] SignerError),
	#[error(transparent)]
	Kernel(#[from] CompileError),
	#[error("metrics: {0}")]
	Metrics(#[from] substrate_prometheus_endpoint::PrometheusError),
}

async fn start(cli: &Cli) -> Result<Operator, StartError> {
	let config = Config::load(&cli.config)?;
	let keys = Keys::load(&config.keystore)?;
	let address = config.eth_address()?;
	let eth = EthSigner::new(config.signer()?, address).await?;
	let models = ModelStore::new(config.models.source.clone(), config.data_dir.join("models"));
	let kernel = Arc::new(WasmKernel::new(config.kernel.fuel)?);
	let prover = config.zk.clone().map(|zk| Prover::new(zk, config.data_dir.join("zk")));
	let metrics = Metrics::new()?;
	if let Some(addr) = config.metrics {
		let registry = metrics.registry.clone();
		tokio::spawn(async move {
			if let Err(e) = substrate_prometheus_endpoint::init_prometheus(addr, registry).await {
				tracing::error!("metrics at {addr}: {e}");
			}
		});
		tracing::info!("Prometheus metrics at http://{addr}/metrics");
	}
	tracing::info!(account = %keys.account_id(), eth = ?eth.address(), "aos-operator starting");
	// The database is opened once the node tells which chain it serves (by genesis hash).
	Ok(Operator::new(config, keys, eth, models, kernel, prover, metrics))
}
