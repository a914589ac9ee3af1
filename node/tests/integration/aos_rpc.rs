//! AOS's own JSON-RPC methods (`aos_*`, docs/RPC.md) on a real `aos-node --dev`: a model, an
//! operator and a task created by signed extrinsics are read back as JSON, at the best block and
//! at an earlier one, and bad parameters get JSON-RPC errors with clear messages.

use crate::common::{block_hash, hex_encode, submit, Node};
use codec::Encode;
use pallet_inference::{LayerCommitment, TaskInput, VerificationMode};
use serde_json::{json, Value};
use sp_core::{sr25519, Pair, H256};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie};
use sp_runtime::BoundedVec;
use std::time::Duration;

const UNITS: u128 = aos_runtime::UNITS;

fn error_of(result: Result<Value, Value>) -> (i64, String) {
	let error = result.expect_err("a JSON-RPC error");
	(error["code"].as_i64().expect("code"), error["message"].as_str().expect("message").into())
}

#[test]
fn aos_methods_read_tasks_models_and_operators() {
	let node = Node::start("aos-rpc", &["--dev"]);
	node.wait_until("block 1", Duration::from_secs(60), |n| n.best_number() >= 1);
	let methods = node.rpc("rpc_methods", json!([]));
	for method in ["aos_task", "aos_tasks", "aos_tasksOf", "aos_model", "aos_operator", "aos_stake"]
	{
		assert!(methods["methods"].as_array().expect("list").contains(&json!(method)), "{method}");
	}

	// Alice registers the kernel's golden model; Bob registers as an operator.
	let model = aos_kernel::golden::model();
	let model_id = H256(aos_kernel::model::content_hash(&model.to_file()));
	submit(
		&node,
		&Alice.pair(),
		pallet_inference::Call::register_model {
			model: model_id,
			kernel_version: aos_kernel::KERNEL_VERSION,
			inputs: model.inputs,
			layers: BoundedVec::truncate_from(LayerCommitment::of_model(&model)),
			uri: BoundedVec::truncate_from(b"https://models.example/golden.aosm".to_vec()),
			modes: VerificationMode::Redundancy.bit(),
			price: UNITS,
		}
		.into(),
	);
	let vrf = sr25519::Pair::from_string("//Bob//vrf", None).expect("seed");
	let mut message = pallet_operators::VRF_KEY_PROOF_PREFIX.to_vec();
	Bob.to_account_id().encode_to(&mut message);
	submit(
		&node,
		&Bob.pair(),
		pallet_operators::Call::register {
			name: b"Bob".to_vec(),
			endpoint: b"https://bob.example".to_vec(),
			vrf_key: vrf.public(),
			vrf_proof: vrf.sign(&message),
			eth: None,
			commission: sp_runtime::Perbill::from_percent(5),
			collateral: 1_000 * UNITS,
		}
		.into(),
	);
	let model_hex = hex_encode(model_id.as_bytes());
	node.wait_until("model registered", Duration::from_secs(60), |n| {
		!n.rpc("aos_model", json!([model_hex])).is_null()
	});
	let before_task = block_hash(&node, node.best_number());

	// Alice submits a task with the golden input.
	let input = aos_kernel::golden::input();
	submit(
		&node,
		&Alice.pair(),
		pallet_inference::Call::submit_task {
			model: model_id,
			input: TaskInput::Inline(BoundedVec::truncate_from(input.clone())),
			fee: 2 * UNITS,
			mode: VerificationMode::Redundancy,
			redundancy: 1,
			sampling: aos_kernel::golden::sampling(),
		}
		.into(),
	);
	node.wait_until("task submitted", Duration::from_secs(60), |n| {
		n.try_rpc("aos_task", json!([0])).is_ok_and(|t| !t.is_null())
	});

	// The model.
	let m = node.rpc("aos_model", json!([model_hex]));
	assert_eq!(m["id"], json!(model_hex));
	assert_eq!(m["owner"], json!(Alice.to_account_id().to_string()));
	assert_eq!(m["kernelVersion"], json!(aos_kernel::KERNEL_VERSION));
	assert_eq!(m["inputs"], json!(model.inputs));
	assert_eq!(m["layers"].as_array().map(Vec::len), Some(model.layers.len()));
	assert_eq!(m["uri"], "https://models.example/golden.aosm");
	assert_eq!(m["modes"], json!(["redundancy"]));
	assert_eq!(m["price"], json!(UNITS.to_string()), "balances are decimal strings");
	assert_eq!(m["active"], true);
	assert!(node.rpc("aos_model", json!([hex_encode(&[7; 32])])).is_null());

	// The task.
	let t = node.rpc("aos_task", json!([0]));
	assert_eq!(t["id"], 0);
	assert_eq!(t["owner"], json!(Alice.to_account_id().to_string()));
	assert_eq!(t["model"], json!(model_hex));
	assert_eq!(t["input"], json!({ "inline": input }));
	assert_eq!(t["fee"], json!((2 * UNITS).to_string()));
	assert_eq!(t["mode"], "redundancy");
	assert_eq!(t["redundancy"], 1);
	assert_eq!(t["topK"], json!(aos_kernel::golden::sampling().top_k));
	let phase = t["status"]["phase"].as_str().expect("phase");
	assert!(["awaitingRandomness", "claiming"].contains(&phase), "{t}");
	assert!(t["result"].is_null());
	assert_eq!(t["claims"], json!([]));
	assert_eq!(node.rpc("aos_tasksOf", json!([Alice.to_account_id().to_string()])), json!([0]));
	assert_eq!(node.rpc("aos_tasksOf", json!([Bob.to_account_id().to_string()])), json!([]));
	// The sampling randomness comes from a later block; claims open with it.
	node.wait_until("claims open", Duration::from_secs(60), |n| {
		n.rpc("aos_task", json!([0]))["status"]["phase"] == "claiming"
	});
	let t = node.rpc("aos_task", json!([0]));
	assert!(t["randomness"].as_str().is_some_and(|r| r.len() == 66), "{t}");
	assert!(t["randomnessFrom"].as_u64() > t["submittedAt"].as_u64(), "{t}");
	// Several at once, at one block: each as `aos_task` answers it.
	let head = node.rpc("chain_getBlockHash", json!([]));
	assert_eq!(
		node.rpc("aos_tasks", json!([[0, 0], head])),
		json!([node.rpc("aos_task", json!([0, head])), node.rpc("aos_task", json!([0, head]))])
	);
	assert_eq!(node.rpc("aos_tasks", json!([[]])), json!([]));

	// At a block before the task, it does not exist yet.
	let (code, message) = error_of(node.try_rpc("aos_task", json!([0, before_task])));
	assert_eq!((code, message.as_str()), (1001, "there is no task 0: no task was submitted yet"));

	// The operator.
	let op = node.rpc("aos_operator", json!([Bob.to_account_id().to_string()]));
	assert_eq!(op["status"], "Active", "{op}");
	assert_eq!(op["ownStake"], json!((1_000 * UNITS).to_string()));
	assert_eq!(op["totalStake"], json!((1_000 * UNITS).to_string()));
	assert_eq!(op["delegators"], 0);
	assert_eq!(op["pendingSlashes"], json!([]));
	assert!(node.rpc("aos_operator", json!([Charlie.to_account_id().to_string()])).is_null());
	let stake = node.rpc(
		"aos_stake",
		json!([Bob.to_account_id().to_string(), Bob.to_account_id().to_string()]),
	);
	assert_eq!(stake, json!({ "active": (1_000 * UNITS).to_string(), "unbonding": [] }));

	// Bad parameters.
	let (code, message) = error_of(node.try_rpc("aos_task", json!([99])));
	assert_eq!(code, 1001);
	assert_eq!(message, "there is no task 99: the highest task id so far is 0");
	let (code, message) = error_of(
		node.try_rpc("aos_tasksOf", json!([Alice.to_account_id().to_string(), null, 5000])),
	);
	assert_eq!((code, message.as_str()), (1002, "limit 5000 is above the largest page, 1000"));
	let (code, message) = error_of(node.try_rpc("aos_tasks", json!([[0, 99]])));
	assert_eq!(
		(code, message.as_str()),
		(1001, "there is no task 99: the highest task id so far is 0")
	);
	let (code, message) = error_of(node.try_rpc("aos_tasks", json!([vec![0; 1001]])));
	assert_eq!((code, message.as_str()), (1002, "1001 ids are more than one call reads, 1000"));
	let (code, _) = error_of(node.try_rpc("aos_task", json!(["zero"])));
	assert_eq!(code, -32602);
	let (code, _) = error_of(node.try_rpc("aos_model", json!(["0x1234"])));
	assert_eq!(code, -32602);
	let (code, _) = error_of(node.try_rpc("aos_operator", json!(["not an account"])));
	assert_eq!(code, -32602);
	let (code, message) = error_of(node.try_rpc("aos_task", json!([0, hex_encode(&[9; 32])])));
	assert_eq!(code, 1);
	assert!(message.starts_with("runtime API call failed"), "{message}");
}
