//! The pallet's tests: bootstrap, leaves and their proofs, signing to quorum, failure and
//! roll-over, operator-set updates, equivocation, bounds.

use crate::mock::Checkpoints;
use crate::{mock::*, Event, *};
use aos_checkpoint_primitives::{fold_path, merkle_root, step, Step};
use frame_support::{assert_noop, assert_ok, dispatch::Pays};
use sp_core::H256;

fn result_leaf(task: u64) -> Leaf {
	Leaf::Result {
		task,
		model: H256::repeat_byte(1),
		output: H256::repeat_byte(task as u8),
		result: H256::repeat_byte(0x40 | task as u8),
		agreeing: 3,
		assigned: 3,
	}
}

/// Three operators of stake 1,000, 1,000 and 2,000 (weights 10, 10 and 20), and the bootstrap
/// checkpoint that makes them the set.
fn three_members() {
	operator(1, 1_000);
	operator(2, 1_000);
	operator(3, 2_000);
	run_to_block(PERIOD);
	assert_eq!(LastFinal::<Test>::get(), Some(0));
	assert_eq!(TotalWeight::<Test>::get(), 40);
}

/// The batches of the last checkpoint closed, each as its root and leaf hashes, rebuilt from
/// the events (since the last reset) as a prover would.
fn batches_from_events() -> Vec<(H256, Vec<H256>)> {
	let mut sealed = Vec::new();
	let mut closed = Vec::new();
	let mut open = Vec::new();
	for e in events() {
		match e {
			Event::LeafRecorded { leaf, index } => {
				assert_eq!(index as usize, open.len());
				open.push(leaf.hash());
			},
			Event::BatchSealed { root, leaves, .. } => {
				assert_eq!(leaves as usize, open.len());
				assert_eq!(merkle_root(open.iter().copied()), root);
				sealed.push((root, core::mem::take(&mut open)));
			},
			Event::CheckpointClosed { .. } => closed = core::mem::take(&mut sealed),
			_ => {},
		}
	}
	closed
}

fn message(id: CheckpointId) -> CheckpointMessage {
	Closed::<Test>::get(id).expect("closed").message
}

fn sign(who: AccountId, id: CheckpointId) -> DispatchResultWithPostInfo {
	Checkpoints::sign(RuntimeOrigin::signed(99), id, sign_message(who, &message(id)))
}

use frame_support::dispatch::DispatchResultWithPostInfo;

#[test]
fn the_first_checkpoint_carries_the_operator_set_and_is_final_unsigned() {
	test(|| {
		operator(1, 1_000);
		operator(2, 2_550);
		// No address: not in the set. Chilled: not in the set.
		set_standing(3, Some(Standing { eth: None, stake: 5_000, active: true }));
		set_standing(4, Some(Standing { eth: Some(eth(4)), stake: 5_000, active: false }));
		run_to_block(PERIOD - 1);
		assert!(Closed::<Test>::get(0).is_none());
		run_to_block(PERIOD);
		let cp = Closed::<Test>::get(0).expect("closed");
		assert_eq!(cp.status, Status::Final { at: PERIOD });
		let updates: Vec<SetUpdate> = cp.changes.iter().map(|(_, u)| *u).collect();
		assert_eq!(updates.len(), 2);
		assert!(updates.contains(&SetUpdate { operator: eth(1), weight: 10 }));
		assert!(updates.contains(&SetUpdate { operator: eth(2), weight: 25 }));
		assert_eq!(cp.message.updates, aos_checkpoint_primitives::updates_hash(&updates));
		assert_eq!(cp.message.id, 0);
		assert_eq!(Members::<Test>::get(eth(2)), Some((2, 25)));
		assert_eq!(MemberOf::<Test>::get(1), Some(eth(1)));
		assert_eq!((TotalWeight::<Test>::get(), MemberCount::<Test>::get()), (35, 2));
		assert_eq!(Signing::<Test>::get(), None);
	});
}

