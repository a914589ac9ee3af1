use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use sp_core::{Get, H256};

const FEE: Balance = 6_000;

/// Claims task `id` for every operator in `ops` that is selected, tranche after tranche, until
/// the task leaves its claim phase. Returns the operators assigned by it (the best-ranked
/// claims), in the order they were assigned.
fn claim_all(id: TaskId, ops: &[AccountId]) -> Vec<AccountId> {
	let before: Vec<AccountId> = Claims::<Test>::get(id).iter().map(|c| c.operator).collect();
	let mut claimed = Vec::new();
	for _ in 0..50 {
		if !matches!(task(id).status, TaskStatus::Claiming { .. }) {
			break;
		}
		for op in ops {
			if !claimed.contains(op) && claim(*op, id).is_ok() {
				claimed.push(*op);
			}
		}
		run_to_block(System::block_number() + 1);
	}
	Claims::<Test>::get(id).iter().map(|c| c.operator).filter(|op| !before.contains(op)).collect()
}

/// Commits `answer(op)` for every claimant that answers, waits for the reveal phase and
/// reveals them.
fn answer_all(id: TaskId, ops: &[AccountId], answer: &dyn Fn(AccountId) -> Option<Answer>) {
	run_until(|| matches!(task(id).status, TaskStatus::Committing { .. }));
	for op in ops {
		if let Some(a) = answer(*op) {
			assert_ok!(commit_answer(*op, id, &a));
		}
	}
	run_until(|| matches!(task(id).status, TaskStatus::Revealing { .. }));
	for op in ops {
		if let Some(a) = answer(*op) {
			assert_ok!(reveal_answer(*op, id, &a));
		}
	}
}

/// Registers four operators (1..=4) and the golden model allowing the Zk mode, and waits until
/// their VRF keys count.
fn zk_operators_and_model() -> (Vec<AccountId>, H256) {
	let ops: Vec<AccountId> = (1..=4).collect();
	for op in &ops {
		register_operator(*op);
	}
	let model = register_golden_with(VerificationMode::Zk.bit(), PRICE);
	run_to_block(System::block_number() + SELECTION_DELAY + 1);
	(ops, model)
}

/// Registers `n` operators (1..=n) and the golden model; submits a task with k and [`FEE`].
fn setup(n: u128, k: u8) -> (Vec<AccountId>, TaskId) {
	let ops: Vec<AccountId> = (1..=n).collect();
	for op in &ops {
		register_operator(*op);
	}
	let model = register_golden();
	// Their VRF keys count for randomness after the selection delay.
	run_to_block(System::block_number() + SELECTION_DELAY + 1);
	let id = submit(model, k, FEE);
	until_claiming(id);
	(ops, id)
}

fn settled(id: TaskId) -> TaskResult<ConstU32<16>> {
	let t = task(id);
	assert_eq!(t.status, TaskStatus::Settled, "task {id} is {:?}", t.status);
	t.result.unwrap_or_else(|| panic!("settled without a result"))
}

use frame_support::traits::ConstU32;

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn collateral(who: AccountId) -> Balance {
	pallet_operators::Operators::<Test>::get(who).map_or(0, |o| o.own.active.balance)
}

#[test]
fn tally_follows_the_pos_w_rule_at_its_edges() {
	let claims = |results: &[Option<u8>]| -> Vec<Claim<AccountId>> {
		results
			.iter()
			.enumerate()
			.map(|(i, r)| Claim {
				operator: i as AccountId,
				round: 0,
				commitment: r.map(|_| H256::zero()),
				result: r.map(H256::repeat_byte),
			})
			.collect()
	};
	let t = |r: &[Option<u8>]| Tally::of(&claims(r));
	// 5 of 6: n = 5 ≤ 10·1, but 500 > 396.
	let five = t(&[Some(1), Some(1), Some(1), Some(1), Some(1), Some(2)]);
	assert_eq!((five.agreeing, five.conflicting, five.assigned), (5, 1, 6));
	assert!(five.holds());
	// 3 against 3, and any tie, fails.
	assert!(!t(&[Some(1), Some(1), Some(1), Some(2), Some(2), Some(2)]).holds());
	assert!(!t(&[Some(1), Some(2)]).holds());
	// 4 of 6 with 2 silent: n = 4 > 10·0.
	assert!(t(&[Some(1), Some(1), Some(1), Some(1), None, None]).holds());
	// 2 agree, 1 differs, 3 silent: 2 ≤ 10, 200 ≤ 396.
	assert!(!t(&[Some(1), Some(1), Some(2), None, None, None]).holds());
	// 21 against 2: n > 10·m.
	let mut many = vec![Some(1); 21];
	many.extend([Some(2), Some(2)]);
	assert!(t(&many).holds());
	// 20 against 2 out of 31 assigned: 20 ≤ 20, 2000 ≤ 2046.
	let mut edge = vec![Some(1); 20];
	edge.extend([Some(2), Some(2)]);
	edge.extend(vec![None; 9]);
	assert!(!t(&edge).holds());
	// Everyone silent; a single operator; nobody at all.
	assert!(!t(&[None, None, None]).holds());
	assert!(t(&[Some(7)]).holds());
	assert!(!t(&[]).holds());
	// Ties pick the smallest result deterministically (the rule fails anyway).
	assert_eq!(t(&[Some(2), Some(1)]).result, Some(H256::repeat_byte(1)));
}

#[test]
fn three_honest_operators_agree_and_share_the_fee() {
	test(|| {
		let (ops, id) = setup(3, 3);
		let before: Vec<Balance> = ops.iter().map(|o| free(*o)).collect();
		assert_eq!(Balances::balance_on_hold(&HoldReason::TaskFee.into(), &DAPP), FEE);
		assert_eq!(claim_all(id, &ops), ops);
		answer_all(id, &ops, &|op| Some(Answer::honest(op, id)));
		// The last reveal resolved the task at once.
		let result = settled(id);
		let expected = honest(1, id);
		assert_eq!(result.output, H256(expected.output));
		assert_eq!(result.top.to_vec(), expected.top);
		assert_eq!((result.agreeing, result.conflicting, result.assigned), (3, 0, 3));
		for (op, before) in ops.iter().zip(before) {
			assert_eq!(free(*op), before + FEE / 3);
		}
		assert_eq!(Balances::balance_on_hold(&HoldReason::TaskFee.into(), &DAPP), 0);
		assert!(events().contains(&Event::TaskSettled {
			task: id,
			output: H256(expected.output),
			agreeing: 3,
			conflicting: 0,
			assigned: 3
		}));
		// The runtime hears of it, with what the bridge's checkpoint records.
		let model = Tasks::<Test>::get(id).map(|t| t.model).expect("kept");
		assert_eq!(
			settlements(),
			vec![aos_inference_primitives::settlement::SettledTask {
				task: id,
				model,
				output: H256(expected.output),
				result: aos_inference_primitives::result_key(&H256(expected.output), &expected.top),
				agreeing: 3,
				assigned: 3,
			}]
		);
	});
}

#[test]
fn five_of_six_agree_and_the_sixth_is_liquidated_into_the_pool() {
	test(|| {
		let (ops, id) = setup(6, 6);
		assert_eq!(claim_all(id, &ops).len(), 6);
		let before: Vec<Balance> = ops.iter().map(|o| free(*o)).collect();
		answer_all(id, &ops, &|op| {
			Some(if op == 6 { Answer::wrong(op, id, 1) } else { Answer::honest(op, id) })
		});
		let result = settled(id);
		assert_eq!((result.agreeing, result.conflicting, result.assigned), (5, 1, 6));
		assert!(events().contains(&Event::OperatorLiquidated { task: id, operator: 6 }));
		// The fee is paid at once; the liquidation after the slash's veto window.
		for (op, before) in ops.iter().zip(&before).take(5) {
			assert_eq!(free(*op), before + FEE / 5);
		}
		assert_eq!(collateral(6), COLLATERAL);
		run_to_block(System::block_number() + SLASH_DEFER + 2);
		assert_eq!(collateral(6), 0);
		assert_eq!(task(id).pool, COLLATERAL);
		assert!(events().contains(&Event::PoolFunded { task: id, amount: COLLATERAL }));
		for (op, before) in ops.iter().zip(&before).take(5) {
			assert_eq!(free(*op), before + FEE / 5 + COLLATERAL / 5);
		}
		assert_eq!(free(6), before[5]);
		assert_eq!(task(id).pool_pending, 0);
	});
}

#[test]
fn three_against_three_escalates_and_the_second_round_decides() {
	test(|| {
		let (ops, id) = setup(12, 6);
		let first = claim_all(id, &ops);
		assert_eq!(first.len(), 6);
		let (a, b): (Vec<_>, Vec<_>) = (first[..3].to_vec(), first[3..].to_vec());
		answer_all(id, &first, &|op| {
			Some(if a.contains(&op) { Answer::honest(op, id) } else { Answer::wrong(op, id, 2) })
		});
		assert!(matches!(task(id).status, TaskStatus::Claiming { round: 1, .. }));
		assert!(events().iter().any(|e| matches!(e, Event::TaskEscalated { task, round: 1, agreeing: 3, conflicting: 3, assigned: 6 } if *task == id)));
		// Round 1: the six others (twice as many wanted; all that are left come).
		let second = claim_all(id, &ops);
		assert_eq!(second.len(), 6);
		assert!(second.iter().all(|op| !first.contains(op)));
		answer_all(id, &second, &|op| Some(Answer::honest(op, id)));
		// n = 9, m = 3, A = 12: 9 ≤ 30 but 900 > 792.
		let result = settled(id);
		assert_eq!((result.agreeing, result.conflicting, result.assigned), (9, 3, 12));
		for op in &b {
			assert!(events().contains(&Event::OperatorLiquidated { task: id, operator: *op }));
		}
	});
}

#[test]
fn a_tie_in_the_last_round_ends_undecided_refunded_and_unslashed() {
	test(|| {
		let mut p = default_params();
		p.max_rounds = 1;
		assert_ok!(Inference::set_parameters(RuntimeOrigin::signed(GOVERNOR), p));
		let (ops, id) = setup(4, 4);
		let dapp_before =
			free(DAPP) + Balances::balance_on_hold(&HoldReason::TaskFee.into(), &DAPP);
		assert_eq!(claim_all(id, &ops).len(), 4);
		answer_all(id, &ops, &|op| {
			Some(if op <= 2 { Answer::honest(op, id) } else { Answer::wrong(op, id, 3) })
		});
		assert_eq!(task(id).status, TaskStatus::Undecided);
		assert!(task(id).result.is_none());
		assert_eq!(free(DAPP), dapp_before);
		run_to_block(System::block_number() + SLASH_DEFER + 2);
		for op in ops {
			assert_eq!(collateral(op), COLLATERAL);
		}
		assert!(!events().iter().any(|e| matches!(e, Event::OperatorLiquidated { .. })));
	});
}

