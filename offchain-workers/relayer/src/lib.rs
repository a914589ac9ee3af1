//! # aos-relayer
//!
//! Carries the AOS chain's final bridge checkpoints to the AVS contract on Ethereum
//! (docs/BRIDGE.md). It follows the chain's finalized block; for each final checkpoint after
//! the contract's last, in order, it takes the checkpoint and its signatures from the chain,
//! submits them (`submitCheckpoint`), and waits for the transaction's inclusion.
//!
//! - **Never twice.** Before a transaction leaves, its checkpoint and nonce are written to the
//!   state file (`state`). After a restart, or when a transaction is not included in time, the
//!   same checkpoint is sent again with the same nonce, so that at most one of the two can be
//!   included; the contract's own order check refuses a repeat in any case.
//! - **Resumes.** Where to go on is read from the contract (`lastId`) and the chain, not
//!   remembered: a restart continues with the next checkpoint the contract lacks.
//! - **Retries.** Errors (a node down, a transaction dropped) wait and retry with a backoff
//!   up to a minute; the loop never ends on one.
//! - **Keys.** The transaction key signs locally (`--key-file`; never on the command line) or
//!   through a Web3Signer-compatible signer (`--web3signer`, its `eth_signTransaction`); what a
//!   remote signer returns is checked to be the transaction asked for, signed by its address.
//! - **Deadlines.** Every request to the Ethereum node or the signer has one (30 s).
//! - **Metrics** (`--metrics`): checkpoints relayed, the lag (the chain's last final checkpoint
//!   against the contract's), transactions sent.
//!
//! `deploy` deploys the contracts on a development network (the AllocationManager stand-in and
//! the AVS) with the chain's bootstrap checkpoint, from forge's build output.

pub mod deploy;
pub mod eth;
pub mod key;
pub mod metrics;
pub mod relay;
pub mod state;

/// Installs rustls' ring provider for HTTPS to Ethereum nodes (the rest of the workspace's
/// TLS uses ring too). Idempotent; call it before making an Ethereum client.
pub fn install_crypto_provider() {
	let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Why the relayer stops or a step failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	#[error("AOS node: {0}")]
	Chain(#[from] aos_client::Error),
	#[error("Ethereum: {0}")]
	Eth(String),
	#[error("state file {path}: {reason}")]
	State { path: std::path::PathBuf, reason: String },
	#[error("{0}")]
	Invalid(String),
}

impl Error {
	pub(crate) fn eth(e: impl std::fmt::Display) -> Error {
		Error::Eth(e.to_string())
	}
}
