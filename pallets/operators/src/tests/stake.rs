//! Bonding, unbonding and withdrawal; delegation and rewards; the stake that counts for
//! sampling.

use super::*;

// --- Bonding, unbonding, withdrawal -----------------------------------------------------------

#[test]
fn unbonding_waits_the_unbonding_period() {
	test(params(), || {
		register(ALICE, 1_000);
		assert_ok!(Operators::bond_extra(RuntimeOrigin::signed(ALICE), 500));
		assert_eq!(held_collateral(ALICE), 1_500);
		// Not below the minimum collateral.
		assert_noop!(
			Operators::unbond(RuntimeOrigin::signed(ALICE), ALICE, 501),
			Error::<Test>::BelowMinCollateral
		);
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(ALICE), ALICE, 500));
		let unlock_at = 1 + 7 * DAYS;
		assert!(events().contains(&Event::Unbonded {
			operator: ALICE,
			staker: ALICE,
			amount: 500,
			unlock_at
		}));
		// Still held (slashable), no longer active.
		assert_eq!(held_collateral(ALICE), 1_500);
		assert_eq!(stake(ALICE, ALICE), (1_000, 500));
		assert_eq!(
			Operators::operator_state(&ALICE).map(|s| (s.own_stake, s.unbonding)),
			Some((1_000, 500))
		);
		run_to_block_with(unlock_at - 1, &[ALICE]);
		assert_noop!(
			Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE),
			Error::<Test>::NothingToWithdraw
		);
		run_to_block_with(unlock_at, &[ALICE]);
		let before = free(ALICE);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE));
		assert_eq!(free(ALICE), before + 500);
		assert_eq!(held_collateral(ALICE), 1_000);
	});
}

#[test]
fn unbonding_chunks_are_bounded_and_merge_within_a_block() {
	test(params(), || {
		register(ALICE, 1_000);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 1_000));
		// Same block: one chunk.
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, 10));
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, 10));
		assert_eq!(Ledgers::<Test>::get(ALICE, DELEGATOR).map(|l| l.unlocking.len()), Some(1));
		for n in 2..=8 {
			run_to_block_with(n, &[ALICE]);
			assert_ok!(Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, 10));
		}
		run_to_block_with(9, &[ALICE]);
		assert_noop!(
			Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, 10),
			Error::<Test>::TooManyUnlockingChunks
		);
	});
}

// --- Delegation and rewards -------------------------------------------------------------------

#[test]
fn delegation_adds_to_the_operators_stake_and_undelegation_unbonds() {
	test(params(), || {
		register(ALICE, 1_000);
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(ALICE), ALICE, 100),
			Error::<Test>::CannotDelegateToSelf
		);
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 9),
			Error::<Test>::BelowMinDelegation
		);
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(DELEGATOR), BOB, 100),
			Error::<Test>::NotOperator
		);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 3_000));
		assert_eq!(free(DELEGATOR), START_BALANCE - 3_000);
		assert_eq!(held_delegations(ALICE), 3_000);
		let state = Operators::operator_state(&ALICE).expect("registered");
		assert_eq!(
			(state.own_stake, state.delegated_stake, state.total_stake),
			(1_000, 3_000, 4_000)
		);
		assert_eq!(state.delegators, 1);
		assert_eq!(<Operators as OperatorRegistry<_, _, _>>::total_selection_stake(), 4_000);

		// Leaving less than the minimum delegation is refused; all of it is fine.
		assert_noop!(
			Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, 2_995),
			Error::<Test>::BelowMinDelegation
		);
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, 3_000));
		assert_eq!(Operators::operator_state(&ALICE).map(|s| s.delegated_stake), Some(0));
		assert_eq!(<Operators as OperatorRegistry<_, _, _>>::total_selection_stake(), 1_000);
		run_to_block_with(1 + 7 * DAYS, &[ALICE]);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(DELEGATOR), ALICE));
		assert_eq!(free(DELEGATOR), START_BALANCE);
		assert_eq!(held_delegations(ALICE), 0);
		assert_eq!(Operators::operator_state(&ALICE).map(|s| s.delegators), Some(0));
		assert!(Ledgers::<Test>::get(ALICE, DELEGATOR).is_none());
	});
}