#[test]
fn when_everyone_is_silent_the_task_escalates_then_ends_undecided() {
	test(|| {
		let (ops, id) = setup(3, 3);
		let dapp_before = free(DAPP) + FEE;
		assert_eq!(claim_all(id, &ops).len(), 3);
		run_until(|| task(id).status.is_final());
		// Round 1 found nobody new to claim: decided on what there was, which is nothing.
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::TaskEscalated { round: 1, agreeing: 0, .. })));
		assert_eq!(task(id).status, TaskStatus::Undecided);
		assert_eq!(free(DAPP), dapp_before);
		run_to_block(System::block_number() + SLASH_DEFER + 2);
		for op in ops {
			assert_eq!(collateral(op), COLLATERAL, "no one is slashed when the task is undecided");
		}
	});
}

#[test]
fn silent_operators_of_a_settled_task_are_reported_offline() {
	test(|| {
		let (ops, id) = setup(4, 4);
		assert_eq!(claim_all(id, &ops).len(), 4);
		answer_all(id, &ops, &|op| (op != 4).then(|| Answer::honest(op, id)));
		// Not everyone revealed: the decision waits for the end of the window.
		assert!(matches!(task(id).status, TaskStatus::Revealing { .. }));
		run_until(|| task(id).status.is_final());
		let result = settled(id);
		assert_eq!((result.agreeing, result.conflicting, result.assigned), (3, 0, 4));
		assert!(events().contains(&Event::OperatorSilent { task: id, operator: 4 }));
		run_to_block(System::block_number() + SLASH_DEFER + 2);
		// The offline rule: 10, at most 10 % of its stake; not into the task's pool.
		assert_eq!(collateral(4), COLLATERAL - 10);
		assert_eq!(task(id).pool, 0);
		assert_eq!(free(UNCLAIMED_SINK), 10);
	});
}

#[test]
fn a_single_operator_with_k_1_settles_alone() {
	test(|| {
		let (ops, id) = setup(1, 1);
		assert_eq!(claim_all(id, &ops), vec![1]);
		answer_all(id, &ops, &|op| Some(Answer::honest(op, id)));
		assert_eq!((settled(id).agreeing, settled(id).assigned), (1, 1));
	});
}

#[test]
fn k_1_among_many_operators_takes_one_claim_per_round() {
	test(|| {
		let (ops, id) = setup(10, 1);
		let claimed = claim_all(id, &ops);
		assert_eq!(claimed.len(), 1);
		answer_all(id, &claimed, &|op| Some(Answer::honest(op, id)));
		assert_eq!(settled(id).assigned, 1);
	});
}

#[test]
fn the_randomness_comes_from_a_block_after_the_submission() {
	test(|| {
		register_operator(1);
		let model = register_golden();
		run_to_block(5);
		let id = submit(model, 1, FEE);
		assert_eq!(task(id).submitted_at, 5);
		// The block after the submission has no VRF output: the next one is used.
		VRF_AVAILABLE.with(|v| v.set(false));
		run_to_block(7);
		assert!(task(id).randomness.is_none());
		VRF_AVAILABLE.with(|v| v.set(true));
		until_claiming(id);
		let (_, from) = task(id).randomness.unwrap_or_default();
		assert!(from > 5, "randomness from block {from}, the task is from block 5");
		assert_eq!(from, 7);
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::RandomnessFixed { task, from: 7, .. } if *task == id)));
	});
}

#[test]
fn vrf_claims_are_refused_with_a_foreign_key_another_task_above_threshold_or_replayed() {
	test(|| {
		let (ops, id) = setup(12, 1);
		// A foreign key: a valid VRF signature, but not by the caller's registered key.
		let (pre, proof) = vrf_sign_with(&vrf_pair(1, 9), id);
		assert_noop!(
			Inference::claim(RuntimeOrigin::signed(1), id, pre, proof),
			Error::<Test>::VrfProofInvalid
		);
		// Another operator's signature.
		let (pre, proof) = vrf_sign_with(&vrf_pair(2, 0), id);
		assert_noop!(
			Inference::claim(RuntimeOrigin::signed(1), id, pre, proof),
			Error::<Test>::VrfProofInvalid
		);
		// Garbage bytes.
		assert_noop!(
			Inference::claim(RuntimeOrigin::signed(1), id, [7; 32], [7; 64]),
			Error::<Test>::VrfProofInvalid
		);
		// A proof made for another task.
		let other = submit(Tasks::<Test>::get(id).map(|t| t.model).unwrap_or_default(), 1, FEE);
		until_claiming(other);
		let (pre, proof) = vrf_sign_with(&vrf_pair(1, 0), other);
		assert_noop!(
			Inference::claim(RuntimeOrigin::signed(1), id, pre, proof),
			Error::<Test>::VrfProofInvalid
		);
		// Above the threshold: with k = 1 among 12 equal stakes each is selected with
		// probability 1/12 in the first tranche. Compute each one's VRF output as it would.
		let (randomness, _) = task(id).randomness.unwrap_or_default();
		let transcript = aos_inference_primitives::vrf_transcript(
			&aos_inference_primitives::task_hash(id),
			&randomness.0,
		);
		let total = task(id).selection_stake;
		let threshold = aos_inference_primitives::selection_threshold(COLLATERAL, total, 1);
		let outputs: Vec<(AccountId, u128)> = ops
			.iter()
			.map(|op| {
				let pair = vrf_pair(*op, 0);
				(
					*op,
					u128::from_le_bytes(pair.make_bytes::<16>(
						aos_inference_primitives::VRF_OUTPUT_CONTEXT,
						&transcript,
					)),
				)
			})
			.collect();
		let above: Vec<AccountId> =
			outputs.iter().filter(|(_, o)| *o >= threshold).map(|(op, _)| *op).collect();
		let below: Vec<AccountId> =
			outputs.iter().filter(|(_, o)| *o < threshold).map(|(op, _)| *op).collect();
		assert!(!above.is_empty());
		for op in &above {
			assert_noop!(claim(*op, id), Error::<Test>::NotSelected);
		}
		if let Some(op) = below.first() {
			assert_ok!(claim(*op, id));
			// Replayed: the same claim again.
			assert_noop!(claim(*op, id), Error::<Test>::AlreadyClaimed);
		}
		// A claim when no claims are open.
		assert_noop!(
			Inference::claim(RuntimeOrigin::signed(1), 999, [0; 32], [0; 64]),
			Error::<Test>::UnknownTask
		);
	});
}

#[test]
fn a_vrf_key_registered_after_the_randomness_cannot_claim() {
	test(|| {
		register_operator(1);
		let model = register_golden();
		run_to_block(2 + SELECTION_DELAY);
		// 2's key is registered one block before the task: younger than the selection delay
		// when the randomness is fixed, so it could have been chosen knowing it was coming.
		register_operator(2);
		run_to_block(3 + SELECTION_DELAY);
		let id = submit(model, 2, FEE);
		until_claiming(id);
		assert_noop!(claim(2, id), Error::<Test>::VrfKeyTooNew);
		assert_ok!(claim(1, id));
	});
}

#[test]
fn reveals_must_match_commitment_proof_of_work_and_shape() {
	test(|| {
		let (ops, id) = setup(2, 2);
		assert_eq!(claim_all(id, &ops).len(), 2);
		let good = Answer::honest(1, id);
		run_until(|| matches!(task(id).status, TaskStatus::Committing { .. }));
		assert_noop!(reveal_answer(1, id, &good), Error::<Test>::NotRevealing);
		assert_ok!(commit_answer(1, id, &good));
		assert_noop!(commit_answer(1, id, &good), Error::<Test>::AlreadyCommitted);
		assert_noop!(commit_answer(3, id, &good), Error::<Test>::NotAssigned);
		// 2 commits to evidence at the wrong positions.
		let mut moved = Answer::honest(2, id);
		moved.intermediates[0].0 += 1;
		assert_ok!(commit_answer(2, id, &moved));
		run_until(|| matches!(task(id).status, TaskStatus::Revealing { .. }));
		// Not what was committed.
		assert_noop!(
			reveal_answer(1, id, &Answer::wrong(1, id, 4)),
			Error::<Test>::CommitmentMismatch
		);
		let mut other_top = good.clone();
		other_top.top.swap(0, 1);
		assert_noop!(reveal_answer(1, id, &other_top), Error::<Test>::CommitmentMismatch);
		// Another operator's evidence (its samples and intermediates) is not what 1 committed to.
		assert_noop!(
			reveal_answer(1, id, &Answer::honest(2, id)),
			Error::<Test>::CommitmentMismatch
		);
		// A nonce without the work.
		let bad_nonce = (0u64..)
			.find(|n| {
				!aos_inference_primitives::pow_valid(
					&aos_inference_primitives::task_hash(id),
					&codec::Encode::encode(&1u128),
					&good.output.0,
					*n,
					4,
				)
			})
			.unwrap_or(0);
		assert_noop!(reveal_with_nonce(1, id, &good, bad_nonce), Error::<Test>::ProofOfWorkTooWeak);
		// Committed, but not at the positions the kernel chooses for 2: refused.
		assert_noop!(reveal_answer(2, id, &moved), Error::<Test>::RevealShapeMismatch);
		assert_ok!(reveal_answer(1, id, &good));
		assert_noop!(reveal_answer(1, id, &good), Error::<Test>::NothingToReveal);
		assert_eq!(Reveals::<Test>::get(id, 1).map(|r| r.output), Some(good.output));
	});
}

#[test]
fn ended_tasks_are_pruned_after_the_retention_period() {
	test(|| {
		let (ops, id) = setup(1, 1);
		claim_all(id, &ops);
		answer_all(id, &ops, &|op| Some(Answer::honest(op, id)));
		let ended = task(id).ended_at.unwrap_or_default();
		assert!(TasksByOwner::<Test>::contains_key(DAPP, id));
		run_to_block(ended + default_params().retention - 1);
		assert!(Tasks::<Test>::contains_key(id));
		run_to_block(ended + default_params().retention);
		assert!(!Tasks::<Test>::contains_key(id));
		assert!(!TasksByOwner::<Test>::contains_key(DAPP, id));
		assert!(Claims::<Test>::get(id).is_empty());
		assert!(!Reveals::<Test>::contains_key(id, 1));
		assert!(events().contains(&Event::TaskPruned { task: id }));
	});
}

