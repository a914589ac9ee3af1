//! A task that takes claims: whether this operator is selected (its VRF), the task's model and
//! input fetched and checked in the background, then the claim.

use aos_client::{
	runtime::{AccountId, Runtime},
	Chain, ModeView, StatusView, TaskView,
};
use aos_inference_primitives::{is_selected, task_hash, vrf_output, vrf_transcript, TaskId};
use codec::Encode;
use futures::{future::BoxFuture, StreamExt};
use pallet_inference::WorkItem;
use pallet_inference_rpc::InputView;
use sp_core::{crypto::VrfSecret, Pair, H256};
use std::sync::{Arc, Mutex};
use tokio::{sync::Notify, task::AbortHandle};

use super::{GiveUp, Operator, PrepareError, Step, TaskError};
use crate::{
	models::ModelStore,
	prover::Proved,
	store::{StoreError, TaskRecord},
};

/// Whether a Zk-mode task with k = `redundancy` has one prover in `round`, which then claims
/// without a commitment and proves once assigned (the pallet's `sole_prover`).
pub(super) fn sole_prover(redundancy: u8, round: u8) -> bool {
	pallet_inference::Pallet::<Runtime>::round_target(
		pallet_inference::VerificationMode::Zk,
		redundancy,
		round,
	) == 1
}

/// The longest input a task may have: the runtime's `MaxInputLen`, the kernel's widest layer.
const MAX_INPUT_LEN: usize = aos_kernel::model::MAX_WIDTH as usize;

/// What a task needs before the operator claims it: its model file and its input, fetched and
/// checked; for a Zk-mode task, its proof.
pub struct Prepared {
	/// The model's file (empty for a Zk-mode task: the circuit is the prover's).
	pub model_file: Vec<u8>,
	pub input: Vec<i8>,
	/// A Zk-mode task's proof, made in the background like the fetches: proving takes
	/// seconds, and the operator's other tasks do not wait for it.
	pub proof: Option<Proved>,
}

/// A task being prepared, or prepared.
pub(super) enum Prep {
	Fetching(Preparation),
	Ready(Arc<Prepared>),
}

/// A preparation running in the background. Its outcome is stored before the loop is woken,
/// so that the woken loop finds it finished (a task's handle only reads as finished a moment
/// after the task's last statement, which is where a wake-up would have to be).
pub(super) struct Preparation {
	outcome: Arc<Mutex<Option<Result<Prepared, PrepareError>>>>,
	abort: AbortHandle,
}

impl Preparation {
	/// Runs `work` in the background; `done` is notified once its outcome is stored.
	fn spawn(work: BoxFuture<'static, Result<Prepared, PrepareError>>, done: Arc<Notify>) -> Self {
		let outcome = Arc::new(Mutex::new(None));
		let work = tokio::spawn(work);
		let abort = work.abort_handle();
		let slot = outcome.clone();
		tokio::spawn(async move {
			// A panic or an abort ends the preparation as an error, never silently.
			let result = work.await.map_err(PrepareError::Aborted).and_then(|r| r);
			if let Ok(mut slot) = slot.lock() {
				*slot = Some(result);
			}
			done.notify_one();
		});
		Preparation { outcome, abort }
	}

	/// The outcome, once there: taken, so it is handled once.
	fn take(&self) -> Option<Result<Prepared, PrepareError>> {
		self.outcome.lock().ok()?.take()
	}
}

