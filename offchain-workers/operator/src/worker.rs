//! The operator's loop: follow the best chain; on every block handle its events (claims opening)
//! and bring every task the operator took one step further, as the chain's state of that task
//! says (commit in the commit phase, reveal in the reveal phase, close when it ends); send
//! heartbeats. The chain is the source of truth and the database keeps only what exists
//! nowhere else (results and salts), so a restart of either side resumes where things are.

use aos_client::{
	runtime::{self, AccountId, Runtime, RuntimeCall, RuntimeEvent},
	Chain, ModeView, StatusView, TaskView,
};
use aos_inference_primitives::{
	find_pow_nonce, is_selected, result_commitment, task_hash, vrf_output, vrf_transcript,
	RevealedResult, TaskId,
};
use aos_kernel::abi::Request;
use codec::Encode;
use pallet_inference::{Event as InferenceEvent, SamplingParams};
use sp_core::{crypto::VrfSecret, Pair, H256};
use sp_runtime::BoundedVec;
use std::{sync::Arc, time::Duration};

use crate::{
	config::Config,
	keys::{EthSigner, Keys},
	metrics::Metrics,
	models::ModelStore,
	prover::{ChainVk, Prover},
	sandbox::WasmKernel,
	store::{Evidence, Store, TaskRecord},
};

/// Blocks looked back over after a restart, at most.
const MAX_BACKFILL: u32 = 600;

/// The operator service.
pub struct Operator {
	pub config: Config,
	pub keys: Keys,
	pub eth: EthSigner,
	pub store: Store,
	pub models: ModelStore,
	pub kernel: Arc<WasmKernel>,
	/// Proves Zk-mode tasks; none: they are not claimed.
	pub prover: Option<Prover>,
	pub metrics: Metrics,
}

impl Operator {
	fn account(&self) -> AccountId {
		self.keys.account_id()
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
			self.on_block(&chain, head.number).await?;
			self.heartbeat(&chain, head.number, &mut heartbeat_due).await?;
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
		let included = chain
			.submit(&self.keys.account, call.into())
			.await
			.map_err(|e| format!("registering: {e}"))?;
		tracing::info!(block = included.block_number, eth = ?self.eth.address(), "registered");
		Ok(())
	}

	/// Handles the blocks since the last one handled, up to `best`.
	async fn on_block(&self, chain: &Chain, best: u32) -> Result<(), String> {
		let last = self.store.last_block()?;
		let from =
			last.map_or(best, |l| l.saturating_add(1)).max(best.saturating_sub(MAX_BACKFILL));
		for number in from..=best {
			let Some(hash) = chain.block_hash(number).await.map_err(|e| e.to_string())? else {
				break;
			};
			for record in chain.events(hash).await.map_err(|e| e.to_string())? {
				if let RuntimeEvent::Inference(event) = record.event {
					self.on_event(chain, event).await?;
				}
			}
			self.store.set_last_block(number)?;
		}
		self.advance_tasks(chain).await
	}

	async fn on_event(&self, chain: &Chain, event: InferenceEvent<Runtime>) -> Result<(), String> {
		let me = self.account();
		match event {
			InferenceEvent::ClaimsOpen { task, round, tranche, .. } => {
				self.try_claim(chain, task, round, tranche).await?
			},
			InferenceEvent::OperatorPaid { task, operator, amount } if operator == me => {
				self.metrics.paid.inc_by(amount as f64 / runtime::UNITS as f64);
				tracing::info!(task, amount, "paid");
			},
			InferenceEvent::OperatorLiquidated { task, operator } if operator == me => {
				self.metrics.liquidated.inc();
				tracing::error!(task, "reported for liquidation: this operator's result lost");
			},
			_ => {},
		}
		Ok(())
	}

