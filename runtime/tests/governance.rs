//! `GovernanceOrigin`: a council motion backed by two thirds of the council dispatches a call
//! that requires it; fewer votes, or a plain account, cannot.

mod common;

use aos_runtime::{
	Council, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, Staking, System,
};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave};
use sp_runtime::{traits::Hash, DispatchError};

/// A call only `GovernanceOrigin` may make: staking's admin origin sets the validator count.
fn governance_call(count: u32) -> RuntimeCall {
	RuntimeCall::Staking(pallet_staking::Call::set_validator_count { new: count })
}

fn propose(who: sp_keyring::Sr25519Keyring, threshold: u32, call: &RuntimeCall) -> sp_core::H256 {
	assert_ok!(Council::propose(
		RuntimeOrigin::signed(who.to_account_id()),
		threshold,
		Box::new(call.clone()),
		call.encoded_size() as u32
	));
	<Runtime as frame_system::Config>::Hashing::hash_of(call)
}

fn executed_ok(hash: sp_core::H256) -> Option<bool> {
	System::events().into_iter().find_map(|r| match r.event {
		RuntimeEvent::Council(pallet_collective::Event::Executed { proposal_hash, result })
			if proposal_hash == hash =>
			Some(result.is_ok()),
		_ => None,
	})
}

#[test]
fn two_thirds_of_the_council_dispatch_a_governance_call() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), 1);

		let call = governance_call(7);
		let hash = propose(Alice, 2, &call);
		assert_ok!(Council::vote(RuntimeOrigin::signed(Bob.to_account_id()), hash, 0, true));
		assert_ok!(Council::close(
			RuntimeOrigin::signed(Charlie.to_account_id()),
			hash,
			0,
			call.get_dispatch_info().call_weight,
			call.encoded_size() as u32
		));

		assert_eq!(executed_ok(hash), Some(true));
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), 7);
	});
}

#[test]
fn one_third_of_the_council_is_not_enough() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		// Threshold 1: the motion executes at once, with the origin "1 of 3 members".
		let hash = propose(Alice, 1, &governance_call(7));
		assert_eq!(executed_ok(hash), Some(false), "the call fails with BadOrigin");
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), 1);
	});
}

#[test]
fn accounts_outside_governance_are_refused() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		// Dave is not on the council: neither the call nor a motion goes through.
		assert_noop!(
			Staking::set_validator_count(RuntimeOrigin::signed(Dave.to_account_id()), 7),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Council::propose(
				RuntimeOrigin::signed(Dave.to_account_id()),
				2,
				Box::new(governance_call(7)),
				100
			),
			pallet_collective::Error::<Runtime, pallet_collective::Instance1>::NotMember
		);
	});
}

#[test]
fn root_is_a_governance_origin() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		assert_ok!(Staking::set_validator_count(RuntimeOrigin::root(), 5));
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), 5);
	});
}
