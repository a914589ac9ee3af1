//! `aos-node`: the AOS validator and full node.

// sc-cli's runner and sc-service's builders fix the error types the node returns
// (`sc_cli::Error`, `sc_service::Error`: several hundred bytes); boxing them here would only
// convert them back at the boundary.
#![allow(clippy::result_large_err)]

mod babe_reports;
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