impl Operator {
	/// A task takes claims: if this operator is selected for the current tranche, prepare the
	/// task (in the background), and claim it once prepared.
	pub(super) async fn consider(&self, chain: &Chain, id: TaskId) -> Result<(), TaskError> {
		let record = self.store()?.task(id)?;
		if record.as_ref().is_some_and(|r| !r.done || r.failure.is_some()) {
			// Claimed already, or given up on.
			return Ok(());
		}
		let Some(task) = self.task(chain, id).await? else { return Ok(()) };
		let (Some(randomness), StatusView::Claiming { round, tranche, .. }) =
			(task.randomness, task.status)
		else {
			return Ok(());
		};
		// A claim that did not make it (refused, or outranked by better claims) leaves the
		// operator free to claim a later round, where it may be selected again.
		let me = self.account();
		if record.is_some_and(|r| r.round >= round || task.claims.iter().any(|c| c.operator == me))
		{
			return Ok(());
		}
		if task.mode == ModeView::Zk {
			if let Err(why) = self.can_prove(chain, &task).await? {
				tracing::info!(task = id, "not claiming a Zk-mode task: {why}");
				return Ok(());
			}
		}
		if task.mode == ModeView::Tee && !self.can_attest(chain, &task).await? {
			tracing::info!(task = id, "not claiming a TEE-mode task: no enclave allowed for it");
			return Ok(());
		}
		let Some(claim) = self.selected(chain, id, &task, randomness, round, tranche).await? else {
			tracing::debug!(task = id, round, tranche, "not selected");
			return Ok(());
		};
		if task.mode == ModeView::Zk && sole_prover(task.redundancy, round) {
			// The round's only prover proves once assigned (`zk.rs`), without committing: the
			// claim goes now, and only the best-ranked of the operators selected does the work.
			self.store()?.put_task(id, &TaskRecord::claimed(round))?;
			let (pre_output, proof) = claim;
			let item = WorkItem::Claim { task: id, pre_output, proof, commitment: None };
			self.queue(id, Step::ClaimToProve, item);
			tracing::info!(task = id, round, "claiming, to prove once assigned");
			return Ok(());
		}
		let ready = match self.preparing.lock().map_err(|_| TaskError::Poisoned)?.get(&id) {
			Some(Prep::Ready(p)) => Some(p.clone()),
			Some(Prep::Fetching(_)) => return Ok(()),
			None => None,
		};
		match ready {
			Some(prepared) => self.claim(chain, id, &task, round, claim, prepared).await,
			None => self.start_preparing(chain, id, &task).await,
		}
	}

	/// This operator's VRF claim of task `id` for `round`, `tranche`, if it is selected.
	async fn selected(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		randomness: H256,
		round: u8,
		tranche: u8,
	) -> Result<Option<([u8; 32], [u8; 64])>, TaskError> {
		let Some(from) = task.randomness_from else { return Ok(None) };
		let Some(stake) = self.selection_stake(chain, from).await? else {
			return Ok(None);
		};
		let transcript = vrf_transcript(&task_hash(id), &randomness.0);
		let signature = self.keys.vrf.vrf_sign(&transcript.clone().into_sign_data());
		let output = vrf_output(&self.keys.vrf.public(), &transcript, &signature.pre_output)
			.ok_or(TaskError::VrfOutput)?;
		let target =
			pallet_inference::Pallet::<Runtime>::selection_target(task.redundancy, round, tranche);
		if !is_selected(output, stake, task.selection_stake, target) {
			return Ok(None);
		}
		let pre_output: [u8; 32] =
			signature.pre_output.encode().try_into().map_err(|_| TaskError::VrfPreOutput)?;
		let proof: [u8; 64] =
			signature.proof.encode().try_into().map_err(|_| TaskError::VrfProof)?;
		Ok(Some((pre_output, proof)))
	}

	/// Starts fetching and checking task `id`'s model and input in the background (a Zk-mode
	/// task: proving it).
	pub(super) async fn start_preparing(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
	) -> Result<(), TaskError> {
		let fetch: BoxFuture<'static, Result<Prepared, PrepareError>> = if task.mode == ModeView::Zk
		{
			// The circuit is the prover's; the input is inline.
			let input = match &task.input {
				InputView::Inline(values) => values.clone(),
				InputView::Remote { .. } => return Ok(self.give_up(id, GiveUp::ZkRemoteInput)?),
			};
			let (Some(prover), Some(vk)) = (self.prover.clone(), self.chain_vk(chain, task).await?)
			else {
				return Ok(self.give_up(id, GiveUp::CannotProveAnyMore)?);
			};
			let (model, proving) = (task.model, self.proving.clone());
			Box::pin(async move {
				// As many proofs at once as there are cores: more would only slow each.
				let _permit = proving.acquire_owned().await.map_err(|_| PrepareError::Closed)?;
				let proved =
					prover.prove(id, &model, &input, &vk).await.map_err(PrepareError::Prove)?;
				Ok(Prepared { model_file: Vec::new(), input, proof: Some(proved) })
			})
		} else {
			let Some(model) = self.model(chain, task.model).await? else {
				return Ok(self.give_up(id, GiveUp::ModelNotRegistered(task.model))?);
			};
			let (models, input, id_model) = (self.models.clone(), task.input.clone(), task.model);
			Box::pin(
				async move { prepare(&models, &id_model, &model.uri, model.inputs, &input).await },
			)
		};
		// The loop is told when it is done.
		let fetch = Preparation::spawn(fetch, self.prepared.clone());
		tracing::debug!(task = id, "preparing: fetching and checking the model and the input");
		self.preparing.lock().map_err(|_| TaskError::Poisoned)?.insert(id, Prep::Fetching(fetch));
		Ok(())
	}

