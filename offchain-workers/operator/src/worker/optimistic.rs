//! Optimistic mode: this operator's own results posted and defended, and, as a challenger,
//! other operators' results re-executed and disputed when wrong (`pallet-opml`).
//!
//! Both sides keep nothing a restart could lose: a run's trace is computed again from the
//! model and the input (the kernel is deterministic), and where a game stands, whose move it
//! is and how much of each clock is left are read from the chain every block. The database
//! records only that a result was posted or challenged (before the transaction is sent), so
//! that neither happens twice.
//!
//! The trace is computed with the native kernel (`aos_kernel::infer`, every activation kept),
//! on a blocking thread, from a model file whose content hash and shape were checked when it
//! was fetched.

use aos_client::{
	runtime::{AccountId, Runtime, RuntimeCall},
	Chain, TaskView,
};
use aos_inference_primitives::TaskId;
use aos_kernel::{
	commit,
	trace::{recompute_from, Opening as Open, TraceTree},
	Model,
};
use pallet_opml::{GameOf, LayerShape, OneStep, Opening, Player};
use sp_core::H256;
use sp_runtime::BoundedVec;
use std::sync::Arc;

use super::{ChainError, GiveUp, Operator, Prepared, TaskError};
use crate::store::WatchRecord;

/// A run of a task's model on its input, every activation kept.
pub(crate) struct OptimisticRun {
	pub model: Model,
	pub tree: TraceTree,
}

impl OptimisticRun {
	/// Runs `prepared`'s model; with `lie_at`, one activation of that layer is changed and
	/// every later layer computed from it (`testing.wrong_activation`).
	fn compute(prepared: &Prepared, lie_at: Option<u32>) -> Result<Self, aos_kernel::ModelError> {
		let model = Model::from_file(&prepared.model_file)?;
		let trace = aos_kernel::infer(&model, &prepared.input)?;
		let mut outputs = aos_kernel::trace::layer_outputs(&trace);
		if let Some(layer) = lie_at.map(|l| l as usize) {
			let last = outputs.len().saturating_sub(1);
			if let Some(value) = outputs.get_mut(layer).and_then(|v| v.first_mut()) {
				// An int8 activation stays in range, so that the lie is only in the value.
				*value = if layer < last && *value >= 127 { *value - 1 } else { *value + 1 };
				recompute_from(&model, &mut outputs, layer);
			}
		}
		Ok(OptimisticRun { model, tree: TraceTree::from_outputs(outputs) })
	}

	fn shapes(&self) -> Vec<LayerShape> {
		self.model
			.layers
			.iter()
			.zip(commit::layer_roots(&self.model))
			.map(|(l, root)| LayerShape { inputs: l.inputs, outputs: l.outputs, root: H256(root) })
			.collect()
	}

	/// What the defender opens at `game`'s node.
	fn opening(&self, game: &GameOf<Runtime>) -> Option<Opening> {
		Some(match self.tree.opening(game.layer, game.node)? {
			Open::Children(left, right) => {
				Opening::Children { left: H256(left), right: H256(right) }
			},
			Open::Value(v) => Opening::Value(v),
		})
	}

	/// The challenger's one-step move at `game`'s neuron: the layer's input as this run has it
	/// (agreed with the defender's, the game being over the first layer they disagree on) and
	/// the neuron's weights with their proof.
	fn one_step(&self, game: &GameOf<Runtime>) -> Option<pallet_opml::OneStepOf<Runtime>> {
		let l = game.layer as usize;
		let layer = self.model.layers.get(l)?;
		let j = game.node.index;
		let proof = commit::prove(&commit::layer_leaves(game.layer, layer), j)?;
		let input: Vec<i8> = match l.checked_sub(1) {
			None => Vec::new(),
			Some(previous) => self
				.tree
				.values
				.get(previous)?
				.iter()
				.map(|v| (*v).clamp(-128, 127) as i8)
				.collect(),
		};
		Some(OneStep {
			input: BoundedVec::truncate_from(input),
			row: BoundedVec::truncate_from(layer.row(j)?.to_vec()),
			bias: *layer.biases.get(j as usize)?,
			output: layer.output,
			row_proof: BoundedVec::truncate_from(proof.siblings.into_iter().map(H256).collect()),
		})
	}
}

/// A run's key: its task, and the layer it lies at (`testing.wrong_activation`), if any.
pub(super) type RunKey = (TaskId, Option<u32>);

impl Operator {
	/// Task `id`'s run, made once per process (`lie_at`: the layer to lie at, if any). Runs
	/// are kept by (task, lie), so that an operator that posted a lie and later polices the
	/// task's next round compares it with the honest run, not with its own lie.
	async fn optimistic_run(
		&self,
		id: TaskId,
		prepared: Arc<Prepared>,
		lie_at: Option<u32>,
	) -> Result<Result<Arc<OptimisticRun>, aos_kernel::ModelError>, TaskError> {
		if let Some(run) = self.runs.lock().map_err(|_| TaskError::Poisoned)?.get(&(id, lie_at)) {
			return Ok(Ok(run.clone()));
		}
		let run = tokio::task::spawn_blocking(move || OptimisticRun::compute(&prepared, lie_at))
			.await
			.map_err(TaskError::KernelThread)?;
		Ok(run.map(|run| {
			let run = Arc::new(run);
			if let Ok(mut runs) = self.runs.lock() {
				runs.insert((id, lie_at), run.clone());
			}
			run
		}))
	}

