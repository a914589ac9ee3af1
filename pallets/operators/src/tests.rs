//! Unit tests: every rule of the pallet, on the mock runtime. Each test ends with the pallet's
//! `try_state` invariants (see [`crate::mock::test`]).

use crate::mock::Operators;
use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, dispatch::Pays, traits::fungible::Inspect};
use sp_core::Pair;
use sp_runtime::{DispatchError, Perbill};

fn params() -> ParamsOf<Test> {
	default_params()
}

fn report(who: AccountId, kind: OffenceKind, reference: Option<u64>) -> SlashOutcome {
	<Operators as SlashOperator<AccountId>>::report_offence(&who, kind, reference)
		.unwrap_or_else(|e| panic!("report: {e:?}"))
}

fn reward(operator: AccountId, payer: AccountId, amount: Balance) {
	<Operators as RewardOperator<AccountId, Balance>>::reward(&operator, &payer, amount)
		.unwrap_or_else(|e| panic!("reward: {e:?}"))
}

fn offline_slashes(who: AccountId) -> usize {
	events()
		.iter()
		.filter(|e| {
			matches!(e, Event::SlashDeferred { operator, kind: OffenceKind::Offline, .. } if *operator == who)
		})
		.count()
}

fn pending_ids(who: AccountId) -> Vec<SlashId> {
	Operators::operator_state(&who)
		.map(|s| s.pending_slashes.iter().map(|p| p.id).collect())
		.unwrap_or_default()
}

// --- Registration and keys -------------------------------------------------------------------

#[test]
fn register_holds_collateral_and_funds_the_pool_account() {
	test(params(), || {
		register(ALICE, 1_500);
		assert_eq!(held_collateral(ALICE), 1_500);
		// One existential deposit keeps the delegation pool account alive.
		assert_eq!(Balances::balance(&Operators::pool_account(&ALICE)), ED);
		assert_eq!(free(ALICE), START_BALANCE - 1_500 - ED);
		let state = Operators::operator_state(&ALICE).expect("registered");
		assert_eq!(state.own_stake, 1_500);
		assert_eq!(state.total_stake, 1_500);
		assert_eq!(state.status, aos_operators_primitives::OperatorStatusView::Active);
		assert_eq!(state.vrf_key, vrf_pair(ALICE, 0).public());
		assert_eq!(state.vrf_key_since, 1);
		assert_eq!(VrfKeyOwners::<Test>::get(vrf_pair(ALICE, 0).public()), Some(ALICE));
		assert!(events().contains(&Event::Registered {
			operator: ALICE,
			vrf_key: vrf_pair(ALICE, 0).public(),
			collateral: 1_500,
		}));
		assert_eq!(<Operators as OperatorRegistry<_, _, _>>::active_operators(), 1);
		assert_eq!(<Operators as OperatorRegistry<_, _, _>>::total_selection_stake(), 1_500);
	});
}

#[test]
fn register_refuses_bad_input_and_changes_nothing() {
	test(params(), || {
		let pair = vrf_pair(ALICE, 0);
		let call =
			|who: AccountId, key: sp_core::sr25519::Public, proof, name: Vec<u8>, collateral| {
				Operators::register(
					RuntimeOrigin::signed(who),
					name,
					b"e".to_vec(),
					key,
					proof,
					None,
					Perbill::zero(),
					collateral,
				)
			};
		// A proof made for another account does not prove ALICE owns the key.
		assert_noop!(
			call(ALICE, pair.public(), vrf_proof(BOB, &pair), b"a".to_vec(), 1_000),
			Error::<Test>::VrfKeyProofInvalid
		);
		// A proof by another key.
		assert_noop!(
			call(ALICE, pair.public(), vrf_proof(ALICE, &vrf_pair(BOB, 0)), b"a".to_vec(), 1_000),
			Error::<Test>::VrfKeyProofInvalid
		);
		assert_noop!(
			call(ALICE, pair.public(), vrf_proof(ALICE, &pair), b"a".to_vec(), 999),
			Error::<Test>::BelowMinCollateral
		);
		assert_noop!(
			call(ALICE, pair.public(), vrf_proof(ALICE, &pair), vec![b'a'; 65], 1_000),
			Error::<Test>::NameTooLong
		);
		// All of the balance: the pool deposit and the existential deposit are missing.
		assert_noop!(
			call(ALICE, pair.public(), vrf_proof(ALICE, &pair), b"a".to_vec(), START_BALANCE),
			Error::<Test>::InsufficientFunds
		);
		register(ALICE, 1_000);
		assert_noop!(
			call(ALICE, pair.public(), vrf_proof(ALICE, &pair), b"a".to_vec(), 1_000),
			Error::<Test>::AlreadyOperator
		);
		// BOB cannot take ALICE's key, even with a valid proof for himself.
		assert_noop!(
			call(BOB, pair.public(), vrf_proof(BOB, &pair), b"b".to_vec(), 1_000),
			Error::<Test>::VrfKeyInUse
		);
	});
}