#[test]
fn submissions_are_checked() {
	test(|| {
		let model = register_golden();
		let submit_with = |input, fee, mode, k, sampling| {
			Inference::submit_task(
				RuntimeOrigin::signed(DAPP),
				model,
				input,
				fee,
				mode,
				k,
				sampling,
			)
		};
		let s = aos_kernel::golden::sampling();
		assert_noop!(
			submit_with(golden_input(), FEE, VerificationMode::Zk, 3, s),
			Error::<Test>::ModeNotAllowed
		);
		assert_noop!(
			submit_with(
				TaskInput::Inline(BoundedVec::truncate_from(vec![1; 31])),
				FEE,
				VerificationMode::Redundancy,
				3,
				s
			),
			Error::<Test>::InputWidthMismatch
		);
		assert_noop!(
			submit_with(golden_input(), FEE, VerificationMode::Redundancy, 0, s),
			Error::<Test>::RedundancyOutOfRange
		);
		assert_noop!(
			submit_with(golden_input(), FEE, VerificationMode::Redundancy, 9, s),
			Error::<Test>::RedundancyOutOfRange
		);
		assert_noop!(
			submit_with(golden_input(), 3 * PRICE - 1, VerificationMode::Redundancy, 3, s),
			Error::<Test>::FeeTooLow
		);
		assert_noop!(
			submit_with(
				golden_input(),
				FEE,
				VerificationMode::Redundancy,
				3,
				SamplingParams { top_k: 11, inv_temperature_q16: 0 }
			),
			Error::<Test>::TopKOutOfRange
		);
		assert_noop!(
			submit_with(golden_input(), START_BALANCE, VerificationMode::Redundancy, 3, s),
			Error::<Test>::InsufficientFunds
		);
		assert_noop!(
			Inference::submit_task(
				RuntimeOrigin::signed(DAPP),
				H256::zero(),
				golden_input(),
				FEE,
				VerificationMode::Redundancy,
				3,
				s
			),
			Error::<Test>::UnknownModel
		);
		// The other modes have their place but are not available yet.
		let (_, layers) = golden_model();
		assert_ok!(Inference::register_model(
			RuntimeOrigin::signed(OWNER),
			H256::repeat_byte(1),
			aos_kernel::KERNEL_VERSION,
			32,
			layers,
			BoundedVec::default(),
			VerificationMode::Zk.bit(),
			0
		));
		assert_noop!(
			Inference::submit_task(
				RuntimeOrigin::signed(DAPP),
				H256::repeat_byte(1),
				golden_input(),
				FEE,
				VerificationMode::Zk,
				3,
				s
			),
			Error::<Test>::NoVerifyingKey
		);
		// A remote input by hash.
		assert_ok!(submit_with(
			TaskInput::Remote {
				hash: H256::repeat_byte(9),
				uri: BoundedVec::truncate_from(b"ipfs://x".to_vec())
			},
			FEE,
			VerificationMode::Redundancy,
			3,
			s
		));
	});
}

#[test]
fn the_model_registry_checks_commitments_deposits_and_bans() {
	test(|| {
		let (id, layers) = golden_model();
		let reg = |id, inputs, layers, modes| {
			Inference::register_model(
				RuntimeOrigin::signed(OWNER),
				id,
				aos_kernel::KERNEL_VERSION,
				inputs,
				layers,
				BoundedVec::default(),
				modes,
				PRICE,
			)
		};
		assert_noop!(reg(id, 31, layers.clone(), 1), Error::<Test>::LayersDoNotChain);
		let mut broken = layers.clone();
		broken[1].inputs = 63;
		assert_noop!(reg(id, 32, broken, 1), Error::<Test>::LayersDoNotChain);
		assert_noop!(reg(id, 32, BoundedVec::default(), 1), Error::<Test>::NoLayers);
		let mut wide = layers.clone();
		wide[0].outputs = aos_kernel::model::MAX_WIDTH + 1;
		assert_noop!(reg(id, 32, wide, 1), Error::<Test>::WidthOutOfRange);
		assert_noop!(reg(id, 32, layers.clone(), 0), Error::<Test>::NoModeAllowed);
		assert_noop!(reg(id, 32, layers.clone(), 16), Error::<Test>::UnknownMode);
		assert_noop!(
			Inference::register_model(
				RuntimeOrigin::signed(OWNER),
				id,
				2,
				32,
				layers.clone(),
				BoundedVec::default(),
				1,
				PRICE
			),
			Error::<Test>::UnsupportedKernelVersion
		);
		assert_ok!(reg(id, 32, layers.clone(), 1));
		assert_noop!(reg(id, 32, layers.clone(), 1), Error::<Test>::ModelExists);
		// The commitment the chain computed is the kernel's.
		let model = aos_kernel::golden::model();
		let expected =
			aos_kernel::commit::model_commitment(&model, &aos_kernel::commit::layer_roots(&model));
		assert_eq!(Models::<Test>::get(id).map(|m| m.commitment), Some(H256(expected)));
		assert_eq!(Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &OWNER), 500);
		assert_noop!(
			Inference::deregister_model(RuntimeOrigin::signed(DAPP), id),
			Error::<Test>::NotModelOwner
		);
		assert_noop!(
			Inference::ban_model(RuntimeOrigin::signed(OWNER), id),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(Inference::ban_model(RuntimeOrigin::signed(GOVERNOR), id));
		assert_eq!(Balances::balance_on_hold(&HoldReason::ModelDeposit.into(), &OWNER), 0);
		assert_noop!(
			Inference::submit_task(
				RuntimeOrigin::signed(DAPP),
				id,
				golden_input(),
				FEE,
				VerificationMode::Redundancy,
				1,
				aos_kernel::golden::sampling()
			),
			Error::<Test>::ModelBanned
		);
		assert_noop!(reg(id, 32, layers.clone(), 1), Error::<Test>::ModelExists);
		assert_noop!(
			Inference::deregister_model(RuntimeOrigin::signed(OWNER), id),
			Error::<Test>::ModelBanned
		);
		let other = H256::repeat_byte(2);
		assert_ok!(reg(other, 32, layers, 1));
		assert_ok!(Inference::deregister_model(RuntimeOrigin::signed(OWNER), other));
		assert!(!Models::<Test>::contains_key(other));
	});
}

#[test]
fn parameters_are_governed_and_bounded() {
	test(|| {
		let p = default_params();
		assert_noop!(
			Inference::set_parameters(RuntimeOrigin::signed(1), p),
			sp_runtime::DispatchError::BadOrigin
		);
		for (bad, error) in [
			(Params { randomness_delay: 1, ..p }, Error::<Test>::ParamRandomnessDelayTooShort),
			(Params { claim_period: 0, ..p }, Error::<Test>::ParamZeroPeriod),
			(Params { resolution_window: 0, ..p }, Error::<Test>::ParamZeroPeriod),
			(Params { max_tranches: 0, ..p }, Error::<Test>::ParamTranchesOutOfRange),
			(Params { max_tranches: 9, ..p }, Error::<Test>::ParamTranchesOutOfRange),
			(Params { max_rounds: 5, ..p }, Error::<Test>::ParamRoundsOutOfRange),
			(Params { pow_difficulty: 25, ..p }, Error::<Test>::ParamPowDifficultyTooHigh),
			(Params { max_redundancy: 0, ..p }, Error::<Test>::ParamMaxRedundancyOutOfRange),
			(Params { max_redundancy: 17, ..p }, Error::<Test>::ParamMaxRedundancyOutOfRange),
			(Params { samples: 9, ..p }, Error::<Test>::ParamTooManySamples),
			(Params { intermediates: 17, ..p }, Error::<Test>::ParamTooManyIntermediates),
			// No task is free for operators.
			(Params { min_fee: 0, ..p }, Error::<Test>::ParamZeroMinFee),
			// Periods have upper bounds.
			(Params { claim_period: 10_001, ..p }, Error::<Test>::ParamPeriodTooLong),
			(Params { retention: 10_001, ..p }, Error::<Test>::ParamPeriodTooLong),
			(Params { randomness_delay: 10_001, ..p }, Error::<Test>::ParamPeriodTooLong),
			// A task's whole life plus the slash deferral must fit in the unbonding period
			// (300 blocks here), or a liar could unbond and leave before its slash lands.
			(Params { resolution_window: 200, ..p }, Error::<Test>::ParamTaskOutlivesUnbonding),
			// The task must outlive the deferral, so that liquidations reach its pool.
			(Params { retention: SLASH_DEFER, ..p }, Error::<Test>::ParamRetentionWithinDeferral),
		] {
			assert_noop!(Inference::set_parameters(RuntimeOrigin::signed(GOVERNOR), bad), error);
		}
		let new = Params { pow_difficulty: 0, resolution_window: 50, ..p };
		assert_ok!(Inference::set_parameters(RuntimeOrigin::signed(GOVERNOR), new));
		assert_eq!(Parameters::<Test>::get(), new);
		assert!(events().contains(&Event::ParametersChanged { params: new }));
	});
}

#[test]
fn tasks_of_pages_through_an_owners_tasks() {
	test(|| {
		let model = register_golden();
		let ids: Vec<TaskId> = (0..5).map(|_| submit(model, 1, FEE)).collect();
		let mut seen = Vec::new();
		let mut after = None;
		loop {
			let page = Inference::tasks_of(&DAPP, after, 2);
			assert!(page.len() <= 2);
			if page.is_empty() {
				break;
			}
			after = page.last().copied();
			seen.extend(page);
		}
		seen.sort();
		assert_eq!(seen, ids);
		assert!(Inference::tasks_of(&OWNER, None, 10).is_empty());
		assert_eq!(Inference::tasks_of(&DAPP, None, 0), Vec::<TaskId>::new());
	});
}

// --- Sampling cost ------------------------------------------------------------------------------

/// What one claim costs with `operators` registered: (storage keys written, bytes of the storage
/// proof of everything it read). Operator 1 holds enough stake to be selected for a k = 4 task
/// whatever the others hold; the others hold the minimum.
fn claim_cost_with_operators(operators: u32) -> (usize, usize) {
	use frame_support::traits::fungible::Mutate;
	let mut ext = new_test_ext();
	let id = ext.execute_with(|| {
		register_operator_with(1, 5_000 * COLLATERAL);
		for i in 1..operators {
			let who = 1_000_000 + AccountId::from(i);
			<Balances as Mutate<AccountId>>::set_balance(&who, 2 * COLLATERAL);
			register_operator_with(who, COLLATERAL);
		}
		let model = register_golden();
		run_to_block(2 + SELECTION_DELAY);
		let id = submit(model, 4, FEE);
		until_claiming(id);
		// As at the start of a block: the setup's events would otherwise be read back into
		// the proof when the claim appends its own.
		System::reset_events();
		id
	});
	if let Err(e) = ext.commit_all() {
		panic!("commit: {e}");
	}
	let (result, proof) = ext.execute_and_prove(|| claim(1, id));
	assert_ok!(result);
	let written = ext.overlayed_changes().changes().count();
	(written, codec::Encode::encoded_size(&proof))
}

#[test]
fn a_claim_with_10_000_operators_costs_what_it_does_with_10() {
	let (writes_10, proof_10) = claim_cost_with_operators(10);
	let (writes_n, proof_n) = claim_cost_with_operators(10_000);
	println!("claim: writes {writes_10}/{writes_n}, proof {proof_10}/{proof_n} bytes with 10/10_000 operators");
	assert_eq!(writes_10, writes_n, "storage writes");
	// Only the trie gets deeper (a few branch nodes more on each path read); reading the
	// operators would add at least 10_000 records, hundreds of kilobytes.
	assert!(proof_n < proof_10 + 4 * 1024, "proof {proof_10} bytes with 10, {proof_n} with 10_000");
}