	/// Forgets task `id`'s runs.
	pub(super) fn forget_run(&self, id: TaskId) {
		if let Ok(mut runs) = self.runs.lock() {
			runs.retain(|(task, _), _| *task != id);
		}
	}

	/// The layer this operator lies at in round `round` (`testing.wrong_activation`).
	fn lie_at(&self, round: u8) -> Option<u32> {
		self.config.testing.wrong_activation.filter(|w| round < w.rounds).map(|w| w.layer)
	}

	/// Posts this operator's result for task `id`, assigned to it in `round`.
	pub(super) async fn post_optimistic(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		round: u8,
	) -> Result<(), TaskError> {
		let prepared = self.prepared(id);
		let Some(prepared) = self.prepared_or_again(chain, id, task, prepared).await? else {
			return Ok(());
		};
		let lie_at = self.lie_at(round);
		let run = match self.optimistic_run(id, prepared, lie_at).await? {
			Ok(run) => run,
			Err(e) => return Ok(self.give_up(id, GiveUp::ModelRefused(e))?),
		};
		if let Some(layer) = lie_at {
			tracing::warn!(task = id, layer, "testing.wrong_activation: posting a wrong trace");
		}
		let logits = run.tree.values.last().cloned().unwrap_or_default();
		let call = pallet_opml::Call::<Runtime>::post_result {
			task: id,
			logits: BoundedVec::truncate_from(logits),
			roots: BoundedVec::truncate_from(run.tree.roots().into_iter().map(H256).collect()),
			layers: BoundedVec::truncate_from(run.shapes()),
		};
		match self.submit(chain, call.into()).await {
			Ok(included) => {
				self.store()?.update_task(id, |r| r.revealed = true)?;
				tracing::info!(
					task = id,
					block = included.block_number,
					trace = ?H256(run.tree.commitment()),
					"posted the optimistic result"
				);
			},
			Err(e) if e.certainly_failed() => tracing::warn!(task = id, "post refused: {e}"),
			Err(e) => tracing::warn!(task = id, "post outcome unknown, following the chain: {e}"),
		}
		Ok(())
	}

	/// Defends this operator's posted result of task `id`: opens what each game stands at,
	/// calls the time of challengers out of it, and finalizes the result when it stands.
	pub(super) async fn defend_optimistic(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
		round: u8,
	) -> Result<(), TaskError> {
		let Some(result) = chain.opml_result(id).await.map_err(ChainError::from)? else {
			return Ok(());
		};
		if result.defender != self.account() {
			return Ok(());
		}
		let prepared = self.prepared(id);
		let Some(prepared) = self.prepared_or_again(chain, id, task, prepared).await? else {
			return Ok(());
		};
		let run = match self.optimistic_run(id, prepared, self.lie_at(round)).await? {
			Ok(run) => run,
			Err(e) => return Ok(self.give_up(id, GiveUp::ModelRefused(e))?),
		};
		let now = chain.best_header().await.map_err(ChainError::from)?.number;
		let games = chain.opml_games(id).await.map_err(ChainError::from)?;
		for (challenger, game) in &games {
			let call = match game.turn() {
				Player::Defender => {
					let Some(opening) = run.opening(game) else {
						tracing::error!(task = id, ?game, "no opening for the game's node");
						continue;
					};
					tracing::info!(
						task = id,
						%challenger,
						layer = game.layer,
						level = game.node.level,
						index = game.node.index,
						?opening,
						"dispute: opening"
					);
					pallet_opml::Call::<Runtime>::defend {
						task: id,
						challenger: challenger.clone(),
						opening,
					}
				},
				Player::Challenger if now.saturating_sub(game.since) > game.challenger_clock => {
					tracing::info!(task = id, %challenger, "dispute: the challenger is out of time");
					pallet_opml::Call::<Runtime>::timeout {
						task: id,
						challenger: challenger.clone(),
					}
				},
				Player::Challenger => continue,
			};
			self.submit_move(chain, id, call.into()).await;
		}
		if games.is_empty() && now >= result.challenge_until {
			let call = pallet_opml::Call::<Runtime>::finalize { task: id };
			self.submit_move(chain, id, call.into()).await;
		}
		Ok(())
	}

	/// Submits a game's move; its outcome shows in the game's state on the next block.
	async fn submit_move(&self, chain: &Chain, id: TaskId, call: RuntimeCall) {
		match self.submit(chain, call).await {
			Ok(included) => tracing::debug!(task = id, block = included.block_number, "move in"),
			Err(e) => tracing::warn!(task = id, "dispute move: {e}"),
		}
	}