#[test]
fn rotate_keys_moves_ownership_and_restarts_the_key_age() {
	test(params(), || {
		register(ALICE, 1_000);
		run_to_block_with(50, &[ALICE]);
		let new = vrf_pair(ALICE, 1);
		let eth = eth_binding(ALICE, 7);
		assert_noop!(
			Operators::rotate_keys(
				RuntimeOrigin::signed(ALICE),
				new.public(),
				vrf_proof(BOB, &new),
				Some(eth)
			),
			Error::<Test>::VrfKeyProofInvalid
		);
		// An Ethereum address is taken only with its key's signature for this operator.
		let rotate = |eth| {
			Operators::rotate_keys(
				RuntimeOrigin::signed(ALICE),
				new.public(),
				vrf_proof(ALICE, &new),
				Some(eth),
			)
		};
		let for_bob = eth_binding(BOB, 7);
		assert_noop!(rotate(for_bob), Error::<Test>::EthAddressProofInvalid);
		let claimed = EthBinding { address: sp_core::H160::repeat_byte(7), ..eth };
		assert_noop!(rotate(claimed), Error::<Test>::EthAddressProofInvalid);
		let mut garbled = eth;
		garbled.signature[3] ^= 1;
		assert_noop!(rotate(garbled), Error::<Test>::EthAddressProofInvalid);
		let mut zero_one = eth;
		zero_one.signature[64] -= 27;
		assert_ok!(rotate(zero_one));
		assert_ok!(rotate(eth));
		let state = Operators::operator_state(&ALICE).expect("registered");
		assert_eq!(
			(state.vrf_key, state.vrf_key_since, state.eth_address),
			(new.public(), 50, Some(eth.address))
		);
		assert_eq!(VrfKeyOwners::<Test>::get(vrf_pair(ALICE, 0).public()), None);
		// The old key is free for someone else now.
		let old = vrf_pair(ALICE, 0);
		assert_ok!(Operators::register(
			RuntimeOrigin::signed(BOB),
			b"b".to_vec(),
			b"e".to_vec(),
			old.public(),
			vrf_proof(BOB, &old),
			None,
			Perbill::zero(),
			1_000,
		));
		// Only operators rotate keys.
		let c = vrf_pair(CHARLIE, 0);
		assert_noop!(
			Operators::rotate_keys(
				RuntimeOrigin::signed(CHARLIE),
				c.public(),
				vrf_proof(CHARLIE, &c),
				None
			),
			Error::<Test>::NotOperator
		);
	});
}

#[test]
fn metadata_and_commission_updates() {
	test(params(), || {
		register(ALICE, 1_000);
		assert_ok!(Operators::update_metadata(
			RuntimeOrigin::signed(ALICE),
			b"n".to_vec(),
			b"u".to_vec()
		));
		assert_eq!(
			crate::Operators::<Test>::get(ALICE).map(|o| o.endpoint.into_inner()),
			Some(b"u".to_vec())
		);
		assert_noop!(
			Operators::update_metadata(RuntimeOrigin::signed(ALICE), b"n".to_vec(), vec![0; 129]),
			Error::<Test>::EndpointTooLong
		);
		// An increase waits one unbonding period, so that delegators can leave first.
		assert_ok!(Operators::set_commission(
			RuntimeOrigin::signed(ALICE),
			Perbill::from_percent(7)
		));
		let commission = || Operators::operator_state(&ALICE).map(|s| s.commission);
		assert_eq!(commission(), Some(Perbill::zero()));
		assert!(events().contains(&Event::CommissionSet {
			operator: ALICE,
			commission: Perbill::from_percent(7),
			effective_from: 1 + 7 * DAYS,
		}));
		System::set_block_number(7 * DAYS);
		reward(ALICE, GOVERNOR, 1_000);
		assert!(events().contains(&Event::Rewarded {
			operator: ALICE,
			commission: 0,
			own: 1_000,
			delegated: 0
		}));
		System::set_block_number(1 + 7 * DAYS);
		assert_eq!(commission(), Some(Perbill::from_percent(7)));
		reward(ALICE, GOVERNOR, 1_000);
		assert!(events().contains(&Event::Rewarded {
			operator: ALICE,
			commission: 70,
			own: 930,
			delegated: 0
		}));
		// A decrease is at once, and cancels a pending increase.
		assert_ok!(Operators::set_commission(RuntimeOrigin::signed(ALICE), Perbill::one()));
		assert_ok!(Operators::set_commission(
			RuntimeOrigin::signed(ALICE),
			Perbill::from_percent(5)
		));
		assert_eq!(commission(), Some(Perbill::from_percent(5)));
		System::set_block_number(2 + 14 * DAYS);
		assert_eq!(commission(), Some(Perbill::from_percent(5)));
		assert_noop!(
			Operators::set_commission(RuntimeOrigin::signed(BOB), Perbill::one()),
			Error::<Test>::NotOperator
		);
	});
}

