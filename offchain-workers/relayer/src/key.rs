//! The relayer's transaction key: a local key file, or a Web3Signer-compatible remote signer
//! (its Ethereum JSON-RPC `eth_signTransaction`, which keeps the key in the signer's vault or
//! HSM), and the HTTP client every Ethereum request goes through, with a deadline.
//!
//! A remote signer is not trusted with more than its signature: the transaction it returns
//! must be the one asked for (same signing hash: chain, nonce, fees, gas, target, data) and
//! signed by the configured address, or nothing is sent.

use crate::Error;
use alloy::{
	consensus::{SignableTransaction, Transaction, TxEnvelope},
	eips::{Decodable2718, Typed2718},
	network::{EthereumWallet, TxSigner},
	primitives::{Address, Bytes, Signature, TxKind},
	providers::{Provider, ProviderBuilder, RootProvider},
	signers::local::PrivateKeySigner,
	transports::http::reqwest,
};
use std::time::Duration;

/// Every Ethereum JSON-RPC request (node or signer) is given this long: a node or signer that
/// hangs is an error the relay loop retries, never a loop stuck for good.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The HTTP client for Ethereum JSON-RPC endpoints, with [`REQUEST_TIMEOUT`].
pub fn http_client() -> Result<reqwest::Client, Error> {
	crate::install_crypto_provider();
	reqwest::Client::builder()
		.timeout(REQUEST_TIMEOUT)
		.connect_timeout(Duration::from_secs(10))
		.build()
		.map_err(|e| Error::Invalid(format!("HTTP client: {e}")))
}

/// A transaction key, as the providers sign with it.
#[derive(Clone, Debug)]
pub struct TxKey {
	/// The account the transactions come from.
	pub address: Address,
	/// The wallet that signs them (locally or through the remote signer).
	pub wallet: EthereumWallet,
}

impl TxKey {
	/// A key held in this process.
	pub fn local(key: PrivateKeySigner) -> TxKey {
		TxKey { address: key.address(), wallet: EthereumWallet::from(key) }
	}

	/// The key of `address` at the Web3Signer-compatible signer `url`. Fails at once, with the
	/// accounts it holds, when the signer does not hold that key.
	pub async fn web3signer(url: reqwest::Url, address: Address) -> Result<TxKey, Error> {
		let provider = ProviderBuilder::new()
			.disable_recommended_fillers()
			.connect_reqwest(http_client()?, url.clone());
		let accounts = provider.get_accounts().await.map_err(|e| {
			Error::Invalid(format!("the Web3Signer at {url} does not answer eth_accounts: {e}"))
		})?;
		if !accounts.contains(&address) {
			let held: Vec<String> = accounts.iter().map(Address::to_string).collect();
			return Err(Error::Invalid(format!(
				"the Web3Signer at {url} holds no key for {address} (it holds [{}])",
				held.join(", ")
			)));
		}
		let signer = RemoteSigner { provider, url, address };
		Ok(TxKey { address, wallet: EthereumWallet::from(signer) })
	}
}

/// A Web3Signer-compatible signer, as a transaction signer of alloy's wallets.
#[derive(Debug)]
struct RemoteSigner {
	provider: RootProvider,
	url: reqwest::Url,
	address: Address,
}

/// `q` as an Ethereum JSON-RPC quantity.
fn quantity(q: impl Into<u128>) -> String {
	format!("{:#x}", q.into())
}

/// The `eth_signTransaction` object for `tx` from `from`: exactly the fields Web3Signer
/// documents (its chain id is its own setting, checked on the answer). Transaction kinds the
/// relayer never makes (blobs, authorizations, access lists) are refused.
pub fn sign_request(
	from: Address,
	tx: &dyn SignableTransaction<Signature>,
) -> Result<serde_json::Value, String> {
	let mut o = serde_json::json!({
		"from": from,
		"gas": quantity(tx.gas_limit()),
		"nonce": quantity(tx.nonce()),
		"value": format!("{:#x}", tx.value()),
		"data": tx.input(),
	});
	if let TxKind::Call(to) = tx.kind() {
		o["to"] = serde_json::json!(to);
	}
	if tx.access_list().is_some_and(|l| !l.is_empty()) {
		return Err("a transaction with an access list".into());
	}
	match tx.ty() {
		0 => o["gasPrice"] = quantity(tx.gas_price().unwrap_or_default()).into(),
		2 => {
			o["maxFeePerGas"] = quantity(tx.max_fee_per_gas()).into();
			o["maxPriorityFeePerGas"] =
				quantity(tx.max_priority_fee_per_gas().unwrap_or_default()).into();
		},
		ty => return Err(format!("a transaction of type {ty}")),
	}
	Ok(o)
}

/// Checks the signer's answer `raw` against what was asked (`tx`, from `from`): the same
/// signing hash, and a signature that recovers to `from`.
pub fn check_signed(
	from: Address,
	tx: &dyn SignableTransaction<Signature>,
	raw: &[u8],
) -> Result<Signature, String> {
	let signed = TxEnvelope::decode_2718(&mut &raw[..])
		.map_err(|e| format!("returned no transaction ({e})"))?;
	if signed.signature_hash() != tx.signature_hash() {
		return Err(format!(
			"signed another transaction than the one asked for (chain {:?}, nonce {}, type {}: \
			 asked chain {:?}, nonce {}, type {}); is its chain id this network's?",
			signed.chain_id(),
			signed.nonce(),
			signed.ty(),
			tx.chain_id(),
			tx.nonce(),
			tx.ty()
		));
	}
	let signature = *signed.signature();
	match signature.recover_address_from_prehash(&tx.signature_hash()) {
		Ok(signer) if signer == from => Ok(signature),
		Ok(signer) => Err(format!("signed with the key of {signer}, not of {from}")),
		Err(e) => Err(format!("returned a signature that recovers no key ({e})")),
	}
}

#[async_trait::async_trait]
impl TxSigner<Signature> for RemoteSigner {
	fn address(&self) -> Address {
		self.address
	}

	async fn sign_transaction(
		&self,
		tx: &mut dyn SignableTransaction<Signature>,
	) -> alloy::signers::Result<Signature> {
		let fail = |what: String| {
			alloy::signers::Error::other(format!("the Web3Signer at {}: {what}", self.url))
		};
		let request = sign_request(self.address, tx).map_err(|e| fail(format!("{e} to sign")))?;
		let raw: Bytes = self
			.provider
			.raw_request("eth_signTransaction".into(), (request,))
			.await
			.map_err(|e| fail(format!("eth_signTransaction: {e}")))?;
		check_signed(self.address, tx, &raw).map_err(fail)
	}
}
