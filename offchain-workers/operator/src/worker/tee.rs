//! TEE mode: the operator's enclave (`aos-enclave serve`, over vsock, or TCP when simulated)
//! registered on chain and kept registered; a TEE-mode task run in it and the result it signed
//! submitted.
//!
//! The enclave generates its signing key inside and never gives it out; the operator asks it
//! for an attestation document bound to its own account on this chain
//! ([`aos_inference_primitives::tee::enclave_binding`]) and registers that
//! (`Tee.register_enclave`). It registers again when the key on chain is not the enclave's
//! (the enclave restarted) or expires within `renew_before_secs`. The enclave cannot be told
//! what to sign: it loads a model only if the bytes hash to its id, and signs only what it ran.

use aos_client::{
	runtime::{AccountId, Balance, Runtime, RuntimeCall, RuntimeEvent},
	Chain, TaskView,
};
use aos_enclave_protocol::{Client, ClientError, ModelFormat, RunResult, Timeouts};
use aos_inference_primitives::TaskId;
use codec::Encode;
use pallet_inference::SamplingParams;
use sp_core::H256;
use sp_runtime::BoundedVec;
use std::sync::Arc;

use super::{ChainError, GiveUp, Operator, Prepared, TaskError};
use crate::config::EnclaveConfig;

/// Blocks between checks of the enclave's registration.
const CHECK_EVERY: u32 = 10;