// --- Bonding, unbonding, withdrawal ------------------------------------------------------------

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

// --- Delegation and rewards ------------------------------------------------------------------

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

// --- Heartbeats and offline slashing ---------------------------------------------------------

/// Registers ALICE..DAVE at block 1.
/// Whether `who` may take a task whose randomness is from the current block.
fn eligible(who: AccountId) -> Option<EligibleOperator<Balance, BlockNumber>> {
	<Operators as OperatorRegistry<_, _, _>>::eligible(&who, System::block_number())
}

fn four_operators() {
	for who in [ALICE, BOB, CHARLIE, DAVE] {
		register(who, 1_000);
	}
}

#[test]
fn offline_59_minutes_is_not_slashed_61_minutes_is() {
	test(params(), || {
		four_operators();
		// ALICE's last sign of life is her registration at block 1; the others heartbeat.
		let alive = [BOB, CHARLIE, DAVE];
		run_to_block_with(1 + 59 * MINUTES, &alive);
		assert_eq!(offline_slashes(ALICE), 0);
		assert_eq!(
			Operators::operator_state(&ALICE).map(|s| s.status),
			Some(aos_operators_primitives::OperatorStatusView::Active)
		);
		run_to_block_with(1 + 61 * MINUTES, &alive);
		assert_eq!(offline_slashes(ALICE), 1);
		assert!(events().contains(&Event::Offline { operator: ALICE, last_heartbeat: 1 }));
		assert_eq!(
			Operators::operator_state(&ALICE).map(|s| s.status),
			Some(aos_operators_primitives::OperatorStatusView::Offline)
		);
		assert!(eligible(ALICE).is_none());
		for who in alive {
			assert_eq!(offline_slashes(who), 0);
			assert!(eligible(who).is_some());
		}
		// Once more for every further grace period offline.
		run_to_block_with(1 + 2 * HOURS + 2 * MINUTES, &alive);
		assert_eq!(offline_slashes(ALICE), 2);
		// The offline slash is the offline rule's amount, applied after the deferral.
		run_to_block_with(1 + HOURS + 1 + DAYS, &alive);
		assert_eq!(held_collateral(ALICE), 1_000 - 10);
		assert_eq!(applied_slashes()[0].1, OffenceKind::Offline);
	});
}

#[test]
fn a_heartbeat_resets_the_clock_and_is_free_once_per_period() {
	test(params(), || {
		four_operators();
		let alive = [BOB, CHARLIE, DAVE];
		run_to_block_with(50 * MINUTES, &alive);
		let first = Operators::heartbeat(RuntimeOrigin::signed(ALICE)).expect("heartbeat");
		assert_eq!(first.pays_fee, Pays::No);
		let second = Operators::heartbeat(RuntimeOrigin::signed(ALICE)).expect("heartbeat");
		assert_eq!(second.pays_fee, Pays::Yes);
		// 50 + 59 minutes: still fine.
		run_to_block_with(50 * MINUTES + 59 * MINUTES, &alive);
		assert_eq!(offline_slashes(ALICE), 0);
		run_to_block_with(50 * MINUTES + 61 * MINUTES, &alive);
		assert_eq!(offline_slashes(ALICE), 1);
		assert_noop!(Operators::heartbeat(RuntimeOrigin::signed(777)), Error::<Test>::NotOperator);
	});
}