#[test]
fn leaves_wait_for_an_operator_set_and_a_quiet_period_makes_no_checkpoint() {
	test(|| {
		Checkpoints::record(result_leaf(1));
		run_to_block(3 * PERIOD);
		assert_eq!(NextId::<Test>::get(), 0);
		assert_eq!(Batches::<Test>::get().len(), 1);
		operator(1, 1_000);
		run_to_block(4 * PERIOD);
		// The bootstrap checkpoint holds the leaf recorded before there was a set.
		assert_eq!(Closed::<Test>::get(0).map(|c| c.batches), Some(1));
		// Nothing new: no checkpoint.
		run_to_block(6 * PERIOD);
		assert_eq!(NextId::<Test>::get(), 1);
	});
}

#[test]
fn every_leaf_proves_into_the_root_the_quorum_signs() {
	test(|| {
		three_members();
		System::reset_events();
		for t in 0..3 {
			Checkpoints::record(result_leaf(t));
		}
		run_to_block(1 + PERIOD);
		Checkpoints::record(Leaf::Slash {
			slash: 4,
			operator: H256::repeat_byte(2),
			eth: eth(2),
			offence: 5,
			amount: 700,
			reference: Some(1),
		});
		run_to_block(2 * PERIOD);
		let batches = batches_from_events();
		assert_eq!(batches.len(), 2);
		let cp = Closed::<Test>::get(1).expect("closed");
		assert_eq!(cp.status, Status::Signing { until: 2 * PERIOD + WINDOW });
		assert_eq!(cp.threshold, 27); // ceil(67 % of 40)
		let roots: Vec<H256> = batches.iter().map(|(r, _)| *r).collect();
		assert_eq!(cp.message.root, merkle_root(roots.iter().copied()));
		for (b, (_, leaves)) in batches.iter().enumerate() {
			for (i, leaf) in leaves.iter().enumerate() {
				let path = vec![
					step(leaves, i as u32).expect("in range"),
					step(&roots, b as u32).expect("in range"),
				];
				assert_eq!(fold_path(*leaf, &path), Some(cp.message.root));
			}
		}
		// 20 of 40 is short of 27; 20 + 10 is not.
		let before = System::events().len();
		let info = sign(3, 1).expect("counts");
		assert_eq!(info.pays_fee, Pays::No);
		assert_eq!(Closed::<Test>::get(1).map(|c| c.signed), Some(20));
		assert_eq!(Signing::<Test>::get(), Some(1));
		assert_ok!(sign(1, 1));
		assert!(System::events().len() > before);
		assert_eq!(
			Closed::<Test>::get(1).map(|c| c.status),
			Some(Status::Final { at: 2 * PERIOD })
		);
		assert_eq!(LastFinal::<Test>::get(), Some(1));
		assert_eq!(Signing::<Test>::get(), None);
		assert_eq!(Signatures::<Test>::get(1, eth(3)), Some(sign_message(3, &message(1))));
		assert_eq!(message(1).previous, 0);
		// Final: a late signature is still kept, and changes nothing else.
		assert_ok!(sign(2, 1));
		assert_eq!(Signatures::<Test>::iter_prefix(1).count(), 3);
		assert_eq!(
			Closed::<Test>::get(1).map(|c| c.status),
			Some(Status::Final { at: 2 * PERIOD })
		);
		assert_eq!(LastFinal::<Test>::get(), Some(1));
	});
}

