//! The operator's loop: follow the best chain; on every block send a heartbeat when one is due,
//! handle the block's events (claims opening) and bring every task the operator took one step
//! further, as the chain's state of that task says (commit in the commit phase, reveal in the
//! reveal phase, close when it ends). The chain is the source of truth and the database keeps
//! only what exists nowhere else (results, proofs and salts), so a restart of either side
//! resumes where things are.
//!
//! Tasks are hostile until checked. Before it claims a task, the operator fetches and checks
//! the task's model and input in the background (http(s) only, within a deadline and a byte
//! cap: `models`; a Zk-mode task is proved there too), so that a slow or hostile server, or a
//! proof's seconds, delay nothing else, and claims as soon as that is done; a task that cannot be
//! prepared is logged, marked in the database and skipped. One task's failure never ends the
//! loop: heartbeats and the other tasks go on. A transaction whose outcome is unknown (a lost
//! connection, a timeout) is left for the chain's state to settle, not assumed to have failed.
//!
//! By concern: `heartbeat.rs`, being heard from once per period; `checkpoints.rs`, the bridge's
//! checkpoints signed once finalized; `claims.rs`, a task that takes
//! claims (selection, preparation, the claim); `redundancy.rs`, a result computed, committed
//! and revealed; `reads.rs`, what a block's handling reads of the chain, read once and in
//! batches; `sender.rs`, a block's claims, commitments and reveals sent in one pipelined
//! transaction; `zk.rs`, a Zk-mode task proved and its proof revealed; `tee.rs`, the enclave
//! kept registered and a TEE-mode task run in it; `optimistic.rs`, an optimistic result posted
//! and defended, and others' results disputed (`challenger`); `error.rs`, why a session, a
//! task's step or a task ends.

mod checkpoints;
mod claims;
mod error;
mod heartbeat;
mod optimistic;
mod reads;
mod redundancy;
mod sender;
mod tee;
mod zk;

pub use claims::{prepare, Prepared};
pub use error::{CannotProve, ChainError, GiveUp, PrepareError, SessionError, TaskError};
pub use sender::Step;

use aos_client::{
	runtime::{self, AccountId, Runtime, RuntimeCall, RuntimeEvent},
	Chain, Hash, Included, StatusView,
};
use aos_inference_primitives::TaskId;
use pallet_inference::Event as InferenceEvent;
use sp_core::{Pair, H256};
use std::{
	collections::HashMap,
	sync::{
		atomic::{AtomicU32, Ordering},
		Arc, Mutex, OnceLock,
	},
	time::Duration,
};

use crate::{
	config::Config,
	keys::{EthSigner, Keys},
	metrics::Metrics,
	models::ModelStore,
	prover::Prover,
	sandbox::WasmKernel,
	store::{Store, StoreError, TaskRecord},
};
use claims::Prep;

/// Blocks looked back over after a restart, at most.
const MAX_BACKFILL: u32 = 600;

/// How long a transaction may take to reach a block before its outcome counts as unknown.
const SUBMIT_TIMEOUT: Duration = Duration::from_secs(60);

/// Up to this many open tasks, every one is looked at every block; beyond, only those a block's
/// events name, and all of them every [`SWEEP_EVERY`] blocks (what bounds the calls to the
/// node under load).
const FULL_SWEEP_MAX: usize = 64;
const SWEEP_EVERY: u32 = 10;

/// How long the node may go without a new best block before the session is ended.
const HEAD_TIMEOUT: Duration = Duration::from_secs(120);

