//! The operator's loop: follow the best chain; on every block send a heartbeat when one is due,
//! handle the block's events (claims opening) and bring every task the operator took one step
//! further, as the chain's state of that task says (commit in the commit phase, reveal in the
//! reveal phase, close when it ends). The chain is the source of truth and the database keeps
//! only what exists nowhere else (results, proofs and salts), so a restart of either side
//! resumes where things are.
//!
//! Tasks are hostile until checked. Before it claims a task, the operator fetches and checks
//! the task's model and input in the background (http(s) only, within a deadline and a byte
//! cap: `models`), so that a slow or hostile server delays nothing else; a task that cannot be
//! prepared is logged, marked in the database and skipped. One task's failure never ends the
//! loop: heartbeats and the other tasks go on. A transaction whose outcome is unknown (a lost
//! connection, a timeout) is left for the chain's state to settle, not assumed to have failed.

use aos_client::{
	runtime::{self, AccountId, Runtime, RuntimeCall, RuntimeEvent},
	Chain, Included, ModeView, StatusView, TaskView,
};
use aos_inference_primitives::{
	find_pow_nonce, is_selected, result_commitment, task_hash, vrf_output, vrf_transcript,
	zk::proof_commitment, RevealedResult, TaskId,
};
use aos_kernel::abi::Request;
use codec::Encode;
use pallet_inference::{Event as InferenceEvent, SamplingParams};
use pallet_inference_rpc::InputView;
use sp_core::{crypto::VrfSecret, Pair, H256};
use sp_runtime::BoundedVec;
use std::{
	collections::HashMap,
	sync::{Arc, Mutex, OnceLock},
	time::Duration,
};
use tokio::task::JoinHandle;

use crate::{
	config::Config,
	keys::{EthSigner, Keys},
	metrics::Metrics,
	models::ModelStore,
	prover::{ChainVk, Prover},
	sandbox::WasmKernel,
	store::{Evidence, Store, TaskRecord, ZkEvidence},
};

/// Blocks looked back over after a restart, at most.
const MAX_BACKFILL: u32 = 600;

/// How long a transaction may take to reach a block before its outcome counts as unknown.
const SUBMIT_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest input a task may have: the runtime's `MaxInputLen`, the kernel's widest layer.
const MAX_INPUT_LEN: usize = aos_kernel::model::MAX_WIDTH as usize;

/// What a task needs before the operator claims it: its model file and its input, fetched and
/// checked.
pub struct Prepared {
	/// The model's file (empty for a Zk-mode task: the circuit is the prover's).
	pub model_file: Vec<u8>,
	pub input: Vec<i8>,
}

/// A task being prepared, or prepared.
enum Prep {
	Fetching(JoinHandle<Result<Prepared, String>>),
	Ready(Arc<Prepared>),
}

/// The operator service.
pub struct Operator {
	pub config: Config,
	pub keys: Keys,
	pub eth: EthSigner,
	pub models: Arc<ModelStore>,
	pub kernel: Arc<WasmKernel>,
	/// Proves Zk-mode tasks; none: they are not claimed.
	pub prover: Option<Prover>,
	pub metrics: Metrics,
	/// The database of the chain the node serves, opened when first connected.
	store: OnceLock<(H256, Store)>,
	/// Tasks whose model and input are fetched and checked, or were, before a claim.
	preparing: Mutex<HashMap<TaskId, Prep>>,
}

impl Operator {
	pub fn new(
		config: Config,
		keys: Keys,
		eth: EthSigner,
		models: ModelStore,
		kernel: Arc<WasmKernel>,
		prover: Option<Prover>,
		metrics: Metrics,
	) -> Operator {
		Operator {
			config,
			keys,
			eth,
			models: Arc::new(models),
			kernel,
			prover,
			metrics,
			store: OnceLock::new(),
			preparing: Mutex::new(HashMap::new()),
		}
	}

	fn account(&self) -> AccountId {
		self.keys.account_id()
	}

	/// The database, once connected.
	fn store(&self) -> Result<&Store, String> {
		self.store.get().map(|(_, s)| s).ok_or_else(|| "not connected to a chain yet".into())
	}

