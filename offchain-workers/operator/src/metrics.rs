//! Prometheus metrics, served at `metrics` (`/metrics`) when configured.

use substrate_prometheus_endpoint::{
	register, Counter, Gauge, Histogram, HistogramOpts, PrometheusError, Registry, F64, U64,
};

/// What the operator counts.
#[derive(Clone)]
pub struct Metrics {
	pub registry: Registry,
	pub best_block: Gauge<U64>,
	/// The last block whose events and tasks were handled, and its work sent: how far behind
	/// the chain the operator is.
	pub handled_block: Gauge<U64>,
	pub claims: Counter<U64>,
	pub commits: Counter<U64>,
	pub reveals: Counter<U64>,
	/// `work` transactions sent (claims, commitments and reveals of a block together).
	pub transactions: Counter<U64>,
	/// Work items the chain refused (each changed nothing).
	pub items_refused: Counter<U64>,
	pub proofs: Counter<U64>,
	pub tasks_ended: Counter<U64>,
	pub heartbeats: Counter<U64>,
	pub checkpoints_signed: Counter<U64>,
	pub liquidated: Counter<U64>,
	pub errors: Counter<U64>,
	/// Errors handling one task (the others went on).
	pub task_errors: Counter<U64>,
	/// Tasks given up on: an input or model that could not be fetched or checked, a failed run.
	pub task_failures: Counter<U64>,
	/// Rewards received, in AOS.
	pub paid: Counter<F64>,
	pub kernel_seconds: Histogram,
	pub kernel_fuel: Histogram,
	pub prove_seconds: Histogram,
}

impl Metrics {
	pub fn new() -> Result<Metrics, PrometheusError> {
		let registry = Registry::new_custom(Some("aos_operator".into()), None)?;
		let counter = |name: &str, help: &str| register(Counter::new(name, help)?, &registry);
		Ok(Metrics {
			best_block: register(Gauge::new("best_block", "The best block seen")?, &registry)?,
			handled_block: register(
				Gauge::new("handled_block", "The last block handled, its work sent")?,
				&registry,
			)?,
			claims: counter("claims_total", "Tasks claimed with a VRF proof")?,
			commits: counter("commits_total", "Results committed")?,
			reveals: counter("reveals_total", "Results revealed")?,
			transactions: counter(
				"work_transactions_total",
				"Work transactions sent (a block's claims, commitments and reveals together)",
			)?,
			items_refused: counter("work_items_refused_total", "Work items the chain refused")?,
			proofs: counter("proofs_total", "Zk proofs submitted")?,
			tasks_ended: counter("tasks_ended_total", "Tasks taken that ended")?,
			heartbeats: counter("heartbeats_total", "Heartbeats sent")?,
			checkpoints_signed: counter(
				"checkpoints_signed_total",
				"Bridge checkpoint signatures sent",
			)?,
			liquidated: counter(
				"liquidations_total",
				"Times this operator was reported for a wrong result",
			)?,
			errors: counter("errors_total", "Sessions that ended in an error (then reconnected)")?,
			task_errors: counter("task_errors_total", "Errors handling one task (retried)")?,
			task_failures: counter(
				"task_failures_total",
				"Tasks given up on (input or model not fetched or checked, a failed run)",
			)?,
			paid: register(Counter::new("paid_aos_total", "Rewards received, in AOS")?, &registry)?,
			kernel_seconds: register(
				Histogram::with_opts(HistogramOpts::new(
					"kernel_seconds",
					"Time of one evaluation",
				))?,
				&registry,
			)?,
			kernel_fuel: register(
				Histogram::with_opts(
					HistogramOpts::new("kernel_fuel", "Wasm fuel of one evaluation")
						.buckets(substrate_prometheus_endpoint::exponential_buckets(1e4, 10.0, 8)?),
				)?,
				&registry,
			)?,
			prove_seconds: register(
				Histogram::with_opts(
					HistogramOpts::new(
						"prove_seconds",
						"Time of one ezkl proof, subprocess included",
					)
					.buckets(substrate_prometheus_endpoint::exponential_buckets(0.5, 2.0, 10)?),
				)?,
				&registry,
			)?,
			registry,
		})
	}
}