/// Zk mode from this pallet's side: a task for a model with a linked verifying key snapshots
/// the key, is claimed, then its assigned operators commit to proofs and reveal them; a proved
/// result settles it and pays the prover; an invalid proof is reported once as
/// `ZkProofInvalid`; a proof is bound to its committer and not accepted twice; with no proof it
/// escalates.
#[test]
fn zk_tasks_commit_to_proofs_and_settle_on_one() {
	use aos_inference_primitives::zk::{proof_commitment, ZkTaskError, ZkTasks};
	test(|| {
		let (ops, model) = zk_operators_and_model();
		let zk_submit = |input| {
			Inference::submit_task(
				RuntimeOrigin::signed(DAPP),
				model,
				input,
				FEE,
				VerificationMode::Zk,
				2,
				aos_kernel::golden::sampling(),
			)
		};
		assert_noop!(zk_submit(golden_input()), Error::<Test>::NoVerifyingKey);
		let vk = H256::repeat_byte(0x77);
		link_zk(model, vk, 7);
		let remote = TaskInput::Remote { hash: H256::zero(), uri: BoundedVec::default() };
		assert_noop!(zk_submit(remote), Error::<Test>::InlineInputRequired);
		let id = NextTaskId::<Test>::get();
		assert_ok!(zk_submit(golden_input()));
		assert_eq!(zk_held(vk), 1, "the task holds its verifying key");
		// The link changes after submission: the task keeps the key it was submitted under.
		link_zk(model, H256::repeat_byte(0x88), 3);
		let proof = b"a proof".to_vec();
		let instances = [[1u8; 32], [2u8; 32]];
		assert_eq!(
			Inference::proof_task(id, &1, &proof, &instances),
			Err(ZkTaskError::NotAwaitingProof)
		);
		until_claiming(id);
		let assigned = claim_all(id, &ops);
		assert_eq!(assigned.len(), 2);
		let (prover, copier) = (assigned[0], assigned[1]);
		let outsider = *ops.iter().find(|o| !assigned.contains(o)).unwrap_or(&99);
		// Commit first, like any result.
		assert!(matches!(task(id).status, TaskStatus::Committing { .. }));
		let commitment = |who: AccountId, proof: &[u8]| {
			H256(proof_commitment(
				&aos_inference_primitives::task_hash(id),
				&codec::Encode::encode(&who),
				proof,
				&instances,
			))
		};
		assert_ok!(Inference::commit(
			RuntimeOrigin::signed(prover),
			id,
			commitment(prover, &proof)
		));
		// The copier commits to something else; it cannot know the prover's proof yet.
		let junk = b"junk".to_vec();
		assert_ok!(Inference::commit(RuntimeOrigin::signed(copier), id, commitment(copier, &junk)));
		// A Zk task's resolution phase is its own: it takes proofs, not reveals.
		run_until(|| !matches!(task(id).status, TaskStatus::Committing { .. }));
		let TaskStatus::Proving { round: 0, until } = task(id).status else {
			panic!("a Zk task proves after committing, found {:?}", task(id).status)
		};
		System::assert_has_event(Event::ProofPhase { task: id, round: 0, until }.into());
		assert_eq!(
			Inference::proof_task(id, &outsider, &proof, &instances),
			Err(ZkTaskError::NotAssigned)
		);
		// Seeing the prover's proof, the copier cannot reveal it: it committed to another.
		assert_eq!(
			Inference::proof_task(id, &copier, &proof, &instances),
			Err(ZkTaskError::CommitmentMismatch)
		);
		// Nor is the `reveal` of results open to a Zk-mode task.
		assert_noop!(
			reveal_answer(prover, id, &Answer::honest(prover, id)),
			Error::<Test>::ModeNotSupported
		);
		let t = Inference::proof_task(id, &prover, &proof, &instances).unwrap();
		assert_eq!((t.model, t.input), (model, aos_kernel::golden::input()));
		assert_eq!(t.link, ZkLink { vk, input_scale: 7 });

		// The copier's own proof fails: reported once, its commitment spent.
		assert!(Inference::proof_task(id, &copier, &junk, &instances).is_ok());
		Inference::reject_proof(id, &copier);
		System::assert_has_event(Event::InvalidProofReported { task: id, operator: copier }.into());
		assert_eq!(
			Inference::proof_task(id, &copier, &junk, &instances),
			Err(ZkTaskError::NotCommitted)
		);
		// Reported to pallet-operators under its own kind (its slash is deferred there).
		let reports = || {
			System::events()
				.iter()
				.filter(|e| {
					matches!(
						&e.event,
						RuntimeEvent::Operators(pallet_operators::Event::SlashDeferred { operator, kind, .. })
							if *operator == copier
								&& *kind == aos_operators_primitives::OffenceKind::ZkProofInvalid
					)
				})
				.count()
		};
		assert_eq!(reports(), 1);

		let logits = [5, -3, 9, 0];
		let paid_before = free(prover);
		Inference::settle_proved(id, &prover, &logits, &proof);
		let r = settled(id);
		assert_eq!(r.output, H256(aos_kernel::output_digest(&logits)));
		assert_eq!(r.top.first(), Some(&2));
		assert_eq!((r.agreeing, r.assigned), (1, 2));
		assert_eq!(r.proof, Some(aos_inference_primitives::zk::proof_hash(&proof)));
		assert!(free(prover) > paid_before);
		assert_eq!(zk_held(vk), 0, "the ended task released its key");
		assert_eq!(
			Inference::proof_task(id, &prover, &proof, &instances),
			Err(ZkTaskError::NotAwaitingProof)
		);
		// Nothing more is reported for the copier, whose commitment the bad proof spent.
		assert_eq!(reports(), 1);

		// The same proof is not accepted for another task on the same input.
		link_zk(model, vk, 7);
		let id2 = NextTaskId::<Test>::get();
		assert_ok!(zk_submit(golden_input()));
		until_claiming(id2);
		let assigned = claim_all(id2, &ops);
		let again = assigned[0];
		let commitment2 = H256(proof_commitment(
			&aos_inference_primitives::task_hash(id2),
			&codec::Encode::encode(&again),
			&proof,
			&instances,
		));
		assert_ok!(Inference::commit(RuntimeOrigin::signed(again), id2, commitment2));
		run_until(|| matches!(task(id2).status, TaskStatus::Proving { .. }));
		assert_eq!(
			Inference::proof_task(id2, &again, &proof, &instances),
			Err(ZkTaskError::ProofReplayed)
		);
		// With no proof, the window's end escalates the task to a new round, and the committed
		// operators that revealed nothing are reported as a bad proof would be.
		run_until(|| !matches!(task(id2).status, TaskStatus::Proving { .. }));
		assert!(matches!(
			task(id2).status,
			TaskStatus::Claiming { round: 1, .. } | TaskStatus::Undecided
		));
		run_until(|| task(id2).status.is_final());
		assert!(events().contains(&Event::RevealWithheld { task: id2, operator: again }));
	});
}

// --- Hardening: withheld reveals, rounds, snapshots, ranking, flooding ---------------------------

fn slash_kinds_of(who: AccountId) -> Vec<aos_operators_primitives::OffenceKind> {
	System::events()
		.into_iter()
		.filter_map(|e| match e.event {
			RuntimeEvent::Operators(pallet_operators::Event::SlashDeferred {
				operator,
				kind,
				..
			}) if operator == who => Some(kind),
			_ => None,
		})
		.collect()
}

#[test]
fn a_withheld_reveal_costs_what_a_wrong_one_does() {
	use aos_operators_primitives::OffenceKind;
	test(|| {
		let (ops, id) = setup(3, 3);
		let assigned = claim_all(id, &ops);
		assert_eq!(assigned.len(), 3);
		let liar = assigned[2];
		let before: Vec<Balance> = assigned.iter().map(|o| free(*o)).collect();
		// The liar committed to a wrong result, saw the honest reveals, and keeps quiet.
		run_until(|| matches!(task(id).status, TaskStatus::Committing { .. }));
		for op in &assigned {
			let answer =
				if *op == liar { Answer::wrong(*op, id, 9) } else { Answer::honest(*op, id) };
			assert_ok!(commit_answer(*op, id, &answer));
		}
		run_until(|| matches!(task(id).status, TaskStatus::Revealing { .. }));
		for op in assigned.iter().filter(|o| **o != liar) {
			assert_ok!(reveal_answer(*op, id, &Answer::honest(*op, id)));
		}
		run_until(|| task(id).status.is_final());
		let result = settled(id);
		assert_eq!((result.agreeing, result.conflicting, result.assigned), (2, 0, 3));
		assert!(events().contains(&Event::RevealWithheld { task: id, operator: liar }));
		// Judged as a wrong result (liquidation), not as being offline.
		assert_eq!(slash_kinds_of(liar), vec![OffenceKind::WrongResult]);
		run_to_block(System::block_number() + SLASH_DEFER + 2);
		assert_eq!(collateral(liar), 0);
		assert_eq!(task(id).pool, COLLATERAL);
		for (op, before) in assigned.iter().zip(&before).take(2) {
			assert_eq!(free(*op), before + FEE / 2 + COLLATERAL / 2);
		}
	});
}

#[test]
fn reveals_are_taken_only_in_their_round() {
	use aos_operators_primitives::OffenceKind;
	test(|| {
		let (ops, id) = setup(12, 3);
		let first = claim_all(id, &ops);
		assert_eq!(first.len(), 3);
		let (honest, liar, quiet) = (first[0], first[1], first[2]);
		// One honest, one wrong, one committed and quiet: n = 1, m = 1, no decision.
		run_until(|| matches!(task(id).status, TaskStatus::Committing { .. }));
		assert_ok!(commit_answer(honest, id, &Answer::honest(honest, id)));
		assert_ok!(commit_answer(liar, id, &Answer::wrong(liar, id, 5)));
		assert_ok!(commit_answer(quiet, id, &Answer::honest(quiet, id)));
		run_until(|| matches!(task(id).status, TaskStatus::Revealing { .. }));
		assert_ok!(reveal_answer(honest, id, &Answer::honest(honest, id)));
		assert_ok!(reveal_answer(liar, id, &Answer::wrong(liar, id, 5)));
		run_until(|| matches!(task(id).status, TaskStatus::Claiming { round: 1, .. }));
		let second = claim_all(id, &ops);
		answer_all(id, &second, &|op| Some(Answer::honest(op, id)));
		// A round-0 claim cannot reveal in round 1's window: it had its round.
		if matches!(task(id).status, TaskStatus::Revealing { round: 1, .. }) {
			assert_noop!(
				reveal_answer(quiet, id, &Answer::honest(quiet, id)),
				Error::<Test>::WrongRound
			);
		}
		run_until(|| task(id).status.is_final());
		settled(id);
		assert!(events().contains(&Event::RevealWithheld { task: id, operator: quiet }));
		assert_eq!(slash_kinds_of(quiet), vec![OffenceKind::WrongResult]);
		assert_eq!(slash_kinds_of(liar), vec![OffenceKind::WrongResult]);
		assert!(slash_kinds_of(honest).is_empty());
	});
}

