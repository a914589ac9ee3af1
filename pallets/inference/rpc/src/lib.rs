//! # AOS inference JSON-RPC
//!
//! The `aos_task`, `aos_tasks`, `aos_tasksOf` and `aos_model` methods, served by the node from the
//! runtime's [`InferenceApi`], for dApps and operators that read tasks and models without
//! decoding storage themselves.
//!
//! Answers are JSON views of the pallet's types ([`TaskView`], [`ModelView`]): field names in
//! camelCase, balances as decimal strings (they exceed JavaScript's safe integers), hashes as
//! `0x` hex, accounts in SS58. Every method takes an optional block hash, `at`, and reads the
//! best block without it. The same crate gives Rust callers a typed client
//! ([`InferenceApiClient`]).
//!
//! Bad parameters are JSON-RPC errors: malformed values are rejected by the server with
//! `-32602` (invalid params) and serde's message; the checks this crate makes have the codes of
//! [`Error`].

use codec::Codec;
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{ErrorObject, ErrorObjectOwned},
};
use serde::{Deserialize, Serialize};
use std::{marker::PhantomData, sync::Arc};

pub use aos_inference_primitives::MAX_TASKS_PAGE;
pub use aos_inference_primitives::{InferenceApi as InferenceRuntimeApi, ModelId, TaskId};

mod views;
pub use views::*;

/// The `aos_*` inference methods.
#[rpc(client, server, namespace = "aos")]
pub trait InferenceApi<BlockHash, AccountId> {
	/// Task `id` with its assigned operators, or `null` once it has been pruned (an ended task
	/// stays readable for the `retention` blocks of the pallet's parameters). An id that was
	/// never issued is an error.
	#[method(name = "task")]
	fn task(&self, id: TaskId, at: Option<BlockHash>) -> RpcResult<Option<TaskView<AccountId>>>;

	/// Tasks `ids` (at most 1,000), in their order, each as `aos_task` answers it, all read at
	/// the same block: what an operator or an indexer following many tasks reads once a block.
	#[method(name = "tasks")]
	fn tasks(
		&self,
		ids: Vec<TaskId>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<Option<TaskView<AccountId>>>>;

	/// Up to `limit` (default and most: 1,000) ids of `owner`'s tasks that are not pruned,
	/// starting after `after` (the last id of the previous page).
	#[method(name = "tasksOf")]
	fn tasks_of(
		&self,
		owner: AccountId,
		after: Option<TaskId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<TaskId>>;

	/// Model `id` (its content hash), registered or banned, or `null` if there is none.
	#[method(name = "model")]
	fn model(&self, id: ModelId, at: Option<BlockHash>) -> RpcResult<Option<ModelView<AccountId>>>;
}

/// The errors of the `aos_*` inference methods, by JSON-RPC error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
	/// The runtime API call failed (an unknown block hash, or a runtime without the API).
	RuntimeApi = 1,
	/// A task id that was never issued.
	UnknownTask = 1001,
	/// A page larger than [`MAX_TASKS_PAGE`] (`aos_tasksOf`'s `limit`, `aos_tasks`' ids).
	PageTooLarge = 1002,
}

impl Error {
	fn with(self, message: impl Into<String>) -> ErrorObjectOwned {
		ErrorObject::owned(self as i32, message.into(), None::<()>)
	}
}

fn runtime_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	Error::RuntimeApi.with(format!("runtime API call failed: {e}"))
}

/// Serves [`InferenceApiServer`] from a client whose runtime is `R`.
pub struct Inference<C, Block, R> {
	client: Arc<C>,
	_marker: PhantomData<(Block, R)>,
}

impl<C, Block, R> Inference<C, Block, R> {
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _marker: PhantomData }
	}
}

use pallet_inference::{ModelInfo, TaskInfo};
type ClaimOf<R> = pallet_inference::Claim<<R as frame_system::Config>::AccountId>;

/// Task `id` at block `at` with its claims; `None` once pruned, an error if never issued.
fn task_view<Block, Api, R>(
	api: &Api,
	at: Block::Hash,
	id: TaskId,
) -> RpcResult<Option<TaskView<R::AccountId>>>
where
	Block: sp_runtime::traits::Block,
	Api: InferenceRuntimeApi<Block, R::AccountId, TaskInfo<R>, ClaimOf<R>, ModelInfo<R>> + ?Sized,
	R: pallet_inference::Config,
	R::AccountId: Codec + Clone,
	pallet_inference::BalanceOf<R>: Into<u128>,
	frame_system::pallet_prelude::BlockNumberFor<R>: Into<u64>,
{
	let Some(task) = api.task(at, id).map_err(runtime_error)? else {
		let next = api.next_task_id(at).map_err(runtime_error)?;
		if id >= next {
			let known = match next.checked_sub(1) {
				Some(last) => format!("the highest task id so far is {last}"),
				None => "no task was submitted yet".into(),
			};
			return Err(Error::UnknownTask.with(format!("there is no task {id}: {known}")));
		}
		return Ok(None);
	};
	let claims = api.claims(at, id).map_err(runtime_error)?;
	Ok(Some(TaskView::new::<R>(id, task, claims)))
}

impl<C, Block, R> InferenceApiServer<<Block as sp_runtime::traits::Block>::Hash, R::AccountId>
	for Inference<C, Block, R>
where
	Block: sp_runtime::traits::Block,
	C: sp_api::ProvideRuntimeApi<Block>
		+ sp_blockchain::HeaderBackend<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: InferenceRuntimeApi<Block, R::AccountId, TaskInfo<R>, ClaimOf<R>, ModelInfo<R>>,
	R: pallet_inference::Config + Send + Sync + 'static,
	R::AccountId: Codec + Serialize + for<'de> Deserialize<'de> + Clone + Send + Sync,
	pallet_inference::BalanceOf<R>: Into<u128>,
	frame_system::pallet_prelude::BlockNumberFor<R>: Into<u64>,
{
	fn task(
		&self,
		id: TaskId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<TaskView<R::AccountId>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		task_view(&*self.client.runtime_api(), at, id)
	}

	fn tasks(
		&self,
		ids: Vec<TaskId>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<Option<TaskView<R::AccountId>>>> {
		if ids.len() > MAX_TASKS_PAGE as usize {
			return Err(Error::PageTooLarge.with(format!(
				"{} ids are more than one call reads, {MAX_TASKS_PAGE}",
				ids.len()
			)));
		}
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		// One runtime API instance for all: its state cache is shared by the reads.
		let api = self.client.runtime_api();
		ids.into_iter().map(|id| task_view(&*api, at, id)).collect()
	}

	fn tasks_of(
		&self,
		owner: R::AccountId,
		after: Option<TaskId>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<TaskId>> {
		let limit = limit.unwrap_or(MAX_TASKS_PAGE);
		if limit > MAX_TASKS_PAGE {
			return Err(Error::PageTooLarge
				.with(format!("limit {limit} is above the largest page, {MAX_TASKS_PAGE}")));
		}
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().tasks_of(at, owner, after, limit).map_err(runtime_error)
	}

	fn model(
		&self,
		id: ModelId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<ModelView<R::AccountId>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let model = self.client.runtime_api().model(at, id).map_err(runtime_error)?;
		Ok(model.map(|m| ModelView::new::<R>(id, m)))
	}
}