	/// Records that this operator gives up on task `id`, and why.
	pub(super) fn give_up(&self, id: TaskId, why: GiveUp) -> Result<(), StoreError> {
		self.metrics.task_failures.inc();
		tracing::warn!(task = id, "skipping the task: {why}");
		if let Ok(mut preparing) = self.preparing.lock() {
			preparing.remove(&id);
		}
		self.store()?.fail(id, &why.to_string())
	}

	/// Collects finished preparations: a failed one is given up on; a ready one is claimed if
	/// the task still takes claims and the operator is selected, the ready ones together (their
	/// runs in parallel). Preparations of tasks that no longer take claims are dropped.
	pub(super) async fn poll_preparations(&self, chain: &Arc<Chain>) {
		let ids: Vec<TaskId> = match self.preparing.lock() {
			Ok(p) => p.keys().copied().collect(),
			Err(_) => return,
		};
		if let Err(e) = self.prefetch(chain, ids.iter().copied()).await {
			tracing::warn!("cannot read the tasks being prepared at once: {e}");
		}
		let mut ready = Vec::new();
		for id in ids {
			let finished = match self.preparing.lock() {
				Ok(mut p) => match p.get(&id) {
					Some(Prep::Fetching(preparation)) => {
						let outcome = preparation.take();
						if outcome.is_some() {
							p.remove(&id);
						}
						outcome
					},
					_ => None,
				},
				Err(_) => return,
			};
			if let Some(outcome) = finished {
				match outcome {
					Ok(prepared) => {
						if let Ok(mut p) = self.preparing.lock() {
							p.insert(id, Prep::Ready(Arc::new(prepared)));
						}
						ready.push(id);
					},
					Err(why) => {
						if let Err(e) = self.give_up(id, why.into()) {
							self.metrics.task_errors.inc();
							tracing::warn!(task = id, "{e}");
						}
					},
				}
				continue;
			}
			// Ready, or still fetching: drop it once the task no longer takes claims, unless a
			// claim of it is still being followed.
			let claiming = matches!(
				self.task(chain, id).await,
				Ok(Some(TaskView { status: StatusView::Claiming { .. }, .. }))
			);
			// A claim still followed keeps its preparation (for its computation); nothing else.
			let followed =
				self.store().and_then(|s| s.task(id)).map(|r| r.is_some_and(|r| !r.done));
			if !claiming && !matches!(followed, Ok(true)) {
				if let Ok(mut p) = self.preparing.lock() {
					if let Some(Prep::Fetching(preparation)) = p.remove(&id) {
						preparation.abort.abort();
					}
				}
			}
		}
		let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
		futures::stream::iter(ready)
			.for_each_concurrent(parallel, |id| async move {
				// A task claimed already (a Zk round's only prover, assigned) goes on from its
				// state on chain; the others are claimed.
				let result = match self.store().and_then(|s| s.task(id)) {
					Ok(Some(record)) if !record.done => self.advance(chain, id, &record).await,
					_ => self.consider(chain, id).await,
				};
				if let Err(e) = result {
					self.metrics.task_errors.inc();
					tracing::warn!(task = id, "{e}");
				}
			})
			.await;
	}

