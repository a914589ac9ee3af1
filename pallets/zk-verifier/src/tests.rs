//! The pallet against real ezkl 23.0.5 artifacts (primitives/zk/test-vectors).

use crate::{mock::*, *};
use aos_inference_primitives::zk::{ZkLink, ZkModel, ZkModels};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold, BoundedVec};
use sp_core::H256;

fn vector(name: &str) -> (Vec<u8>, aos_zk::proof_json::ProofFile, Vec<i8>) {
	let v = aos_zk::vectors::ALL.iter().find(|v| v.name == name).unwrap();
	let proof = aos_zk::proof_json::ProofFile {
		proof: v.proof.to_vec(),
		instances: v.instances().collect(),
	};
	(v.vka.to_vec(), proof, v.input().unwrap())
}

const MODEL: H256 = H256::repeat_byte(7);

fn model(inputs: u32, outputs: u32, zk_allowed: bool) {
	MODELS.with(|m| {
		m.borrow_mut()
			.insert(MODEL, ZkModel { owner: OWNER, inputs, outputs, zk_allowed, live_tasks: 0 })
	});
}

fn set_live_tasks(n: u32) {
	MODELS.with(|m| {
		if let Some(m) = m.borrow_mut().get_mut(&MODEL) {
			m.live_tasks = n;
		}
	});
}

/// A Zk-mode task of [`MODEL`] under its current link, [`OPERATOR`] assigned.
fn task(id: u64, input: Vec<i8>) {
	let link = <Zk as ZkModels>::link(&MODEL).unwrap();
	TASKS.with(|t| {
		t.borrow_mut().insert(
			id,
			MockTask {
				model: MODEL,
				link,
				input,
				zk: true,
				open: true,
				assigned: vec![OPERATOR],
				..Default::default()
			},
		)
	});
}

fn mock_task(id: u64) -> MockTask {
	TASKS.with(|t| t.borrow().get(&id).cloned().unwrap())
}

fn register(vka: &[u8]) -> H256 {
	assert_ok!(Zk::register_vk(
		RuntimeOrigin::signed(OWNER),
		BoundedVec::truncate_from(vka.to_vec())
	));
	H256(sp_crypto_hashing::blake2_256(vka))
}

/// `who` commits to `proof` for task `id` (in the stand-in), then reveals it.
fn submit(
	id: u64,
	who: AccountId,
	proof: &[u8],
	instances: &[[u8; 32]],
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	TASKS.with(|t| {
		if let Some(t) = t.borrow_mut().get_mut(&id) {
			t.commitments.retain(|(w, _)| *w != who);
			t.commitments.push((who, commitment(id, who, proof, instances)));
		}
	});
	reveal(id, who, proof, instances)
}

/// `who` reveals `proof` for task `id`, as it is.
fn reveal(
	id: u64,
	who: AccountId,
	proof: &[u8],
	instances: &[[u8; 32]],
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Zk::submit_proof(
		RuntimeOrigin::signed(who),
		id,
		BoundedVec::truncate_from(proof.to_vec()),
		BoundedVec::truncate_from(instances.to_vec()),
	)
}

#[test]
fn registration_holds_a_deposit_and_checks_the_vka() {
	test(|| {
		let (vka, ..) = vector("iris");
		assert_noop!(
			Zk::register_vk(
				RuntimeOrigin::signed(OWNER),
				BoundedVec::truncate_from(vka[..100].to_vec())
			),
			Error::<Test>::MalformedVka
		);
		let vk = register(&vka);
		let info = Vks::<Test>::get(vk).unwrap();
		assert_eq!((info.num_instances, info.k, info.len), (7, 15, vka.len() as u32));
		let deposit = 1_000 + vka.len() as u128;
		assert_eq!(Balances::balance_on_hold(&HoldReason::VkDeposit.into(), &OWNER), deposit);
		assert_noop!(
			Zk::register_vk(RuntimeOrigin::signed(OTHER), BoundedVec::truncate_from(vka.clone())),
			Error::<Test>::VkExists
		);
		assert_noop!(
			Zk::unregister_vk(RuntimeOrigin::signed(OTHER), vk),
			Error::<Test>::NotVkOwner
		);
		assert_ok!(Zk::unregister_vk(RuntimeOrigin::signed(OWNER), vk));
		assert_eq!(Balances::balance_on_hold(&HoldReason::VkDeposit.into(), &OWNER), 0);
		assert!(!VkBytes::<Test>::contains_key(vk));
	});
}

/// A VKA no submittable proof could match is refused: more instances than MaxInstances, or
/// proofs longer than MaxProofLen.
#[test]
fn registration_refuses_vkas_beyond_the_proof_bounds() {
	test(|| {
		let (vka, proof, _) = vector("iris");
		MaxInstances::set(6);
		assert_noop!(
			Zk::register_vk(RuntimeOrigin::signed(OWNER), BoundedVec::truncate_from(vka.clone())),
			Error::<Test>::TooManyInstances
		);
		MaxInstances::set(7);
		MaxProofLen::set(proof.proof.len() as u32 - 1);
		assert_noop!(
			Zk::register_vk(RuntimeOrigin::signed(OWNER), BoundedVec::truncate_from(vka.clone())),
			Error::<Test>::ProofTooLong
		);
		MaxProofLen::set(proof.proof.len() as u32);
		register(&vka);
	});
}