#[test]
fn a_task_keeps_the_terms_it_was_submitted_under() {
	test(|| {
		let (ops, id) = setup(2, 2);
		let model = task(id).model;
		// The owner cannot pull the model from under a live task.
		assert_noop!(
			Inference::deregister_model(RuntimeOrigin::signed(OWNER), model),
			Error::<Test>::ModelInUse
		);
		let assigned = claim_all(id, &ops);
		run_until(|| matches!(task(id).status, TaskStatus::Committing { .. }));
		for op in &assigned {
			assert_ok!(commit_answer(*op, id, &Answer::honest(*op, id)));
		}
		// Governance bans the model and raises the proof of work mid-task; the honest reveals,
		// made under the task's terms, still count.
		assert_ok!(Inference::ban_model(RuntimeOrigin::signed(GOVERNOR), model));
		let mut p = default_params();
		p.pow_difficulty = 20;
		assert_ok!(Inference::set_parameters(RuntimeOrigin::signed(GOVERNOR), p));
		run_until(|| matches!(task(id).status, TaskStatus::Revealing { .. }));
		for op in &assigned {
			assert_ok!(reveal_answer(*op, id, &Answer::honest(*op, id)));
		}
		let result = settled(id);
		assert_eq!((result.agreeing, result.conflicting), (2, 0));
		assert_eq!(task(id).terms.pow_difficulty, 4);
		assert_eq!(Models::<Test>::get(model).map(|m| m.live_tasks), Some(0));
	});
}

#[test]
fn deregistering_or_banning_a_model_removes_its_verifying_key_link() {
	test(|| {
		let model = register_golden();
		link_zk(model, H256::repeat_byte(1), 7);
		assert_ok!(Inference::deregister_model(RuntimeOrigin::signed(OWNER), model));
		assert!(<MockZkModels as aos_inference_primitives::zk::ZkModels>::link(&model).is_none());
		let model = register_golden();
		link_zk(model, H256::repeat_byte(1), 7);
		assert_ok!(Inference::ban_model(RuntimeOrigin::signed(GOVERNOR), model));
		assert!(<MockZkModels as aos_inference_primitives::zk::ZkModels>::link(&model).is_none());
	});
}

#[test]
fn the_best_ranked_claims_are_assigned_whatever_their_order() {
	test(|| {
		// Many operators with equal stake and a target of 2: in a late tranche most of them are
		// selected, more than the task wants.
		let mut p = default_params();
		p.max_tranches = 4;
		assert_ok!(Inference::set_parameters(RuntimeOrigin::signed(GOVERNOR), p));
		let (ops, id) = setup(16, 2);
		let (randomness, _) = task(id).randomness.unwrap_or_default();
		let transcript = aos_inference_primitives::vrf_transcript(
			&aos_inference_primitives::task_hash(id),
			&randomness.0,
		);
		let output = |op: AccountId| {
			u128::from_le_bytes(
				vrf_pair(op, 0)
					.make_bytes::<16>(aos_inference_primitives::VRF_OUTPUT_CONTEXT, &transcript),
			)
		};
		// Wait for the last tranche, where the threshold is the widest.
		run_until(|| matches!(task(id).status, TaskStatus::Claiming { tranche: 3, .. }));
		// The block author puts the worst-ranked claims first.
		let mut selected: Vec<AccountId> = ops
			.iter()
			.copied()
			.filter(|op| {
				let total = task(id).selection_stake;
				aos_inference_primitives::is_selected(output(*op), COLLATERAL, total, 2 << 3)
			})
			.collect();
		assert!(selected.len() > 2, "{} selected", selected.len());
		selected.sort_by_key(|op| std::cmp::Reverse(output(*op)));
		for op in &selected {
			let _ = claim(*op, id);
		}
		run_until(|| !matches!(task(id).status, TaskStatus::Claiming { .. }));
		let mut best = selected.clone();
		best.sort_by_key(|op| output(*op));
		let mut assigned: Vec<AccountId> =
			Claims::<Test>::get(id).iter().map(|c| c.operator).collect();
		assigned.sort_by_key(|op| output(*op));
		assert_eq!(assigned, best[..2].to_vec());
	});
}

#[test]
fn stake_joining_after_the_randomness_changes_no_selection() {
	test(|| {
		let (_, id) = setup(4, 2);
		let snapshot = task(id).selection_stake;
		assert_eq!(snapshot, 4 * COLLATERAL);
		// A whale registers, and an operator bonds a lot, once the randomness is known.
		register_operator_with(20, 50 * COLLATERAL);
		assert_ok!(Operators::bond_extra(RuntimeOrigin::signed(1), 50 * COLLATERAL));
		assert_eq!(task(id).selection_stake, snapshot);
		let from = task(id).randomness.map(|(_, from)| from).unwrap_or_default();
		let stake =
			<Operators as aos_operators_primitives::OperatorRegistry<_, _, _>>::eligible(&1, from)
				.map(|e| e.stake);
		assert_eq!(stake, Some(COLLATERAL));
		assert_noop!(claim(20, id), Error::<Test>::VrfKeyTooNew);
	});
}

#[test]
fn submissions_pay_a_minimum_fee_a_base_fee_and_a_storage_deposit() {
	test(|| {
		// A model that asks nothing still costs the minimum fee per operator.
		let id = register_golden_with(VerificationMode::Redundancy.bit(), 0);
		let submit_fee = |fee| try_submit(DAPP, id, VerificationMode::Redundancy, 3, fee);
		assert_noop!(submit_fee(3 * MIN_FEE - 1), Error::<Test>::FeeTooLow);
		let issuance = Balances::total_issuance();
		let before = free(DAPP);
		let task_id = NextTaskId::<Test>::get();
		assert_ok!(submit_fee(3 * MIN_FEE));
		assert_eq!(free(DAPP), before - 3 * MIN_FEE - TASK_DEPOSIT - BASE_FEE);
		assert_eq!(Balances::total_issuance(), issuance - BASE_FEE, "the base fee is burned");
		assert_eq!(Balances::balance_on_hold(&HoldReason::TaskDeposit.into(), &DAPP), TASK_DEPOSIT);
		// No one takes it: the fee comes back, the base fee does not; the deposit comes back
		// when the task is pruned.
		run_until(|| task(task_id).status.is_final());
		assert_eq!(task(task_id).status, TaskStatus::Undecided);
		assert_eq!(free(DAPP), before - TASK_DEPOSIT - BASE_FEE);
		run_until(|| !Tasks::<Test>::contains_key(task_id));
		assert_eq!(free(DAPP), before - BASE_FEE);
		assert_eq!(Balances::balance_on_hold(&HoldReason::TaskDeposit.into(), &DAPP), 0);
	});
}

#[test]
fn payouts_that_cannot_be_made_are_swept_from_escrow() {
	use frame_support::traits::fungible::Mutate;
	test(|| {
		let escrow = Inference::escrow_account();
		<Balances as Mutate<AccountId>>::set_balance(&escrow, 1_000);
		// To the owner when there is one, burned otherwise: never left in escrow.
		Inference::sweep(7, 400, Some(&DAPP));
		assert!(events().contains(&Event::PayoutSwept { task: 7, amount: 400, to_owner: true }));
		let issuance = Balances::total_issuance();
		Inference::sweep(7, 600, None);
		assert_eq!(Balances::total_issuance(), issuance - 600);
		assert_eq!(free(escrow), 0);
	});
}

/// The flood: one account submits as many tasks as the chain admits, every block, for long
/// after the chain is full; nobody claims them. Honest tasks are submitted among them and
/// computed. Every deadline is handled at most `MaxLiveTasks / MaxAgendaPerBlock` blocks late
/// even when blocks leave no room for `on_idle`, excess submissions are refused with a clear
/// error, and the honest tasks settle.
#[test]
fn a_sustained_flood_cannot_delay_deadlines_beyond_the_bound() {
	const FLOODER: AccountId = 20;
	test(|| {
		IDLE.with(|i| i.set(false));
		let ops: Vec<AccountId> = (1..=3).collect();
		for op in &ops {
			register_operator(*op);
		}
		let model = register_golden();
		run_to_block(System::block_number() + SELECTION_DELAY + 1);
		let bound = u64::from(
			MAX_LIVE_TASKS.div_ceil(<<Test as Config>::MaxAgendaPerBlock as Get<u32>>::get()),
		);
		let deadline = |t: &TaskInfo<Test>| match t.status {
			TaskStatus::AwaitingRandomness { at } => Some(at),
			TaskStatus::Claiming { until, .. }
			| TaskStatus::Committing { until, .. }
			| TaskStatus::Revealing { until, .. }
			| TaskStatus::Proving { until, .. } => Some(until),
			_ => None,
		};
		let (mut refused_full, mut refused_agenda, mut worst) = (0, 0, 0u64);
		let mut honest = Vec::new();
		let mut want = false;
		for block in 0..200u64 {
			// A dApp wants a task every 40 blocks, and tries each block until it is admitted.
			want |= block % 40 == 10;
			if want {
				let id = NextTaskId::<Test>::get();
				match try_submit(DAPP, model, VerificationMode::Redundancy, 2, FEE) {
					Ok(()) => {
						honest.push(id);
						want = false;
					},
					Err(e) => assert!(
						e == Error::<Test>::TooManyTasks.into()
							|| e == Error::<Test>::AgendaFull.into(),
						"{e:?}"
					),
				}
			}
			// As many flood tasks as admitted.
			loop {
				match try_submit(FLOODER, model, VerificationMode::Redundancy, 3, 3 * PRICE) {
					Ok(()) => {},
					Err(e) if e == Error::<Test>::TooManyTasks.into() => {
						refused_full += 1;
						break;
					},
					Err(e) if e == Error::<Test>::AgendaFull.into() => {
						refused_agenda += 1;
						break;
					},
					Err(e) => panic!("unexpected refusal: {e:?}"),
				}
			}
			run_to_block(System::block_number() + 1);
			let now = System::block_number();
			for (_, t) in Tasks::<Test>::iter() {
				if let Some(d) = deadline(&t) {
					worst = worst.max(now.saturating_sub(d));
				}
			}
			// The operators compute the honest tasks.
			for id in &honest {
				let Some(status) = Tasks::<Test>::get(*id).map(|t| t.status) else { continue };
				if matches!(status, TaskStatus::Claiming { .. }) {
					for op in &ops {
						let _ = claim(*op, *id);
					}
				}
				if matches!(status, TaskStatus::Committing { .. }) {
					for c in Claims::<Test>::get(*id) {
						let _ = commit_answer(c.operator, *id, &Answer::honest(c.operator, *id));
					}
				}
				if matches!(status, TaskStatus::Revealing { .. }) {
					for c in Claims::<Test>::get(*id) {
						let _ = reveal_answer(c.operator, *id, &Answer::honest(c.operator, *id));
					}
				}
			}
		}
		println!(
			"flood: worst lateness {worst} blocks (bound {bound}); refused {refused_full} for \
			 capacity, {refused_agenda} for the agenda; {} honest tasks",
			honest.len()
		);
		assert!(worst <= bound, "a deadline was handled {worst} blocks late, bound {bound}");
		assert!(refused_full + refused_agenda > 0, "the flood met admission control");
		assert!(!honest.is_empty());
		for id in honest {
			assert!(
				events()
					.iter()
					.any(|e| matches!(e, Event::TaskSettled { task, .. } if *task == id)),
				"honest task {id} did not settle"
			);
		}
	});
}

