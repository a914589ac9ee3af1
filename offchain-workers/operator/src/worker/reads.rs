//! What the operator reads of the chain, read once a block: the tasks it follows, in one
//! `aos_tasks` call rather than one call each; operators' selection stakes; models. Under load
//! an operator follows hundreds of tasks, and the node serves three operators and the dApps
//! from the same cores: per-task calls, several per task per block, were what made operators
//! fall behind.
//!
//! Everything is read at the block being handled (its hash), so that the task views and the
//! account's nonce agree, and is forgotten when the next block is handled.

use aos_client::{runtime::AccountId, Chain, Hash, ModelView, TaskView};
use aos_inference_primitives::TaskId;
use sp_core::H256;
use std::collections::HashMap;

use super::{ChainError, Operator};

/// The reads of one block.
#[derive(Default)]
pub(super) struct Reads {
	/// The block they are of; none before the first block is handled (reads go to the best
	/// block then).
	at: Option<Hash>,
	tasks: HashMap<TaskId, Option<TaskView<AccountId>>>,
	/// This operator's selection stake, by the block the task's randomness is from.
	stakes: HashMap<u64, Option<u128>>,
	models: HashMap<H256, Option<ModelView<AccountId>>>,
}

impl Operator {
	/// Forgets the last block's reads: what is read next is read at block `at`.
	pub(super) fn read_at(&self, at: Hash) {
		if let Ok(mut reads) = self.reads.lock() {
			*reads = Reads { at: Some(at), ..Default::default() };
		}
	}

	/// Reads the tasks of `ids` not read yet at this block, in one call.
	pub(super) async fn prefetch(
		&self,
		chain: &Chain,
		ids: impl IntoIterator<Item = TaskId>,
	) -> Result<(), ChainError> {
		let (at, missing) = match self.reads.lock() {
			Ok(reads) => {
				let mut missing: Vec<TaskId> =
					ids.into_iter().filter(|id| !reads.tasks.contains_key(id)).collect();
				missing.sort_unstable();
				missing.dedup();
				(reads.at, missing)
			},
			Err(_) => return Ok(()),
		};
		if missing.is_empty() {
			return Ok(());
		}
		let first = missing.first().copied().unwrap_or_default();
		let views = chain
			.tasks(&missing, at)
			.await
			.map_err(|source| ChainError::Task { id: first, source })?;
		if let Ok(mut reads) = self.reads.lock() {
			if reads.at == at {
				reads.tasks.extend(missing.into_iter().zip(views));
			}
		}
		Ok(())
	}

	/// Task `id` as the block being handled has it; none once pruned.
	pub(super) async fn task(
		&self,
		chain: &Chain,
		id: TaskId,
	) -> Result<Option<TaskView<AccountId>>, ChainError> {
		if let Some(view) = self.reads.lock().ok().and_then(|r| r.tasks.get(&id).cloned()) {
			return Ok(view);
		}
		self.prefetch(chain, [id]).await?;
		match self.reads.lock().ok().and_then(|r| r.tasks.get(&id).cloned()) {
			Some(view) => Ok(view),
			// The block changed while reading: read it alone.
			None => {
				let views = chain
					.tasks(&[id], None)
					.await
					.map_err(|source| ChainError::Task { id, source })?;
				Ok(views.into_iter().next().flatten())
			},
		}
	}

	/// This operator's selection stake for randomness from block `from`, if it may take tasks.
	pub(super) async fn selection_stake(
		&self,
		chain: &Chain,
		from: u64,
	) -> Result<Option<u128>, ChainError> {
		let me = self.account();
		self.read_once(
			|r| &mut r.stakes,
			from,
			|at| async move { chain.selection_stake(&me, from, at).await.map_err(ChainError::Operator) },
		)
		.await
	}

	/// Model `id`, registered or banned; none if there is no such model.
	pub(super) async fn model(
		&self,
		chain: &Chain,
		id: H256,
	) -> Result<Option<ModelView<AccountId>>, ChainError> {
		self.read_once(
			|r| &mut r.models,
			id,
			|at| async move { chain.model(id, at).await.map_err(ChainError::Model) },
		)
		.await
	}

	/// The value under `key` in the block's reads (`map`), read with `read` at the block
	/// being handled the first time it is asked for. A value read while the next block came is
	/// returned but not kept.
	async fn read_once<K, V, Fut>(
		&self,
		map: impl Fn(&mut Reads) -> &mut HashMap<K, V>,
		key: K,
		read: impl FnOnce(Option<Hash>) -> Fut,
	) -> Result<V, ChainError>
	where
		K: std::hash::Hash + Eq,
		V: Clone,
		Fut: std::future::Future<Output = Result<V, ChainError>>,
	{
		let at = match self.reads.lock() {
			Ok(mut reads) => {
				if let Some(value) = map(&mut reads).get(&key) {
					return Ok(value.clone());
				}
				reads.at
			},
			Err(_) => None,
		};
		let value = read(at).await?;
		if let Ok(mut reads) = self.reads.lock() {
			if reads.at == at {
				map(&mut reads).insert(key, value.clone());
			}
		}
		Ok(value)
	}
}
