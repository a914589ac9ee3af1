//! Deferred slashes, their veto window and cancellation, the first year, and how a slash
//! is taken from the stake.

use super::*;

#[test]
fn being_offline_is_forgiven_in_the_first_year_but_misbehaviour_is_not() {
	// The production rules: the Offline offence waits a year, proven misbehaviour does not.
	let mut p = params();
	p.slash_rules.offline.enabled_from = 365 * DAYS;
	test(p, || {
		four_operators();
		assert_eq!(report(ALICE, OffenceKind::Offline, None), SlashOutcome::Skipped);
		for kind in OffenceKind::ALL.into_iter().filter(|k| *k != OffenceKind::Offline) {
			assert!(
				matches!(report(ALICE, kind, Some(1)), SlashOutcome::Deferred(_)),
				"{kind:?} is slashable from genesis"
			);
		}
		// Offline for hours: not slashed.
		run_to_block_with(3 * HOURS, &[BOB, CHARLIE, DAVE]);
		assert_eq!(offline_slashes(ALICE), 0);
		assert!(events()
			.contains(&Event::OffenceIgnored { operator: ALICE, kind: OffenceKind::Offline }));
		// From the first block of the second year on, being offline is slashed too.
		System::set_block_number(365 * DAYS);
		assert!(matches!(report(BOB, OffenceKind::Offline, None), SlashOutcome::Deferred(_)));
	});
}

#[test]
fn governance_can_defer_any_kind() {
	let mut p = params();
	for kind in OffenceKind::ALL {
		let mut rule = p.slash_rules.get(kind);
		rule.enabled_from = 100;
		p.slash_rules.set(kind, rule);
	}
	test(p, || {
		register(ALICE, 2_000);
		for kind in OffenceKind::ALL {
			assert_eq!(report(ALICE, kind, Some(1)), SlashOutcome::Skipped);
		}
		System::set_block_number(100);
		for kind in OffenceKind::ALL {
			assert!(matches!(report(ALICE, kind, Some(1)), SlashOutcome::Deferred(_)));
		}
	});
}

#[test]
fn a_deferred_slash_is_applied_after_the_veto_window() {
	test(params(), || {
		register(ALICE, 2_000);
		let SlashOutcome::Deferred(id) = report(ALICE, OffenceKind::ZkProofInvalid, Some(42))
		else {
			panic!("not deferred")
		};
		let state = Operators::operator_state(&ALICE).expect("registered");
		assert_eq!(state.pending_slashes.len(), 1);
		assert_eq!(state.pending_slashes[0].reference, Some(42));
		assert_eq!(state.pending_slashes[0].apply_at, 1 + DAYS);
		run_to_block_with(DAYS, &[ALICE]);
		assert_eq!(held_collateral(ALICE), 2_000);
		run_to_block_with(1 + DAYS, &[ALICE]);
		assert_eq!(held_collateral(ALICE), 1_900);
		assert_eq!(free(SLASH_SINK), 100);
		assert_eq!(applied_slashes(), vec![(id, OffenceKind::ZkProofInvalid, Some(42), 100)]);
		assert!(pending_ids(ALICE).is_empty());
	});
}

#[test]
fn a_cancelled_deferred_slash_moves_no_funds() {
	test(params(), || {
		register(ALICE, 2_000);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 5_000));
		let SlashOutcome::Deferred(id) = report(ALICE, OffenceKind::WrongResult, None) else {
			panic!("not deferred")
		};
		let issuance = Balances::total_issuance();
		assert_noop!(
			Operators::cancel_slash(RuntimeOrigin::signed(ALICE), id),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Operators::cancel_slash(RuntimeOrigin::signed(GOVERNOR), id + 1),
			Error::<Test>::UnknownSlash
		);
		assert_ok!(Operators::cancel_slash(RuntimeOrigin::signed(GOVERNOR), id));
		assert!(events().contains(&Event::SlashCancelled { slash_id: id, operator: ALICE }));
		run_to_block_with(2 * DAYS, &[ALICE]);
		assert_eq!(held_collateral(ALICE), 2_000);
		assert_eq!(held_delegations(ALICE), 5_000);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(free(SLASH_SINK), 0);
		assert!(applied_slashes().is_empty());
	});
}

#[test]
fn unbonding_funds_are_still_slashed() {
	test(params(), || {
		register(ALICE, 2_000);
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(ALICE), ALICE, 1_000));
		assert_eq!(report(ALICE, OffenceKind::WrongResult, None), SlashOutcome::Deferred(0));
		run_to_block_with(1 + DAYS, &[ALICE]);
		// 1_000 taken pro rata from 1_000 active and 1_000 unbonding.
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::Slashed { from_own: 1_000, from_delegated: 0, .. })));
		assert_eq!(stake(ALICE, ALICE), (500, 500));
		run_to_block_with(1 + 7 * DAYS, &[ALICE]);
		let before = free(ALICE);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE));
		assert_eq!(free(ALICE), before + 500);
	});
}