/// The worst case behind the bound: deadlines pushed by extrinsics rather than by the agenda
/// itself (escalations when reveals tie) can all fall due in one block. Every task not ended
/// then waits at most `MaxLiveTasks / MaxAgendaPerBlock` blocks, with no room for `on_idle`;
/// with room, `on_idle` handles them in the block they fall due.
#[test]
fn deadlines_falling_due_together_wait_at_most_the_bound() {
	for idle in [false, true] {
		test(|| {
			IDLE.with(|i| i.set(idle));
			// Long claim tranches: tasks stay in flight long enough to fill the chain.
			let mut p = default_params();
			p.claim_period = 20;
			assert_ok!(Inference::set_parameters(RuntimeOrigin::signed(GOVERNOR), p));
			let model = register_golden();
			// As many tasks as the chain admits, submitted over several blocks.
			for _ in 0..10_000 {
				if LiveTasks::<Test>::get() >= MAX_LIVE_TASKS {
					break;
				}
				match try_submit(DAPP, model, VerificationMode::Redundancy, 1, FEE) {
					Ok(()) => {},
					Err(e) if e == Error::<Test>::AgendaFull.into() => {
						run_to_block(System::block_number() + 1)
					},
					Err(e) => panic!("{e:?}"),
				}
			}
			assert_eq!(LiveTasks::<Test>::get(), MAX_LIVE_TASKS);
			assert_noop!(
				try_submit(DAPP, model, VerificationMode::Redundancy, 1, FEE),
				Error::<Test>::TooManyTasks
			);
			// Every deadline moved to one block, as a burst of escalations would put them.
			let due = System::block_number() + 1;
			let entries: Vec<(BlockNumber, TaskId)> =
				Agenda::<Test>::iter().map(|(b, id, _)| (b, id)).collect();
			for (b, id) in entries {
				Agenda::<Test>::remove(b, id);
				Agenda::<Test>::insert(due, id, ());
				Tasks::<Test>::mutate(id, |t| {
					if let Some(t) = t {
						t.status = match t.status {
							TaskStatus::AwaitingRandomness { .. } => {
								TaskStatus::AwaitingRandomness { at: due }
							},
							TaskStatus::Claiming { round, tranche, .. } => {
								TaskStatus::Claiming { round, tranche, until: due }
							},
							other => other,
						};
					}
				});
			}
			let bound = u64::from(
				MAX_LIVE_TASKS.div_ceil(<<Test as Config>::MaxAgendaPerBlock as Get<u32>>::get()),
			);
			let mut worst = 0;
			for _ in 0..3 * bound {
				run_to_block(System::block_number() + 1);
				let now = System::block_number();
				for (b, _, _) in Agenda::<Test>::iter() {
					if b < now {
						worst = worst.max(now - b);
					}
				}
			}
			println!("{MAX_LIVE_TASKS} deadlines due at once, on_idle {idle}: worst wait {worst}");
			assert!(worst < bound, "waited {worst} blocks, bound {bound}");
			if idle {
				assert_eq!(worst, 0);
			}
		});
	}
}

// --- TEE mode ----------------------------------------------------------------------------------

/// Operator `who`'s enclave key (deterministic).
fn enclave_pair(who: AccountId) -> sp_core::ed25519::Pair {
	use sp_core::Pair as _;
	sp_core::ed25519::Pair::from_seed(&sp_crypto_hashing::blake2_256(&(b"enclave", who).encode()))
}

use codec::Encode as _;

/// What `who`'s enclave signs for `output` and `top` of TEE task `id`.
fn attest(who: AccountId, id: TaskId, output: H256, top: &[u32]) -> [u8; 64] {
	use sp_core::Pair as _;
	let t = task(id);
	let message = aos_inference_primitives::tee::result_message(
		id,
		&t.model,
		&Inference::task_input_hash(&t.input),
		&output,
		top,
	);
	enclave_pair(who).sign(&message).0
}

fn submit_attested(
	who: AccountId,
	id: TaskId,
	output: H256,
	top: &[u32],
	signature: [u8; 64],
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Inference::submit_attested_result(
		RuntimeOrigin::signed(who),
		id,
		output,
		BoundedVec::truncate_from(top.to_vec()),
		signature,
	)
}

/// `n` operators (1..=n), those in `with_enclaves` with an enclave allowed for the golden
/// model (TEE mode allowed); a TEE-mode task with k = `k` taking claims.
fn tee_setup(n: u128, with_enclaves: &[AccountId], k: u8) -> (Vec<AccountId>, TaskId, ModelId) {
	use sp_core::Pair as _;
	let ops: Vec<AccountId> = (1..=n).collect();
	for op in &ops {
		register_operator(*op);
	}
	let model = register_golden_with(
		VerificationMode::Redundancy.bit() | VerificationMode::Tee.bit(),
		PRICE,
	);
	for op in with_enclaves {
		set_enclave(*op, enclave_pair(*op).public(), vec![model]);
	}
	run_to_block(System::block_number() + SELECTION_DELAY + 1);
	let id = NextTaskId::<Test>::get();
	assert_ok!(try_submit(DAPP, model, VerificationMode::Tee, k, FEE));
	until_claiming(id);
	(ops, id, model)
}

/// The golden task's honest output and top classes.
fn golden_result(id: TaskId) -> (H256, Vec<u32>) {
	let run = honest(1, id);
	(H256(run.output), run.top)
}

#[test]
fn tee_tasks_go_to_enclaves_and_settle_on_a_signed_result() {
	use sp_core::Pair as _;
	test(|| {
		let (ops, id, model) = tee_setup(4, &[1, 2], 1);
		// Operator 3's enclave may run another model only; 4 has none.
		set_enclave(3, enclave_pair(3).public(), vec![H256::repeat_byte(9)]);
		assert_noop!(claim(3, id), Error::<Test>::NoEnclave);
		assert_noop!(claim(4, id), Error::<Test>::NoEnclave);
		let assigned = claim_all(id, &ops[..2]);
		assert_eq!(assigned.len(), 1);
		let worker = assigned[0];
		// No commit phase: results are taken at once, signed by the enclave.
		let TaskStatus::Attesting { round: 0, until } = task(id).status else {
			panic!("a TEE task takes attested results after its claims: {:?}", task(id).status)
		};
		System::assert_has_event(Event::AttestationPhase { task: id, round: 0, until }.into());
		assert_noop!(
			Inference::commit(RuntimeOrigin::signed(worker), id, H256::zero()),
			Error::<Test>::NotCommitting
		);
		let (output, top) = golden_result(id);
		let top = &top[..task(id).sampling.top_k as usize];
		let signature = attest(worker, id, output, top);
		let outsider = if worker == 1 { 2 } else { 1 };
		assert_noop!(
			submit_attested(outsider, id, output, top, signature),
			Error::<Test>::NotAssigned
		);
		assert_noop!(
			submit_attested(worker, id, output, &top[..top.len() - 1], signature),
			Error::<Test>::RevealShapeMismatch
		);
		// A redundancy-mode task takes no attested result.
		let other = submit(model, 1, FEE);
		assert_noop!(
			submit_attested(worker, other, output, top, signature),
			Error::<Test>::NotTeeTask
		);

		let before = free(worker);
		assert_ok!(submit_attested(worker, id, output, top, signature));
		System::assert_has_event(
			Event::ResultAttested { task: id, operator: worker, output }.into(),
		);
		let r = settled(id);
		assert_eq!((r.output, r.top.to_vec()), (output, top.to_vec()));
		assert_eq!((r.agreeing, r.conflicting, r.assigned, r.proof), (1, 0, 1, None));
		assert_eq!(free(worker), before + FEE, "the enclave's operator is paid the fee");
		assert_eq!(Reveals::<Test>::get(id, worker).map(|r| r.output), Some(output));
		assert!(slash_kinds_of(worker).is_empty());
		assert_noop!(
			submit_attested(worker, id, output, top, signature),
			Error::<Test>::NotAttesting
		);
		// A signature stays the enclave's: the same key, another task, is refused.
		let _ = enclave_pair(worker).public();
	});
}

#[test]
fn a_result_its_enclave_did_not_sign_is_reported_and_the_task_reassigned() {
	use aos_operators_primitives::OffenceKind;
	test(|| {
		let (ops, id, _) = tee_setup(4, &[1, 2, 3, 4], 1);
		let first = claim_all(id, &ops);
		assert_eq!(first.len(), 1);
		let liar = first[0];
		let (output, top) = golden_result(id);
		let top = &top[..task(id).sampling.top_k as usize];
		// Signed by someone else's key, or over another output: not its enclave's result.
		let stranger = attest(99, id, output, top);
		assert_ok!(submit_attested(liar, id, output, top, stranger));
		System::assert_has_event(Event::AttestationRejected { task: id, operator: liar }.into());
		assert_eq!(slash_kinds_of(liar), vec![OffenceKind::AttestationInvalid]);
		// Its round has nothing left to wait for: reassigned at once, to further operators.
		assert!(matches!(task(id).status, TaskStatus::Claiming { round: 1, .. }));
		assert_noop!(submit_attested(liar, id, output, top, stranger), Error::<Test>::NotAttesting);
		assert_noop!(claim(liar, id), Error::<Test>::AlreadyClaimed);
		let second = claim_all(id, &ops);
		assert!(!second.is_empty() && !second.contains(&liar));
		let honest = second[0];
		let signed = attest(honest, id, output, top);
		assert_ok!(submit_attested(honest, id, output, top, signed));
		assert_eq!(settled(id).output, output);
		// Reported once: the settlement does not judge its spent claim again.
		assert_eq!(slash_kinds_of(liar), vec![OffenceKind::AttestationInvalid]);
		assert!(slash_kinds_of(honest).is_empty());
	});
}

