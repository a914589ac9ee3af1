//! The relay loop.

use crate::{
	eth::{AOSServiceManager, Submission},
	metrics::Metrics,
	state::{InFlight, State},
	Error,
};
use alloy::{
	primitives::Address,
	providers::{Provider, ProviderBuilder},
};
use aos_checkpoint_primitives::CheckpointStatus;
use aos_client::Chain;
use std::{
	path::PathBuf,
	time::{Duration, Instant},
};

/// How the relayer runs.
pub struct Config {
	/// The AOS node (WebSocket JSON-RPC).
	pub node_url: String,
	/// The Ethereum node (HTTP JSON-RPC).
	pub eth_url: alloy::transports::http::reqwest::Url,
	/// The AVS contract.
	pub contract: Address,
	/// The transaction key.
	pub key: crate::key::TxKey,
	/// The state file.
	pub state: PathBuf,
	/// How often the chain and the contract are looked at.
	pub poll: Duration,
	/// How long a transaction is given to be included before it is sent again (same nonce,
	/// higher fees).
	pub inclusion_timeout: Duration,
}

/// Runs until stopped: sessions of [`relay`], each error followed by a wait that doubles up to
/// a minute.
pub async fn run(config: Config, metrics: Metrics) {
	crate::install_crypto_provider();
	let mut backoff = Duration::from_secs(1);
	loop {
		match relay(&config, &metrics, &mut backoff).await {
			Ok(()) => backoff = Duration::from_secs(1),
			Err(e) => {
				tracing::warn!("{e}; again in {backoff:?}");
				tokio::time::sleep(backoff).await;
				backoff = (backoff * 2).min(Duration::from_secs(60));
			},
		}
	}
}

/// A transaction sent by this process, and when.
struct Sent {
	id: u64,
	at: Instant,
}

/// One session: connects to both sides and relays until an error.
async fn relay(config: &Config, metrics: &Metrics, backoff: &mut Duration) -> Result<(), Error> {
	let chain = Chain::connect(&config.node_url).await?;
	let mut state = State::load(&config.state)?;
	let from = config.key.address;
	let provider = ProviderBuilder::new()
		.wallet(config.key.wallet.clone())
		.connect_reqwest(crate::key::http_client()?, config.eth_url.clone());
	let avs = AOSServiceManager::new(config.contract, &provider);
	// A contract deployed for another chain would refuse every checkpoint: say so at once.
	let contract_chain = avs.chain().call().await.map_err(Error::eth)?;
	let genesis = chain.genesis();
	if contract_chain.0 != genesis.0 {
		return Err(Error::Invalid(format!(
			"the contract {} is for chain {contract_chain}, the node's genesis is {genesis:?}",
			config.contract
		)));
	}
	tracing::info!(contract = %config.contract, from = %from, in_flight = ?state.in_flight, "relaying");
	let mut sent: Option<Sent> = None;
	loop {
		let last = avs.lastId().call().await.map_err(Error::eth)?;
		metrics.contract_last.set(last);
		if let Some(f) = state.in_flight {
			if last >= f.id {
				let tx = f.tx.map(|t| t.to_string()).unwrap_or_else(|| "unknown".into());
				tracing::info!(checkpoint = f.id, tx = %tx, "checkpoint recorded on Ethereum");
				if last == f.id {
					metrics.relayed.inc();
				}
				state.set(None)?;
				sent = None;
			} else {
				let receipt = match f.tx {
					Some(tx) => provider.get_transaction_receipt(tx).await.map_err(Error::eth)?,
					None => None,
				};
				match receipt {
					Some(r) if !r.status() => {
						// Reverted (another relayer's came first, or the set changed): the
						// contract's state says what is next.
						tracing::warn!(checkpoint = f.id, tx = ?f.tx, "submitCheckpoint reverted");
						state.set(None)?;
						sent = None;
					},
					// Included: the contract's `lastId` follows at the next look.
					Some(_) => {},
					None => {
						let due = match &sent {
							Some(s) if s.id == f.id => s.at.elapsed() >= config.inclusion_timeout,
							// Sent before a restart, or not at all: once more, same nonce.
							_ => true,
						};
						if due {
							// Counted in the state: a restart raises the fees over the last
							// send (nothing to outbid if nothing left).
							let attempt = if f.tx.is_some() {
								f.attempt.saturating_add(1)
							} else {
								f.attempt
							};
							submit(
								config,
								&chain,
								&provider,
								&avs,
								&mut state,
								f.id,
								last,
								Some(f.nonce),
								attempt,
								metrics,
							)
							.await?;
							sent = Some(Sent { id: f.id, at: Instant::now() });
						}
					},
				}
			}
		} else if let Some(id) = next_final(&chain, last, metrics).await? {
			submit(config, &chain, &provider, &avs, &mut state, id, last, None, 0, metrics).await?;
			sent = Some(Sent { id, at: Instant::now() });
		}
		*backoff = Duration::from_secs(1);
		tokio::time::sleep(config.poll).await;
	}
}