#[test]
fn linking_checks_owner_mode_and_shape() {
	test(|| {
		let (vka, ..) = vector("iris");
		let vk = register(&vka);
		model(4, 3, false);
		assert_noop!(
			Zk::link_model(RuntimeOrigin::signed(OWNER), MODEL, vk, 7),
			Error::<Test>::ZkNotAllowed
		);
		model(4, 4, true);
		assert_noop!(
			Zk::link_model(RuntimeOrigin::signed(OWNER), MODEL, vk, 7),
			Error::<Test>::ShapeMismatch
		);
		model(4, 3, true);
		assert_noop!(
			Zk::link_model(RuntimeOrigin::signed(OTHER), MODEL, vk, 7),
			Error::<Test>::NotModelOwner
		);
		assert_noop!(
			Zk::link_model(RuntimeOrigin::signed(OWNER), MODEL, H256::zero(), 7),
			Error::<Test>::UnknownVk
		);
		assert!(<Zk as ZkModels>::link(&MODEL).is_none());
		assert_ok!(Zk::link_model(RuntimeOrigin::signed(OWNER), MODEL, vk, 7));
		assert_eq!(<Zk as ZkModels>::link(&MODEL), Some(ZkLink { vk, input_scale: 7 }));
		assert_noop!(Zk::unregister_vk(RuntimeOrigin::signed(OWNER), vk), Error::<Test>::VkInUse);
		assert_ok!(Zk::unlink_model(RuntimeOrigin::signed(OWNER), MODEL));
		assert_ok!(Zk::unregister_vk(RuntimeOrigin::signed(OWNER), vk));
	});
}

fn linked(name: &str, inputs: u32, outputs: u32) -> (aos_zk::proof_json::ProofFile, Vec<i8>) {
	let (vka, proof, input) = vector(name);
	let vk = register(&vka);
	model(inputs, outputs, true);
	assert_ok!(Zk::link_model(RuntimeOrigin::signed(OWNER), MODEL, vk, 7));
	(proof, input)
}

#[test]
fn a_valid_proof_settles_its_task_on_the_proved_logits() {
	test(|| {
		let (p, input) = linked("iris", 4, 3);
		task(1, input);
		assert_noop!(submit(1, OTHER, &p.proof, &p.instances), Error::<Test>::NotAssigned);
		assert_noop!(submit(9, OPERATOR, &p.proof, &p.instances), Error::<Test>::UnknownTask);
		assert_ok!(submit(1, OPERATOR, &p.proof, &p.instances));
		// ezkl's rescaled outputs were 8.2578125, -1.5234375, -7.2890625 at scale 2^7.
		assert_eq!(mock_task(1).settled, Some((OPERATOR, vec![1057, -195, -933])));
		assert!(mock_task(1).reported.is_empty());
		assert_noop!(submit(1, OPERATOR, &p.proof, &p.instances), Error::<Test>::NotAwaitingProof);
	});
}

#[test]
fn a_proof_of_another_input_is_rejected_and_reported() {
	test(|| {
		let (p, mut input) = linked("iris", 4, 3);
		input[0] = input[0].wrapping_add(1);
		task(1, input);
		assert_ok!(submit(1, OPERATOR, &p.proof, &p.instances));
		assert_eq!(mock_task(1).settled, None);
		assert_eq!(mock_task(1).reported, vec![OPERATOR]);
		System::assert_has_event(
			Event::ProofRejected { task: 1, operator: OPERATOR, reason: Rejection::InputMismatch }
				.into(),
		);
	});
}

#[test]
fn a_false_proof_is_rejected_and_reported() {
	test(|| {
		let (p, input) = linked("conv", 36, 4);
		task(1, input.clone());
		// A forged logit: the instances bind the input but the proof does not verify.
		let mut forged = p.instances.clone();
		forged[36] = binding::felt(100_000);
		assert_ok!(submit(1, OPERATOR, &p.proof, &forged));
		assert_eq!(mock_task(1).reported, vec![OPERATOR]);
		System::assert_has_event(
			Event::ProofRejected { task: 1, operator: OPERATOR, reason: Rejection::Invalid }.into(),
		);
		// The commitment is spent: nothing more from OPERATOR on this task.
		assert_noop!(reveal(1, OPERATOR, &p.proof, &p.instances), Error::<Test>::NotCommitted);
		// A corrupted proof byte, on another task.
		task(2, input);
		let mut proof = p.proof.clone();
		proof[100] ^= 1;
		assert_ok!(submit(2, OPERATOR, &proof, &p.instances));
		assert_eq!(mock_task(2).reported, vec![OPERATOR]);
	});
}

// --- Hardening: trusted setups, pricing, snapshots, binding ------------------------------------