#[test]
fn unbonded_delegations_are_slashed_too() {
	test(params(), || {
		register(ALICE, 1_000);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 3_000));
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, 3_000));
		// The delegator is on its way out, but the offence predates its withdrawal.
		report(ALICE, OffenceKind::DisputeLost, None);
		run_to_block_with(1 + DAYS, &[ALICE]);
		// 1_000 from the operator (all of its collateral), nothing beyond it: the rule's amount
		// is 1_000.
		assert_eq!(stake(ALICE, DELEGATOR), (0, 3_000));
		report(ALICE, OffenceKind::DisputeLost, None);
		run_to_block_with(2 + 2 * DAYS, &[]);
		assert_eq!(stake(ALICE, DELEGATOR), (0, 2_000));
	});
}

#[test]
fn the_operators_own_stake_absorbs_slashes_first() {
	test(params(), || {
		register(ALICE, 2_000);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 4_000));
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR_2), ALICE, 2_000));
		// 1_000 fits in the operator's own 2_000: delegators untouched.
		report(ALICE, OffenceKind::WrongResult, None);
		run_to_block_with(1 + DAYS, &[ALICE]);
		assert_eq!(held_collateral(ALICE), 1_000);
		assert_eq!(held_delegations(ALICE), 6_000);
		// Raise the amount: 4_000 = the last 1_000 of own + 3_000 from delegators pro rata.
		assert_ok!(govern(vec![Parameter::SlashRule(
			OffenceKind::WrongResult,
			SlashRule { amount: 4_000, max_fraction: Perbill::one(), enabled_from: 0 }
		)]));
		report(ALICE, OffenceKind::WrongResult, None);
		run_to_block_with(2 + 2 * DAYS, &[ALICE]);
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::Slashed { from_own: 1_000, from_delegated: 3_000, .. })));
		assert_eq!(held_collateral(ALICE), 0);
		assert_eq!(stake(ALICE, DELEGATOR).0, 2_000);
		assert_eq!(stake(ALICE, DELEGATOR_2).0, 1_000);
		// Its own collateral is gone: it takes no tasks.
		assert!(eligible(ALICE).is_none());
	});
}

#[test]
fn a_slash_is_capped_at_its_fraction_of_the_stake() {
	test(params(), || {
		register(ALICE, 1_000);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 100));
		// ZkProofInvalid: 100, at most 50% — the stake is 1_100, so the cap is not reached.
		// Offline: 10, at most 10%. Now make offline 1_000 at most 10%: 110.
		assert_ok!(govern(vec![Parameter::SlashRule(
			OffenceKind::Offline,
			SlashRule { amount: 1_000, max_fraction: Perbill::from_percent(10), enabled_from: 0 }
		)]));
		report(ALICE, OffenceKind::Offline, None);
		run_to_block_with(1 + DAYS, &[ALICE]);
		assert_eq!(held_collateral(ALICE), 1_000 - 110);
		assert_eq!(free(SLASH_SINK), 110);
	});
}

#[test]
fn a_wiped_out_pool_starts_a_new_generation() {
	test(params(), || {
		register(ALICE, 1_000);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 1_000));
		assert_ok!(govern(vec![Parameter::SlashRule(
			OffenceKind::WrongResult,
			SlashRule { amount: 1_000_000, max_fraction: Perbill::one(), enabled_from: 0 }
		)]));
		report(ALICE, OffenceKind::WrongResult, None);
		run_to_block_with(1 + DAYS, &[ALICE]);
		assert_eq!((held_collateral(ALICE), held_delegations(ALICE)), (0, 0));
		assert_eq!(stake(ALICE, DELEGATOR), (0, 0));
		// A new delegation is not diluted by the worthless old shares.
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR_2), ALICE, 500));
		assert_eq!(stake(ALICE, DELEGATOR_2).0, 500);
		assert_eq!(stake(ALICE, DELEGATOR).0, 0);
		// The old delegator's ledger is cleaned up when it tries to unbond.
		assert_noop!(
			Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, 1),
			Error::<Test>::NothingToUnbond
		);
		// A top-up of the operator's own stake after a wipe-out starts afresh too.
		assert_ok!(Operators::bond_extra(RuntimeOrigin::signed(ALICE), 1_000));
		assert_eq!(stake(ALICE, ALICE).0, 1_000);
		assert!(eligible(ALICE).is_some());
		// The worthless ledger still counts as a delegator (keeping a leaving operator's
		// records) until withdrawing removes it.
		assert_eq!(Operators::operator_state(&ALICE).map(|s| s.delegators), Some(2));
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(DELEGATOR), ALICE));
		assert!(Ledgers::<Test>::get(ALICE, DELEGATOR).is_none());
		assert_eq!(Operators::operator_state(&ALICE).map(|s| s.delegators), Some(1));
	});
}

#[test]
fn deferred_slashes_drain_a_bounded_number_per_block() {
	test(params(), || {
		register(ALICE, 100_000);
		// 40 slashes due at the same block; 16 per block are applied.
		for _ in 0..40 {
			report(ALICE, OffenceKind::ZkProofInvalid, None);
		}
		run_to_block_with(1 + DAYS, &[ALICE]);
		assert_eq!(applied_slashes().len(), 16);
		run_to_block_with(2 + DAYS, &[ALICE]);
		assert_eq!(applied_slashes().len(), 32);
		run_to_block_with(3 + DAYS, &[ALICE]);
		assert_eq!(applied_slashes().len(), 40);
		assert_eq!(held_collateral(ALICE), 100_000 - 4_000);
	});
}
