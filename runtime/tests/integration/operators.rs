//! The operators pallet in the runtime: a council motion changes `offline_slash`, and the next
//! offline slash takes the new amount; presets carry the spec's first-year rule; the runtime
//! API reports operators.

use crate::common::{executed, genesis, motion, register_operator as register, run_to_block};
use aos_operators_primitives::{
	runtime_decl_for_operators_api::OperatorsApiV2, OffenceKind, OperatorStatusView,
};
use aos_runtime::{
	configs::operators::{dev_params, production_params},
	constants::{currency::UNITS, time::DAYS},
	Balances, Operators, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, System,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use pallet_operators::{Parameter, SlashRule};

use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Dave, Eve, Ferdie};
use sp_runtime::{DispatchError, Perbill};

/// Produces blocks up to `n`; `alive` heartbeat in every block whose number is a multiple of
/// the heartbeat period. Returns the events of those blocks.
fn run_with_heartbeats(n: u32, alive: &[Sr25519Keyring]) -> Vec<RuntimeEvent> {
	let mut events = Vec::new();
	while System::block_number() < n {
		run_to_block(System::block_number() + 1);
		events.extend(System::events().into_iter().map(|r| r.event));
		let period = pallet_operators::Parameters::<Runtime>::get().heartbeat_period;
		if System::block_number().is_multiple_of(period) {
			for who in alive {
				assert_ok!(Operators::heartbeat(RuntimeOrigin::signed(who.to_account_id())));
			}
		}
	}
	events
}

fn offline_slash_amounts(of: Sr25519Keyring, events: &[RuntimeEvent]) -> Vec<u128> {
	events
		.iter()
		.filter_map(|event| match *event {
			RuntimeEvent::Operators(pallet_operators::Event::SlashDeferred {
				ref operator,
				kind: OffenceKind::Offline,
				amount,
				..
			}) if *operator == of.to_account_id() => Some(amount),
			_ => None,
		})
		.collect()
}

#[test]
fn a_council_motion_changes_offline_slash_and_the_next_offline_slash_uses_it() {
	genesis("development").execute_with(|| {
		run_to_block(1);
		for who in [Dave, Eve, Ferdie] {
			register(who);
		}
		let new_rule = SlashRule {
			amount: 25 * UNITS,
			max_fraction: Perbill::from_percent(10),
			enabled_from: 0,
		};
		let change = Parameter::SlashRule(OffenceKind::Offline, new_rule);
		let call = RuntimeCall::Operators(pallet_operators::Call::set_parameters {
			changes: vec![change].try_into().expect("one change"),
		});

		// An operator, a single council member: refused.
		assert_noop!(
			Operators::set_parameters(
				RuntimeOrigin::signed(Dave.to_account_id()),
				vec![change].try_into().expect("one change")
			),
			DispatchError::BadOrigin
		);
		let lone = Parameter::SlashRule(
			OffenceKind::Offline,
			SlashRule { amount: 0, max_fraction: Perbill::zero(), enabled_from: 0 },
		);
		let hash = motion(
			1,
			&[],
			RuntimeCall::Operators(pallet_operators::Call::set_parameters {
				changes: vec![lone].try_into().expect("one change"),
			}),
		);
		assert_eq!(executed(hash), Some(Err(DispatchError::BadOrigin)));
		assert_eq!(
			pallet_operators::Parameters::<Runtime>::get().slash_rules.offline,
			dev_params().slash_rules.offline
		);

		// Two thirds of the council: the rule changes, with an event.
		let hash = motion(2, &[Alice, Bob], call);
		assert_eq!(executed(hash), Some(Ok(())));
		assert_eq!(pallet_operators::Parameters::<Runtime>::get().slash_rules.offline, new_rule);
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Operators(pallet_operators::Event::ParameterSet { change })));

		// Dave goes silent; Eve and Ferdie keep heartbeating. Past the grace period Dave is
		// offline and slashed the new amount.
		let params = pallet_operators::Parameters::<Runtime>::get();
		let issuance = Balances::total_issuance();
		let registered_at = System::block_number();
		let events = run_with_heartbeats(registered_at + params.offline_grace, &[Eve, Ferdie]);
		assert!(offline_slash_amounts(Dave, &events).is_empty(), "slashed within the grace period");
		let events = run_with_heartbeats(registered_at + params.offline_grace + 2, &[Eve, Ferdie]);
		assert_eq!(offline_slash_amounts(Dave, &events), vec![25 * UNITS]);
		for who in [Eve, Ferdie] {
			assert!(offline_slash_amounts(who, &events).is_empty());
		}
		let state = <Runtime as OperatorsApiV2<_, _, _, _>>::operator(Dave.to_account_id())
			.expect("Dave is an operator");
		assert_eq!(state.status, OperatorStatusView::Offline);
		assert_eq!(state.pending_slashes.len(), 1);
		assert_eq!(state.pending_slashes[0].amount, 25 * UNITS);

		// After the veto window the slash is applied: Dave's collateral shrinks by 25 AOS,
		// which are burned.
		let apply_at = state.pending_slashes[0].apply_at;
		run_with_heartbeats(apply_at, &[Eve, Ferdie]);
		let state = <Runtime as OperatorsApiV2<_, _, _, _>>::operator(Dave.to_account_id())
			.expect("Dave is an operator");
		assert_eq!(state.own_stake, 1_000 * UNITS - 25 * UNITS);
		assert!(state.pending_slashes.is_empty() || state.pending_slashes[0].apply_at > apply_at);
		assert_eq!(Balances::total_issuance(), issuance - 25 * UNITS);
		for who in [Eve, Ferdie] {
			let state = <Runtime as OperatorsApiV2<_, _, _, _>>::operator(who.to_account_id())
				.expect("an operator");
			assert_eq!(
				(state.status, state.own_stake),
				(OperatorStatusView::Active, 1_000 * UNITS)
			);
		}
	});
}

