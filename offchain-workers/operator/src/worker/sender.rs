//! Pipelined transactions: the claims, commitments and reveals a block calls for go out
//! together, as one `Inference::work` call (a few if there are very many), without waiting for
//! the last transaction to land. Nonces are kept here, so several transactions are in flight
//! at once.
//!
//! What may not be sent twice is guarded by the chain, not by a guess: every step sent is
//! recorded (durably, before the transaction leaves) with its transaction's nonce. While the
//! account's nonce on chain has not passed it, the transaction may still land, so the step is
//! not sent again, across a restart too; once it has passed, the chain's state says whether the
//! step was done, and a step not done (its transaction dropped, or the item refused) is sent
//! again from the next block. A transaction the pool drops, or one that stays out of blocks for
//! [`RESEND_AFTER`] blocks, frees its steps the same way, and the next nonce is taken from the
//! node again so that no gap holds later transactions back.

use aos_client::{
	runtime::{AccountId, Runtime, RuntimeCall, RuntimeEvent},
	Chain,
};
use aos_inference_primitives::TaskId;
use codec::Encode;
use pallet_inference::{Event as InferenceEvent, WorkItemOf};
use sp_runtime::BoundedVec;
use std::sync::{Arc, Mutex};

use super::Operator;
use crate::store::{Sent, StoreError};

/// Most items in one transaction: well within the runtime's `MaxWorkItems` (512) and a block's
/// length, a reveal item being about half a kilobyte at most.
const MAX_ITEMS: usize = 128;

/// Blocks after which a step whose transaction has not landed may be sent again.
pub const RESEND_AFTER: u32 = 10;

/// A step of a task's life that the operator sends in a work item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Step {
	Claim = 0,
	Commit = 1,
	Reveal = 2,
	/// A Zk-mode task's proof (`ZkVerifier.submit_proof`), sent alone: too large to batch.
	Proof = 3,
	/// A claim without a commitment: a Zk round's only prover proves once assigned.
	ClaimToProve = 4,
}

/// Items waiting for the end of the block's handling, and the next nonce.
#[derive(Default)]
pub struct Outbox {
	items: Mutex<Vec<(TaskId, Step, WorkItemOf<Runtime>)>>,
	/// The next nonce to use; none: ask the node.
	nonce: Arc<Mutex<Option<u32>>>,
}

impl Operator {
	/// Queues `item`, step `step` of task `id`, for this block's transaction.
	pub(super) fn queue(&self, id: TaskId, step: Step, item: WorkItemOf<Runtime>) {
		if let Ok(mut items) = self.outbox.items.lock() {
			items.push((id, step, item));
		}
	}

	/// Whether step `step` of task `id` was sent in a transaction that may still land.
	pub(super) fn in_flight(
		&self,
		id: TaskId,
		step: Step,
		best: u32,
		chain_nonce: u32,
	) -> Result<bool, StoreError> {
		Ok(self.store()?.sent(id)?.is_some_and(|s| may_land(&s, step, best, chain_nonce)))
	}

	/// The nonce for the next transaction: the one after the last sent, unless the node knows
	/// of more (sent by another process with this key, or before a restart).
	async fn next_nonce(&self, chain: &Chain) -> Result<u32, aos_client::Error> {
		let pool = chain.next_nonce(&self.account()).await?;
		let mut next = self.outbox.nonce.lock().map_err(|_| poisoned())?;
		let nonce = next.map_or(pool, |n| n.max(pool));
		*next = Some(nonce.saturating_add(1));
		Ok(nonce)
	}