#[test]
fn a_mass_outage_slashes_nobody() {
	test(params(), || {
		four_operators();
		// The network splits at block 300: only DAVE's heartbeats reach the chain (3 of the 4
		// live in the period before missing is over the 50% threshold). The others' first
		// offline checks, an hour after their last heartbeats, find the outage in their
		// silence.
		run_to_block_with(300, &[ALICE, BOB, CHARLIE, DAVE]);
		run_to_block_with(1_000, &[DAVE]);
		assert!(events().iter().any(|e| matches!(
			e,
			Event::MassOutage { missed_stake: 3_000, live_stake: 4_000, .. }
		)));
		for who in [ALICE, BOB, CHARLIE] {
			assert_eq!(offline_slashes(who), 0, "operator {who}");
			assert!(events().contains(&Event::OfflineForgiven { operator: who }));
		}
		// The network heals; ALICE and BOB come back, CHARLIE stays silent: his silence is his
		// own now (the live set re-formed around the operators the chain hears), and the next
		// check slashes it.
		run_to_block_with(300 + 5 * HOURS, &[ALICE, BOB, DAVE]);
		assert_eq!(offline_slashes(ALICE), 0);
		assert_eq!(offline_slashes(BOB), 0);
		assert!(offline_slashes(CHARLIE) >= 1);
	});
}

#[test]
fn one_lazy_operator_is_not_a_mass_outage() {
	test(params(), || {
		four_operators();
		run_to_block_with(3 * HOURS, &[BOB, CHARLIE, DAVE]);
		assert!(!events().iter().any(|e| matches!(e, Event::MassOutage { .. })));
		assert!(offline_slashes(ALICE) >= 2);
	});
}

