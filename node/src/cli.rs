//! Command-line interface of `aos-node`.

/// The AOS node.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,
}

/// `aos-node` subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate keys, inspect them, insert them into the keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (prefer `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export a chain specification, plain or raw.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a block as a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmark runtime pallets, block and extrinsic overhead, storage and the machine.
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Benchmark runtime pallets, block and extrinsic overhead, storage and the machine
	/// (needs a node built with `--features runtime-benchmarks`).
	#[cfg(not(feature = "runtime-benchmarks"))]
	Benchmark(BenchmarkUnavailable),

	/// Database metadata.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// Stands in for the `benchmark` subcommand in a node built without benchmarks, so that it
/// explains how to get it instead of failing as an unknown command.
#[derive(Debug, clap::Args)]
pub struct BenchmarkUnavailable {
	/// Arguments of the benchmark subcommand (ignored).
	#[arg(trailing_var_arg = true, allow_hyphen_values = true)]
	pub args: Vec<String>,
}
