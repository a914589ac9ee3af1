//! `aos-node`: the AOS validator and full node.

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod inherents;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