	/// Evaluates the VRF for task `id` and claims it when selected.
	async fn try_claim(
		&self,
		chain: &Chain,
		id: TaskId,
		round: u8,
		tranche: u8,
	) -> Result<(), String> {
		if self.store.task(id)?.is_some() {
			return Ok(());
		}
		let Some(task) = self.task(chain, id).await? else { return Ok(()) };
		let (Some(randomness), StatusView::Claiming { .. }) = (task.randomness, task.status) else {
			return Ok(());
		};
		if task.mode == ModeView::Zk {
			if let Err(why) = self.can_prove(chain, &task.model).await? {
				tracing::info!(task = id, "not claiming a Zk-mode task: {why}");
				return Ok(());
			}
		}
		let Some(state) =
			chain.operator(&self.account()).await.map_err(|e| format!("aos_operator: {e}"))?
		else {
			return Err("this account is no longer an operator".into());
		};
		let active: pallet_operators::ActiveSet<runtime::Balance> = chain
			.storage("Operators::Active", &pallet_operators::Active::<Runtime>::hashed_key(), None)
			.await
			.map_err(|e| e.to_string())?
			.unwrap_or_default();
		let transcript = vrf_transcript(&task_hash(id), &randomness.0);
		let signature = self.keys.vrf.vrf_sign(&transcript.clone().into_sign_data());
		let output = vrf_output(&self.keys.vrf.public(), &transcript, &signature.pre_output)
			.ok_or("the VRF output cannot be derived")?;
		let target =
			pallet_inference::Pallet::<Runtime>::selection_target(task.redundancy, round, tranche);
		if !is_selected(output, state.total_stake, active.stake, target) {
			tracing::debug!(task = id, round, tranche, "not selected");
			return Ok(());
		}
		let pre_output: [u8; 32] =
			signature.pre_output.encode().try_into().map_err(|_| "VRF pre-output")?;
		let proof: [u8; 64] = signature.proof.encode().try_into().map_err(|_| "VRF proof")?;
		// Recorded first: a claim that lands while this process dies is still followed.
		let record =
			TaskRecord { round, evidence: None, committed: false, revealed: false, done: false };
		self.store.put_task(id, &record)?;
		let call = pallet_inference::Call::<Runtime>::claim { task: id, pre_output, proof };
		match chain.submit(&self.keys.account, call.into()).await {
			Ok(included) => {
				self.metrics.claims.inc();
				tracing::info!(task = id, round, tranche, block = included.block_number, "claimed");
				// A Zk-mode task is proved, not computed, once its proof window opens.
				if task.mode != ModeView::Zk {
					self.compute(chain, id, &task).await?;
				}
			},
			Err(e) => {
				tracing::warn!(task = id, "claim failed: {e}");
				self.store.update_task(id, |r| r.done = true)?;
			},
		}
		Ok(())
	}

	async fn task(&self, chain: &Chain, id: TaskId) -> Result<Option<TaskView<AccountId>>, String> {
		match chain.task(id).await {
			Ok(task) => Ok(task),
			Err(e) => Err(format!("aos_task {id}: {e}")),
		}
	}