	/// Opens the database of the chain with `genesis` (once); refuses a node of another chain.
	fn open_store(&self, genesis: H256) -> Result<(), String> {
		if self.store.get().is_none() {
			let dir = Store::dir_for(&self.config.data_dir, &genesis);
			let store = Store::open(&dir)?;
			let _ = self.store.set((genesis, store));
			tracing::info!(database = %dir.display(), "opened the operator database");
		}
		match self.store.get() {
			Some((ours, _)) if *ours != genesis => Err(format!(
				"the node serves another chain (genesis {genesis:?}) than this operator's \
				 (genesis {ours:?}): restart the operator to follow it"
			)),
			_ => Ok(()),
		}
	}

	/// Runs until the process is stopped: reconnects with backoff when the node goes away.
	pub async fn run(&self) {
		let mut backoff = Duration::from_secs(1);
		loop {
			match self.session(&mut backoff).await {
				Ok(()) => tracing::warn!("the node closed the block subscription"),
				Err(e) => {
					self.metrics.errors.inc();
					tracing::warn!("{e}; reconnecting in {backoff:?}");
				},
			}
			tokio::time::sleep(backoff).await;
			backoff = (backoff * 2).min(Duration::from_secs(30));
		}
	}

	/// One connection's life.
	async fn session(&self, backoff: &mut Duration) -> Result<(), String> {
		let chain = Chain::connect(&self.config.node_url).await.map_err(|e| e.to_string())?;
		self.open_store(chain.genesis())?;
		tracing::info!(node = %self.config.node_url, account = %self.account(), "connected");
		self.ensure_registered(&chain).await?;
		let mut heads = chain.subscribe_best_heads().await.map_err(|e| e.to_string())?;
		*backoff = Duration::from_secs(1);
		let mut heartbeat_due = 0;
		loop {
			let head = match tokio::time::timeout(Duration::from_secs(120), heads.next()).await {
				Err(_) => return Err("no new block for 120 s".into()),
				Ok(None) => return Ok(()),
				Ok(Some(head)) => head.map_err(|e| format!("block subscription: {e}"))?,
			};
			self.metrics.best_block.set(u64::from(head.number));
			// First: being heard from must not wait on any task.
			self.heartbeat(&chain, head.number, &mut heartbeat_due).await?;
			self.on_block(&chain, head.number).await?;
		}
	}

	/// Signs and submits `call`; waits for a block at most [`SUBMIT_TIMEOUT`] (then the
	/// outcome is unknown: see [`aos_client::Error::certainly_failed`]).
	async fn submit(
		&self,
		chain: &Chain,
		call: RuntimeCall,
	) -> Result<Included, aos_client::Error> {
		match tokio::time::timeout(SUBMIT_TIMEOUT, chain.submit(&self.keys.account, call)).await {
			Ok(result) => result,
			Err(_) => Err(aos_client::Error::NotIncluded(format!(
				"not seen in a block within {SUBMIT_TIMEOUT:?}"
			))),
		}
	}

	/// Registers and bonds when configured to and not registered yet; checks the VRF key.
	async fn ensure_registered(&self, chain: &Chain) -> Result<(), String> {
		let account = self.account();
		let state = chain.operator(&account).await.map_err(|e| format!("aos_operator: {e}"))?;
		if let Some(state) = state {
			if state.vrf_key != self.keys.vrf.public() {
				return Err(format!(
					"the chain has VRF key {} for {account}, the keystore has {}: rotate the keys \
					 on chain or fix the keystore",
					state.vrf_key,
					self.keys.vrf.public()
				));
			}
			return Ok(());
		}
		let Some(register) = &self.config.register else {
			return Err(format!(
				"{account} is not a registered operator, and the config has no `register` section"
			));
		};
		let mut message = pallet_operators::VRF_KEY_PROOF_PREFIX.to_vec();
		account.encode_to(&mut message);
		let eth = self.eth.binding(&account).await?;
		let call = pallet_operators::Call::<Runtime>::register {
			name: register.name.clone().into_bytes(),
			endpoint: register.endpoint.clone().into_bytes(),
			vrf_key: self.keys.vrf.public(),
			vrf_proof: self.keys.vrf.sign(&message),
			eth: Some(eth),
			commission: sp_runtime::Perbill::from_percent(u32::from(register.commission_percent)),
			collateral: self.config.collateral().unwrap_or_default(),
		};
		let included =
			self.submit(chain, call.into()).await.map_err(|e| format!("registering: {e}"))?;
		tracing::info!(block = included.block_number, eth = ?self.eth.address(), "registered");
		Ok(())
	}