#[test]
fn chilled_operators_are_not_checked_and_take_no_tasks() {
	test(params(), || {
		four_operators();
		assert_ok!(Operators::chill(RuntimeOrigin::signed(ALICE)));
		assert_noop!(
			Operators::chill(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::OperatorChilled
		);
		assert_noop!(
			Operators::heartbeat(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::OperatorChilled
		);
		assert!(eligible(ALICE).is_none());
		assert_eq!(<Operators as OperatorRegistry<_, _, _>>::active_operators(), 3);
		// A day of maintenance costs nothing.
		run_to_block_with(DAYS, &[BOB, CHARLIE, DAVE]);
		assert_eq!(offline_slashes(ALICE), 0);
		assert_eq!(held_collateral(ALICE), 1_000);
		assert_eq!(
			Operators::operator_state(&ALICE).map(|s| s.status),
			Some(aos_operators_primitives::OperatorStatusView::Chilled)
		);
		assert_ok!(Operators::resume(RuntimeOrigin::signed(ALICE)));
		assert_noop!(Operators::resume(RuntimeOrigin::signed(ALICE)), Error::<Test>::NotChilled);
		assert!(eligible(ALICE).is_some());
		// Back on the clock: resuming counts as a heartbeat.
		run_to_block_with(DAYS + 61 * MINUTES, &[BOB, CHARLIE, DAVE]);
		assert_eq!(offline_slashes(ALICE), 1);
	});
}

// --- Deferred slashes and the first year ------------------------------------------------------

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

// --- Governance --------------------------------------------------------------------------------

#[test]
fn governance_changes_offline_slash_and_the_next_slash_uses_it() {
	test(params(), || {
		four_operators();
		let alive = [BOB, CHARLIE, DAVE];
		let rule =
			SlashRule { amount: 50, max_fraction: Perbill::from_percent(10), enabled_from: 0 };
		let change = Parameter::SlashRule(OffenceKind::Offline, rule);
		assert_noop!(
			Operators::set_parameters(
				RuntimeOrigin::signed(ALICE),
				vec![change].try_into().expect("one")
			),
			DispatchError::BadOrigin
		);
		assert_ok!(govern(vec![change]));
		assert!(events().contains(&Event::ParameterSet { change }));
		assert_eq!(Parameters::<Test>::get().slash_rules.offline, rule);
		run_to_block_with(1 + 61 * MINUTES, &alive);
		assert!(events().iter().any(|e| matches!(
			e,
			Event::SlashDeferred { operator: ALICE, kind: OffenceKind::Offline, amount: 50, .. }
		)));
		run_to_block_with(1 + 61 * MINUTES + DAYS, &alive);
		assert_eq!(applied_slashes()[0].3, 50);
		assert_eq!(held_collateral(ALICE), 950);
	});
}

#[test]
fn a_slash_keeps_the_amount_it_was_reported_with() {
	test(params(), || {
		register(ALICE, 2_000);
		report(ALICE, OffenceKind::ZkProofInvalid, None);
		assert_ok!(govern(vec![Parameter::SlashRule(
			OffenceKind::ZkProofInvalid,
			SlashRule { amount: 300, max_fraction: Perbill::from_percent(50), enabled_from: 0 }
		)]));
		run_to_block_with(1 + DAYS, &[ALICE]);
		assert_eq!(applied_slashes()[0].3, 100);
	});
}

#[test]
fn parameters_out_of_bounds_are_refused() {
	test(params(), || {
		let before = Parameters::<Test>::get();
		let refused = |changes: Vec<ParameterOf<Test>>, error: Error<Test>| {
			assert_noop!(govern(changes), error);
		};
		refused(vec![], Error::<Test>::NoChanges);
		refused(vec![Parameter::MinCollateral(0)], Error::<Test>::ParamBelowExistentialDeposit);
		refused(vec![Parameter::HeartbeatPeriod(0)], Error::<Test>::ParamZeroPeriod);
		refused(vec![Parameter::UnbondingPeriod(366 * DAYS)], Error::<Test>::ParamPeriodTooLong);
		refused(vec![Parameter::OfflineGrace(29 * MINUTES)], Error::<Test>::ParamGraceTooShort);
		refused(vec![Parameter::OfflineGrace(11 * HOURS)], Error::<Test>::ParamGraceTooLong);
		refused(
			vec![Parameter::SlashDeferPeriod(7 * DAYS)],
			Error::<Test>::ParamUnbondingNotLongerThanDeferral,
		);
		refused(
			vec![Parameter::MassOutageThreshold(Perbill::zero())],
			Error::<Test>::ParamZeroOutageThreshold,
		);
		refused(
			vec![Parameter::SlashRule(
				OffenceKind::Offline,
				SlashRule { amount: 5, max_fraction: Perbill::zero(), enabled_from: 0 },
			)],
			Error::<Test>::ParamInconsistentSlashRule,
		);
		assert_eq!(Parameters::<Test>::get(), before);
		// Related parameters move together: a longer heartbeat with a longer grace.
		assert_ok!(govern(vec![
			Parameter::HeartbeatPeriod(30 * MINUTES),
			Parameter::OfflineGrace(2 * HOURS)
		]));
		// A zero rule turns an offence kind off.
		assert_ok!(govern(vec![Parameter::SlashRule(
			OffenceKind::AttestationInvalid,
			SlashRule { amount: 0, max_fraction: Perbill::zero(), enabled_from: 0 }
		)]));
	});
}

#[test]
fn a_longer_grace_reschedules_pending_checks() {
	test(params(), || {
		four_operators();
		assert_ok!(govern(vec![Parameter::OfflineGrace(2 * HOURS)]));
		run_to_block_with(1 + 61 * MINUTES, &[BOB, CHARLIE, DAVE]);
		assert_eq!(offline_slashes(ALICE), 0);
		run_to_block_with(1 + 2 * HOURS + MINUTES, &[BOB, CHARLIE, DAVE]);
		assert_eq!(offline_slashes(ALICE), 1);
	});
}

#[test]
fn genesis_rejects_invalid_parameters() {
	let mut p = params();
	p.offline_grace = 1;
	let result = std::panic::catch_unwind(|| new_test_ext_with(p));
	assert!(result.is_err());
}

// --- Leaving -------------------------------------------------------------------------------------

#[test]
fn a_leaving_operator_is_removed_once_everything_is_withdrawn() {
	test(params(), || {
		register(ALICE, 1_000);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 500));
		assert_ok!(Operators::leave(RuntimeOrigin::signed(ALICE)));
		assert_noop!(
			Operators::leave(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::OperatorLeaving
		);
		assert_noop!(
			Operators::delegate(RuntimeOrigin::signed(DELEGATOR_2), ALICE, 500),
			Error::<Test>::OperatorLeaving
		);
		assert_noop!(
			Operators::resume(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::OperatorLeaving
		);
		assert!(eligible(ALICE).is_none());
		assert_eq!(<Operators as OperatorRegistry<_, _, _>>::active_operators(), 0);
		// Days without heartbeats: a leaving operator is not checked.
		run_to_block(1 + 7 * DAYS);
		assert_eq!(offline_slashes(ALICE), 0);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE));
		assert!(crate::Operators::<Test>::get(ALICE).is_some(), "a delegator is still there");
		assert_ok!(Operators::unbond(RuntimeOrigin::signed(DELEGATOR), ALICE, 500));
		run_to_block(2 + 14 * DAYS);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(DELEGATOR), ALICE));
		assert!(crate::Operators::<Test>::get(ALICE).is_none());
		assert!(events().contains(&Event::Removed { operator: ALICE }));
		// Everything came back, the pool deposit included.
		assert_eq!(free(ALICE), START_BALANCE);
		assert_eq!(free(DELEGATOR), START_BALANCE);
		assert_eq!(Balances::balance(&Operators::pool_account(&ALICE)), 0);
		assert_eq!(VrfKeyOwners::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_leaving_operator_with_a_pending_slash_stays_until_it_is_applied() {
	test(params(), || {
		register(ALICE, 2_000);
		report(ALICE, OffenceKind::WrongResult, None);
		assert_ok!(Operators::leave(RuntimeOrigin::signed(ALICE)));
		run_to_block(1 + DAYS);
		assert_eq!(stake(ALICE, ALICE), (0, 1_000));
		run_to_block(1 + 7 * DAYS);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE));
		assert!(crate::Operators::<Test>::get(ALICE).is_none());
		assert_eq!(free(ALICE), START_BALANCE - 1_000);
	});
}

