//! A stand-in for a Web3Signer's Ethereum JSON-RPC over HTTP, for tests (Web3Signer itself, a
//! Java service, is not installable here): `eth_accounts`, and `eth_signTransaction` with the
//! transaction object Web3Signer documents (`from`, `to`, `gas`, `nonce`, `value`, `data`,
//! `gasPrice` or `maxFeePerGas` and `maxPriorityFeePerGas`), answered with the signed
//! transaction's EIP-2718 encoding as 0x-hex, signed for the chain id it is set up with.
//! Shared by the relayer's tests and the bridge's end-to-end test.

use alloy::{
	consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy},
	eips::Encodable2718,
	primitives::{Address, Bytes, TxKind, U256},
	signers::{local::PrivateKeySigner, SignerSync},
};
use jsonrpsee::{
	server::{RpcModule, Server, ServerHandle},
	types::ErrorObjectOwned,
};
use serde_json::Value;

/// How the stand-in signs.
pub struct SignerSetup {
	/// The key it holds (its `eth_accounts`).
	pub key: PrivateKeySigner,
	/// The key it really signs with, when not `key`: a faulty signer.
	pub signs_with: Option<PrivateKeySigner>,
	/// Its chain id setting.
	pub chain_id: u64,
	/// Added to the nonce it signs: a signer that changes the transaction.
	pub nonce_shift: u64,
}

impl SignerSetup {
	pub fn honest(key: PrivateKeySigner, chain_id: u64) -> SignerSetup {
		SignerSetup { key, signs_with: None, chain_id, nonce_shift: 0 }
	}
}

fn invalid(what: String) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(-32602, what, None::<()>)
}

fn quantity(o: &Value, field: &str) -> Result<u128, ErrorObjectOwned> {
	let s = o[field].as_str().ok_or_else(|| invalid(format!("{field} missing")))?;
	u128::from_str_radix(s.trim_start_matches("0x"), 16)
		.map_err(|e| invalid(format!("{field}: {e}")))
}

/// Starts the stand-in; its URL, and the handle that stops it.
pub async fn start(setup: SignerSetup) -> (String, ServerHandle) {
	let address = setup.key.address();
	let mut module = RpcModule::new(());
	module.register_method("eth_accounts", move |_, _, _| vec![address]).unwrap();
	module
		.register_method("eth_signTransaction", move |params, _, _| {
			let (o,): (Value,) = params.parse()?;
			let from: Address = serde_json::from_value(o["from"].clone())
				.map_err(|e| invalid(format!("from: {e}")))?;
			if from != address {
				return Err(ErrorObjectOwned::owned(
					-32000,
					format!("no key for {from}"),
					None::<()>,
				));
			}
			let to = match &o["to"] {
				Value::Null => TxKind::Create,
				to => TxKind::Call(
					serde_json::from_value(to.clone()).map_err(|e| invalid(format!("to: {e}")))?,
				),
			};
			let input: Bytes = serde_json::from_value(o["data"].clone())
				.map_err(|e| invalid(format!("data: {e}")))?;
			let value = U256::from(quantity(&o, "value")?);
			let nonce = (quantity(&o, "nonce")? as u64) + setup.nonce_shift;
			let gas_limit = quantity(&o, "gas")? as u64;
			let key = setup.signs_with.as_ref().unwrap_or(&setup.key);
			let envelope: TxEnvelope = if o.get("maxFeePerGas").is_some() {
				let tx = TxEip1559 {
					chain_id: setup.chain_id,
					nonce,
					gas_limit,
					max_fee_per_gas: quantity(&o, "maxFeePerGas")?,
					max_priority_fee_per_gas: quantity(&o, "maxPriorityFeePerGas")?,
					to,
					value,
					access_list: Default::default(),
					input,
				};
				let sig = key.sign_hash_sync(&tx.signature_hash()).unwrap();
				tx.into_signed(sig).into()
			} else {
				let tx = TxLegacy {
					chain_id: Some(setup.chain_id),
					nonce,
					gas_price: quantity(&o, "gasPrice")?,
					gas_limit,
					to,
					value,
					input,
				};
				let sig = key.sign_hash_sync(&tx.signature_hash()).unwrap();
				tx.into_signed(sig).into()
			};
			Ok::<_, ErrorObjectOwned>(format!("0x{}", hex::encode(envelope.encoded_2718())))
		})
		.unwrap();
	let server = Server::builder().build("127.0.0.1:0").await.unwrap();
	let url = format!("http://{}", server.local_addr().unwrap());
	(url, server.start(module))
}