	/// Handles the blocks since the last one handled, up to `best`.
	async fn on_block(&self, chain: &Chain, best: u32) -> Result<(), String> {
		let last = self.store()?.last_block()?;
		let from =
			last.map_or(best, |l| l.saturating_add(1)).max(best.saturating_sub(MAX_BACKFILL));
		for number in from..=best {
			let Some(hash) = chain.block_hash(number).await.map_err(|e| e.to_string())? else {
				break;
			};
			for record in chain.events(hash).await.map_err(|e| e.to_string())? {
				if let RuntimeEvent::Inference(event) = record.event {
					self.on_event(chain, event).await;
				}
			}
			self.store()?.set_last_block(number)?;
		}
		self.poll_preparations(chain).await;
		self.advance_tasks(chain).await
	}

	async fn on_event(&self, chain: &Chain, event: InferenceEvent<Runtime>) {
		let me = self.account();
		match event {
			InferenceEvent::ClaimsOpen { task, .. } => {
				if let Err(e) = self.consider(chain, task).await {
					self.metrics.task_errors.inc();
					tracing::warn!(task, "cannot consider the task: {e}");
				}
			},
			InferenceEvent::OperatorPaid { task, operator, amount } if operator == me => {
				self.metrics.paid.inc_by(amount as f64 / runtime::UNITS as f64);
				tracing::info!(task, amount, "paid");
			},
			InferenceEvent::OperatorLiquidated { task, operator } if operator == me => {
				self.metrics.liquidated.inc();
				tracing::error!(task, "reported for liquidation: this operator's result lost");
			},
			InferenceEvent::RevealWithheld { task, operator } if operator == me => {
				self.metrics.liquidated.inc();
				tracing::error!(task, "reported for withholding a committed reveal");
			},
			_ => {},
		}
	}

	async fn task(&self, chain: &Chain, id: TaskId) -> Result<Option<TaskView<AccountId>>, String> {
		chain.task(id).await.map_err(|e| format!("aos_task {id}: {e}"))
	}