// --- Cost independent of the number of delegators ---------------------------------------------

/// Sets up ALICE with `delegators` delegators, commits the state, then runs `f` with a
/// storage proof recorder. Returns (storage keys written, proof size in bytes).
fn cost_with_delegators(delegators: u32, f: impl FnOnce()) -> (usize, usize) {
	let mut p = params();
	// Slashes apply at once, so the report is the whole slash.
	p.slash_defer_period = 0;
	let mut ext = new_test_ext_with(p);
	ext.execute_with(|| {
		register(ALICE, 10_000);
		for i in 0..delegators {
			let who = 1_000_000 + AccountId::from(i);
			fund(who, 100);
			assert_ok!(Operators::delegate(RuntimeOrigin::signed(who), ALICE, 50));
		}
		System::reset_events();
	});
	if let Err(e) = ext.commit_all() {
		panic!("commit: {e}");
	}
	let ((), proof) = ext.execute_and_prove(f);
	let written = ext.overlayed_changes().changes().count();
	ext.execute_with(|| {
		if let Err(e) = Operators::do_try_state() {
			panic!("invariants: {e:?}");
		}
	});
	(written, codec::Encode::encoded_size(&proof))
}

fn slash_everyone() {
	// 100% of everything: every delegator loses its stake.
	let rule = SlashRule { amount: Balance::MAX, max_fraction: Perbill::one(), enabled_from: 0 };
	Parameters::<Test>::mutate(|p| p.slash_rules.wrong_result = rule);
	assert!(matches!(report(ALICE, OffenceKind::WrongResult, None), SlashOutcome::Applied(_)));
}

#[test]
fn a_slash_with_10_000_delegators_costs_what_it_does_with_one() {
	let (writes_1, proof_1) = cost_with_delegators(1, slash_everyone);
	let (writes_n, proof_n) = cost_with_delegators(10_000, slash_everyone);
	println!(
		"writes {writes_1}/{writes_n}, proof {proof_1}/{proof_n} bytes with 1/10_000 delegators"
	);
	assert_eq!(writes_1, writes_n, "storage writes");
	// The proof grows only with the depth of the trie (a few more branch nodes per key read),
	// not with the number of delegators: 10_000 ledgers would be hundreds of kilobytes.
	assert!(proof_n < proof_1 + 8 * 1024, "proof {proof_1} bytes with 1, {proof_n} with 10_000");
}

#[test]
fn a_reward_with_10_000_delegators_costs_what_it_does_with_one() {
	let pay = || reward(ALICE, GOVERNOR, 1_000_000);
	let (writes_1, proof_1) = cost_with_delegators(1, pay);
	let (writes_n, proof_n) = cost_with_delegators(10_000, pay);
	println!(
		"writes {writes_1}/{writes_n}, proof {proof_1}/{proof_n} bytes with 1/10_000 delegators"
	);
	assert_eq!(writes_1, writes_n, "storage writes");
	assert!(proof_n < proof_1 + 8 * 1024, "proof {proof_1} bytes with 1, {proof_n} with 10_000");
}