#[test]
fn only_vkas_of_a_trusted_srs_are_registered() {
	test(|| {
		let (iris, ..) = vector("iris");
		let (conv, ..) = vector("conv");
		let srs = |vka: &[u8]| aos_zk::Vka::parse(vka).unwrap().srs_g2();
		// Trust only the SRS the Iris VKA was made with.
		assert_noop!(
			Zk::set_accepted_srs(
				RuntimeOrigin::signed(OWNER),
				BoundedVec::truncate_from(vec![srs(&iris)])
			),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Zk::set_accepted_srs(
				RuntimeOrigin::root(),
				BoundedVec::truncate_from(vec![srs(&iris), srs(&iris)])
			),
			Error::<Test>::DuplicateSrs
		);
		assert_ok!(Zk::set_accepted_srs(
			RuntimeOrigin::root(),
			BoundedVec::truncate_from(vec![srs(&iris)])
		));
		System::assert_has_event(Event::AcceptedSrsSet { count: 1 }.into());
		// A VKA of another SRS (whose secret someone may know) is refused.
		assert_noop!(
			Zk::register_vk(RuntimeOrigin::signed(OWNER), BoundedVec::truncate_from(conv)),
			Error::<Test>::UntrustedSrs
		);
		register(&iris);
	});
}

#[test]
fn vkas_are_priced_at_registration_and_proofs_charged_by_their_steps() {
	test(|| {
		let (vka, ..) = vector("mlp508");
		// Costlier than the benchmarked class: refused.
		MaxVerifySteps::set(4_242);
		assert_noop!(
			Zk::register_vk(RuntimeOrigin::signed(OWNER), BoundedVec::truncate_from(vka.clone())),
			Error::<Test>::TooCostly
		);
		MaxVerifySteps::set(4_243);
		MaxMsmTerms::set(44);
		assert_noop!(
			Zk::register_vk(RuntimeOrigin::signed(OWNER), BoundedVec::truncate_from(vka.clone())),
			Error::<Test>::TooCostly
		);
		MaxMsmTerms::set(45);
		let vk = register(&vka);
		assert_eq!(Vks::<Test>::get(vk).map(|i| (i.steps, i.msm_terms)), Some((4_243, 45)));
		// A proof is charged for the most steps, and refunded down to its VK's. (The mock's
		// weights are the runtime's, not zero.)
		let (p, input) = linked("iris", 4, 3);
		task(1, input);
		let info = submit(1, OPERATOR, &p.proof, &p.instances).unwrap();
		assert_eq!(info.actual_weight, Some(Zk::proof_weight(1_213)));
		assert!(Zk::proof_weight(1_213).ref_time() < Zk::proof_weight(4_243).ref_time());
	});
}

#[test]
fn a_task_is_proved_against_the_vk_it_was_submitted_under() {
	test(|| {
		let (p, input) = linked("iris", 4, 3);
		let vk = <Zk as ZkModels>::link(&MODEL).unwrap().vk;
		task(1, input);
		<Zk as ZkModels>::hold_vk(&vk);
		set_live_tasks(1);
		// The owner cannot relink or unlink a model with live tasks, nor pull the VK.
		let (conv, ..) = vector("conv");
		let other = register(&conv);
		assert_noop!(
			Zk::link_model(RuntimeOrigin::signed(OWNER), MODEL, other, 7),
			Error::<Test>::ModelInUse
		);
		assert_noop!(
			Zk::unlink_model(RuntimeOrigin::signed(OWNER), MODEL),
			Error::<Test>::ModelInUse
		);
		// Governance bans the model: its link goes, but the live task still holds the VK.
		<Zk as ZkModels>::model_removed(&MODEL);
		assert!(<Zk as ZkModels>::link(&MODEL).is_none());
		assert_eq!(Vks::<Test>::get(vk).map(|i| (i.links, i.tasks)), Some((0, 1)));
		assert_noop!(Zk::unregister_vk(RuntimeOrigin::signed(OWNER), vk), Error::<Test>::VkInUse);
		// The task's proof is checked against its own VK, and settles it.
		assert_ok!(submit(1, OPERATOR, &p.proof, &p.instances));
		assert!(mock_task(1).settled.is_some());
		<Zk as ZkModels>::release_vk(&vk);
		assert_ok!(Zk::unregister_vk(RuntimeOrigin::signed(OWNER), vk));
	});
}

#[test]
fn a_proof_is_bound_to_its_committer_and_not_accepted_twice() {
	test(|| {
		let (p, input) = linked("iris", 4, 3);
		task(1, input.clone());
		TASKS.with(|t| {
			if let Some(t) = t.borrow_mut().get_mut(&1) {
				t.assigned.push(OTHER);
			}
		});
		// OTHER saw OPERATOR's proof, but committed to something else.
		TASKS.with(|t| {
			if let Some(t) = t.borrow_mut().get_mut(&1) {
				t.commitments.push((OTHER, [9; 32]));
			}
		});
		assert_noop!(reveal(1, OTHER, &p.proof, &p.instances), Error::<Test>::CommitmentMismatch);
		assert_ok!(submit(1, OPERATOR, &p.proof, &p.instances));
		// The same proof again, for another task on the same input: refused.
		task(2, input);
		assert_noop!(submit(2, OPERATOR, &p.proof, &p.instances), Error::<Test>::ProofReplayed);
	});
}
