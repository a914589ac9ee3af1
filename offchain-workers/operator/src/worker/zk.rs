//! A Zk-mode task: whether this operator can prove it (its circuit is the one the chain links
//! to the model), the proof made with ezkl and checked, then revealed to `pallet-zk-verifier`.

use aos_client::{
	runtime::{AccountId, Runtime, RuntimeCall, RuntimeEvent},
	Chain, TaskView,
};
use aos_inference_primitives::TaskId;
use pallet_inference_rpc::InputView;
use sp_runtime::BoundedVec;
use std::sync::Arc;

use super::{claims::Prep, CannotProve, ChainError, GiveUp, Operator, Step, TaskError};
use crate::{
	prover::{ChainVk, Proved},
	store::{StoreError, ZkEvidence},
};

impl Operator {
	/// The verifying key task `task` was submitted under, with its bytes.
	pub(super) async fn chain_vk(
		&self,
		chain: &Chain,
		task: &TaskView<AccountId>,
	) -> Result<Option<ChainVk>, ChainError> {
		let (Some(vk), Some(input_scale)) = (task.zk_vk, task.zk_input_scale) else {
			return Ok(None);
		};
		let vka = chain.verifying_key(vk).await?;
		Ok(vka.map(|vka| ChainVk { vka, input_scale }))
	}

	/// Whether this operator can prove task `task`: `Ok(Err(why))` if not.
	pub(super) async fn can_prove(
		&self,
		chain: &Chain,
		task: &TaskView<AccountId>,
	) -> Result<Result<(), CannotProve>, ChainError> {
		let Some(prover) = &self.prover else {
			return Ok(Err(CannotProve::NoZkSection));
		};
		let Some(vk) = self.chain_vk(chain, task).await? else {
			return Ok(Err(CannotProve::NoVk(task.model)));
		};
		Ok(prover.check_circuit(&task.model, &vk).map_err(CannotProve::from))
	}

	/// Records the proof of Zk-mode task `id` to commit to: `proved` (made while preparing
	/// the task), or one made with ezkl now (after a restart). Returns whether the proof is
	/// there; a proof that cannot be made gives the task up.
	pub(super) async fn prove(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		input: &[i8],
		proved: Option<Proved>,
	) -> Result<bool, TaskError> {
		if self.store()?.task(id)?.and_then(|r| r.proof).is_some() {
			return Ok(true);
		}
		let proved = match proved {
			Some(proved) => proved,
			None => {
				let (Some(prover), Some(vk)) = (&self.prover, self.chain_vk(chain, task).await?)
				else {
					self.give_up(id, GiveUp::CannotProveAnyMore)?;
					return Ok(false);
				};
				match prover.prove(id, &task.model, input, &vk).await {
					Ok(proved) => proved,
					Err(e) => {
						// Not retried every block: a proof takes seconds, and the failure is
						// logged.
						self.give_up(id, GiveUp::Prove(e))?;
						return Ok(false);
					},
				}
			},
		};
		self.metrics.prove_seconds.observe(proved.total.as_secs_f64());
		tracing::info!(
			task = id,
			logits = ?proved.logits,
			ezkl_prove_ms = proved.ezkl_prove.as_millis() as u64,
			ezkl_witness_ms = proved.ezkl_witness.as_millis() as u64,
			total_ms = proved.total.as_millis() as u64,
			"proved"
		);
		let zk = ZkEvidence { proof: proved.proof, instances: proved.instances };
		self.store()?.update_task(id, |r| r.proof = Some(zk))?;
		Ok(true)
	}

	/// Task `id`'s proof, for its round's only prover (assigned without a commitment): made in
	/// the background as a preparation is, then recorded and submitted; after a restart that
	/// lost the preparation, made again.
	pub(super) async fn prove_assigned(
		&self,
		chain: &Arc<Chain>,
		id: TaskId,
		task: &TaskView<AccountId>,
	) -> Result<(), TaskError> {
		let proved = self.store()?.task(id)?.and_then(|r| r.proof).is_some();
		if !proved {
			let ready = match self.preparing.lock().map_err(|_| TaskError::Poisoned)?.get(&id) {
				Some(Prep::Ready(p)) => p.proof.clone(),
				// Still proving: the loop is woken when it is done.
				Some(Prep::Fetching(_)) => return Ok(()),
				None => None,
			};
			let Some(proof) = ready else {
				return self.start_preparing(chain, id, task).await;
			};
			let InputView::Inline(input) = &task.input else {
				return Ok(self.give_up(id, GiveUp::ZkRemoteInput)?);
			};
			if !self.prove(chain, id, task, input, Some(proof)).await? {
				return Ok(());
			}
			if let Ok(mut p) = self.preparing.lock() {
				p.remove(&id);
			}
		}
		self.reveal_proof(chain, id).await
	}

	/// Reveals the proof committed to for Zk-mode task `id`: sent without waiting for it to
	/// land (a proof is checked in the block that takes it; the chain's state then shows the
	/// claim's result), and not sent again while that transaction may land.
	pub(super) async fn reveal_proof(
		&self,
		chain: &Arc<Chain>,
		id: TaskId,
	) -> Result<(), TaskError> {
		let record = self.store()?.task(id)?.ok_or(StoreError::NoRecord(id))?;
		let Some(zk) = record.proof else {
			tracing::error!(task = id, "committed on chain, but this database has no proof");
			return Ok(self.store()?.finish(id)?);
		};
		let call = pallet_zk_verifier::Call::<Runtime>::submit_proof {
			task: id,
			proof: BoundedVec::truncate_from(zk.proof),
			instances: BoundedVec::truncate_from(zk.instances),
		};
		let metrics = self.metrics.clone();
		let landed = move |included: &aos_client::Included| {
			metrics.proofs.inc();
			let accepted = included.events.iter().any(|e| {
				matches!(
					e,
					RuntimeEvent::ZkVerifier(pallet_zk_verifier::Event::ProofAccepted { .. })
				)
			});
			if accepted {
				tracing::info!(task = id, block = included.block_number, "proof accepted");
			} else {
				tracing::error!(task = id, events = ?included.events, "proof not accepted");
			}
		};
		let step = Some((id, Step::Proof));
		if self.send_step(chain, RuntimeCall::from(call), "proof", step, landed).await {
			tracing::info!(task = id, "submitting the proof");
		}
		Ok(())
	}
}