/// The first final checkpoint after the contract's `last`, at the chain's finalized block
/// (failed ones are skipped: their contents are in the next).
async fn next_final(chain: &Chain, last: u64, metrics: &Metrics) -> Result<Option<u64>, Error> {
	let finalized = chain.finalized_hash().await?;
	let (_, chain_final) = chain.checkpoints_latest(Some(finalized)).await?;
	let Some(chain_final) = chain_final else { return Ok(None) };
	metrics.chain_final.set(chain_final);
	metrics.lag.set(chain_final.saturating_sub(last));
	for id in last.saturating_add(1)..=chain_final {
		match chain.checkpoint(id, Some(finalized)).await?.map(|v| v.status) {
			Some(CheckpointStatus::Final { .. }) => return Ok(Some(id)),
			Some(CheckpointStatus::Failed { .. }) => continue,
			Some(CheckpointStatus::Signing { .. }) => return Ok(None),
			None => {
				return Err(Error::Invalid(format!(
					"checkpoint {id} was pruned on the chain before it was relayed: its \
					 signatures are gone (raise the chain's checkpoint retention, or relay \
					 sooner)"
				)))
			},
		}
	}
	Ok(None)
}

/// Sends checkpoint `id` (with `nonce`, or the account's next), recording it in the state
/// first. A resend (`attempt` > 0) raises the fees by a quarter an attempt, as a replacement
/// must.
#[allow(clippy::too_many_arguments)]
async fn submit<P: Provider>(
	config: &Config,
	chain: &Chain,
	provider: &P,
	avs: &AOSServiceManager::AOSServiceManagerInstance<&P>,
	state: &mut State,
	id: u64,
	last: u64,
	nonce: Option<u64>,
	attempt: u32,
	metrics: &Metrics,
) -> Result<(), Error> {
	let finalized = chain.finalized_hash().await?;
	let view = chain
		.checkpoint(id, Some(finalized))
		.await?
		.ok_or_else(|| Error::Invalid(format!("checkpoint {id} is not on the chain")))?;
	if view.message.previous != last {
		return Err(Error::Invalid(format!(
			"checkpoint {id} follows {}, the contract's last is {last}: the contract was not \
			 deployed from this chain's checkpoints",
			view.message.previous
		)));
	}
	let signed = chain.checkpoint_signatures(id, Some(finalized)).await?;
	let s = Submission::new(id, &view, signed);
	let nonce = match nonce {
		Some(n) => n,
		None => provider
			.get_transaction_count(config.key.address)
			.pending()
			.await
			.map_err(Error::eth)?,
	};
	// A resend keeps the hash of the last send until this one has its own.
	let previous = state.in_flight.and_then(|f| f.tx);
	state.set(Some(InFlight { id, nonce, tx: previous, attempt }))?;
	let fees = provider.estimate_eip1559_fees().await.map_err(Error::eth)?;
	let bump = |fee: u128| fee.saturating_mul(4u128.saturating_add(u128::from(attempt))) / 4;
	let call = avs
		.submitCheckpoint(s.id, s.previous, s.root, s.updates, s.signatures)
		.nonce(nonce)
		.max_fee_per_gas(bump(fees.max_fee_per_gas))
		.max_priority_fee_per_gas(bump(fees.max_priority_fee_per_gas))
		// Estimated against the latest block: a node's pending state may already hold the
		// transaction this one replaces, and the contract would refuse the checkpoint twice.
		.block(alloy::eips::BlockId::latest());
	let gas = call.estimate_gas().await.map_err(Error::eth)?;
	let pending = call.gas(gas.saturating_mul(5) / 4).send().await.map_err(Error::eth)?;
	let tx = *pending.tx_hash();
	state.set(Some(InFlight { id, nonce, tx: Some(tx), attempt }))?;
	metrics.sent.inc();
	tracing::info!(checkpoint = id, tx = %tx, nonce, attempt, "submitCheckpoint sent");
	Ok(())
}
