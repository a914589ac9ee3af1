//! Deploying the AVS on a development network: the AllocationManager stand-in (unless one is
//! given) and `AOSServiceManager` with the chain's bootstrap checkpoint and quorum, from
//! forge's build output (`contracts/out`).

use crate::{
	eth::{updates, AOSServiceManager},
	Error,
};
use alloy::{
	network::TransactionBuilder,
	primitives::{Address, Bytes, FixedBytes},
	providers::{Provider, ProviderBuilder},
	rpc::types::TransactionRequest,
	sol_types::SolConstructor,
};
use aos_checkpoint_primitives::CheckpointStatus;
use aos_client::Chain;
use std::path::Path;

/// What `deploy` made.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployed {
	pub allocation_manager: Address,
	pub avs: Address,
	/// The AOS chain's genesis hash the contract checks digests against.
	pub chain: String,
	/// The bootstrap checkpoint's root and operator set.
	pub bootstrap_root: String,
	pub operators: usize,
	pub quorum: u32,
}

/// The creation code of contract `name` in forge's output directory `out`.
fn creation_code(out: &Path, name: &str) -> Result<Vec<u8>, Error> {
	let path = out.join(format!("{name}.sol")).join(format!("{name}.json"));
	let text = std::fs::read_to_string(&path).map_err(|e| {
		Error::Invalid(format!("{}: {e} (run `forge build` first)", path.display()))
	})?;
	let json: serde_json::Value = serde_json::from_str(&text)
		.map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
	let hex = json["bytecode"]["object"]
		.as_str()
		.ok_or_else(|| Error::Invalid(format!("{}: no bytecode", path.display())))?;
	hex::decode(hex.trim_start_matches("0x"))
		.map_err(|e| Error::Invalid(format!("{}: bytecode: {e}", path.display())))
}

async fn create<P: Provider>(provider: &P, code: Vec<u8>) -> Result<Address, Error> {
	let tx = TransactionRequest::default().with_deploy_code(Bytes::from(code));
	let receipt = provider
		.send_transaction(tx)
		.await
		.map_err(Error::eth)?
		.get_receipt()
		.await
		.map_err(Error::eth)?;
	receipt.contract_address.ok_or_else(|| Error::Eth("no contract address in the receipt".into()))
}

/// Deploys on `eth_url` with `key`, for the chain at `node_url`.
pub async fn deploy(
	node_url: &str,
	eth_url: alloy::transports::http::reqwest::Url,
	key: crate::key::TxKey,
	out: &Path,
	allocation_manager: Option<Address>,
	operator_set_id: u32,
) -> Result<Deployed, Error> {
	crate::install_crypto_provider();
	let chain = Chain::connect(node_url).await?;
	let finalized = chain.finalized_hash().await?;
	let bootstrap = chain.checkpoint(0, Some(finalized)).await?.ok_or_else(|| {
		Error::Invalid("the chain's finalized state has no bootstrap checkpoint yet".into())
	})?;
	if !matches!(bootstrap.status, CheckpointStatus::Final { .. }) {
		return Err(Error::Invalid("the bootstrap checkpoint is not final".into()));
	}
	let quorum = chain.checkpoint_params(Some(finalized)).await?.quorum.deconstruct();
	let provider = ProviderBuilder::new()
		.wallet(key.wallet)
		.connect_reqwest(crate::key::http_client()?, eth_url);
	let allocation_manager = match allocation_manager {
		Some(a) => a,
		None => create(&provider, creation_code(out, "AllocationManagerStandIn")?).await?,
	};
	let mut code = creation_code(out, "AOSServiceManager")?;
	code.extend(
		AOSServiceManager::constructorCall {
			chain_: FixedBytes(bootstrap.message.chain.0),
			allocationManager_: allocation_manager,
			operatorSetId_: operator_set_id,
			quorum_: quorum,
			bootstrapRoot: FixedBytes(bootstrap.message.root.0),
			initialSet: updates(&bootstrap.updates),
		}
		.abi_encode(),
	);
	let avs = create(&provider, code).await?;
	Ok(Deployed {
		allocation_manager,
		avs,
		chain: format!("{:?}", bootstrap.message.chain),
		bootstrap_root: format!("{:?}", bootstrap.message.root),
		operators: bootstrap.updates.len(),
		quorum,
	})
}
