//! The inference pallet in the runtime: a task sampled with BABE's VRF randomness, computed
//! by three operators with the kernel, settled by PoS+W; the liar's collateral reaches the
//! honest operators through pallet-operators. And the kernel inside the wasm runtime gives
//! bit-identical results to the native kernel.

use crate::common::{genesis, register_operator, run_to_block_with_vrf};
use aos_inference_primitives::{
	evaluate_file, find_pow_nonce, result_commitment,
	runtime_decl_for_inference_api::InferenceApiV1, task_hash, vrf_transcript, KernelEvaluation,
	RevealedResult, TaskId,
};
use aos_kernel::{golden, ModelError};
use aos_runtime::{
	constants::currency::UNITS, Balances, Inference, Operators, Runtime, RuntimeEvent,
	RuntimeOrigin, System,
};
use aos_test_utils::dev_vrf_pair;
use codec::{Decode, Encode};
use frame_support::{assert_ok, BoundedVec};
use pallet_inference::{Event, LayerCommitment, TaskInput, TaskStatus, VerificationMode};
use sp_core::{crypto::VrfSecret, H256};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Dave, Eve, Ferdie};

/// Produces blocks, with heartbeats from `operators`, until `done` holds (at most 60 blocks).
fn run_until(what: &str, operators: &[Sr25519Keyring], done: impl Fn() -> bool) {
	let next_block = || {
		run_to_block_with_vrf(System::block_number() + 1);
		let period = pallet_operators::Parameters::<Runtime>::get().heartbeat_period;
		if System::block_number().is_multiple_of(period) {
			for who in operators {
				assert_ok!(Operators::heartbeat(RuntimeOrigin::signed(who.to_account_id())));
			}
		}
	};
	aos_test_utils::run_until(60, what, next_block, done);
}

fn status(id: TaskId) -> TaskStatus<u32> {
	pallet_inference::Tasks::<Runtime>::get(id).map(|t| t.status).expect("task exists")
}