	/// Runs the model for task `id` and records the evidence to commit to.
	async fn compute(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
	) -> Result<(), String> {
		if self.store.task(id)?.and_then(|r| r.evidence).is_some() {
			return Ok(());
		}
		let model = chain
			.model(task.model)
			.await
			.map_err(|e| format!("aos_model: {e}"))?
			.ok_or_else(|| format!("task {id}'s model {:?} is not registered", task.model))?;
		let model_file = self.models.get(&task.model, &model.uri).await?;
		let input = match &task.input {
			pallet_inference_rpc::InputView::Inline(values) => values.clone(),
			pallet_inference_rpc::InputView::Remote { hash, uri } => {
				let bytes = crate::models::fetch(uri).await?;
				if sp_crypto_hashing::blake2_256(&bytes) != hash.0 {
					return Err(format!("task {id}'s input from {uri} does not hash to {hash:?}"));
				}
				bytes.into_iter().map(|b| b as i8).collect()
			},
		};
		let operator = self.account().encode();
		let request = Request {
			model_file,
			input,
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
		.map_err(|e| format!("the kernel's thread: {e}"))?
		.map_err(|e| format!("task {id}: {e}"))?;
		self.metrics.kernel_seconds.observe(started.elapsed().as_secs_f64());
		self.metrics.kernel_fuel.observe(metered.fuel as f64);
		let mut run =
			metered.reply.map_err(|e| format!("task {id}: the model refused the input: {e:?}"))?;
		if self.config.testing.wrong_results {
			// Test-only: a plausible but wrong answer, consistent with itself.
			if let Some(first) = run.logits.first_mut() {
				*first = first.wrapping_add(1000);
			}
			run.output = aos_kernel::output_digest(&run.logits);
			tracing::warn!(task = id, "testing.wrong_results: reporting a wrong result");
		}
		let params = chain.inference_params().await.map_err(|e| e.to_string())?;
		let hash = task_hash(id);
		let pow_nonce = find_pow_nonce(&hash, &operator, &run.output, params.pow_difficulty);
		let evidence = Evidence {
			output: run.output,
			top: run.top,
			samples: run.samples,
			intermediates: run.intermediates,
			salt: rand::random(),
			pow_nonce,
		};
		tracing::info!(task = id, output = ?H256(evidence.output), top = ?evidence.top, "computed");
		self.store.update_task(id, |r| r.evidence = Some(evidence))
	}

	/// Moves every open task one step, as its state on chain says.
	async fn advance_tasks(&self, chain: &Chain) -> Result<(), String> {
		for (id, record) in self.store.open_tasks()? {
			let Some(task) = self.task(chain, id).await? else {
				self.store.update_task(id, |r| r.done = true)?;
				continue;
			};
			let me = self.account();
			let Some(claim) = task.claims.iter().find(|c| c.operator == me) else {
				// The claim did not land (or not yet, while claims are open).
				if !matches!(
					task.status,
					StatusView::Claiming { .. } | StatusView::AwaitingRandomness { .. }
				) {
					self.store.update_task(id, |r| r.done = true)?;
				}
				continue;
			};
			match task.status {
				StatusView::Revealing { .. }
					if task.mode == ModeView::Zk && claim.result.is_none() && !record.revealed =>
				{
					self.prove(chain, id, &task).await?
				},
				StatusView::Committing { round, .. }
					if claim.round == round && claim.commitment.is_none() =>
				{
					self.commit(chain, id, &task).await?
				},
				StatusView::Revealing { round, .. }
					if claim.round == round
						&& claim.commitment.is_some()
						&& claim.result.is_none() =>
				{
					self.reveal(chain, id).await?
				},
				StatusView::Settled | StatusView::Undecided => {
					let agreed = task.result.as_ref().zip(claim.result).is_some_and(|(r, mine)| {
						pallet_inference::result_key(&r.output, &r.top) == mine
					});
					tracing::info!(task = id, status = ?task.status, agreed, "task ended");
					self.metrics.tasks_ended.inc();
					self.store.update_task(id, |r| r.done = true)?;
				},
				_ => {
					if claim.commitment.is_some() && !record.committed {
						self.store.update_task(id, |r| r.committed = true)?;
					}
				},
			}
		}
		Ok(())
	}

	async fn commit(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
	) -> Result<(), String> {
		self.compute(chain, id, task).await?;
		let record = self.store.task(id)?.ok_or("no record")?;
		let evidence = record.evidence.ok_or("no evidence")?;
		let operator = self.account().encode();
		let commitment = result_commitment(
			&task_hash(id),
			&operator,
			RevealedResult {
				output: &evidence.output,
				top: &evidence.top,
				samples: &evidence.samples,
				intermediates: &evidence.intermediates,
			},
			&evidence.salt,
		);
		let call =
			pallet_inference::Call::<Runtime>::commit { task: id, commitment: H256(commitment) };
		match chain.submit(&self.keys.account, call.into()).await {
			Ok(included) => {
				self.metrics.commits.inc();
				self.store.update_task(id, |r| r.committed = true)?;
				tracing::info!(task = id, block = included.block_number, "committed");
			},
			Err(e) => tracing::warn!(task = id, "commit failed: {e}"),
		}
		Ok(())
	}

	async fn reveal(&self, chain: &Chain, id: TaskId) -> Result<(), String> {
		let record = self.store.task(id)?.ok_or("no record")?;
		let Some(e) = record.evidence else {
			tracing::error!(task = id, "committed on chain, but this database has no evidence");
			return self.store.update_task(id, |r| r.done = true);
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
		match chain.submit(&self.keys.account, RuntimeCall::from(call)).await {
			Ok(included) => {
				self.metrics.reveals.inc();
				self.store.update_task(id, |r| r.revealed = true)?;
				tracing::info!(task = id, block = included.block_number, "revealed");
			},
			Err(e) => tracing::warn!(task = id, "reveal failed: {e}"),
		}
		Ok(())
	}

	/// The verifying key the chain links to `model`, if any.
	async fn chain_vk(&self, chain: &Chain, model: H256) -> Result<Option<ChainVk>, String> {
		let link: Option<pallet_zk_verifier::ModelVk> = chain
			.storage(
				"ZkVerifier::ModelVks",
				&pallet_zk_verifier::ModelVks::<Runtime>::hashed_key_for(model),
				None,
			)
			.await
			.map_err(|e| e.to_string())?;
		let Some(link) = link else { return Ok(None) };
		let vka: Option<Vec<u8>> = chain
			.storage(
				"ZkVerifier::VkBytes",
				&pallet_zk_verifier::VkBytes::<Runtime>::hashed_key_for(link.vk),
				None,
			)
			.await
			.map_err(|e| e.to_string())?;
		Ok(vka.map(|vka| ChainVk { vka, input_scale: link.input_scale }))
	}

	/// Whether this operator can prove tasks of `model`: `Ok(Err(why))` if not.
	async fn can_prove(&self, chain: &Chain, model: &H256) -> Result<Result<(), String>, String> {
		let Some(prover) = &self.prover else {
			return Ok(Err("the config has no `zk` section".into()));
		};
		let Some(vk) = self.chain_vk(chain, *model).await? else {
			return Ok(Err(format!("the chain links no verifying key to model {model:?}")));
		};
		Ok(prover.check_circuit(model, &vk))
	}

	/// Proves Zk-mode task `id` with ezkl and submits the proof.
	async fn prove(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
	) -> Result<(), String> {
		let (Some(prover), Some(vk)) = (&self.prover, self.chain_vk(chain, task.model).await?)
		else {
			tracing::error!(task = id, "claimed a Zk-mode task it cannot prove any more");
			return self.store.update_task(id, |r| r.done = true);
		};
		let pallet_inference_rpc::InputView::Inline(input) = &task.input else {
			tracing::error!(task = id, "a Zk-mode task without an inline input");
			return self.store.update_task(id, |r| r.done = true);
		};
		let proved = match prover.prove(id, &task.model, input, &vk).await {
			Ok(proved) => proved,
			Err(e) => {
				// Not retried every block: a proof takes seconds, and the failure is logged.
				tracing::error!(task = id, "cannot prove: {e}");
				return self.store.update_task(id, |r| r.done = true);
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
		let call = pallet_zk_verifier::Call::<Runtime>::submit_proof {
			task: id,
			proof: BoundedVec::truncate_from(proved.proof),
			instances: BoundedVec::truncate_from(proved.instances),
		};
		match chain.submit(&self.keys.account, RuntimeCall::from(call)).await {
			Ok(included) => {
				self.metrics.proofs.inc();
				self.store.update_task(id, |r| r.revealed = true)?;
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
			Err(e) => tracing::warn!(task = id, "proof submission failed: {e}"),
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
		match chain.submit(&self.keys.account, call.into()).await {
			Ok(included) => {
				*due = next_window;
				self.metrics.heartbeats.inc();
				tracing::debug!(block = included.block_number, "heartbeat");
			},
			// Tried again at the next block.
			Err(e) => tracing::warn!("heartbeat failed: {e}"),
		}
		Ok(())
	}
}