#[test]
fn silence_in_tee_mode_costs_what_a_bad_attestation_does() {
	use aos_operators_primitives::OffenceKind;
	test(|| {
		let (ops, id, _) = tee_setup(3, &[1, 2, 3], 1);
		let first = claim_all(id, &ops);
		let worker = first[0];
		// Governance revokes its enclave mid-task: its results are refused from then on.
		drop_enclave(worker);
		let (output, top) = golden_result(id);
		let top = &top[..task(id).sampling.top_k as usize];
		assert_noop!(
			submit_attested(worker, id, output, top, attest(worker, id, output, top)),
			Error::<Test>::NoEnclave
		);
		// No one answers, round after round, until the task ends undecided.
		let dapp_before = free(DAPP);
		let mut assigned = first.clone();
		while !task(id).status.is_final() {
			if matches!(task(id).status, TaskStatus::Claiming { .. }) {
				assigned.extend(claim_all(id, &ops));
			} else {
				run_to_block(System::block_number() + 1);
			}
		}
		assert_eq!(task(id).status, TaskStatus::Undecided);
		assert_eq!(free(DAPP), dapp_before + FEE, "the fee is refunded");
		// Every claimant that stayed silent was reported once, as a bad attestation.
		for op in assigned {
			assert_eq!(slash_kinds_of(op), vec![OffenceKind::AttestationInvalid], "operator {op}");
		}
	});
}

#[test]
fn a_silent_claimant_is_judged_even_when_a_later_round_settles() {
	use aos_operators_primitives::OffenceKind;
	test(|| {
		let (ops, id, _) = tee_setup(4, &[1, 2, 3, 4], 1);
		let first = claim_all(id, &ops);
		let silent = first[0];
		// It stays silent to the window's end: the task is reassigned, and it is judged then.
		run_until(|| matches!(task(id).status, TaskStatus::Claiming { round: 1, .. }));
		assert_eq!(slash_kinds_of(silent), vec![OffenceKind::AttestationInvalid]);
		let second = claim_all(id, &ops);
		let worker = second[0];
		let (output, top) = golden_result(id);
		let top = &top[..task(id).sampling.top_k as usize];
		assert_ok!(submit_attested(worker, id, output, top, attest(worker, id, output, top)));
		assert_eq!(settled(id).output, output);
		// Judged once: the settlement on another's result does not let it off, nor count it twice.
		assert_eq!(slash_kinds_of(silent), vec![OffenceKind::AttestationInvalid]);
		assert!(events().contains(&Event::RevealWithheld { task: id, operator: silent }));
	});
}

/// `n` operators; an optimistic task (k = 1) taking claims.
fn optimistic_setup(n: u128) -> (Vec<AccountId>, TaskId) {
	let ops: Vec<AccountId> = (1..=n).collect();
	for op in &ops {
		register_operator(*op);
	}
	let model = register_golden_with(
		VerificationMode::Redundancy.bit() | VerificationMode::Optimistic.bit(),
		PRICE,
	);
	run_to_block(System::block_number() + SELECTION_DELAY + 1);
	let id = NextTaskId::<Test>::get();
	assert_ok!(try_submit(DAPP, model, VerificationMode::Optimistic, 1, FEE));
	until_claiming(id);
	(ops, id)
}

#[test]
fn optimistic_tasks_take_one_operator_and_an_inline_input() {
	use aos_inference_primitives::optimistic::{OptimisticTasks, PostRefusal};
	test(|| {
		let (ops, id) = optimistic_setup(4);
		assert_eq!(Inference::awaiting(id, &1), Err(PostRefusal::NotPosting));
		let model = task(id).model;
		assert_noop!(
			try_submit(DAPP, model, VerificationMode::Optimistic, 2, FEE),
			Error::<Test>::RedundancyOutOfRange
		);
		let remote =
			TaskInput::Remote { hash: H256::zero(), uri: BoundedVec::truncate_from(vec![b'x']) };
		assert_noop!(
			Inference::submit_task(
				RuntimeOrigin::signed(DAPP),
				model,
				remote,
				FEE,
				VerificationMode::Optimistic,
				1,
				aos_kernel::golden::sampling()
			),
			Error::<Test>::InlineInputRequired
		);
		let assigned = claim_all(id, &ops);
		assert_eq!(assigned.len(), 1);
		let defender = assigned[0];
		// No commit phase: the defender posts to the dispute pallet at once.
		let TaskStatus::Posting { round: 0, until } = task(id).status else {
			panic!("an optimistic task takes its result after its claims: {:?}", task(id).status)
		};
		System::assert_has_event(Event::PostingPhase { task: id, round: 0, until }.into());
		let outsider = ops.iter().copied().find(|o| *o != defender).unwrap();
		assert_eq!(Inference::awaiting(id, &outsider), Err(PostRefusal::NotAssigned));
		let terms = Inference::awaiting(id, &defender).unwrap();
		assert_eq!(terms.model_commitment, task(id).terms.model_commitment);
		assert_eq!(Inference::input(id), Some(golden_input_values()));
	});
}

fn golden_input_values() -> Vec<i8> {
	match golden_input() {
		TaskInput::Inline(v) => v.into_inner(),
		TaskInput::Remote { .. } => unreachable!(),
	}
}

#[test]
fn a_posted_result_waits_without_a_deadline_and_settles_when_it_stands() {
	use aos_inference_primitives::optimistic::OptimisticTasks;
	test(|| {
		let (ops, id) = optimistic_setup(3);
		let defender = claim_all(id, &ops)[0];
		Inference::posted(id, &defender);
		assert_eq!(task(id).status, TaskStatus::Challenging { round: 0 });
		// The challenge period is the dispute pallet's: nothing happens here meanwhile.
		run_to_block(System::block_number() + 200);
		assert_eq!(task(id).status, TaskStatus::Challenging { round: 0 });
		let (output, top) = golden_result(id);
		let before = free(defender);
		Inference::stood(id, &defender, output, top.clone());
		let r = settled(id);
		assert_eq!((r.output, r.top.to_vec()), (output, top));
		assert_eq!(free(defender), before + FEE);
		assert!(slash_kinds_of(defender).is_empty());
	});
}

#[test]
fn an_overturned_result_reports_its_defender_and_goes_to_another_operator() {
	use aos_inference_primitives::optimistic::OptimisticTasks;
	use aos_operators_primitives::OffenceKind;
	test(|| {
		let (ops, id) = optimistic_setup(4);
		let defender = claim_all(id, &ops)[0];
		Inference::posted(id, &defender);
		Inference::overturned(id, &defender);
		System::assert_has_event(Event::ResultOverturned { task: id, operator: defender }.into());
		assert_eq!(slash_kinds_of(defender), vec![OffenceKind::DisputeLost]);
		assert!(matches!(task(id).status, TaskStatus::Claiming { round: 1, .. }));
		assert_noop!(claim(defender, id), Error::<Test>::AlreadyClaimed);
		let second = claim_all(id, &ops);
		// One operator again: a later round replaces the overturned one.
		assert_eq!(second.len(), 1);
		assert!(!second.contains(&defender));
		// Overturned again in the last round: undecided, the fee refunded.
		let before = free(DAPP);
		Inference::posted(id, &second[0]);
		Inference::overturned(id, &second[0]);
		assert_eq!(task(id).status, TaskStatus::Undecided);
		assert_eq!(free(DAPP), before + FEE);
		assert_eq!(slash_kinds_of(defender), vec![OffenceKind::DisputeLost]);
	});
}

#[test]
fn a_defender_that_never_posts_costs_what_losing_the_dispute_does() {
	use aos_operators_primitives::OffenceKind;
	test(|| {
		let (ops, id) = optimistic_setup(4);
		let silent = claim_all(id, &ops)[0];
		run_until(|| matches!(task(id).status, TaskStatus::Claiming { round: 1, .. }));
		assert_eq!(slash_kinds_of(silent), vec![OffenceKind::DisputeLost]);
		assert!(events().contains(&Event::RevealWithheld { task: id, operator: silent }));
	});
}

#[test]
fn claims_that_carry_their_commitments_settle_three_blocks_after_the_randomness() {
	test(|| {
		let (ops, id) = setup(3, 3);
		let submitted = task(id).submitted_at;
		let open = System::block_number();
		assert_eq!(open, submitted + 2, "the randomness delay is kept");
		// Every operator computed before it claimed: claim and commitment in one item.
		for op in &ops {
			let answer = Answer::honest(*op, id);
			assert_ok!(work(*op, vec![claim_item(*op, id, Some(commitment_to(*op, id, &answer)))]));
		}
		// The tranche is full: it ends at the next block, not after the claim period.
		assert_eq!(task(id).status, TaskStatus::Claiming { round: 0, tranche: 0, until: open + 1 });
		run_to_block(open + 1);
		// Everyone committed with its claim: no commit phase.
		assert!(matches!(task(id).status, TaskStatus::Revealing { round: 0, .. }));
		assert!(!events().iter().any(|e| matches!(e, Event::CommitPhase { .. })));
		for op in &ops {
			assert_ok!(work(*op, vec![reveal_item(*op, id, &Answer::honest(*op, id))]));
		}
		let result = settled(id);
		assert_eq!((result.agreeing, result.assigned), (3, 3));
		assert_eq!(System::block_number(), submitted + 3);
	});
}

#[test]
fn a_reveal_item_is_charged_for_the_claims_it_declares_and_refused_below_them() {
	test(|| {
		let (ops, id) = setup(3, 3);
		for op in &ops {
			let answer = Answer::honest(*op, id);
			assert_ok!(work(*op, vec![claim_item(*op, id, Some(commitment_to(*op, id, &answer)))]));
		}
		run_to_block(System::block_number() + 1);
		assert!(matches!(task(id).status, TaskStatus::Revealing { round: 0, .. }));
		let item = |op: AccountId, claims: u32| match reveal_item(op, id, &Answer::honest(op, id)) {
			WorkItem::Reveal { task, reveal, salt, .. } => {
				WorkItem::Reveal { task, reveal, salt, claims }
			},
			other => other,
		};
		// Charged for the resolution of 3 claims, not of `MaxClaims`.
		let three = Inference::work_weight(&[item(1, 3)]);
		let max = <Test as Config>::MaxClaims::get();
		let most = Inference::work_weight(&[item(1, max)]);
		let resolve = |c| <<Test as Config>::WeightInfo as crate::WeightInfo>::resolve(c);
		assert_eq!(most.saturating_sub(three), resolve(max).saturating_sub(resolve(3)));
		// A witness below the task's claims changes nothing.
		assert_ok!(work(1, vec![item(1, 2)]));
		assert!(events().iter().any(|e| matches!(
			e,
			Event::WorkItemFailed { index: 0, error, .. }
				if *error == sp_runtime::DispatchError::from(Error::<Test>::ClaimsAboveWitness).stripped()
		)));
		assert!(Claims::<Test>::get(id).iter().all(|c| c.result.is_none()));
		// With the right witness every reveal stands, and the last one is charged no more than
		// it declared.
		for op in &ops {
			let items = vec![item(*op, 3)];
			let charged = Inference::work_weight(&items);
			let info = work(*op, items).expect("the batch is taken");
			assert!(info.actual_weight.expect("refunded").all_lte(charged));
		}
		assert_eq!(settled(id).agreeing, 3);
	});
}

