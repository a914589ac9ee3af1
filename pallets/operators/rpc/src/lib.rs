//! # AOS operators JSON-RPC
//!
//! The `aos_operator` and `aos_stake` methods, served by the node from the runtime's
//! [`OperatorsApi`]: an operator's status, stake, VRF key and pending slashes, and one
//! staker's position with it. The answers are [`OperatorState`] and [`StakeState`] in JSON:
//! camelCase fields, balances as decimal strings, accounts in SS58. Both methods take an
//! optional block hash, `at`, and read the best block without it. [`OperatorsApiClient`] is the
//! typed client for Rust callers.

use codec::Codec;
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{ErrorObject, ErrorObjectOwned},
};
use serde::{de::DeserializeOwned, Serialize};
use std::{fmt::Display, marker::PhantomData, str::FromStr, sync::Arc};

pub use aos_operators_primitives::{
	OperatorState, OperatorsApi as OperatorsRuntimeApi, StakeState,
};

/// The `aos_*` operator methods.
#[rpc(client, server, namespace = "aos")]
pub trait OperatorsApi<BlockHash, AccountId, Balance, BlockNumber>
where
	Balance: Display + FromStr + Copy,
	BlockNumber: Serialize + DeserializeOwned + Copy,
{
	/// `operator`'s state, or `null` if it is not a registered operator.
	#[method(name = "operator")]
	fn operator(
		&self,
		operator: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<OperatorState<Balance, BlockNumber>>>;

	/// `staker`'s stake with `operator` (the operator's own when they are the same account), or
	/// `null` if it has none.
	#[method(name = "stake")]
	fn stake(
		&self,
		operator: AccountId,
		staker: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<StakeState<Balance, BlockNumber>>>;
}

/// JSON-RPC error code of a failed runtime API call (an unknown block hash, or a runtime
/// without the API).
pub const RUNTIME_API_ERROR: i32 = 1;

fn runtime_error(e: impl Display) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_API_ERROR, format!("runtime API call failed: {e}"), None::<()>)
}

/// Serves [`OperatorsApiServer`] from a client.
pub struct Operators<C, Block> {
	client: Arc<C>,
	_marker: PhantomData<Block>,
}

impl<C, Block> Operators<C, Block> {
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _marker: PhantomData }
	}
}

impl<C, Block, AccountId, Balance, BlockNumber>
	OperatorsApiServer<<Block as sp_runtime::traits::Block>::Hash, AccountId, Balance, BlockNumber>
	for Operators<C, Block>
where
	Block: sp_runtime::traits::Block,
	C: sp_api::ProvideRuntimeApi<Block>
		+ sp_blockchain::HeaderBackend<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: OperatorsRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	AccountId: Codec + Serialize + DeserializeOwned + Send + Sync + 'static,
	Balance: Codec + Display + FromStr + Copy + Send + Sync + 'static,
	BlockNumber: Codec + Serialize + DeserializeOwned + Copy + Send + Sync + 'static,
{
	fn operator(
		&self,
		operator: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<OperatorState<Balance, BlockNumber>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().operator(at, operator).map_err(runtime_error)
	}

	fn stake(
		&self,
		operator: AccountId,
		staker: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<StakeState<Balance, BlockNumber>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().stake_of(at, operator, staker).map_err(runtime_error)
	}
}