// --- Invariants, types -------------------------------------------------------------------------

#[test]
fn try_state_catches_unaccounted_funds() {
	new_test_ext().execute_with(|| {
		register(ALICE, 1_000);
		assert_ok!(Operators::do_try_state());
		crate::Operators::<Test>::mutate(ALICE, |op| {
			if let Some(op) = op {
				op.own.active.balance += 1;
			}
		});
		assert!(Operators::do_try_state().is_err());
	});
}

#[test]
fn try_state_catches_a_lost_liveness_check() {
	new_test_ext().execute_with(|| {
		register(ALICE, 1_000);
		let _ = LivenessChecks::<Test>::clear(u32::MAX, None);
		assert!(Operators::do_try_state().is_err());
	});
}

#[test]
fn agendas_catch_up_after_blocks_without_hooks() {
	test(params(), || {
		four_operators();
		run_to_block(2);
		// Blocks whose hooks did not run leave the agendas behind: the cursors catch up, a
		// bounded number of blocks at a time, and no check is lost.
		System::set_block_number(3 * HOURS);
		run_to_block(3 * HOURS + 200);
		assert_eq!(LivenessCursor::<Test>::get(), Some(3 * HOURS + 201));
		for who in [ALICE, BOB, CHARLIE, DAVE] {
			assert!(events().contains(&Event::Offline { operator: who, last_heartbeat: 1 }));
		}
	});
}

#[test]
fn a_new_heartbeat_period_keeps_the_outage_history() {
	test(params(), || {
		four_operators();
		// A mass outage, then governance lengthens the heartbeat period mid-way, before the
		// silent operators' offline checks.
		run_to_block_with(300, &[ALICE, BOB, CHARLIE, DAVE]);
		run_to_block_with(800, &[DAVE]);
		let before = Liveness::<Test>::get();
		assert_ok!(govern(vec![Parameter::HeartbeatPeriod(15 * MINUTES)]));
		assert_eq!(Liveness::<Test>::get().outages, before.outages);
		assert_eq!(Liveness::<Test>::get().period, before.period);
		run_to_block_with(1_000, &[DAVE]);
		for who in [ALICE, BOB, CHARLIE] {
			assert_eq!(offline_slashes(who), 0);
			assert!(events().contains(&Event::OfflineForgiven { operator: who }));
		}
	});
}

#[test]
fn buckets_value_shares_and_survive_wipe_outs() {
	let mut b = Bucket::<u128>::default();
	let a = b.deposit(100).expect("shares");
	let c = b.deposit(300).expect("shares");
	assert_eq!((b.value_of(a), b.value_of(c)), (100, 300));
	assert!(b.add(400));
	assert_eq!((b.value_of(a), b.value_of(c)), (200, 600));
	assert_eq!(b.take(200), 200);
	assert_eq!((b.value_of(a), b.value_of(c)), (150, 450));
	assert_eq!(b.take(10_000), 600);
	assert_eq!((b.value_of(a), b.value_of(c), b.generation), (0, 0, 1));
	let d = b.deposit(50).expect("shares");
	assert_eq!((b.value_of(d), b.value_of(a)), (50, 0));
	assert!(!Bucket::<u128>::default().add(5), "nobody to reward");
}

#[test]
fn pro_rata_never_exceeds_a_part_and_gives_out_the_amount() {
	assert_eq!(pro_rata(10u128, [1, 2]), [1, 2]);
	assert_eq!(pro_rata(3u128, [1, 2]), [1, 2]);
	assert_eq!(pro_rata(2u128, [1, 2]), [1, 1]);
	assert_eq!(pro_rata(7u128, [3, 3, 3]), [3, 2, 2]);
	assert_eq!(pro_rata(5u128, [0, 0]), [0, 0]);
}

#[test]
fn outage_history_answers_ranges_of_finished_periods() {
	let mut s = LivenessState::<u128, u64>::default();
	s.roll(false, 1);
	s.roll(true, 2);
	s.roll(false, 3);
	// Period 1 was an outage; 0 and 2 were not; 3 is not finished.
	assert!(s.outage_between(1, 1));
	assert!(s.outage_between(0, 3));
	assert!(!s.outage_between(2, 3));
	assert!(!s.outage_between(0, 0));
	// Skipped periods have no verdict; old ones are forgotten.
	s.roll(false, 200);
	assert!(!s.outage_between(0, 199));
}