#[test]
fn presets_carry_the_operator_parameters() {
	genesis("development").execute_with(|| {
		assert_eq!(pallet_operators::Parameters::<Runtime>::get(), dev_params());
		for kind in OffenceKind::ALL {
			assert_eq!(dev_params().slash_rules.get(kind).enabled_from, 0, "{kind:?}");
		}
	});
	genesis("testnet").execute_with(|| {
		let params = pallet_operators::Parameters::<Runtime>::get();
		assert_eq!(params, production_params());
		// The AOS spec: nobody is slashed for being offline in the first year; proven
		// misbehaviour is slashable from genesis.
		for kind in OffenceKind::ALL {
			let from = if kind == OffenceKind::Offline { 365 * DAYS } else { 0 };
			assert_eq!(params.slash_rules.get(kind).enabled_from, from, "{kind:?}");
		}
		assert_eq!(params.unbonding_period, 7 * DAYS);
		assert_eq!(params.offline_grace, DAYS / 24);
	});
}

#[test]
fn the_runtime_api_reports_stake_and_delegations() {
	genesis("development").execute_with(|| {
		run_to_block(1);
		register(Dave);
		assert_ok!(Operators::delegate(
			RuntimeOrigin::signed(Ferdie.to_account_id()),
			Dave.to_account_id(),
			300 * UNITS
		));
		let state = <Runtime as OperatorsApiV2<_, _, _, _>>::operator(Dave.to_account_id())
			.expect("Dave is an operator");
		assert_eq!(
			(state.own_stake, state.delegated_stake, state.total_stake, state.delegators),
			(1_000 * UNITS, 300 * UNITS, 1_300 * UNITS, 1)
		);
		let stake = <Runtime as OperatorsApiV2<_, _, _, _>>::stake_of(
			Dave.to_account_id(),
			Ferdie.to_account_id(),
		)
		.expect("Ferdie delegates");
		assert_eq!(stake.active, 300 * UNITS);
		assert!(<Runtime as OperatorsApiV2<_, _, _, _>>::operator(Eve.to_account_id()).is_none());
		// What the operator service reads instead of decoding storage.
		let now = System::block_number();
		assert!(<Runtime as OperatorsApiV2<_, _, _, _>>::selection_stake(Eve.to_account_id(), now)
			.is_none());
		assert_eq!(
			<Runtime as OperatorsApiV2<_, _, _, _>>::heartbeat_period(),
			pallet_operators::Parameters::<Runtime>::get().heartbeat_period
		);
		// The pool account is a real account with the delegated funds held on it.
		let pool = pallet_operators::Pallet::<Runtime>::pool_account(&Dave.to_account_id());
		assert_eq!(Balances::total_balance(&pool), 300 * UNITS + Balances::minimum_balance());
	});
}