#[test]
fn a_signature_counts_once_and_only_from_a_member_over_the_digest() {
	test(|| {
		three_members();
		Checkpoints::record(result_leaf(1));
		run_to_block(2 * PERIOD);
		assert_ok!(sign(1, 1));
		assert_noop!(sign(1, 1), Error::<Test>::AlreadySigned);
		// Operator 5 is no member.
		assert_noop!(sign(5, 1), Error::<Test>::NotMember);
		// A signature of another digest recovers to another address: no member.
		let other = CheckpointMessage { root: H256::zero(), ..message(1) };
		assert_noop!(
			Checkpoints::sign(RuntimeOrigin::signed(99), 1, sign_message(2, &other)),
			Error::<Test>::NotMember
		);
		let mut garbled = sign_message(2, &message(1));
		garbled[64] = 40;
		assert_noop!(
			Checkpoints::sign(RuntimeOrigin::signed(99), 1, garbled),
			Error::<Test>::BadSignature
		);
		// The high-s twin of a valid signature is refused (EIP-2), as the contract does.
		let mut twin = sign_message(2, &message(1));
		let n: [u8; 32] = [
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c,
			0xd0, 0x36, 0x41, 0x41,
		];
		let mut borrow = 0i16;
		for i in (0..32).rev() {
			let d = n[i] as i16 - twin[32 + i] as i16 - borrow;
			twin[32 + i] = d.rem_euclid(256) as u8;
			borrow = (d < 0) as i16;
		}
		twin[64] ^= 1;
		assert_noop!(
			Checkpoints::sign(RuntimeOrigin::signed(99), 1, twin),
			Error::<Test>::BadSignature
		);
		assert_noop!(
			Checkpoints::sign(RuntimeOrigin::signed(99), 7, sign_message(1, &message(1))),
			Error::<Test>::UnknownCheckpoint
		);
		// The bootstrap checkpoint is final: its members' signatures are kept too.
		assert_ok!(sign(1, 0));
	});
}

#[test]
fn a_checkpoint_short_of_quorum_fails_and_the_next_carries_its_root_and_updates() {
	test(|| {
		three_members();
		Checkpoints::record(result_leaf(1));
		// A change for checkpoint 1 to carry.
		operator(4, 3_000);
		run_to_block(2 * PERIOD);
		let failed = message(1);
		let failed_batches = batches_from_events();
		assert_ok!(sign(3, 1));
		// A leaf while it is being signed joins the open period.
		Checkpoints::record(result_leaf(2));
		run_to_block(2 * PERIOD + WINDOW);
		assert!(matches!(Closed::<Test>::get(1).map(|c| c.status), Some(Status::Signing { .. })));
		run_to_block(1 + 2 * PERIOD + WINDOW);
		assert_eq!(
			Closed::<Test>::get(1).map(|c| c.status),
			Some(Status::Failed { at: 1 + 2 * PERIOD + WINDOW })
		);
		assert_eq!(Members::<Test>::get(eth(4)), None);
		assert!(events().contains(&Event::CheckpointFailed { id: 1, signed: 20, threshold: 27 }));
		assert_noop!(sign(1, 1), Error::<Test>::NotSigning);
		System::reset_events();
		run_to_block(3 * PERIOD);
		let cp = Closed::<Test>::get(2).expect("closed");
		assert_eq!(cp.message.previous, 0);
		assert_eq!(cp.batches, 2);
		assert_eq!(cp.from, Closed::<Test>::get(1).map(|c| c.from).unwrap_or_default());
		assert_eq!(cp.changes.to_vec(), vec![(4, SetUpdate { operator: eth(4), weight: 30 })]);
		// The failed checkpoint's leaf proves into the new root through the failed root.
		let (_, leaves) = &failed_batches[0];
		let new_batch_root = merkle_root([result_leaf(2).hash()]);
		let subtrees = vec![failed.root, new_batch_root];
		assert_eq!(cp.message.root, merkle_root(subtrees.iter().copied()));
		let path: Vec<Step> = vec![
			step(leaves, 0).expect("leaf"),
			step(&[failed_batches[0].0], 0).expect("batch"),
			step(&subtrees, 0).expect("failed root"),
		];
		assert_eq!(fold_path(result_leaf(1).hash(), &path), Some(cp.message.root));
		assert_ok!(sign(3, 2));
		assert_ok!(sign(1, 2));
		assert_eq!(Members::<Test>::get(eth(4)), Some((4, 30)));
		assert_eq!(TotalWeight::<Test>::get(), 70);
		assert_eq!(message(2).previous, 0);
	});
}

