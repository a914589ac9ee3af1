//! Prometheus metrics, served at `--metrics` (`/metrics`) when given.

use substrate_prometheus_endpoint::{register, Counter, Gauge, PrometheusError, Registry, U64};

/// What the relayer counts.
#[derive(Clone)]
pub struct Metrics {
	pub registry: Registry,
	/// Checkpoints the contract recorded from this relayer's transactions.
	pub relayed: Counter<U64>,
	/// `submitCheckpoint` transactions sent (resends included).
	pub sent: Counter<U64>,
	/// The chain's last final checkpoint.
	pub chain_final: Gauge<U64>,
	/// The contract's last recorded checkpoint.
	pub contract_last: Gauge<U64>,
	/// Final checkpoints the contract lacks (failed ones, which are never relayed, count
	/// until a later one is recorded).
	pub lag: Gauge<U64>,
}

impl Metrics {
	pub fn new() -> Result<Metrics, PrometheusError> {
		let registry = Registry::new_custom(Some("aos_relayer".into()), None)?;
		let counter = |name: &str, help: &str| register(Counter::new(name, help)?, &registry);
		let gauge = |name: &str, help: &str| register(Gauge::new(name, help)?, &registry);
		Ok(Metrics {
			relayed: counter("checkpoints_relayed_total", "Checkpoints recorded on Ethereum")?,
			sent: counter("transactions_sent_total", "submitCheckpoint transactions sent")?,
			chain_final: gauge("chain_final_checkpoint", "The chain's last final checkpoint")?,
			contract_last: gauge("contract_last_checkpoint", "The contract's last checkpoint")?,
			lag: gauge("lag_checkpoints", "Final checkpoints ahead of the contract's last")?,
			registry,
		})
	}
}