// --- Sampling stake, Sybil operators, leaving, periods (hardening) -----------------------------

#[test]
fn silent_operators_cannot_make_a_mass_outage() {
	test(params(), || {
		four_operators();
		// Twenty operators with the minimum collateral register and never heartbeat: by count
		// they are five in six of the operators, by live stake nothing.
		for who in 100..120 {
			fund(who, 10_000);
			register(who, 1_000);
		}
		// ALICE goes silent with them; the three others heartbeat.
		run_to_block_with(3 * HOURS, &[BOB, CHARLIE, DAVE]);
		assert!(!events().iter().any(|e| matches!(e, Event::MassOutage { .. })));
		assert!(offline_slashes(ALICE) >= 2, "ALICE's silence is her own");
		assert!(offline_slashes(100) >= 2, "so is each silent registration's");
		assert!(!events().iter().any(|e| matches!(e, Event::OfflineForgiven { .. })));
	});
}

#[test]
fn operators_that_stop_on_purpose_are_not_missing() {
	test(params(), || {
		four_operators();
		run_to_block_with(2 * HOURS, &[ALICE, BOB, CHARLIE, DAVE]);
		// Three of four chill or leave in one period: no outage, they did not miss anything.
		assert_ok!(Operators::chill(RuntimeOrigin::signed(ALICE)));
		assert_ok!(Operators::chill(RuntimeOrigin::signed(BOB)));
		assert_ok!(Operators::leave(RuntimeOrigin::signed(CHARLIE)));
		run_to_block_with(3 * HOURS, &[DAVE]);
		assert!(!events().iter().any(|e| matches!(e, Event::MassOutage { .. })));
	});
}

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

#[test]
fn a_delegator_cannot_keep_a_leaving_operator_registered() {
	test(params(), || {
		register(ALICE, 1_000);
		assert_ok!(Operators::delegate(RuntimeOrigin::signed(DELEGATOR), ALICE, 500));
		// Nobody may withdraw for another staker of an operator that is not leaving.
		assert_noop!(
			Operators::withdraw_for(RuntimeOrigin::signed(BOB), ALICE, DELEGATOR),
			Error::<Test>::NotLeaving
		);
		assert_ok!(Operators::leave(RuntimeOrigin::signed(ALICE)));
		// The delegation unbonds with the operator: not before one unbonding period.
		run_to_block(7 * DAYS);
		assert_noop!(
			Operators::withdraw_for(RuntimeOrigin::signed(ALICE), ALICE, DELEGATOR),
			Error::<Test>::NothingToWithdraw
		);
		run_to_block(1 + 7 * DAYS);
		assert_ok!(Operators::withdraw_unbonded(RuntimeOrigin::signed(ALICE), ALICE));
		assert!(crate::Operators::<Test>::get(ALICE).is_some(), "the delegator is still there");
		// The delegator does nothing; anyone withdraws for it, to its account.
		assert_ok!(Operators::withdraw_for(RuntimeOrigin::signed(BOB), ALICE, DELEGATOR));
		assert_eq!(free(DELEGATOR), START_BALANCE);
		assert!(crate::Operators::<Test>::get(ALICE).is_none());
		assert!(events().contains(&Event::Removed { operator: ALICE }));
	});
}

#[test]
fn slashing_periods_must_cover_the_reporters() {
	test(params(), || {
		// The task pallets report up to 3 days after an offence and route funds for 7 days.
		REPORTER_TIMING.with(|t| t.set((3 * DAYS, 7 * DAYS)));
		// Unbonding (7 days) must outlast the report delay plus the deferral.
		assert_noop!(
			govern(vec![Parameter::SlashDeferPeriod(4 * DAYS)]),
			Error::<Test>::ParamUnbondingNotLongerThanDeferral
		);
		assert_noop!(
			govern(vec![Parameter::UnbondingPeriod(4 * DAYS)]),
			Error::<Test>::ParamUnbondingNotLongerThanDeferral
		);
		assert_ok!(govern(vec![Parameter::SlashDeferPeriod(3 * DAYS)]));
		// The deferral must end while the reporter still routes the funds.
		REPORTER_TIMING.with(|t| t.set((0, 2 * DAYS)));
		assert_noop!(
			govern(vec![Parameter::MinCollateral(2_000)]),
			Error::<Test>::ParamDeferralTooLong
		);
		assert_ok!(govern(vec![Parameter::SlashDeferPeriod(DAYS)]));
	});
}