#[test]
fn stake_address_and_status_changes_become_updates_and_small_ones_do_not() {
	test(|| {
		three_members();
		// A reward below a unit of weight changes nothing.
		operator(1, 1_050);
		assert!(!Dirty::<Test>::contains_key(1));
		// A bond that crosses units does.
		operator(1, 1_500);
		// A new address: the old one leaves, the new one joins.
		set_standing(2, Some(Standing { eth: Some(eth(12)), stake: 1_000, active: true }));
		// Chilled: it leaves the set.
		set_standing(3, Some(Standing { eth: Some(eth(3)), stake: 2_000, active: false }));
		Checkpoints::record(result_leaf(1));
		run_to_block(2 * PERIOD);
		let cp = Closed::<Test>::get(1).expect("closed");
		let mut changes = cp.changes.to_vec();
		changes.sort_by_key(|(who, u)| (*who, u.weight));
		assert_eq!(
			changes,
			vec![
				(1, SetUpdate { operator: eth(1), weight: 15 }),
				(2, SetUpdate { operator: eth(2), weight: 0 }),
				(2, SetUpdate { operator: eth(12), weight: 10 }),
				(3, SetUpdate { operator: eth(3), weight: 0 }),
			]
		);
		// The old set signs it: 3 (20) and 1 (10) of 40.
		assert_ok!(sign(3, 1));
		assert_ok!(sign(1, 1));
		assert_eq!(Members::<Test>::get(eth(12)), Some((2, 10)));
		assert_eq!(Members::<Test>::get(eth(2)), None);
		assert_eq!(Members::<Test>::get(eth(3)), None);
		assert_eq!((TotalWeight::<Test>::get(), MemberCount::<Test>::get()), (25, 2));
		assert!(Dirty::<Test>::iter_keys().next().is_none());
	});
}

#[test]
fn an_address_another_operator_holds_waits_until_it_is_free() {
	test(|| {
		three_members();
		// Operator 4 binds operator 1's address.
		set_standing(4, Some(Standing { eth: Some(eth(1)), stake: 5_000, active: true }));
		Checkpoints::record(result_leaf(1));
		run_to_block(2 * PERIOD);
		assert!(Closed::<Test>::get(1).expect("closed").changes.is_empty());
		assert!(Dirty::<Test>::contains_key(4));
		assert_ok!(sign(3, 1));
		assert_ok!(sign(1, 1));
		// 1 leaves; 4 takes the address in the same checkpoint, after 1's removal.
		set_standing(1, None);
		run_to_block(3 * PERIOD);
		let changes = Closed::<Test>::get(2).expect("closed").changes.to_vec();
		assert_eq!(
			changes,
			vec![
				(1, SetUpdate { operator: eth(1), weight: 0 }),
				(4, SetUpdate { operator: eth(1), weight: 50 }),
			]
		);
		assert_ok!(sign(3, 2));
		assert_ok!(sign(2, 2));
		assert_eq!(Members::<Test>::get(eth(1)), Some((4, 50)));
		assert_eq!(MemberOf::<Test>::get(1), None);
	});
}

#[test]
fn the_set_stops_at_max_members_and_the_rest_wait() {
	test(|| {
		MaxMembers::set(2);
		operator(1, 1_000);
		operator(2, 1_000);
		operator(3, 1_000);
		run_to_block(PERIOD);
		assert_eq!(MemberCount::<Test>::get(), 2);
		assert_eq!(Dirty::<Test>::iter_keys().count(), 1);
		MaxMembers::set(16);
	});
}

#[test]
fn a_signature_over_a_false_checkpoint_is_reported_once() {
	test(|| {
		three_members();
		Checkpoints::record(result_leaf(1));
		run_to_block(2 * PERIOD);
		let honest = message(1);
		let false_root = CheckpointMessage { root: H256::repeat_byte(9), ..honest };
		let report = |who, m: CheckpointMessage| {
			Checkpoints::report_equivocation(RuntimeOrigin::signed(99), m, sign_message(who, &m))
		};
		assert_noop!(report(2, honest), Error::<Test>::NotEquivocation);
		assert_noop!(
			report(2, CheckpointMessage { chain: H256::repeat_byte(1), ..false_root }),
			Error::<Test>::WrongChain
		);
		assert_noop!(
			report(2, CheckpointMessage { id: 5, ..false_root }),
			Error::<Test>::UnknownCheckpoint
		);
		assert_noop!(report(5, false_root), Error::<Test>::NotMember);
		let info = report(2, false_root).expect("holds");
		assert_eq!(info.pays_fee, Pays::No);
		assert_eq!(reports(), vec![(2, OffenceKind::CheckpointEquivocation, Some(1))]);
		assert_noop!(report(2, false_root), Error::<Test>::AlreadyReported);
		// Another predecessor is another checkpoint too.
		assert_ok!(report(3, CheckpointMessage { previous: 1, ..honest }));
		// The bootstrap checkpoint is closed as well.
		let forged_zero = CheckpointMessage { root: H256::repeat_byte(3), ..message(0) };
		assert_ok!(report(1, forged_zero));
		assert_eq!(reports().len(), 3);
		// Too late.
		let late = 2 * PERIOD + Checkpoints::report_window() + 1;
		System::set_block_number(late);
		assert_noop!(
			report(1, CheckpointMessage { root: H256::repeat_byte(8), ..honest }),
			Error::<Test>::ReportTooLate
		);
	});
}