#[test]
fn the_last_commitment_opens_the_reveal_phase_in_its_own_block() {
	test(|| {
		let (ops, id) = setup(3, 3);
		assert_eq!(claim_all(id, &ops), ops);
		let TaskStatus::Committing { until, .. } = task(id).status else {
			panic!("not committing: {:?}", task(id).status)
		};
		for op in &ops[..2] {
			assert_ok!(commit_answer(*op, id, &Answer::honest(*op, id)));
			assert!(matches!(task(id).status, TaskStatus::Committing { .. }));
		}
		assert_ok!(commit_answer(3, id, &Answer::honest(3, id)));
		let now = System::block_number();
		let window = Parameters::<Test>::get().resolution_window;
		assert_eq!(task(id).status, TaskStatus::Revealing { round: 0, until: now + window });
		// The commit deadline went with the phase; the reveal deadline replaced it.
		assert!(Agenda::<Test>::get(until, id).is_none());
		assert!(Agenda::<Test>::get(now + window, id).is_some());
		for op in &ops {
			assert_ok!(reveal_answer(*op, id, &Answer::honest(*op, id)));
		}
		settled(id);
	});
}

#[test]
fn a_full_tranche_takes_no_claim_after_its_block() {
	test(|| {
		let (ops, id) = setup(4, 2);
		let TaskStatus::Claiming { until, .. } = task(id).status else { panic!("not claiming") };
		// Whoever is selected claims, in this block, until the tranche is full.
		let mut claimed = Vec::new();
		for op in &ops {
			if claimed.len() < 2 && claim(*op, id).is_ok() {
				claimed.push(*op);
			}
		}
		let now = System::block_number();
		if claimed.len() < 2 {
			// Too few selected in this tranche: it keeps its deadline.
			assert_eq!(task(id).status, TaskStatus::Claiming { round: 0, tranche: 0, until });
			return;
		}
		assert_eq!(task(id).status, TaskStatus::Claiming { round: 0, tranche: 0, until: now + 1 });
		assert!(Agenda::<Test>::get(until, id).is_none());
		run_to_block(now + 1);
		assert!(matches!(task(id).status, TaskStatus::Committing { .. }));
		let late = ops.iter().find(|op| !claimed.contains(op)).copied().unwrap_or(4);
		assert_noop!(claim(late, id), Error::<Test>::NotClaiming);
	});
}

#[test]
fn work_items_stand_or_fail_alone_and_are_charged_what_they_did() {
	test(|| {
		let (_, id) = setup(3, 3);
		let answer = Answer::honest(1, id);
		let items = vec![
			claim_item(1, id, Some(commitment_to(1, id, &answer))),
			WorkItem::Commit { task: id + 100, commitment: H256::repeat_byte(1) },
			claim_item(1, id, None),
			// Not its phase.
			reveal_item(1, id, &answer),
		];
		let charged = Inference::work_weight(&items);
		let info = work(1, items).expect("the batch is taken");
		let failed: Vec<(u32, sp_runtime::DispatchError)> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::WorkItemFailed { index, error, .. } => Some((index, error)),
				_ => None,
			})
			.collect();
		assert_eq!(
			failed,
			[
				(1, Error::<Test>::UnknownTask),
				(2, Error::<Test>::AlreadyClaimed),
				(3, Error::<Test>::NotRevealing),
			]
			.map(|(i, e)| (i, sp_runtime::DispatchError::from(e).stripped()))
			.to_vec()
		);
		let candidates = Candidates::<Test>::get(id);
		assert_eq!(candidates.len(), 1);
		assert_eq!(candidates[0].commitment, Some(commitment_to(1, id, &answer)));
		let used = info.actual_weight.expect("refunded");
		assert!(used.all_lte(charged));
	});
}

#[test]
fn a_claim_commits_only_in_modes_that_commit() {
	test(|| {
		let (_, id, _) = tee_setup(3, &[1, 2, 3], 1);
		assert_ok!(work(1, vec![claim_item(1, id, Some(H256::repeat_byte(1)))]));
		assert!(events().iter().any(|e| matches!(
			e,
			Event::WorkItemFailed { index: 0, error, .. }
				if *error == sp_runtime::DispatchError::from(Error::<Test>::NothingToCommit).stripped()
		)));
		assert!(Candidates::<Test>::get(id).is_empty());
		assert_ok!(work(1, vec![claim_item(1, id, None)]));
		assert_eq!(Candidates::<Test>::get(id).len(), 1);
	});
}

#[test]
fn candidates_stored_before_commitments_migrate() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	test(|| {
		let old = vec![
			migrations::v1::OldCandidate::<AccountId, Balance> {
				operator: 7,
				output: 9,
				stake: 11,
			},
			migrations::v1::OldCandidate { operator: 8, output: 10, stake: 12 },
		];
		let key = Candidates::<Test>::hashed_key_for(5);
		frame_support::storage::unhashed::put_raw(&key, &codec::Encode::encode(&old));
		StorageVersion::new(0).put::<Pallet<Test>>();
		migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
		let new = Candidates::<Test>::get(5);
		assert_eq!(
			new.to_vec(),
			vec![
				Candidate { operator: 7, output: 9, stake: 11, commitment: None },
				Candidate { operator: 8, output: 10, stake: 12, commitment: None },
			]
		);
		Candidates::<Test>::remove(5);
	});
}

#[test]
fn selection_targets_double_from_a_floor_of_min_selections() {
	test(|| {
		MinSelections::set(&3);
		let target = Inference::selection_target;
		// k = 1 is over-sampled to 3, then doubled per tranche.
		assert_eq!((target(1, 0, 0), target(1, 0, 1), target(1, 0, 2)), (3, 6, 12));
		// Rounds double k before the floor applies: 2 is raised to 3, 4 is kept.
		assert_eq!((target(1, 1, 0), target(1, 2, 0), target(1, 2, 1)), (3, 4, 8));
		// A k at or above the floor is untouched.
		assert_eq!((target(3, 0, 0), target(3, 1, 0), target(5, 0, 1)), (3, 6, 10));
		MinSelections::set(&1);
		assert_eq!((target(1, 0, 0), target(1, 0, 1), target(3, 1, 1)), (1, 2, 12));
	});
}

#[test]
fn a_k_1_task_among_three_equal_operators_selects_all_three_and_assigns_the_best() {
	test(|| {
		MinSelections::set(&3);
		let (ops, id) = setup(3, 1);
		// The first tranche targets 3 selections among three equal stakes: every operator is
		// selected, in any order of arrival; the best-ranked one is kept.
		for op in &ops {
			// Selected: taken, or refused only because a better-ranked claim holds the place.
			let result = claim(*op, id);
			assert!(
				result.is_ok() || result == Err(Error::<Test>::ClaimsFull.into()),
				"{op}: {result:?}"
			);
		}
		let candidates = Candidates::<Test>::get(id);
		assert_eq!(candidates.len(), 1);
		let best =
			ops.iter()
				.map(|op| {
					let (randomness, _) = task(id).randomness.unwrap_or_default();
					let transcript = aos_inference_primitives::vrf_transcript(
						&aos_inference_primitives::task_hash(id),
						&randomness.0,
					);
					let output = u128::from_le_bytes(vrf_pair(*op, 0).make_bytes::<16>(
						aos_inference_primitives::VRF_OUTPUT_CONTEXT,
						&transcript,
					));
					(*op, output)
				})
				.min_by_key(|(_, output)| *output)
				.map(|(op, _)| op);
		assert_eq!(candidates.first().map(|c| c.operator), best);
		run_to_block(System::block_number() + 1);
		let assigned: Vec<AccountId> = Claims::<Test>::get(id).iter().map(|c| c.operator).collect();
		assert_eq!(assigned, best.into_iter().collect::<Vec<_>>());
	});
}

#[test]
fn a_zk_round_with_one_prover_skips_the_commitment_and_its_silence_costs_a_bad_proof() {
	use aos_inference_primitives::zk::{ZkTaskError, ZkTasks};
	test(|| {
		let (ops, model) = zk_operators_and_model();
		link_zk(model, H256::repeat_byte(0x77), 7);
		let submit_k1 = || {
			let id = NextTaskId::<Test>::get();
			assert_ok!(Inference::submit_task(
				RuntimeOrigin::signed(DAPP),
				model,
				golden_input(),
				FEE,
				VerificationMode::Zk,
				1,
				aos_kernel::golden::sampling(),
			));
			until_claiming(id);
			id
		};
		let (proof, instances) = (b"a proof".to_vec(), [[1u8; 32], [2u8; 32]]);

		// Claimed without a commitment: the round has one prover, and proves at once.
		let id = submit_k1();
		let assigned = claim_all(id, &ops);
		assert_eq!(assigned.len(), 1);
		let prover = assigned[0];
		assert!(Claims::<Test>::get(id).iter().all(|c| c.commitment.is_none()));
		let TaskStatus::Proving { round: 0, until } = task(id).status else {
			panic!("one prover needs no commit phase, found {:?}", task(id).status)
		};
		System::assert_has_event(Event::ProofPhase { task: id, round: 0, until }.into());
		let outsider = *ops.iter().find(|o| **o != prover).unwrap_or(&99);
		assert_eq!(
			Inference::proof_task(id, &outsider, &proof, &instances),
			Err(ZkTaskError::NotAssigned)
		);
		assert!(Inference::proof_task(id, &prover, &proof, &instances).is_ok());
		// A bad proof spends the claim: no second try.
		Inference::reject_proof(id, &prover);
		assert_eq!(
			Inference::proof_task(id, &prover, &proof, &instances),
			Err(ZkTaskError::NotCommitted)
		);

		// A prover that stays silent pays what a bad proof costs, not what being offline does.
		let id = submit_k1();
		let prover = claim_all(id, &ops)[0];
		assert!(matches!(task(id).status, TaskStatus::Proving { .. }));
		run_until(|| !matches!(task(id).status, TaskStatus::Proving { round: 0, .. }));
		System::assert_has_event(Event::RevealWithheld { task: id, operator: prover }.into());
		assert!(System::events().iter().any(|e| matches!(
			&e.event,
			RuntimeEvent::Operators(pallet_operators::Event::SlashDeferred { operator, kind, .. })
				if *operator == prover
					&& *kind == aos_operators_primitives::OffenceKind::ZkProofInvalid
		)));
		assert!(!System::events().iter().any(|e| matches!(
			&e.event,
			RuntimeEvent::Inference(Event::OperatorSilent { operator, .. }) if *operator == prover
		)));
	});
}