	/// Sends the queued items: records each as sent, then signs and submits them in one or a
	/// few `work` transactions without waiting for them to land (a background task follows
	/// each into a block and logs its items' outcomes).
	pub(super) async fn flush(&self, chain: &Arc<Chain>, best: u32) -> Result<(), StoreError> {
		let items = match self.outbox.items.lock() {
			Ok(mut items) => std::mem::take(&mut *items),
			Err(_) => return Ok(()),
		};
		for chunk in items.chunks(MAX_ITEMS) {
			let nonce = match self.next_nonce(chain).await {
				Ok(n) => n,
				Err(e) => {
					tracing::warn!("cannot get a nonce; the items go out at the next block: {e}");
					return Ok(());
				},
			};
			let sent: Vec<(TaskId, Sent)> = chunk
				.iter()
				.map(|(id, step, _)| (*id, Sent { step: *step as u8, nonce, block: best }))
				.collect();
			self.store()?.put_sent(&sent)?;
			let work: Vec<WorkItemOf<Runtime>> =
				chunk.iter().map(|(_, _, item)| item.clone()).collect();
			let call: RuntimeCall =
				pallet_inference::Call::<Runtime>::work { items: BoundedVec::truncate_from(work) }
					.into();
			let xt = match chain.sign_with_nonce(&self.keys.account, call, nonce).await {
				Ok(xt) => xt,
				Err(e) => {
					tracing::warn!("cannot sign the work transaction: {e}");
					self.forget_nonce();
					return Ok(());
				},
			};
			self.metrics.transactions.inc();
			let steps: Vec<(TaskId, Step)> = chunk.iter().map(|(id, s, _)| (*id, *s)).collect();
			tracing::debug!(nonce, items = steps.len(), "sending work");
			let (chain, me, metrics) = (Arc::clone(chain), self.account(), self.metrics.clone());
			let nonce_slot = self.outbox.nonce.clone();
			tokio::spawn(async move {
				let outcome = chain.submit_extrinsic(xt.encode()).await;
				follow(outcome, &steps, nonce, &me, &metrics, &nonce_slot);
			});
		}
		Ok(())
	}

	/// Signs `call` with the next nonce and sends it without waiting for it to land (a
	/// background task logs its outcome as `what`). Returns whether it was sent.
	pub(super) async fn send_detached(
		&self,
		chain: &Arc<Chain>,
		call: RuntimeCall,
		what: &'static str,
	) -> bool {
		self.send_step(chain, call, what, None, |_| {}).await
	}

	/// [`Self::send_detached`], recording first that it carries step `step` of a task (so
	/// that the step is not sent again while the transaction may land), and handing the
	/// outcome to `landed`.
	pub(super) async fn send_step(
		&self,
		chain: &Arc<Chain>,
		call: RuntimeCall,
		what: &'static str,
		step: Option<(TaskId, Step)>,
		landed: impl FnOnce(&aos_client::Included) + Send + 'static,
	) -> bool {
		if let Err(e) = self.store().and_then(|s| s.sync()) {
			tracing::warn!("{what} not sent: {e}");
			return false;
		}
		let nonce = match self.next_nonce(chain).await {
			Ok(nonce) => nonce,
			Err(e) => {
				tracing::warn!("{what} not sent: {e}");
				return false;
			},
		};
		if let Some((id, step)) = step {
			let best = self.head.load(std::sync::atomic::Ordering::Relaxed);
			let sent = Sent { step: step as u8, nonce, block: best };
			if let Err(e) = self.store().and_then(|s| s.put_sent(&[(id, sent)])) {
				tracing::warn!("{what} not sent: {e}");
				self.forget_nonce();
				return false;
			}
		}
		let xt = match chain.sign_with_nonce(&self.keys.account, call, nonce).await {
			Ok(xt) => xt,
			Err(e) => {
				tracing::warn!("{what} not sent: {e}");
				self.forget_nonce();
				return false;
			},
		};
		let (chain, nonce_slot) = (Arc::clone(chain), self.outbox.nonce.clone());
		tokio::spawn(async move {
			match chain.submit_extrinsic(xt.encode()).await {
				Ok(included) => {
					tracing::debug!(block = included.block_number, "{what}");
					landed(&included);
				},
				Err(e) => {
					tracing::warn!("{what}: {e}");
					forget(&nonce_slot);
				},
			}
		});
		true
	}