#[test]
fn a_full_batch_is_sealed_early_and_its_leaves_still_prove() {
	test(|| {
		three_members();
		System::reset_events();
		// 8 a batch: 20 leaves in one block make three batches.
		for t in 0..20 {
			Checkpoints::record(result_leaf(t));
		}
		run_to_block(2 * PERIOD);
		let batches = batches_from_events();
		assert_eq!(batches.iter().map(|(_, l)| l.len()).collect::<Vec<_>>(), vec![8, 8, 4]);
		let roots: Vec<H256> = batches.iter().map(|(r, _)| *r).collect();
		let root = message(1).root;
		let (_, leaves) = &batches[1];
		let path = vec![step(leaves, 5).expect("leaf"), step(&roots, 1).expect("batch")];
		assert_eq!(fold_path(leaves[5], &path), Some(root));
		assert_eq!(Closed::<Test>::get(1).map(|c| c.batches), Some(3));
	});
}

#[test]
fn checkpoints_and_their_signatures_are_pruned_after_retention() {
	test(|| {
		three_members();
		for n in 1..=4u64 {
			Checkpoints::record(result_leaf(n));
			run_to_block((n + 1) * PERIOD);
			assert_ok!(sign(3, n));
			assert_ok!(sign(1, n));
		}
		// Retention 3: closing checkpoint 4 pruned checkpoint 1.
		assert!(Closed::<Test>::get(0).is_none());
		assert!(Closed::<Test>::get(1).is_none());
		assert_eq!(Signatures::<Test>::iter_prefix(1).count(), 0);
		assert!(Closed::<Test>::get(2).is_some());
		assert_eq!(Signatures::<Test>::iter_prefix(2).count(), 2);
		assert!(events().contains(&Event::CheckpointPruned { id: 1 }));
	});
}