#[test]
fn rewards_pay_commission_then_pro_rata_and_delegations_compound() {
	test(params(), || {
		register_with(ALICE, 1_000, Perbill::from_percent(10));
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 1_000));
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR_2), ALICE, 2_000));
		let payer = GOVERNOR;
		let alice_before = free(ALICE);
		reward(ALICE, payer, 10_000);
		// 10% commission = 1_000; 9_000 split 1_000 : 3_000 → 2_250 own, 6_750 delegated.
		assert_eq!(free(ALICE), alice_before + 1_000 + 2_250);
		assert!(events().contains(&Event::Rewarded {
			operator: ALICE,
			commission: 1_000,
			own: 2_250,
			delegated: 6_750
		}));
		assert_eq!(held_delegations(ALICE), 3_000 + 6_750);
		// Delegators earn pro rata to their stake: 1/3 and 2/3.
		assert_eq!(stake(ALICE, DELEGATOR).0, 1_000 + 2_250);
		assert_eq!(stake(ALICE, DELEGATOR_2).0, 2_000 + 4_500);
		assert_eq!(free(payer), START_BALANCE - 10_000);
		// The compounded stake counts for sampling.
		assert_eq!(Operators::operator_state(&ALICE).map(|s| s.total_stake), Some(1_000 + 9_750));

		// A new delegator buys in at the current share price: no claim on past rewards.
		// Shares are issued rounded down: 100 at 3.25 a share buys 30 shares, worth 97.
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(CHARLIE), ALICE, 100));
		assert_eq!(stake(ALICE, CHARLIE).0, 97);
		assert_eq!(stake(ALICE, DELEGATOR).0, 3_250);

		// Withdrawing pays out the compounded value.
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, Balance::MAX));
		run_to_block_with(1 + 7 * DAYS, &[ALICE]);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(DELEGATOR), ALICE));
		assert_eq!(free(DELEGATOR), START_BALANCE + 2_250);
	});
}

#[test]
fn a_reward_the_payer_cannot_afford_changes_nothing() {
	test(params(), || {
		register(ALICE, 1_000);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 1_000));
		let before = crate::Operators::<Test>::get(ALICE);
		let r = <Operators as RewardOperator<AccountId, Balance>>::reward(&ALICE, &777, 1_000);
		assert!(r.is_err());
		assert_eq!(crate::Operators::<Test>::get(ALICE), before);
	});
}

// --- Sampling stake ---------------------------------------------------------------------------

#[test]
fn the_selection_total_leaves_out_offline_and_undercollateralised_operators() {
	test(params(), || {
		four_operators();
		let total = || <Operators as OperatorRegistry<_, _, _>>::total_selection_stake();
		assert_eq!(total(), 4_000);
		// BOB's fraud costs all of his collateral, in a day.
		report(BOB, OffenceKind::WrongResult, Some(1));
		// ALICE is found offline: her stake no longer dilutes everyone's odds.
		run_to_block_with(1 + 61 * MINUTES, &[BOB, CHARLIE, DAVE]);
		assert_eq!(offline_slashes(ALICE), 1);
		assert_eq!(total(), 3_000);
		assert_ok!(Operators::heartbeat(RuntimeOrigin::signed(ALICE)));
		assert_eq!(total(), 4_000);
		// BOB is slashed below the minimum collateral: he takes no tasks and counts nothing.
		run_to_block_with(2 + DAYS, &[ALICE, BOB, CHARLIE, DAVE]);
		assert!(eligible(BOB).is_none());
		assert_eq!(total(), 3_000);
		// So is ALICE once her offline slash takes 10 of her 1,000.
		run_to_block_with(2 + 61 * MINUTES + DAYS, &[ALICE, BOB, CHARLIE, DAVE]);
		assert!(eligible(ALICE).is_none());
		assert_eq!(total(), 2_000);
	});
}

#[test]
fn stake_bonded_after_the_randomness_does_not_count_for_it() {
	test(params(), || {
		register(ALICE, 1_000);
		run_to_block_with(100, &[ALICE]);
		let stake_for = |from| {
			<Operators as OperatorRegistry<_, _, _>>::eligible(&ALICE, from).map(|e| e.stake)
		};
		// Randomness from block 100 is known; ALICE bonds more and a delegator joins.
		assert_ok!(Operators::bond_extra(RuntimeOrigin::signed(ALICE), 4_000));
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 5_000));
		assert_eq!(stake_for(100), Some(1_000));
		assert_eq!(stake_for(100 + SELECTION_DELAY - 1), Some(1_000));
		assert_eq!(stake_for(100 + SELECTION_DELAY), Some(10_000));
		// Taking stake away counts at once, for every randomness.
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, 5_000));
		assert_eq!(stake_for(100), Some(1_000));
		assert_eq!(stake_for(100 + SELECTION_DELAY), Some(5_000));
		// Once in effect, the increase is settled.
		run_to_block_with(100 + SELECTION_DELAY, &[ALICE]);
		assert_ok!(Operators::bond_extra(RuntimeOrigin::signed(ALICE), 1_000));
		assert_eq!(stake_for(100 + SELECTION_DELAY), Some(5_000));
		assert_eq!(stake_for(100 + 2 * SELECTION_DELAY), Some(6_000));
	});
}