	/// Watches every watched optimistic result one step further. One result's error is logged;
	/// the others go on.
	pub(super) async fn police(&self, chain: &Chain) -> Result<(), crate::store::StoreError> {
		for (id, record) in self.store()?.open_watches()? {
			if let Err(e) = self.police_one(chain, id, record).await {
				self.metrics.task_errors.inc();
				tracing::warn!(task = id, "challenger: {e}");
			}
		}
		Ok(())
	}

	async fn police_one(
		&self,
		chain: &Chain,
		id: TaskId,
		mut record: WatchRecord,
	) -> Result<(), TaskError> {
		let me = self.account();
		let result = chain.opml_result(id).await.map_err(ChainError::from)?;
		let task = self.task(chain, id).await?;
		let (Some(result), Some(task)) = (result, task) else {
			// Stood or overturned: nothing left to dispute.
			self.forget_run(id);
			record.done = true;
			return Ok(self.store()?.put_watched(id, &record)?);
		};
		if result.challenge_until != record.until {
			// The record was of an earlier result of the task, ended; this one is new.
			record = WatchRecord { until: result.challenge_until, ..Default::default() };
			self.store()?.put_watched(id, &record)?;
		}
		if result.defender == me {
			record.done = true;
			return Ok(self.store()?.put_watched(id, &record)?);
		}
		let run = match self.honest_run(chain, id, &task).await? {
			Ok(run) => run,
			Err(why) => {
				tracing::warn!(task = id, "challenger: cannot check the result: {why}");
				record.done = true;
				record.failure = Some(why);
				return Ok(self.store()?.put_watched(id, &record)?);
			},
		};
		let now = chain.best_header().await.map_err(ChainError::from)?.number;
		let games = chain.opml_games(id).await.map_err(ChainError::from)?;
		let Some((_, game)) = games.iter().find(|(c, _)| *c == me) else {
			if record.challenged {
				// Our game ended (its outcome is in the events).
				self.forget_run(id);
				record.done = true;
				return Ok(self.store()?.put_watched(id, &record)?);
			}
			let theirs: Vec<[u8; 32]> = result.roots.iter().map(|r| r.0).collect();
			let Some(layer) = run.tree.first_disagreement(&theirs) else {
				tracing::info!(task = id, "challenger: the result agrees with this operator's run");
				self.forget_run(id);
				record.done = true;
				return Ok(self.store()?.put_watched(id, &record)?);
			};
			if now >= result.challenge_until {
				tracing::warn!(task = id, "challenger: a wrong result, seen too late to challenge");
				record.done = true;
				return Ok(self.store()?.put_watched(id, &record)?);
			}
			// Recorded first: never two challenges of one result.
			record.challenged = true;
			self.store()?.put_watched(id, &record)?;
			tracing::info!(task = id, layer, defender = %result.defender, "dispute: challenging");
			let call = pallet_opml::Call::<Runtime>::challenge { task: id, layer };
			self.submit_move(chain, id, call.into()).await;
			return Ok(());
		};
		let call = match (game.turn(), game.opened) {
			(Player::Challenger, Some(Opening::Children { left, .. })) => {
				let right = run.tree.choose_right(game.layer, game.node, &left.0);
				tracing::info!(
					task = id,
					layer = game.layer,
					level = game.node.level,
					index = game.node.index,
					right,
					"dispute: choosing"
				);
				pallet_opml::Call::<Runtime>::choose { task: id, right }
			},
			(Player::Challenger, Some(Opening::Value(claimed))) => {
				let Some(step) = run.one_step(game) else {
					tracing::error!(task = id, ?game, "no one-step move for the game's neuron");
					return Ok(());
				};
				tracing::info!(
					task = id,
					layer = game.layer,
					neuron = game.node.index,
					claimed,
					"dispute: the one-step check"
				);
				pallet_opml::Call::<Runtime>::one_step { task: id, step }
			},
			(Player::Defender, _) if now.saturating_sub(game.since) > game.defender_clock => {
				tracing::info!(task = id, "dispute: the defender is out of time");
				pallet_opml::Call::<Runtime>::timeout { task: id, challenger: me }
			},
			_ => return Ok(()),
		};
		self.submit_move(chain, id, call.into()).await;
		Ok(())
	}

	/// The honest run of task `id` (the model fetched and checked as for a claim), or why it
	/// cannot be made.
	async fn honest_run(
		&self,
		chain: &Chain,
		id: TaskId,
		task: &TaskView<AccountId>,
	) -> Result<Result<Arc<OptimisticRun>, String>, TaskError> {
		if let Some(run) = self.runs.lock().map_err(|_| TaskError::Poisoned)?.get(&(id, None)) {
			return Ok(Ok(run.clone()));
		}
		let Some(model) = self.model(chain, task.model).await? else {
			return Ok(Err(format!("model {:?} is not registered", task.model)));
		};
		let prepared =
			match super::prepare(&self.models, &task.model, &model.uri, model.inputs, &task.input)
				.await
			{
				Ok(p) => Arc::new(p),
				Err(e) => return Ok(Err(e.to_string())),
			};
		Ok(self.optimistic_run(id, prepared, None).await?.map_err(|e| format!("{e:?}")))
	}
}