/// Why the enclave could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum EnclaveError {
	#[error("the enclave: {0}")]
	Enclave(#[from] ClientError),
	#[error("the enclave's thread: {0}")]
	Thread(#[from] tokio::task::JoinError),
	#[error(transparent)]
	Chain(#[from] ChainError),
	#[error("the attestation document is {0} bytes, more than the chain takes")]
	DocumentTooLong(usize),
	#[error("Tee.register_enclave: {0}")]
	Register(aos_client::Error),
}

/// Why the enclave must be registered (again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Due {
	/// The chain has no enclave for this operator.
	Unregistered,
	/// The chain has another key: the enclave restarted (its key lives only in it).
	NewKey,
	/// The registration expires within the renewal margin.
	Expiring,
}

/// Whether the enclave whose key is `enclave_key` must be registered, given what the chain
/// holds (`on_chain`: the key and its expiry, Unix ms), at `now_ms`, renewing `renew_before_ms`
/// ahead of the expiry.
pub(crate) fn registration_due(
	on_chain: Option<([u8; 32], u64)>,
	enclave_key: [u8; 32],
	now_ms: u64,
	renew_before_ms: u64,
) -> Option<Due> {
	match on_chain {
		None => Some(Due::Unregistered),
		Some((key, _)) if key != enclave_key => Some(Due::NewKey),
		Some((_, expires)) if expires <= now_ms.saturating_add(renew_before_ms) => {
			Some(Due::Expiring)
		},
		Some(_) => None,
	}
}

impl Operator {
	/// The enclave section, if TEE mode is on.
	pub(super) fn enclave_config(&self) -> Option<&EnclaveConfig> {
		self.config.enclave.as_ref()
	}

	/// Runs `f` with a fresh connection to the enclave, on a blocking thread (the protocol is
	/// blocking, each call bounded by its timeouts).
	async fn with_enclave<R: Send + 'static>(
		&self,
		f: impl FnOnce(&mut Client) -> Result<R, ClientError> + Send + 'static,
	) -> Result<Result<R, ClientError>, tokio::task::JoinError> {
		let endpoint = match self.enclave_config().map(EnclaveConfig::endpoint) {
			Some(Ok(endpoint)) => endpoint,
			_ => return Ok(Err(ClientError::Invalid("no enclave configured".into()))),
		};
		tokio::task::spawn_blocking(move || {
			let mut client = Client::connect(&endpoint, Timeouts::default())?;
			f(&mut client)
		})
		.await
	}

	/// Registers the enclave when it is not, or its key changed or expires soon; checked every
	/// [`CHECK_EVERY`] blocks. An error is logged, not fatal: the operator goes on with its other
	/// work and tries again.
	pub(super) async fn keep_enclave_registered(&self, chain: &Chain, best: u32, due: &mut u32) {
		let Some(config) = self.enclave_config() else { return };
		if best < *due {
			return;
		}
		*due = best.saturating_add(CHECK_EVERY);
		if let Err(e) = self.check_enclave(chain, config.renew_before_secs).await {
			self.metrics.errors.inc();
			tracing::warn!("enclave registration: {e}");
		}
	}

	async fn check_enclave(
		&self,
		chain: &Chain,
		renew_before_secs: u64,
	) -> Result<(), EnclaveError> {
		let hello = self.with_enclave(|c| c.hello()).await??;
		let account = self.account();
		let registered = self.registered_enclave(chain, &account).await?;
		let now_ms = std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map_or(0, |d| d.as_millis() as u64);
		let on_chain = registered.as_ref().map(|info| (info.key.0, info.expires_at_ms));
		let renew_before_ms = renew_before_secs.saturating_mul(1000);
		match registration_due(on_chain, hello.public_key, now_ms, renew_before_ms) {
			None => return Ok(()),
			Some(Due::NewKey) => {
				tracing::info!("the enclave has a new key (restarted): registering it")
			},
			Some(Due::Expiring) => {
				tracing::info!("the enclave's registration expires soon: renewing it")
			},
			Some(Due::Unregistered) => {
				tracing::info!(simulated = hello.simulated, "registering the enclave")
			},
		}
		let binding =
			aos_inference_primitives::tee::enclave_binding(&chain.genesis().0, &account.encode());
		let nonce: [u8; 32] = rand::random();
		let document = self.with_enclave(move |c| c.attest(binding, &nonce)).await??;
		let len = document.len();
		let document =
			BoundedVec::try_from(document).map_err(|_| EnclaveError::DocumentTooLong(len))?;
		let call = pallet_tee::Call::<Runtime>::register_enclave { document };
		let included =
			self.submit(chain, RuntimeCall::from(call)).await.map_err(EnclaveError::Register)?;
		let registered = included.events.iter().find_map(|e| match e {
			RuntimeEvent::Tee(pallet_tee::Event::EnclaveRegistered { expires_at_ms, .. }) => {
				Some(*expires_at_ms)
			},
			_ => None,
		});
		tracing::info!(
			block = included.block_number,
			key = %hex::encode(hello.public_key),
			expires_at_ms = ?registered,
			"enclave registered"
		);
		Ok(())
	}

	/// `account`'s enclave as the chain has it.
	async fn registered_enclave(
		&self,
		chain: &Chain,
		account: &AccountId,
	) -> Result<Option<pallet_tee::EnclaveInfo<Balance>>, ChainError> {
		let key = pallet_tee::Enclaves::<Runtime>::hashed_key_for(account);
		Ok(chain.storage("Tee::Enclaves", &key, None).await?)
	}

	/// Whether this operator's registered enclave may run `task`'s model now (its image
	/// allowed for it, not revoked): the chain refuses a claim otherwise.
	pub(super) async fn can_attest(
		&self,
		chain: &Chain,
		task: &TaskView<AccountId>,
	) -> Result<bool, ChainError> {
		if self.enclave_config().is_none() {
			return Ok(false);
		}
		let Some(enclave) = self.registered_enclave(chain, &self.account()).await? else {
			return Ok(false);
		};
		let key = pallet_tee::Images::<Runtime>::hashed_key_for(enclave.image);
		let image: Option<
			pallet_tee::ImageInfo<<Runtime as pallet_tee::Config>::MaxModelsPerImage>,
		> = chain.storage("Tee::Images", &key, None).await?;
		Ok(image.is_some_and(|i| !i.revoked && i.models.contains(&task.model)))
	}

	/// Runs task `id` in the enclave: its model loaded there (checked against its id), the
	/// task's input run, the result signed. Kept in memory until it is submitted; a run that
	/// the enclave refuses gives the task up.
	pub(super) async fn attest_compute(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		prepared: Option<Arc<Prepared>>,
	) -> Result<Option<RunResult>, TaskError> {
		if let Some(done) = self.attested.lock().map_err(|_| TaskError::Poisoned)?.get(&id) {
			return Ok(Some(done.clone()));
		}
		let Some(prepared) = self.prepared_or_again(chain, id, task, prepared).await? else {
			return Ok(None);
		};
		let model = task.model.0;
		let sampling =
			SamplingParams { top_k: task.top_k, inv_temperature_q16: task.inv_temperature_q16 };
		let started = std::time::Instant::now();
		let run = self
			.with_enclave(move |c| {
				c.load_model(model, ModelFormat::Kernel, &prepared.model_file)?;
				c.run(id, model, &prepared.input, sampling)
			})
			.await
			.map_err(TaskError::KernelThread)?;
		let run = match run {
			Ok(run) => run,
			// The enclave refused the model or the input: it will not change its mind.
			Err(ClientError::Refused(why)) => {
				self.give_up(id, GiveUp::EnclaveRefused(why))?;
				return Ok(None);
			},
			// Unreachable now: tried again next block.
			Err(e) => return Err(TaskError::Enclave(e.to_string())),
		};
		self.metrics.kernel_seconds.observe(started.elapsed().as_secs_f64());
		tracing::info!(
			task = id,
			output = ?H256(run.output),
			top = ?run.top,
			"computed in the enclave"
		);
		self.attested.lock().map_err(|_| TaskError::Poisoned)?.insert(id, run.clone());
		Ok(Some(run))
	}

	/// Submits the enclave's signed result for TEE-mode task `id`.
	pub(super) async fn submit_attested(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
	) -> Result<(), TaskError> {
		let Some(run) = self.attest_compute(chain, id, task, self.prepared(id)).await? else {
			return Ok(());
		};
		let delay = self.config.testing.attest_delay_blocks;
		if delay > 0 {
			// Test-only: hold the result for a while (the e2e test revokes the image meanwhile).
			let held = {
				let mut held = self.holding.lock().map_err(|_| TaskError::Poisoned)?;
				let left = held.entry(id).or_insert(delay);
				*left = left.saturating_sub(1);
				*left
			};
			if held > 0 {
				tracing::warn!(task = id, held, "testing.attest_delay_blocks: holding the result");
				return Ok(());
			}
		}
		let call = pallet_inference::Call::<Runtime>::submit_attested_result {
			task: id,
			output: H256(run.output),
			top: BoundedVec::truncate_from(run.top.clone()),
			signature: run.signature,
		};
		match self.submit(chain, RuntimeCall::from(call)).await {
			Ok(included) => {
				self.store()?.update_task(id, |r| r.revealed = true)?;
				self.metrics.reveals.inc();
				let attested = included.events.iter().any(|e| {
					matches!(
						e,
						RuntimeEvent::Inference(pallet_inference::Event::ResultAttested { .. })
					)
				});
				if attested {
					tracing::info!(task = id, block = included.block_number, "result attested");
				} else {
					tracing::error!(task = id, events = ?included.events, "result not attested");
				}
			},
			Err(e) if e.certainly_failed() => {
				// The chain refused it (the enclave's key or image revoked, the enclave
				// expired): it would refuse it again.
				tracing::error!(task = id, error = %e, "attested result refused");
				self.store()?.update_task(id, |r| r.revealed = true)?;
			},
			Err(e) => tracing::warn!(task = id, "attested result outcome unknown: {e}"),
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_enclave_registers_when_missing_replaced_or_expiring() {
		let (key, now, margin) = ([7; 32], 1_000_000, 1_800_000);
		assert_eq!(registration_due(None, key, now, margin), Some(Due::Unregistered));
		assert_eq!(
			registration_due(Some(([8; 32], u64::MAX)), key, now, margin),
			Some(Due::NewKey)
		);
		// Renewed once the expiry is within the margin, not before.
		let edge = now + margin;
		assert_eq!(registration_due(Some((key, edge)), key, now, margin), Some(Due::Expiring));
		assert_eq!(registration_due(Some((key, edge + 1)), key, now, margin), None);
		// An expired registration is renewed too.
		assert_eq!(registration_due(Some((key, now - 1)), key, now, margin), Some(Due::Expiring));
	}
}