	/// Asks the node for the next nonce again.
	fn forget_nonce(&self) {
		forget(&self.outbox.nonce);
	}
}

/// Whether `sent`, if it is step `step`, may still land: the account's nonce on chain
/// (`chain_nonce`, at block `best`) has not passed its transaction's, and it was sent less than
/// [`RESEND_AFTER`] blocks ago.
fn may_land(sent: &Sent, step: Step, best: u32, chain_nonce: u32) -> bool {
	sent.step == step as u8 && sent.nonce >= chain_nonce && best <= sent.block + RESEND_AFTER
}

/// Makes the next transaction take its nonce from the node: one that will not land left a gap.
fn forget(nonce_slot: &Mutex<Option<u32>>) {
	if let Ok(mut n) = nonce_slot.lock() {
		*n = None;
	}
}

fn poisoned() -> aos_client::Error {
	aos_client::Error::NotIncluded("the nonce lock was poisoned".into())
}

/// Logs and counts a work transaction's outcome; a transaction that will not land makes the
/// next one ask the node for its nonce.
fn follow(
	outcome: Result<aos_client::Included, aos_client::Error>,
	steps: &[(TaskId, Step)],
	nonce: u32,
	me: &AccountId,
	metrics: &crate::metrics::Metrics,
	nonce_slot: &Mutex<Option<u32>>,
) {
	match outcome {
		Ok(included) => {
			let mut failed = Vec::new();
			for event in &included.events {
				if let RuntimeEvent::Inference(InferenceEvent::WorkItemFailed {
					operator,
					index,
					task,
					error,
				}) = event
				{
					if operator != me {
						continue;
					}
					failed.push(*index as usize);
					metrics.items_refused.inc();
					let step = steps.get(*index as usize).map(|(_, s)| *s);
					tracing::info!(
						task,
						?step,
						block = included.block_number,
						"refused: {}",
						aos_client::describe(error)
					);
				}
			}
			let block = included.block_number;
			for (i, (task, step)) in steps.iter().enumerate() {
				if failed.contains(&i) {
					continue;
				}
				match step {
					Step::ClaimToProve => {
						metrics.claims.inc();
						tracing::info!(task, block, "claimed");
					},
					// Claims go out with their commitments.
					Step::Claim => {
						metrics.claims.inc();
						metrics.commits.inc();
						tracing::info!(task, block, "claimed");
						tracing::info!(task, block, "committed");
					},
					Step::Commit => {
						metrics.commits.inc();
						tracing::info!(task, block, "committed");
					},
					Step::Reveal => {
						metrics.reveals.inc();
						tracing::info!(task, block, "revealed");
					},
					// Sent alone (`send_step`), never in a work transaction.
					Step::Proof => {},
				}
			}
			tracing::debug!(
				nonce,
				items = steps.len(),
				failed = failed.len(),
				block,
				"work included"
			);
		},
		Err(e) => {
			// The steps are sent again once the chain's state shows them not done.
			tracing::warn!(nonce, items = steps.len(), "work transaction: {e}");
			forget(nonce_slot);
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_step_is_sent_again_only_once_its_transaction_cannot_land() {
		let sent = Sent { step: Step::Reveal as u8, nonce: 7, block: 100 };
		// Nonce 7 not used on chain yet: in the pool, or on its way.
		assert!(may_land(&sent, Step::Reveal, 101, 7));
		assert!(may_land(&sent, Step::Reveal, 100 + RESEND_AFTER, 5));
		// Nonce 7 used: the transaction is in a block, or another took its place.
		assert!(!may_land(&sent, Step::Reveal, 101, 8));
		// Too long out of blocks: dropped, for all the pool says.
		assert!(!may_land(&sent, Step::Reveal, 101 + RESEND_AFTER, 7));
		// Another step of the task is not held back by it.
		assert!(!may_land(&sent, Step::Commit, 101, 7));
	}
}
