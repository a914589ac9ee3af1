//! A result computed by redundancy: the model run in the kernel's sandbox, the result committed
//! to (with its salt, recorded first), then revealed. In Zk mode the commitment is to the
//! proof (`zk.rs` makes it).

use aos_client::{runtime::AccountId, Chain, ModeView, TaskView};
use aos_inference_primitives::{
	find_pow_nonce, result_commitment, task_hash, zk::proof_commitment, RevealedResult, TaskId,
};
use aos_kernel::abi::Request;
use codec::Encode;
use pallet_inference::{Reveal, SamplingParams, WorkItem};
use pallet_inference_rpc::InputView;
use sp_core::H256;
use sp_runtime::BoundedVec;
use std::sync::Arc;

use super::{GiveUp, Operator, Prepared, Step, TaskError};
use crate::store::{Evidence, StoreError};

impl Operator {
	/// Runs the model for task `id` and records the evidence to commit to. Returns whether the
	/// evidence is there; a run that fails gives the task up.
	pub(super) async fn compute(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		prepared: Option<Arc<Prepared>>,
	) -> Result<bool, TaskError> {
		if self.store()?.task(id)?.and_then(|r| r.evidence).is_some() {
			return Ok(true);
		}
		let Some(prepared) = self.prepared_or_again(chain, id, task, prepared).await? else {
			return Ok(false);
		};
		let operator = self.account().encode();
		let request = Request {
			model_file: prepared.model_file.clone(),
			input: prepared.input.clone(),
			task: task_hash(id),
			operator: operator.clone(),
			sampling: SamplingParams {
				top_k: task.top_k,
				inv_temperature_q16: task.inv_temperature_q16,
			},
			samples: u32::from(task.samples),
			intermediates: u32::from(task.intermediates),
		};
		let kernel = self.kernel.clone();
		let check_native = self.config.kernel.check_native;
		let started = std::time::Instant::now();
		let metered = tokio::task::spawn_blocking(move || {
			if check_native {
				kernel.evaluate_checked(&request)
			} else {
				kernel.evaluate(&request)
			}
		})
		.await
		.map_err(TaskError::KernelThread)?;
		let metered = match metered {
			Ok(m) => m,
			Err(e) => {
				self.give_up(id, GiveUp::Kernel(e))?;
				return Ok(false);
			},
		};
		self.metrics.kernel_seconds.observe(started.elapsed().as_secs_f64());
		self.metrics.kernel_fuel.observe(metered.fuel as f64);
		let mut run = match metered.reply {
			Ok(run) => run,
			Err(e) => {
				self.give_up(id, GiveUp::ModelRefused(e))?;
				return Ok(false);
			},
		};
		if self.config.testing.wrong_results {
			// Test-only: a plausible but wrong answer, consistent with itself.
			if let Some(first) = run.logits.first_mut() {
				*first = first.wrapping_add(1000);
			}
			run.output = aos_kernel::output_digest(&run.logits);
			tracing::warn!(task = id, "testing.wrong_results: reporting a wrong result");
		}
		let hash = task_hash(id);
		// The difficulty the task was submitted under.
		let pow_nonce = find_pow_nonce(&hash, &operator, &run.output, task.pow_difficulty);
		let evidence = Evidence {
			output: run.output,
			top: run.top,
			samples: run.samples,
			intermediates: run.intermediates,
			salt: rand::random(),
			pow_nonce,
		};
		tracing::info!(task = id, output = ?H256(evidence.output), top = ?evidence.top, "computed");
		self.store()?.update_task(id, |r| r.evidence = Some(evidence))?;
		Ok(true)
	}

	/// This operator's commitment to task `id`'s result (in Zk mode, to its proof), computing
	/// it (proving it) first if this process has not. `None`: it cannot be made, and the task
	/// was given up.
	pub(super) async fn commitment(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		prepared: Option<Arc<Prepared>>,
	) -> Result<Option<H256>, TaskError> {
		let operator = self.account().encode();
		let commitment = if task.mode == ModeView::Zk {
			let input = match &task.input {
				InputView::Inline(values) => values.clone(),
				InputView::Remote { .. } => {
					self.give_up(id, GiveUp::ZkRemoteInput)?;
					return Ok(None);
				},
			};
			let proved = prepared.or_else(|| self.prepared(id)).and_then(|p| p.proof.clone());
			if !self.prove(chain, id, task, &input, proved).await? {
				return Ok(None);
			}
			let record = self.store()?.task(id)?.ok_or(StoreError::NoRecord(id))?;
			let zk = record.proof.ok_or(TaskError::NoProof)?;
			proof_commitment(&task_hash(id), &operator, &zk.proof, &zk.instances)
		} else {
			let prepared = prepared.or_else(|| self.prepared(id));
			if !self.compute(chain, id, task, prepared).await? {
				return Ok(None);
			}
			let record = self.store()?.task(id)?.ok_or(StoreError::NoRecord(id))?;
			let evidence = record.evidence.ok_or(TaskError::NoEvidence)?;
			result_commitment(
				&task_hash(id),
				&operator,
				RevealedResult {
					output: &evidence.output,
					top: &evidence.top,
					samples: &evidence.samples,
					intermediates: &evidence.intermediates,
				},
				&evidence.salt,
			)
		};
		Ok(Some(H256(commitment)))
	}

	/// Commits to the task's result (or, in Zk mode, to its proof): queued for this block's
	/// work transaction.
	pub(super) async fn commit(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
	) -> Result<(), TaskError> {
		if let Some(commitment) = self.commitment(chain, id, task, None).await? {
			self.queue(id, Step::Commit, WorkItem::Commit { task: id, commitment });
			tracing::info!(task = id, "committing");
		}
		Ok(())
	}

	/// Reveals the result committed to for task `id`, which has `claims` claims (the item's
	/// witness: it is charged for resolving that many): queued for this block's work
	/// transaction.
	pub(super) async fn reveal(&self, id: TaskId, claims: u32) -> Result<(), TaskError> {
		let record = self.store()?.task(id)?.ok_or(StoreError::NoRecord(id))?;
		let Some(e) = record.evidence else {
			tracing::error!(task = id, "committed on chain, but this database has no evidence");
			return Ok(self.store()?.finish(id)?);
		};
		let reveal = Reveal {
			output: H256(e.output),
			top: BoundedVec::truncate_from(e.top),
			samples: BoundedVec::truncate_from(e.samples),
			intermediates: BoundedVec::truncate_from(e.intermediates),
			pow_nonce: e.pow_nonce,
		};
		self.queue(id, Step::Reveal, WorkItem::Reveal { task: id, reveal, salt: e.salt, claims });
		tracing::info!(task = id, "revealing");
		Ok(())
	}
}
