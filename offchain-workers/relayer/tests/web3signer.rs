//! The relayer's remote transaction key against a Web3Signer stand-in: what it signs is what
//! the relayer asked for, by the configured key, and every other answer is refused by name.

mod support {
	pub mod web3signer;
}

use alloy::{
	consensus::{SignableTransaction, TxEip1559},
	network::{NetworkWallet, TxSigner},
	primitives::{Address, Bytes, TxKind, U256},
	signers::local::PrivateKeySigner,
};
use aos_relayer::key::TxKey;
use support::web3signer::{start, SignerSetup};

const CHAIN: u64 = 31337;

fn key(byte: u8) -> PrivateKeySigner {
	PrivateKeySigner::from_slice(&[byte; 32]).unwrap()
}

fn tx(chain_id: u64) -> TxEip1559 {
	TxEip1559 {
		chain_id,
		nonce: 7,
		gas_limit: 90_000,
		max_fee_per_gas: 3_000_000_000,
		max_priority_fee_per_gas: 1_000_000_000,
		to: TxKind::Call(Address::repeat_byte(0xaa)),
		value: U256::ZERO,
		access_list: Default::default(),
		input: Bytes::from_static(&[0xde, 0xad, 0xbe, 0xef]),
	}
}

/// Signs `tx` with a remote key at a stand-in set up as `setup`.
async fn sign_with(setup: SignerSetup, tx: TxEip1559) -> Result<(), String> {
	let address = setup.key.address();
	let (url, server) = start(setup).await;
	let key = TxKey::web3signer(url.parse().unwrap(), address).await.map_err(|e| e.to_string())?;
	let signed =
		NetworkWallet::<alloy::network::Ethereum>::sign_transaction(&key.wallet, tx.into())
			.await
			.map_err(|e| e.to_string());
	server.stop().unwrap();
	let signed = signed?;
	// What the wallet hands the provider recovers to the remote key.
	let signer = signed.signature().recover_address_from_prehash(&signed.signature_hash());
	assert_eq!(signer.unwrap(), address);
	Ok(())
}

#[tokio::test]
async fn a_remote_key_signs_the_transaction_asked_for() {
	sign_with(SignerSetup::honest(key(0x11), CHAIN), tx(CHAIN)).await.unwrap();
	// The signature is the local key's own over the same transaction.
	let local = key(0x11);
	let mut t = tx(CHAIN);
	let expected = TxSigner::sign_transaction(&local, &mut t).await.unwrap();
	let (url, server) = start(SignerSetup::honest(key(0x11), CHAIN)).await;
	let remote = TxKey::web3signer(url.parse().unwrap(), local.address()).await.unwrap();
	let mut t = tx(CHAIN);
	let got = NetworkWallet::<alloy::network::Ethereum>::sign_transaction(
		&remote.wallet,
		t.clone().into(),
	)
	.await
	.unwrap();
	assert_eq!(*got.signature(), expected);
	assert_eq!(got.signature_hash(), t.signature_hash());
	t.nonce += 1;
	assert_ne!(got.signature_hash(), t.signature_hash());
	server.stop().unwrap();
}

#[tokio::test]
async fn a_signer_without_the_key_is_refused_at_start() {
	let (url, server) = start(SignerSetup::honest(key(0x11), CHAIN)).await;
	let other = key(0x12).address();
	let err = TxKey::web3signer(url.parse().unwrap(), other).await.unwrap_err().to_string();
	assert!(err.contains("holds no key for"), "{err}");
	assert!(err.contains(&key(0x11).address().to_string()), "names what it holds: {err}");
	server.stop().unwrap();
	// A signer that does not answer is named too.
	let err = TxKey::web3signer(url.parse().unwrap(), other).await.unwrap_err().to_string();
	assert!(err.contains("does not answer eth_accounts"), "{err}");
}

#[tokio::test]
async fn a_signature_by_another_key_is_refused() {
	let setup =
		SignerSetup { signs_with: Some(key(0x13)), ..SignerSetup::honest(key(0x11), CHAIN) };
	let err = sign_with(setup, tx(CHAIN)).await.unwrap_err();
	assert!(err.contains(&format!("signed with the key of {}", key(0x13).address())), "{err}");
}

#[tokio::test]
async fn a_changed_transaction_or_another_chain_is_refused() {
	let setup = SignerSetup { nonce_shift: 1, ..SignerSetup::honest(key(0x11), CHAIN) };
	let err = sign_with(setup, tx(CHAIN)).await.unwrap_err();
	assert!(err.contains("signed another transaction"), "{err}");
	assert!(err.contains("nonce 8") && err.contains("asked chain Some(31337), nonce 7"), "{err}");
	// A signer set up for another chain id: its signature would replay there, not land here.
	let err = sign_with(SignerSetup::honest(key(0x11), 1), tx(CHAIN)).await.unwrap_err();
	assert!(err.contains("chain Some(1)") && err.contains("chain id"), "{err}");
}

#[test]
fn the_request_carries_web3signers_fields_and_refuses_what_the_relayer_never_sends() {
	let t = tx(CHAIN);
	let from = key(0x11).address();
	let o = aos_relayer::key::sign_request(from, &t).unwrap();
	assert_eq!(o["from"], serde_json::json!(from));
	assert_eq!(o["to"], serde_json::json!(Address::repeat_byte(0xaa)));
	assert_eq!((o["nonce"].as_str(), o["gas"].as_str()), (Some("0x7"), Some("0x15f90")));
	assert_eq!(o["maxFeePerGas"], "0xb2d05e00");
	assert_eq!(o["maxPriorityFeePerGas"], "0x3b9aca00");
	assert_eq!((o["data"].as_str(), o["value"].as_str()), (Some("0xdeadbeef"), Some("0x0")));
	assert!(o.get("gasPrice").is_none() && o.get("chainId").is_none());
	// A contract creation has no `to`.
	let create = TxEip1559 { to: TxKind::Create, ..tx(CHAIN) };
	assert!(aos_relayer::key::sign_request(from, &create).unwrap().get("to").is_none());
	// An access list is refused rather than dropped (the signer would sign without it).
	let mut listed = tx(CHAIN);
	listed.access_list.0.push(Default::default());
	let err = aos_relayer::key::sign_request(from, &listed).unwrap_err();
	assert!(err.contains("access list"), "{err}");
}