	/// A task takes claims: if this operator is selected for the current tranche, prepare the
	/// task (in the background), and claim it once prepared.
	async fn consider(&self, chain: &Chain, id: TaskId) -> Result<(), String> {
		if self.store()?.task(id)?.is_some() {
			// Claimed already, or given up on.
			return Ok(());
		}
		let Some(task) = self.task(chain, id).await? else { return Ok(()) };
		let (Some(randomness), StatusView::Claiming { round, tranche, .. }) =
			(task.randomness, task.status)
		else {
			return Ok(());
		};
		if task.mode == ModeView::Zk {
			if let Err(why) = self.can_prove(chain, &task).await? {
				tracing::info!(task = id, "not claiming a Zk-mode task: {why}");
				return Ok(());
			}
		}
		let Some(claim) = self.selected(chain, id, &task, randomness, round, tranche).await? else {
			tracing::debug!(task = id, round, tranche, "not selected");
			return Ok(());
		};
		let ready = match self.preparing.lock().map_err(|_| "poisoned")?.get(&id) {
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
	) -> Result<Option<([u8; 32], [u8; 64])>, String> {
		let Some(from) = task.randomness_from else { return Ok(None) };
		let Some(stake) = chain
			.selection_stake(&self.account(), from)
			.await
			.map_err(|e| format!("aos_operator: {e}"))?
		else {
			return Ok(None);
		};
		let transcript = vrf_transcript(&task_hash(id), &randomness.0);
		let signature = self.keys.vrf.vrf_sign(&transcript.clone().into_sign_data());
		let output = vrf_output(&self.keys.vrf.public(), &transcript, &signature.pre_output)
			.ok_or("the VRF output cannot be derived")?;
		let target =
			pallet_inference::Pallet::<Runtime>::selection_target(task.redundancy, round, tranche);
		if !is_selected(output, stake, task.selection_stake, target) {
			return Ok(None);
		}
		let pre_output: [u8; 32] =
			signature.pre_output.encode().try_into().map_err(|_| "VRF pre-output")?;
		let proof: [u8; 64] = signature.proof.encode().try_into().map_err(|_| "VRF proof")?;
		Ok(Some((pre_output, proof)))
	}

	/// Starts fetching and checking task `id`'s model and input in the background.
	async fn start_preparing(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
	) -> Result<(), String> {
		let fetch = if task.mode == ModeView::Zk {
			// The circuit is the prover's; the input is inline.
			let input = match &task.input {
				InputView::Inline(values) => values.clone(),
				InputView::Remote { .. } => return self.give_up(id, "a Zk-mode remote input"),
			};
			tokio::spawn(async move { Ok(Prepared { model_file: Vec::new(), input }) })
		} else {
			let Some(model) =
				chain.model(task.model).await.map_err(|e| format!("aos_model: {e}"))?
			else {
				return self.give_up(id, &format!("model {:?} is not registered", task.model));
			};
			let (models, input, id_model) = (self.models.clone(), task.input.clone(), task.model);
			tokio::spawn(async move {
				prepare(&models, &id_model, &model.uri, model.inputs, &input).await
			})
		};
		tracing::debug!(task = id, "preparing: fetching and checking the model and the input");
		self.preparing.lock().map_err(|_| "poisoned")?.insert(id, Prep::Fetching(fetch));
		Ok(())
	}

	/// Records that this operator gives up on task `id`, and why.
	fn give_up(&self, id: TaskId, why: &str) -> Result<(), String> {
		self.metrics.task_failures.inc();
		tracing::warn!(task = id, "skipping the task: {why}");
		if let Ok(mut preparing) = self.preparing.lock() {
			preparing.remove(&id);
		}
		self.store()?.fail(id, why)
	}

	/// Collects finished preparations: a failed one is given up on; a ready one is claimed if
	/// the task still takes claims and the operator is selected. Preparations of tasks that no
	/// longer take claims are dropped.
	async fn poll_preparations(&self, chain: &Chain) {
		let ids: Vec<TaskId> = match self.preparing.lock() {
			Ok(p) => p.keys().copied().collect(),
			Err(_) => return,
		};
		for id in ids {
			let finished = match self.preparing.lock() {
				Ok(mut p) => match p.get(&id) {
					Some(Prep::Fetching(handle)) if handle.is_finished() => p.remove(&id),
					_ => None,
				},
				Err(_) => return,
			};
			if let Some(Prep::Fetching(handle)) = finished {
				let prepared = handle.await.map_err(|e| format!("the preparation: {e}"));
				let outcome = match prepared.and_then(|r| r) {
					Ok(prepared) => {
						if let Ok(mut p) = self.preparing.lock() {
							p.insert(id, Prep::Ready(Arc::new(prepared)));
						}
						self.consider(chain, id).await
					},
					Err(why) => self.give_up(id, &why),
				};
				if let Err(e) = outcome {
					self.metrics.task_errors.inc();
					tracing::warn!(task = id, "{e}");
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
					if let Some(Prep::Fetching(handle)) = p.remove(&id) {
						handle.abort();
					}
				}
			}
		}
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
	) -> Result<(), String> {
		// Recorded first: a claim that lands while this process dies is still followed.
		self.store()?.put_task(id, &TaskRecord::claimed(round))?;
		let call = pallet_inference::Call::<Runtime>::claim { task: id, pre_output, proof };
		match self.submit(chain, call.into()).await {
			Ok(included) => {
				self.metrics.claims.inc();
				tracing::info!(task = id, round, block = included.block_number, "claimed");
				if task.mode == ModeView::Zk {
					self.prove(chain, id, task, &prepared.input).await?;
				} else {
					self.compute(chain, id, task, Some(prepared)).await?;
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

	/// Runs the model for task `id` and records the evidence to commit to. Returns whether the
	/// evidence is there; a run that fails gives the task up.
	async fn compute(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		prepared: Option<Arc<Prepared>>,
	) -> Result<bool, String> {
		if self.store()?.task(id)?.and_then(|r| r.evidence).is_some() {
			return Ok(true);
		}
		let prepared = match prepared {
			Some(p) => p,
			// After a restart: prepare again (within the same limits).
			None => {
				let model = chain
					.model(task.model)
					.await
					.map_err(|e| format!("aos_model: {e}"))?
					.ok_or_else(|| format!("model {:?} is not registered", task.model))?;
				match prepare(&self.models, &task.model, &model.uri, model.inputs, &task.input)
					.await
				{
					Ok(p) => Arc::new(p),
					Err(why) => {
						self.give_up(id, &why)?;
						return Ok(false);
					},
				}
			},
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
		.map_err(|e| format!("the kernel's thread: {e}"))?;
		let metered = match metered {
			Ok(m) => m,
			Err(e) => {
				self.give_up(id, &format!("the kernel: {e}"))?;
				return Ok(false);
			},
		};
		self.metrics.kernel_seconds.observe(started.elapsed().as_secs_f64());
		self.metrics.kernel_fuel.observe(metered.fuel as f64);
		let mut run = match metered.reply {
			Ok(run) => run,
			Err(e) => {
				self.give_up(id, &format!("the model refused the input: {e:?}"))?;
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

	/// Moves every open task one step, as its state on chain says. One task's error is logged
	/// and counted; the others go on.
	async fn advance_tasks(&self, chain: &Chain) -> Result<(), String> {
		for (id, record) in self.store()?.open_tasks()? {
			if let Err(e) = self.advance(chain, id, &record).await {
				self.metrics.task_errors.inc();
				tracing::warn!(task = id, "{e}");
			}
		}
		Ok(())
	}

	async fn advance(&self, chain: &Chain, id: TaskId, record: &TaskRecord) -> Result<(), String> {
		let Some(task) = self.task(chain, id).await? else {
			return self.store()?.update_task(id, |r| r.done = true);
		};
		let me = self.account();
		let Some(claim) = task.claims.iter().find(|c| c.operator == me) else {
			// The claim did not land, or ranked below others (or not yet, while claims are
			// open).
			if !matches!(
				task.status,
				StatusView::Claiming { .. } | StatusView::AwaitingRandomness { .. }
			) {
				self.store()?.update_task(id, |r| r.done = true)?;
			}
			return Ok(());
		};
		match task.status {
			StatusView::Committing { round, .. }
				if claim.round == round && claim.commitment.is_none() =>
			{
				self.commit(chain, id, &task).await
			},
			StatusView::Revealing { round, .. }
				if claim.round == round
					&& claim.commitment.is_some()
					&& claim.result.is_none()
					&& !record.revealed =>
			{
				self.reveal(chain, id).await
			},
			StatusView::Proving { round, .. }
				if claim.round == round
					&& claim.commitment.is_some()
					&& claim.result.is_none()
					&& !record.revealed =>
			{
				self.reveal_proof(chain, id).await
			},
			StatusView::Settled | StatusView::Undecided => {
				let agreed = task.result.as_ref().zip(claim.result).is_some_and(|(r, mine)| {
					pallet_inference::result_key(&r.output, &r.top) == mine
				});
				tracing::info!(task = id, status = ?task.status, agreed, "task ended");
				self.metrics.tasks_ended.inc();
				if let Ok(mut p) = self.preparing.lock() {
					p.remove(&id);
				}
				self.store()?.update_task(id, |r| r.done = true)
			},
			_ => {
				if claim.commitment.is_some() && !record.committed {
					self.store()?.update_task(id, |r| r.committed = true)?;
				}
				Ok(())
			},
		}
	}

	/// Commits to the task's result (or, in Zk mode, to its proof).
	async fn commit(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
	) -> Result<(), String> {
		let operator = self.account().encode();
		let commitment = if task.mode == ModeView::Zk {
			let input = match &task.input {
				InputView::Inline(values) => values.clone(),
				InputView::Remote { .. } => return self.give_up(id, "a Zk-mode remote input"),
			};
			if !self.prove(chain, id, task, &input).await? {
				return Ok(());
			}
			let record = self.store()?.task(id)?.ok_or("no record")?;
			let zk = record.proof.ok_or("no proof")?;
			proof_commitment(&task_hash(id), &operator, &zk.proof, &zk.instances)
		} else {
			let prepared = self.prepared(id);
			if !self.compute(chain, id, task, prepared).await? {
				return Ok(());
			}
			let record = self.store()?.task(id)?.ok_or("no record")?;
			let evidence = record.evidence.ok_or("no evidence")?;
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
		let call =
			pallet_inference::Call::<Runtime>::commit { task: id, commitment: H256(commitment) };
		match self.submit(chain, call.into()).await {
			Ok(included) => {
				self.metrics.commits.inc();
				self.store()?.update_task(id, |r| r.committed = true)?;
				tracing::info!(task = id, block = included.block_number, "committed");
			},
			// Tried again at the next block if the chain shows no commitment.
			Err(e) => tracing::warn!(task = id, "commit: {e}"),
		}
		Ok(())
	}

	/// The preparation of task `id`, if this process made it.
	fn prepared(&self, id: TaskId) -> Option<Arc<Prepared>> {
		match self.preparing.lock().ok()?.get(&id) {
			Some(Prep::Ready(p)) => Some(p.clone()),
			_ => None,
		}
	}

	async fn reveal(&self, chain: &Chain, id: TaskId) -> Result<(), String> {
		let record = self.store()?.task(id)?.ok_or("no record")?;
		let Some(e) = record.evidence else {
			tracing::error!(task = id, "committed on chain, but this database has no evidence");
			return self.store()?.update_task(id, |r| r.done = true);
		};
		let call = pallet_inference::Call::<Runtime>::reveal {
			task: id,
			output: H256(e.output),
			top: BoundedVec::truncate_from(e.top),
			samples: BoundedVec::truncate_from(e.samples),
			intermediates: BoundedVec::truncate_from(e.intermediates),
			salt: e.salt,
			pow_nonce: e.pow_nonce,
		};
		match self.submit(chain, RuntimeCall::from(call)).await {
			Ok(included) => {
				self.metrics.reveals.inc();
				self.store()?.update_task(id, |r| r.revealed = true)?;
				tracing::info!(task = id, block = included.block_number, "revealed");
			},
			Err(e) => tracing::warn!(task = id, "reveal: {e}"),
		}
		Ok(())
	}

	/// The verifying key task `task` was submitted under, with its bytes.
	async fn chain_vk(
		&self,
		chain: &Chain,
		task: &TaskView<AccountId>,
	) -> Result<Option<ChainVk>, String> {
		let (Some(vk), Some(input_scale)) = (task.zk_vk, task.zk_input_scale) else {
			return Ok(None);
		};
		let vka: Option<Vec<u8>> = chain
			.storage(
				"ZkVerifier::VkBytes",
				&pallet_zk_verifier::VkBytes::<Runtime>::hashed_key_for(vk),
				None,
			)
			.await
			.map_err(|e| e.to_string())?;
		Ok(vka.map(|vka| ChainVk { vka, input_scale }))
	}

	/// Whether this operator can prove task `task`: `Ok(Err(why))` if not.
	async fn can_prove(
		&self,
		chain: &Chain,
		task: &TaskView<AccountId>,
	) -> Result<Result<(), String>, String> {
		let Some(prover) = &self.prover else {
			return Ok(Err("the config has no `zk` section".into()));
		};
		let Some(vk) = self.chain_vk(chain, task).await? else {
			return Ok(Err(format!("no verifying key on chain for model {:?}", task.model)));
		};
		Ok(prover.check_circuit(&task.model, &vk))
	}

	/// Proves Zk-mode task `id` with ezkl and records the proof to commit to. Returns whether
	/// the proof is there; a proof that cannot be made gives the task up.
	async fn prove(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		input: &[i8],
	) -> Result<bool, String> {
		if self.store()?.task(id)?.and_then(|r| r.proof).is_some() {
			return Ok(true);
		}
		let (Some(prover), Some(vk)) = (&self.prover, self.chain_vk(chain, task).await?) else {
			self.give_up(id, "claimed a Zk-mode task it cannot prove any more")?;
			return Ok(false);
		};
		let proved = match prover.prove(id, &task.model, input, &vk).await {
			Ok(proved) => proved,
			Err(e) => {
				// Not retried every block: a proof takes seconds, and the failure is logged.
				self.give_up(id, &format!("cannot prove: {e}"))?;
				return Ok(false);
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

	/// Reveals the proof committed to for Zk-mode task `id`.
	async fn reveal_proof(&self, chain: &Chain, id: TaskId) -> Result<(), String> {
		let record = self.store()?.task(id)?.ok_or("no record")?;
		let Some(zk) = record.proof else {
			tracing::error!(task = id, "committed on chain, but this database has no proof");
			return self.store()?.update_task(id, |r| r.done = true);
		};
		let call = pallet_zk_verifier::Call::<Runtime>::submit_proof {
			task: id,
			proof: BoundedVec::truncate_from(zk.proof),
			instances: BoundedVec::truncate_from(zk.instances),
		};
		match self.submit(chain, RuntimeCall::from(call)).await {
			Ok(included) => {
				self.metrics.proofs.inc();
				self.store()?.update_task(id, |r| r.revealed = true)?;
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
			},
			Err(e) => tracing::warn!(task = id, "proof submission: {e}"),
		}
		Ok(())
	}

	/// Sends a heartbeat once per heartbeat period. `due` is the first block at which one may be
	/// owed; before it nothing is read, so the chain is asked once per period, not every block.
	async fn heartbeat(&self, chain: &Chain, best: u32, due: &mut u32) -> Result<(), String> {
		if best < *due {
			return Ok(());
		}
		let params = chain.operators_params().await.map_err(|e| e.to_string())?;
		// Periods are fixed windows of `heartbeat_period` blocks: one heartbeat inside each.
		let period = params.heartbeat_period.max(1);
		let next_window = (best / period).saturating_add(1).saturating_mul(period);
		let Some(state) = chain.operator(&self.account()).await.map_err(|e| e.to_string())? else {
			*due = next_window;
			return Ok(());
		};
		if state.last_heartbeat / period >= best / period {
			*due = next_window;
			return Ok(());
		}
		let call = pallet_operators::Call::<Runtime>::heartbeat {};
		match self.submit(chain, call.into()).await {
			Ok(included) => {
				*due = next_window;
				self.metrics.heartbeats.inc();
				tracing::debug!(block = included.block_number, "heartbeat");
			},
			// Tried again at the next block.
			Err(e) => tracing::warn!("heartbeat: {e}"),
		}
		Ok(())
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
) -> Result<Prepared, String> {
	let input = match input {
		InputView::Inline(values) => values.clone(),
		InputView::Remote { hash, uri } => crate::models::fetch_input(uri, hash, MAX_INPUT_LEN)
			.await
			.map_err(|e| format!("input: {e}"))?,
	};
	if input.len() != inputs as usize {
		return Err(format!("the input has {} values, the model takes {inputs}", input.len()));
	}
	let model_file = models.get(model, uri).await.map_err(|e| format!("model: {e}"))?;
	let parsed = aos_kernel::Model::from_file(&model_file).map_err(|e| format!("model: {e:?}"))?;
	if parsed.inputs != inputs {
		return Err(format!(
			"the model file takes {} inputs, its registration {inputs}",
			parsed.inputs
		));
	}
	Ok(Prepared { model_file, input })
}