#[test]
fn parameters_are_checked() {
	test(|| {
		let p = DefaultParams::get();
		let set = |p| Checkpoints::set_parameters(RuntimeOrigin::root(), p);
		assert_noop!(
			Checkpoints::set_parameters(RuntimeOrigin::signed(1), p),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(set(Params { period: 0, ..p }), Error::<Test>::ParamPeriod);
		assert_noop!(set(Params { signing_window: 0, ..p }), Error::<Test>::ParamPeriod);
		assert_noop!(
			set(Params { period: 14, signing_window: 3, ..p }),
			Error::<Test>::ParamPeriod
		);
		assert_noop!(
			set(Params { quorum: Perbill::from_percent(50), ..p }),
			Error::<Test>::ParamQuorum
		);
		assert_noop!(set(Params { retention: 0, ..p }), Error::<Test>::ParamRetention);
		// Reports for (10 + 4) × 14 = 196 blocks, then 10 of deferral: the signer could have
		// unbonded (in 200) before the slash.
		assert_noop!(
			set(Params { retention: 14, ..p }),
			Error::<Test>::ParamReportOutlivesUnbonding
		);
		assert_ok!(set(Params { retention: 13, ..p }));
		let new = Params {
			period: 12,
			signing_window: 4,
			quorum: Perbill::from_percent(75),
			retention: 9,
		};
		assert_ok!(set(new));
		assert_eq!(Parameters::<Test>::get(), new);
	});
}

#[test]
fn operators_older_than_the_pallet_join_the_first_checkpoint_once_seeded() {
	use frame_support::traits::OnRuntimeUpgrade;
	test(|| {
		// Registered before a runtime upgrade added the pallet: it was never told of them.
		preexisting_operator(1, 1_000);
		preexisting_operator(2, 2_000);
		// Chilled: not in the set, not marked.
		set_standing(3, Some(Standing { eth: Some(eth(3)), stake: 5_000, active: false }));
		crate::migrations::SeedOperatorSet::<Test>::on_runtime_upgrade();
		assert!(Dirty::<Test>::contains_key(1) && Dirty::<Test>::contains_key(2));
		run_to_block(PERIOD);
		let cp = Closed::<Test>::get(0).expect("closed");
		assert_eq!(cp.status, Status::Final { at: PERIOD });
		let mut members: Vec<AccountId> = cp.changes.iter().map(|(who, _)| *who).collect();
		members.sort();
		assert_eq!(members, vec![1, 2]);
		assert_eq!(TotalWeight::<Test>::get(), 30);

		// Once a checkpoint is closed every later change was reported: it does nothing.
		preexisting_operator(4, 1_000);
		crate::migrations::SeedOperatorSet::<Test>::on_runtime_upgrade();
		assert!(!Dirty::<Test>::contains_key(4));
	});
}

#[test]
fn without_the_seeding_an_older_operator_is_left_out_of_the_first_set() {
	test(|| {
		preexisting_operator(1, 1_000);
		operator(2, 2_000);
		run_to_block(PERIOD);
		let cp = Closed::<Test>::get(0).expect("closed");
		let members: Vec<AccountId> = cp.changes.iter().map(|(who, _)| *who).collect();
		assert_eq!(members, vec![2]);
	});
}

frame_support::parameter_types! {
	pub Candidates: Vec<ParamsOf<Test>> = vec![
		// Reports for (10 + 4) × 20 = 280 blocks: longer than the operators unbond.
		Params { retention: 20, ..DefaultParams::get() },
		Params { retention: 5, ..DefaultParams::get() },
	];
}

type InitParameters = crate::migrations::InitParameters<Test, Candidates>;
use frame_support::traits::OnRuntimeUpgrade as _;

#[test]
fn a_chain_gaining_the_pallet_gets_the_first_parameters_its_operators_admit() {
	test(|| {
		assert!(!Parameters::<Test>::exists());
		InitParameters::on_runtime_upgrade();
		assert_eq!(Parameters::<Test>::get(), Params { retention: 5, ..DefaultParams::get() });
		// Parameters stored already (by genesis or governance) are kept.
		let governed = Params { retention: 7, ..DefaultParams::get() };
		assert_ok!(Checkpoints::set_parameters(RuntimeOrigin::root(), governed));
		InitParameters::on_runtime_upgrade();
		assert_eq!(Parameters::<Test>::get(), governed);
	});
}

#[test]
fn parameters_that_outlast_the_operators_unbonding_are_caught() {
	test(|| {
		let periods = Periods::get();
		// No candidate fits unbonding in 60 blocks (the shorter reports for 70): none is stored.
		Periods::set(SlashPeriods { defer: 10, unbonding: 60 });
		InitParameters::on_runtime_upgrade();
		assert!(!Parameters::<Test>::exists());
		assert_ok!(Checkpoints::do_try_state());
		// The defaults' 42 blocks of reports and 10 of deferral outlast unbonding in 50.
		Periods::set(SlashPeriods { defer: 10, unbonding: 50 });
		assert!(Checkpoints::do_try_state().is_err());
		Periods::set(periods);
	});
}

#[test]
#[should_panic(expected = "ParamReportOutlivesUnbonding")]
fn genesis_refuses_parameters_that_outlast_the_operators_unbonding() {
	use sp_runtime::BuildStorage as _;
	let genesis = RuntimeGenesisConfig {
		checkpoints: crate::GenesisConfig {
			params: Some(Params { retention: 20, ..DefaultParams::get() }),
		},
		..Default::default()
	};
	let _ = genesis.build_storage();
}