/// The operator service.
pub struct Operator {
	pub config: Config,
	pub keys: Keys,
	pub eth: EthSigner,
	pub models: Arc<ModelStore>,
	pub kernel: Arc<WasmKernel>,
	/// Proves Zk-mode tasks; none: they are not claimed.
	pub prover: Option<Arc<Prover>>,
	/// Proofs made at once, at most.
	proving: Arc<tokio::sync::Semaphore>,
	/// Told when a preparation finishes, so that its claim goes out at once rather than at
	/// the next block (a proof takes seconds: a block's wait would cost the task a block).
	prepared: Arc<tokio::sync::Notify>,
	pub metrics: Metrics,
	/// The database of the chain the node serves, opened when first connected.
	store: OnceLock<(H256, Store)>,
	/// Tasks whose model and input are fetched and checked, or were, before a claim.
	preparing: Mutex<HashMap<TaskId, Prep>>,
	/// TEE-mode results the enclave signed, until submitted (the enclave signs them again
	/// after a restart: nothing secret to keep).
	attested: Mutex<HashMap<TaskId, aos_enclave_protocol::RunResult>>,
	/// Test-only: blocks left to hold a signed result (`testing.attest_delay_blocks`).
	holding: Mutex<HashMap<TaskId, u32>>,
	/// Optimistic tasks' runs, every activation kept, while their results may be disputed
	/// (made again after a restart), by task and the layer lied at (`testing.wrong_activation`).
	runs: Mutex<HashMap<optimistic::RunKey, Arc<optimistic::OptimisticRun>>>,
	/// Claims, commitments and reveals waiting to go out with the block's work transaction.
	outbox: sender::Outbox,
	/// The best block being handled, and this account's nonce in its state.
	head: AtomicU32,
	chain_nonce: AtomicU32,
	/// Tasks the blocks' events named since they were last looked at.
	dirty: Mutex<std::collections::HashSet<TaskId>>,
	/// What was read of the chain for the block being handled.
	reads: Mutex<reads::Reads>,
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
			prover: prover.map(Arc::new),
			proving: Arc::new(tokio::sync::Semaphore::new(
				std::thread::available_parallelism().map_or(1, |n| n.get()),
			)),
			prepared: Arc::new(tokio::sync::Notify::new()),
			metrics,
			store: OnceLock::new(),
			preparing: Mutex::new(HashMap::new()),
			attested: Mutex::new(HashMap::new()),
			holding: Mutex::new(HashMap::new()),
			runs: Mutex::new(HashMap::new()),
			outbox: Default::default(),
			head: AtomicU32::new(0),
			chain_nonce: AtomicU32::new(0),
			dirty: Mutex::new(Default::default()),
			reads: Mutex::new(Default::default()),
		}
	}

	fn account(&self) -> AccountId {
		self.keys.account_id()
	}

	/// The database, once connected.
	fn store(&self) -> Result<&Store, StoreError> {
		self.store.get().map(|(_, s)| s).ok_or(StoreError::NotOpen)
	}

	/// Opens the database of the chain with `genesis` (once); refuses a node of another chain.
	fn open_store(&self, genesis: H256) -> Result<(), SessionError> {
		if self.store.get().is_none() {
			let dir = Store::dir_for(&self.config.data_dir, &genesis);
			let store = Store::open(&dir)?;
			let _ = self.store.set((genesis, store));
			tracing::info!(database = %dir.display(), "opened the operator database");
		}
		match self.store.get() {
			Some((ours, _)) if *ours != genesis => {
				Err(SessionError::OtherChain { node: genesis, ours: *ours })
			},
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
	async fn session(&self, backoff: &mut Duration) -> Result<(), SessionError> {
		let chain =
			Arc::new(Chain::connect(&self.config.node_url).await.map_err(ChainError::from)?);
		self.open_store(chain.genesis())?;
		tracing::info!(node = %self.config.node_url, account = %self.account(), "connected");
		self.ensure_registered(&chain).await?;
		let mut heads = chain.subscribe_best_heads().await.map_err(ChainError::from)?;
		*backoff = Duration::from_secs(1);
		let mut heartbeat_due = 0;
		let mut enclave_due = 0;
		let mut checkpoint_signing = checkpoints::CheckpointSigning::default();
		loop {
			let next = tokio::select! {
				next = tokio::time::timeout(HEAD_TIMEOUT, heads.next()) => next,
				() = self.prepared.notified() => {
					// Between blocks: claim what is ready, with the reads of the last block.
					self.poll_preparations(&chain).await;
					self.flush(&chain, self.head.load(Ordering::Relaxed)).await?;
					continue;
				},
			};
			let head = match next {
				Err(_) => return Err(ChainError::NoNewBlock(HEAD_TIMEOUT).into()),
				Ok(None) => return Ok(()),
				Ok(Some(head)) => head.map_err(ChainError::Subscription)?,
			};
			self.metrics.best_block.set(u64::from(head.number));
			// First: being heard from must not wait on any task.
			self.heartbeat(&chain, head.number, &mut heartbeat_due).await?;
			self.keep_enclave_registered(&chain, head.number, &mut enclave_due).await;
			self.sign_checkpoints(&chain, head.number, &mut checkpoint_signing).await?;
			self.on_block(&chain, head.number, head.hash()).await?;
		}
	}

	/// Signs and submits `call`; waits for a block at most [`SUBMIT_TIMEOUT`] (then the
	/// outcome is unknown: see [`aos_client::Error::certainly_failed`]).
	async fn submit(
		&self,
		chain: &Chain,
		call: RuntimeCall,
	) -> Result<Included, aos_client::Error> {
		// What the transaction depends on is on disk before it leaves.
		if let Err(e) = self.store().and_then(|s| s.sync()) {
			return Err(aos_client::Error::Refused(format!("not sent: {e}")));
		}
		match tokio::time::timeout(SUBMIT_TIMEOUT, chain.submit(&self.keys.account, call)).await {
			Ok(result) => result,
			Err(_) => Err(aos_client::Error::NotIncluded(format!(
				"not seen in a block within {SUBMIT_TIMEOUT:?}"
			))),
		}
	}

	/// Registers and bonds when configured to and not registered yet; checks the VRF key.
	async fn ensure_registered(&self, chain: &Chain) -> Result<(), SessionError> {
		let account = self.account();
		let state = chain.operator(&account).await.map_err(ChainError::Operator)?;
		if let Some(state) = state {
			if state.vrf_key != self.keys.vrf.public() {
				return Err(SessionError::VrfKeyMismatch {
					account,
					chain: state.vrf_key,
					keystore: self.keys.vrf.public(),
				});
			}
			return Ok(());
		}
		let Some(register) = &self.config.register else {
			return Err(SessionError::NotRegistered(account));
		};
		let message = aos_operators_primitives::vrf_key_message(&account);
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
		let included = self.submit(chain, call.into()).await.map_err(SessionError::Register)?;
		tracing::info!(block = included.block_number, eth = ?self.eth.address(), "registered");
		Ok(())
	}

	/// Handles the blocks since the last one handled, up to `best` (whose hash is `hash`),
	/// then sends the work they call for. What it reads of tasks is read at `hash`.
	async fn on_block(
		&self,
		chain: &Arc<Chain>,
		best: u32,
		hash: Hash,
	) -> Result<(), SessionError> {
		self.head.store(best, Ordering::Relaxed);
		self.read_at(hash);
		let nonce =
			chain.account_nonce(&self.account(), Some(hash)).await.map_err(ChainError::from)?;
		self.chain_nonce.store(nonce, Ordering::Relaxed);
		let last = self.store()?.last_block()?;
		let from =
			last.map_or(best, |l| l.saturating_add(1)).max(best.saturating_sub(MAX_BACKFILL));
		for number in from..=best {
			let Some(block) = chain.block_hash(number).await.map_err(ChainError::from)? else {
				break;
			};
			let events = chain.events(block).await.map_err(ChainError::from)?;
			if let Ok(mut dirty) = self.dirty.lock() {
				dirty.extend(events.iter().filter_map(|r| task_named(&r.event)));
			}
			// The tasks whose claims open, in one read (the others are read with the open
			// tasks below).
			let opening = events.iter().filter_map(|r| match &r.event {
				RuntimeEvent::Inference(InferenceEvent::ClaimsOpen { task, .. }) => Some(*task),
				_ => None,
			});
			if let Err(e) = self.prefetch(chain, opening).await {
				tracing::warn!("cannot read the tasks whose claims open: {e}");
			}
			for record in events {
				match record.event {
					RuntimeEvent::Inference(event) => self.on_event(chain, event).await,
					RuntimeEvent::Opml(event) => self.on_dispute_event(event)?,
					_ => {},
				}
			}
			self.store()?.set_last_block(number)?;
		}
		self.poll_preparations(chain).await;
		self.advance_tasks(chain, best).await?;
		if self.config.challenger {
			self.police(chain).await?;
		}
		self.flush(chain, best).await?;
		self.metrics.handled_block.set(u64::from(best));
		Ok(())
	}

	/// Whether step `step` of task `id` is in a transaction that may still land.
	fn sending(&self, id: TaskId, step: Step) -> Result<bool, StoreError> {
		let (best, nonce) =
			(self.head.load(Ordering::Relaxed), self.chain_nonce.load(Ordering::Relaxed));
		self.in_flight(id, step, best, nonce)
	}

	/// A dispute pallet event: a result to watch (as a challenger), or one of this operator's
	/// games decided.
	fn on_dispute_event(&self, event: pallet_opml::Event<Runtime>) -> Result<(), StoreError> {
		let me = self.account();
		match event {
			pallet_opml::Event::ResultPosted { task, defender, challenge_until, .. }
				if self.config.challenger && defender != me =>
			{
				self.store()?.watch(task, challenge_until)?;
			},
			pallet_opml::Event::GameEnded { task, challenger, winner, end } => {
				tracing::info!(task, %challenger, ?winner, ?end, "dispute: game over");
			},
			pallet_opml::Event::ResultOverturned { task, defender, challenger } => {
				if defender == me {
					self.metrics.liquidated.inc();
					tracing::error!(task, %challenger, "this operator's optimistic result was overturned");
				} else {
					tracing::info!(task, %defender, %challenger, "dispute: result overturned");
				}
			},
			pallet_opml::Event::ResultStood { task, defender, output } => {
				tracing::info!(task, %defender, ?output, "dispute: the result stood");
			},
			_ => {},
		}
		Ok(())
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
			InferenceEvent::AttestationRejected { task, operator } if operator == me => {
				self.metrics.liquidated.inc();
				tracing::error!(task, "reported: a result the enclave did not sign");
			},
			_ => {},
		}
	}

	/// Moves open tasks one step, as their state on chain says: every one while there are
	/// few, else those the block's events named and, every [`SWEEP_EVERY`] blocks, all. One
	/// task's error is logged and counted; the others go on.
	async fn advance_tasks(&self, chain: &Arc<Chain>, best: u32) -> Result<(), StoreError> {
		let open = self.store()?.open_tasks()?;
		let dirty = self.dirty.lock().map(|mut d| std::mem::take(&mut *d)).unwrap_or_default();
		let sweep = open.len() <= FULL_SWEEP_MAX || best.is_multiple_of(SWEEP_EVERY);
		let open: Vec<(TaskId, TaskRecord)> =
			open.into_iter().filter(|(id, _)| sweep || dirty.contains(id)).collect();
		if let Err(e) = self.prefetch(chain, open.iter().map(|(id, _)| *id)).await {
			tracing::warn!("cannot read the open tasks at once: {e}");
		}
		for (id, record) in open {
			if let Err(e) = self.advance(chain, id, &record).await {
				self.metrics.task_errors.inc();
				tracing::warn!(task = id, "{e}");
			}
		}
		Ok(())
	}

	pub(super) async fn advance(
		&self,
		chain: &Arc<Chain>,
		id: TaskId,
		record: &TaskRecord,
	) -> Result<(), TaskError> {
		let Some(task) = self.task(chain, id).await? else {
			return Ok(self.store()?.finish(id)?);
		};
		let me = self.account();
		let Some(claim) = task.claims.iter().find(|c| c.operator == me) else {
			// The claim did not land, or ranked below others (or not yet, while claims are
			// open).
			if !matches!(
				task.status,
				StatusView::Claiming { .. } | StatusView::AwaitingRandomness { .. }
			) {
				if let Ok(mut a) = self.attested.lock() {
					a.remove(&id);
				}
				self.store()?.finish(id)?;
			}
			return Ok(());
		};
		match task.status {
			StatusView::Committing { round, .. }
				if claim.round == round
					&& claim.commitment.is_none()
					&& !self.sending(id, Step::Commit)? =>
			{
				self.commit(chain, id, &task).await
			},
			StatusView::Revealing { round, .. }
				if claim.round == round
					&& claim.commitment.is_some()
					&& claim.result.is_none()
					&& !record.revealed
					&& !self.sending(id, Step::Reveal)? =>
			{
				self.reveal(id, task.claims.len() as u32).await
			},
			StatusView::Proving { round, .. }
				if claim.round == round
					&& claim.commitment.is_some()
					&& claim.result.is_none()
					&& !self.sending(id, Step::Proof)? =>
			{
				self.reveal_proof(chain, id).await
			},
			// The round's only prover, assigned without a commitment: proves, then submits.
			StatusView::Proving { round, .. }
				if claim.round == round
					&& claim.commitment.is_none()
					&& claim.result.is_none()
					&& !self.sending(id, Step::Proof)? =>
			{
				self.prove_assigned(chain, id, &task).await
			},
			StatusView::Attesting { round, .. }
				if claim.round == round && claim.result.is_none() && !record.revealed =>
			{
				self.submit_attested(chain, id, &task).await
			},
			StatusView::Posting { round, .. }
				if claim.round == round && claim.result.is_none() && !record.revealed =>
			{
				self.post_optimistic(chain, id, &task, round).await
			},
			StatusView::Challenging { round } if claim.round == round => {
				self.defend_optimistic(chain, id, &task, round).await
			},
			StatusView::Settled | StatusView::Undecided => {
				let agreed = task.result.as_ref().zip(claim.result).is_some_and(|(r, mine)| {
					aos_inference_primitives::result_key(&r.output, &r.top) == mine
				});
				tracing::info!(task = id, status = ?task.status, agreed, "task ended");
				self.metrics.tasks_ended.inc();
				if let Ok(mut p) = self.preparing.lock() {
					p.remove(&id);
				}
				if let Ok(mut a) = self.attested.lock() {
					a.remove(&id);
				}
				self.forget_run(id);
				Ok(self.store()?.finish(id)?)
			},
			_ => {
				if claim.commitment.is_some() && !record.committed {
					self.store()?.update_task(id, |r| r.committed = true)?;
				}
				Ok(())
			},
		}
	}
}

