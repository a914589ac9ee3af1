//! The node's JSON-RPC methods beyond the ones sc-service provides (`system_*`, `chain_*`,
//! `state_*`, `author_*` and the new `chainHead`/`transaction` APIs): account nonces
//! (`system_accountNextIndex`), fees (`payment_*`), BABE (`babe_epochAuthorship`) and GRANDPA
//! (`grandpa_*`), and AOS's own (`aos_*`: tasks, models and operators, see docs/RPC.md).

use aos_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Nonce, Runtime};
use jsonrpsee::RpcModule;
use sc_consensus_babe::BabeWorkerHandle;
use sc_consensus_grandpa::{
	FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
};
use sc_rpc::SubscriptionTaskExecutor;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_consensus::SelectChain;
use sp_consensus_babe::BabeApi;
use sp_keystore::KeystorePtr;
use std::sync::Arc;

/// What the BABE RPC needs.
pub struct BabeDeps {
	/// The keystore, to tell which slots this node's keys may author.
	pub keystore: KeystorePtr,
	/// Handle to the BABE worker, for epoch data.
	pub worker_handle: BabeWorkerHandle<Block>,
}

/// What the GRANDPA RPC needs.
pub struct GrandpaDeps<B> {
	/// State of the voter.
	pub shared_voter_state: SharedVoterState,
	/// The current authority set.
	pub shared_authority_set: SharedAuthoritySet<<Block as sp_runtime::traits::Block>::Hash, u32>,
	/// Stream of justifications, for subscriptions.
	pub justification_stream: GrandpaJustificationStream<Block>,
	/// Runs subscription tasks.
	pub subscription_executor: SubscriptionTaskExecutor,
	/// Makes finality proofs.
	pub finality_provider: Arc<FinalityProofProvider<B, Block>>,
}

/// Everything the RPC extensions need.
pub struct FullDeps<C, P, SC, B> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// Fork choice.
	pub select_chain: SC,
	/// BABE.
	pub babe: BabeDeps,
	/// GRANDPA.
	pub grandpa: GrandpaDeps<B>,
}

/// Builds the RPC extensions of a full node.
pub fn create_full<C, P, SC, B>(
	deps: FullDeps<C, P, SC, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ BabeApi<Block>
		+ BlockBuilder<Block>
		+ pallet_inference_rpc::InferenceRuntimeApi<
			Block,
			AccountId,
			pallet_inference::TaskInfo<Runtime>,
			pallet_inference::Claim<AccountId>,
			pallet_inference::ModelInfo<Runtime>,
		> + pallet_operators_rpc::OperatorsRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	P: TransactionPool + 'static,
	SC: SelectChain<Block> + 'static,
	B: sc_client_api::Backend<Block> + Send + Sync + 'static,
	B::State: sc_client_api::StateBackend<sp_runtime::traits::HashingFor<Block>>,
{
	use pallet_inference_rpc::{Inference, InferenceApiServer};
	use pallet_operators_rpc::{Operators, OperatorsApiServer};
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use sc_consensus_babe_rpc::{Babe, BabeApiServer};
	use sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let FullDeps { client, pool, select_chain, babe, grandpa } = deps;
	let mut module = RpcModule::new(());

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(Inference::<_, Block, Runtime>::new(client.clone()).into_rpc())?;
	module.merge(OperatorsApiServer::<_, AccountId, Balance, BlockNumber>::into_rpc(
		Operators::new(client.clone()),
	))?;
	module.merge(Babe::new(client, babe.worker_handle, babe.keystore, select_chain).into_rpc())?;
	module.merge(
		Grandpa::new(
			grandpa.subscription_executor,
			grandpa.shared_authority_set,
			grandpa.shared_voter_state,
			grandpa.justification_stream,
			grandpa.finality_provider,
		)
		.into_rpc(),
	)?;

	Ok(module)
}
