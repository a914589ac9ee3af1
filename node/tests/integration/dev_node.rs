//! `aos-node --dev`, started for real: it produces a block in every 5-second slot, GRANDPA
//! finalizes them, a signed transfer submitted over JSON-RPC is included, and the standard RPC
//! methods and Prometheus metrics are served.

use crate::common::{self, block_hash, hash_from, hex_decode, hex_encode, Node};
use codec::{Decode, Encode};
use serde_json::json;
use sp_consensus_babe::digests::CompatibleDigestItem;
use sp_keyring::Sr25519Keyring;
use sp_runtime::generic::DigestItem;
use std::time::Duration;

type AccountInfo = frame_system::AccountInfo<
	aos_runtime::Nonce,
	<aos_runtime::Runtime as frame_system::Config>::AccountData,
>;

/// The BABE slot of block `number`.
fn slot_of(node: &Node, number: u64) -> u64 {
	let header = node.rpc("chain_getHeader", json!([block_hash(node, number)]));
	header["digest"]["logs"]
		.as_array()
		.expect("digest logs")
		.iter()
		.filter_map(|log| DigestItem::decode(&mut &hex_decode(log.as_str()?)[..]).ok())
		.find_map(|item| item.as_babe_pre_digest())
		.map(|pre| u64::from(pre.slot()))
		.unwrap_or_else(|| panic!("block {number} has no BABE pre-digest: {header}"))
}

fn free_balance(node: &Node, who: &aos_runtime::AccountId) -> u128 {
	let key = frame_system::Account::<aos_runtime::Runtime>::hashed_key_for(who);
	match node.rpc("state_getStorage", json!([hex_encode(&key)])).as_str() {
		Some(hex) => {
			AccountInfo::decode(&mut &hex_decode(hex)[..]).expect("account info").data.free
		},
		None => 0,
	}
}

#[test]
fn dev_node_produces_finalizes_and_includes_a_transfer() {
	let mut node = Node::start("dev", &["--dev", "--prometheus-port", "0"]);

	// Blocks, one per slot, and GRANDPA finality.
	node.wait_until("3 blocks produced and 1 finalized", Duration::from_secs(120), |n| {
		n.best_number() >= 3 && n.finalized_number() >= 1
	});
	let best = node.best_number();
	for n in 2..=best {
		assert_eq!(slot_of(&node, n), slot_of(&node, n - 1) + 1, "block {n} is in the next slot");
	}
	let props = node.rpc("system_properties", json!([]));
	assert_eq!(props["tokenSymbol"], "AOS");
	assert_eq!(props["tokenDecimals"], 18);
	let babe = node.rpc("babe_epochAuthorship", json!([]));
	assert!(babe.as_object().is_some_and(|m| !m.is_empty()), "Alice authors in this epoch: {babe}");

	// A signed transfer, built and signed here, submitted as a dApp would.
	let alice = Sr25519Keyring::Alice;
	let dave = Sr25519Keyring::Dave.to_account_id();
	let amount = 42 * aos_runtime::UNITS;
	let before = free_balance(&node, &dave);
	let nonce = node
		.rpc("system_accountNextIndex", json!([alice.to_account_id().to_string()]))
		.as_u64()
		.expect("nonce");
	let genesis = hash_from(&block_hash(&node, 0));
	let best = node.best_number();
	let checkpoint = hash_from(&block_hash(&node, best));
	let call: aos_runtime::RuntimeCall =
		aos_runtime::BalancesCall::transfer_keep_alive { dest: dave.clone().into(), value: amount }
			.into();
	let xt = aos_runtime::sign_extrinsic(
		call,
		&alice.pair(),
		aos_runtime::tx_extension(nonce as u32, 0, 64, best),
		genesis,
		checkpoint,
	);
	let xt_hex = hex_encode(&xt.encode());
	let info = node.rpc("payment_queryInfo", json!([xt_hex]));
	assert!(info["partialFee"].as_str().is_some() || info["partialFee"].is_number(), "{info}");
	node.rpc("author_submitExtrinsic", json!([xt_hex]));

	node.wait_until("transfer included", Duration::from_secs(60), |n| {
		free_balance(n, &dave) == before + amount
	});
	let included = (best..=node.best_number()).any(|n| {
		let block = node.rpc("chain_getBlock", json!([block_hash(&node, n)]));
		block["block"]["extrinsics"]
			.as_array()
			.is_some_and(|xts| xts.iter().any(|x| x.as_str() == Some(xt_hex.as_str())))
	});
	assert!(included, "the extrinsic is in a block");

	// A replay of the same transaction is refused: its nonce is spent.
	let replay = node.try_rpc("author_submitExtrinsic", json!([xt_hex]));
	assert!(replay.is_err(), "replay refused: {replay:?}");

	// Prometheus metrics.
	let line = node.wait_for_log("Prometheus exporter started at", Duration::from_secs(5));
	let metrics_addr = common::parse_first_addr(&line, "started at ");
	let (status, metrics) = common::http(metrics_addr, "GET", "/metrics", None);
	assert_eq!(status, 200);
	assert!(metrics.contains("substrate_block_height"), "block height metric exported");
}

#[test]
fn dev_node_serves_the_standard_rpc_methods() {
	let node = Node::start("rpc", &["--dev"]);
	let methods = node.rpc("rpc_methods", json!([]));
	let methods: Vec<&str> =
		methods["methods"].as_array().expect("methods").iter().filter_map(|m| m.as_str()).collect();
	for expected in [
		"system_health",
		"system_accountNextIndex",
		"chain_getHeader",
		"chain_getFinalizedHead",
		"state_getStorage",
		"state_getRuntimeVersion",
		"author_submitExtrinsic",
		"author_rotateKeys",
		"payment_queryInfo",
		"babe_epochAuthorship",
		"grandpa_roundState",
		"offchain_localStorageGet",
	] {
		assert!(methods.contains(&expected), "{expected} is served; have {methods:?}");
	}
	// Bad parameters get a JSON-RPC error, not a crash.
	let err = node.try_rpc("chain_getBlockHash", json!(["not a number"])).unwrap_err();
	assert!(err["code"].is_number(), "{err}");
	assert_eq!(node.rpc("system_chain", json!([])), "AOS Development");
}