/// The task an event is about, if it concerns one this operator may follow.
fn task_named(event: &RuntimeEvent) -> Option<TaskId> {
	use pallet_opml::Event as Opml;
	use RuntimeEvent::{Inference as I, Opml as O};
	match event {
		I(InferenceEvent::ClaimsOpen { task, .. })
		| I(InferenceEvent::Claimed { task, .. })
		| I(InferenceEvent::Assigned { task, .. })
		| I(InferenceEvent::CommitPhase { task, .. })
		| I(InferenceEvent::Committed { task, .. })
		| I(InferenceEvent::RevealPhase { task, .. })
		| I(InferenceEvent::ProofPhase { task, .. })
		| I(InferenceEvent::AttestationPhase { task, .. })
		| I(InferenceEvent::PostingPhase { task, .. })
		| I(InferenceEvent::ResultPosted { task, .. })
		| I(InferenceEvent::ResultOverturned { task, .. })
		| I(InferenceEvent::Revealed { task, .. })
		| I(InferenceEvent::TaskSettled { task, .. })
		| I(InferenceEvent::TaskEscalated { task, .. })
		| I(InferenceEvent::TaskUndecided { task })
		| I(InferenceEvent::TaskProved { task, .. })
		| I(InferenceEvent::WorkItemFailed { task, .. })
		| O(Opml::ResultPosted { task, .. })
		| O(Opml::Challenged { task, .. })
		| O(Opml::Defended { task, .. })
		| O(Opml::Chosen { task, .. })
		| O(Opml::GameEnded { task, .. })
		| O(Opml::GameClosed { task, .. })
		| O(Opml::ResultStood { task, .. })
		| O(Opml::ResultOverturned { task, .. }) => Some(*task),
		_ => None,
	}
}