	/// Claims task `id` with `claim` (VRF pre-output and proof); on success, computes it (a
	/// Zk-mode task: proves it) right away.
	async fn claim(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		round: u8,
		(pre_output, proof): ([u8; 32], [u8; 64]),
		prepared: Arc<Prepared>,
	) -> Result<(), TaskError> {
		// Recorded first: a claim that lands while this process dies is still followed.
		self.store()?.put_task(id, &TaskRecord::claimed(round))?;
		if matches!(task.mode, ModeView::Redundancy | ModeView::Zk) {
			// Computed (proved) first and claimed with the commitment: the task needs no
			// commit phase, and the claim goes out with this block's other work.
			let Some(commitment) = self.commitment(chain, id, task, Some(prepared)).await? else {
				return Ok(());
			};
			let item =
				WorkItem::Claim { task: id, pre_output, proof, commitment: Some(commitment) };
			self.queue(id, Step::Claim, item);
			tracing::info!(task = id, round, "claiming, with the commitment");
			if let Ok(mut p) = self.preparing.lock() {
				p.remove(&id);
			}
			return Ok(());
		}
		let call = pallet_inference::Call::<Runtime>::claim { task: id, pre_output, proof };
		match self.submit(chain, call.into()).await {
			Ok(included) => {
				self.metrics.claims.inc();
				tracing::info!(task = id, round, block = included.block_number, "claimed");
				match task.mode {
					ModeView::Tee => {
						self.attest_compute(chain, id, task, Some(prepared)).await?;
					},
					// Run when the posting phase opens (`optimistic.rs`); the preparation is
					// kept for it.
					_ => return Ok(()),
				}
				// The result (or proof) is in the database now: the model's bytes need not stay
				// in memory for the rest of the task's life.
				if let Ok(mut p) = self.preparing.lock() {
					p.remove(&id);
				}
			},
			Err(e) if e.certainly_failed() => {
				tracing::info!(task = id, "claim refused: {e}");
				self.store()?.update_task(id, |r| r.done = true)?;
			},
			// The chain's state tells later whether it landed (`advance_tasks`).
			Err(e) => tracing::warn!(task = id, "claim outcome unknown, following the chain: {e}"),
		}
		Ok(())
	}

	/// Task `id`'s preparation: `prepared` if this process has it, else made again (after a
	/// restart), within the same limits. `None` if it cannot be made: the task is given up.
	pub(super) async fn prepared_or_again(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		prepared: Option<Arc<Prepared>>,
	) -> Result<Option<Arc<Prepared>>, TaskError> {
		if let Some(p) = prepared {
			return Ok(Some(p));
		}
		let model = self
			.model(chain, task.model)
			.await?
			.ok_or(TaskError::ModelNotRegistered(task.model))?;
		match prepare(&self.models, &task.model, &model.uri, model.inputs, &task.input).await {
			Ok(p) => Ok(Some(Arc::new(p))),
			Err(why) => {
				self.give_up(id, why.into())?;
				Ok(None)
			},
		}
	}

	/// The preparation of task `id`, if this process made it.
	pub(super) fn prepared(&self, id: TaskId) -> Option<Arc<Prepared>> {
		match self.preparing.lock().ok()?.get(&id) {
			Some(Prep::Ready(p)) => Some(p.clone()),
			_ => None,
		}
	}
}

/// Fetches and checks what a task needs: its model file (the content hash must be the model's
/// id, the file must parse, its input width must be `inputs`) and its input (inline, or fetched
/// and checked against its hash), at most [`MAX_INPUT_LEN`] values of the model's width.
pub async fn prepare(
	models: &ModelStore,
	model: &H256,
	uri: &str,
	inputs: u32,
	input: &InputView,
) -> Result<Prepared, PrepareError> {
	let input = match input {
		InputView::Inline(values) => values.clone(),
		InputView::Remote { hash, uri } => crate::models::fetch_input(uri, hash, MAX_INPUT_LEN)
			.await
			.map_err(PrepareError::Input)?,
	};
	if input.len() != inputs as usize {
		return Err(PrepareError::InputLength { len: input.len(), inputs });
	}
	let model_file = models.get(model, uri).await.map_err(PrepareError::Model)?;
	let parsed = aos_kernel::Model::from_file(&model_file).map_err(PrepareError::ModelFile)?;
	if parsed.inputs != inputs {
		return Err(PrepareError::ModelWidth { file: parsed.inputs, registered: inputs });
	}
	Ok(Prepared { model_file, input, proof: None })
}
