//! Registration, keys, metadata and commission; leaving the operator set.

use super::*;

// --- Registration and keys --------------------------------------------------------------------

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

// --- Leaving ----------------------------------------------------------------------------------

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

// --- What the bridge is told ------------------------------------------------------------------

#[test]
fn the_bridge_hears_of_every_change_of_address_stake_or_status_and_of_nothing_else() {
	use aos_operators_primitives::Standing;
	test(params(), || {
		take_standing_changes();
		register(ALICE, 1_000);
		let joined = Standing { eth: None, stake: 1_000, active: true };
		assert_eq!(take_standing_changes(), vec![(ALICE, None, Some(joined))]);
		// Metadata is none of its business.
		assert_ok!(Operators::update_metadata(
			RuntimeOrigin::signed(ALICE),
			b"alice".to_vec(),
			b"https://alice".to_vec()
		));
		assert_eq!(take_standing_changes(), vec![]);
		let eth = eth_binding(ALICE, 7);
		let key = vrf_pair(ALICE, 1);
		assert_ok!(Operators::rotate_keys(
			RuntimeOrigin::signed(ALICE),
			key.public(),
			vrf_proof(ALICE, &key),
			Some(eth)
		));
		let bound = Standing { eth: Some(eth.address), ..joined };
		assert_eq!(take_standing_changes(), vec![(ALICE, Some(joined), Some(bound))]);
		assert_ok!(Operators::bond_extra(RuntimeOrigin::signed(ALICE), 500));
		let bonded = Standing { stake: 1_500, ..bound };
		assert_eq!(take_standing_changes(), vec![(ALICE, Some(bound), Some(bonded))]);
		assert_ok!(Operators::chill(RuntimeOrigin::signed(ALICE)));
		let chilled = Standing { active: false, ..bonded };
		assert_eq!(take_standing_changes(), vec![(ALICE, Some(bonded), Some(chilled))]);
	});
}

#[test]
fn version_0_parameters_migrate_with_the_checkpoint_rule_of_a_wrong_result() {
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	test(params(), || {
		let p = Parameters::<Test>::get();
		let r = p.slash_rules;
		let old = (
			p.min_collateral,
			p.min_delegation,
			p.unbonding_period,
			p.heartbeat_period,
			p.offline_grace,
			p.mass_outage_threshold,
			p.slash_defer_period,
			[r.offline, r.wrong_result, r.zk_proof_invalid, r.attestation_invalid, r.dispute_lost],
		);
		frame_support::storage::unhashed::put_raw(&Parameters::<Test>::hashed_key(), &old.encode());
		StorageVersion::new(0).put::<Operators>();
		crate::migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		let migrated = Parameters::<Test>::get();
		assert_eq!(migrated.slash_rules.checkpoint_equivocation, r.wrong_result);
		assert_eq!(
			ParamsOf::<Test> {
				slash_rules: SlashRules {
					checkpoint_equivocation: r.checkpoint_equivocation,
					..migrated.slash_rules
				},
				..migrated
			},
			p
		);
		assert_eq!(Operators::on_chain_storage_version(), 1);
	});
}