fn inference_events() -> Vec<Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Inference(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Registers the kernel's golden model (owner Alice); returns its id.
fn register_golden_model() -> H256 {
	let model = golden::model();
	let id = H256(aos_kernel::model::content_hash(&model.to_file()));
	let layers = LayerCommitment::of_model(&model);
	assert_ok!(Inference::register_model(
		RuntimeOrigin::signed(Alice.to_account_id()),
		id,
		aos_kernel::KERNEL_VERSION,
		model.inputs,
		BoundedVec::truncate_from(layers),
		BoundedVec::truncate_from(b"https://models.example/golden.aosm".to_vec()),
		VerificationMode::Redundancy.bit(),
		UNITS,
	));
	id
}

#[test]
fn a_task_is_sampled_with_babe_randomness_and_settled_and_the_liar_pays_the_honest() {
	genesis("development").execute_with(|| {
		let operators = [Dave, Eve, Ferdie];
		run_to_block_with_vrf(1);
		for who in operators {
			register_operator(who);
		}
		let model_id = register_golden_model();
		// New VRF keys count for randomness one epoch (12 blocks here) after registration.
		run_to_block_with_vrf(3 + aos_runtime::constants::time::DEV_EPOCH_DURATION_IN_SLOTS as u32);

		// Bob asks for k = 3.
		let id = pallet_inference::NextTaskId::<Runtime>::get();
		let input = golden::input();
		assert_ok!(Inference::submit_task(
			RuntimeOrigin::signed(Bob.to_account_id()),
			model_id,
			TaskInput::Inline(BoundedVec::truncate_from(input.clone())),
			3 * UNITS,
			VerificationMode::Redundancy,
			3,
			golden::sampling(),
		));
		let submitted_at = System::block_number();

		// The randomness comes from BABE's VRF of a later block.
		run_until("claims open", &operators, || matches!(status(id), TaskStatus::Claiming { .. }));
		let task = pallet_inference::Tasks::<Runtime>::get(id).expect("task");
		let (randomness, from) = task.randomness.expect("randomness fixed");
		assert!(from > submitted_at, "randomness from block {from}, task in {submitted_at}");

		// Three equal stakes and k = 3: each operator's threshold is the whole range.
		for who in operators {
			let data = vrf_transcript(&task_hash(id), &randomness.0).into_sign_data();
			let signature = dev_vrf_pair(who).vrf_sign(&data);
			let pre: [u8; 32] = signature.pre_output.encode().try_into().expect("32 bytes");
			let proof: [u8; 64] = signature.proof.encode().try_into().expect("64 bytes");
			assert_ok!(Inference::claim(
				RuntimeOrigin::signed(who.to_account_id()),
				id,
				pre,
				proof
			));
		}
		run_until("commit phase", &operators, || {
			matches!(status(id), TaskStatus::Committing { .. })
		});

		// Each runs the kernel for itself; Ferdie reports another output.
		let model = golden::model();
		let params = pallet_inference::Parameters::<Runtime>::get();
		let salt = [9u8; 32];
		let runs: Vec<_> = operators
			.iter()
			.map(|who| {
				let operator = who.to_account_id().encode();
				let seed = aos_kernel::TaskSeed { task: &task_hash(id), operator: &operator };
				let mut run = aos_kernel::evaluate(
					&model,
					&input,
					seed,
					task.sampling,
					task.terms.samples.into(),
					task.terms.intermediates.into(),
				)
				.expect("the golden model runs");
				if *who == Ferdie {
					run.output[0] ^= 1;
				}
				let commitment = result_commitment(
					&task_hash(id),
					&operator,
					RevealedResult {
						output: &run.output,
						top: &run.top,
						samples: &run.samples,
						intermediates: &run.intermediates,
					},
					&salt,
				);
				assert_ok!(Inference::commit(
					RuntimeOrigin::signed(who.to_account_id()),
					id,
					H256(commitment)
				));
				(*who, operator, run)
			})
			.collect();
		run_until("reveal phase", &operators, || {
			matches!(status(id), TaskStatus::Revealing { .. })
		});
		for (who, operator, run) in &runs {
			let nonce =
				find_pow_nonce(&task_hash(id), operator, &run.output, params.pow_difficulty);
			assert_ok!(Inference::reveal(
				RuntimeOrigin::signed(who.to_account_id()),
				id,
				H256(run.output),
				BoundedVec::truncate_from(run.top.clone()),
				BoundedVec::truncate_from(run.samples.clone()),
				BoundedVec::truncate_from(run.intermediates.clone()),
				salt,
				nonce,
			));
		}

		// Everyone revealed: decided at once. n = 2, m = 1, A = 3: 100·2 > 66·3.
		assert_eq!(status(id), TaskStatus::Settled);
		let honest = H256(runs[0].2.output);
		let events = inference_events();
		assert!(events.contains(&Event::TaskSettled {
			task: id,
			output: honest,
			agreeing: 2,
			conflicting: 1,
			assigned: 3
		}));
		assert!(events
			.contains(&Event::OperatorLiquidated { task: id, operator: Ferdie.to_account_id() }));
		let result = Runtime::task(id).and_then(|t| t.result).expect("result readable");
		assert_eq!(result.output, honest);
		assert_eq!(result.top.into_inner(), runs[0].2.top);

		// After the slash's veto window Ferdie's collateral is the task's pool, paid to Dave
		// and Eve.
		let free = |who: Sr25519Keyring| Balances::free_balance(who.to_account_id());
		let before = [free(Dave), free(Eve)];
		let pool_paid = || {
			pallet_inference::Tasks::<Runtime>::get(id)
				.is_some_and(|t| t.pool > 0 && t.pool_pending == 0)
		};
		run_until("pool paid", &[Dave, Eve], pool_paid);
		let task = pallet_inference::Tasks::<Runtime>::get(id).expect("task");
		assert_eq!(task.pool, 1_000 * UNITS, "the WrongResult rule takes all 1,000 AOS");
		let ferdie = Operators::operator_state(&Ferdie.to_account_id()).expect("operator");
		assert_eq!(ferdie.own_stake, 0);
		// No delegators: each one's half of the pool reaches its free balance.
		assert_eq!([free(Dave) - before[0], free(Eve) - before[1]], [500 * UNITS, 500 * UNITS]);
	});
}

/// The golden model and input through the runtime's `KernelApi`, executed by the wasm
/// executor the node uses, for several operators and tasks: logits, output digest, top
/// classes, draws and intermediates equal the native kernel's, bit for bit.
#[test]
fn kernel_runs_bit_identically_in_wasm() {
	use sc_executor::WasmExecutor;
	use sp_core::traits::{CallContext, CodeExecutor, RuntimeCode, WrappedRuntimeCode};

	let wasm = aos_runtime::WASM_BINARY
		.expect("the wasm runtime is built (do not set SKIP_WASM_BUILD for this test)");
	let executor = WasmExecutor::<(
		sp_io::SubstrateHostFunctions,
		aos_zk_host::HostFunctions,
		aos_vrf_host::HostFunctions,
	)>::builder()
	.build();
	let code = WrappedRuntimeCode(wasm.into());
	let runtime_code = RuntimeCode {
		code_fetcher: &code,
		heap_pages: None,
		hash: sp_crypto_hashing::blake2_256(wasm).to_vec(),
	};
	let mut externalities = sp_io::TestExternalities::default();
	let mut ext = externalities.ext();

	let file = golden::model().to_file();
	let input = golden::input();
	let sampling = golden::sampling();
	let mut cases = 0;
	for task in [0u64, 7, 1 << 40] {
		for who in [Alice, Dave, Ferdie] {
			let operator = who.to_account_id().encode();
			let args = (&file, &input, task, &operator, sampling, 8u32, 16u32).encode();
			let (out, _) = executor.call(
				&mut ext,
				&runtime_code,
				"KernelApi_evaluate",
				&args,
				CallContext::Offchain,
			);
			let out = out.unwrap_or_else(|e| panic!("KernelApi_evaluate failed: {e}"));
			let in_wasm = <Result<KernelEvaluation, ModelError>>::decode(&mut &out[..])
				.expect("the API's answer decodes");
			let native = evaluate_file(&file, &input, task, &operator, sampling, 8, 16);
			assert_eq!(in_wasm, native, "task {task}, operator {who:?}");
			assert!(native.is_ok());
			cases += 1;
		}
	}
	assert_eq!(cases, 9);

	// A bad model file is refused with the same error in wasm as natively.
	let args =
		(&file[..10].to_vec(), &input, 0u64, Vec::<u8>::new(), sampling, 0u32, 0u32).encode();
	let (out, _) =
		executor.call(&mut ext, &runtime_code, "KernelApi_evaluate", &args, CallContext::Offchain);
	let in_wasm = <Result<KernelEvaluation, ModelError>>::decode(&mut &out.expect("call")[..])
		.expect("decodes");
	assert_eq!(in_wasm, evaluate_file(&file[..10], &input, 0, &[], sampling, 0, 0));
	assert!(in_wasm.is_err());
}
