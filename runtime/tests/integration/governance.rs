//! Governance origins: a council motion backed by two thirds of the council dispatches a call
//! that needs `GovernanceOrigin`; three quarters reach root through pallet-root-dispatch; fewer
//! votes, or a plain account, reach neither.

use crate::common::{self, executed, motion};

use aos_runtime::{Council, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, Staking, System};
use frame_support::{assert_noop, assert_ok};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave};
use sp_runtime::{traits::Hash, DispatchError, Perbill};

/// A call only `GovernanceOrigin` may make: staking's admin origin sets the minimum commission.
fn governance_call() -> RuntimeCall {
	RuntimeCall::Staking(pallet_staking::Call::set_min_commission { new: Perbill::from_percent(5) })
}

/// A root-only call, wrapped for pallet-root-dispatch.
fn root_call(validators: u32) -> RuntimeCall {
	let inner = RuntimeCall::Staking(pallet_staking::Call::set_validator_count { new: validators });
	RuntimeCall::RootDispatch(pallet_root_dispatch::Call::dispatch_as_root {
		call: Box::new(inner),
	})
}

/// The result of the last call dispatched as root, if any.
fn dispatched_as_root() -> Option<Result<(), DispatchError>> {
	System::events().into_iter().rev().find_map(|r| match r.event {
		RuntimeEvent::RootDispatch(pallet_root_dispatch::Event::DispatchedAsRoot { result }) => {
			Some(result)
		},
		_ => None,
	})
}

fn min_commission() -> Perbill {
	pallet_staking::MinCommission::<Runtime>::get()
}

#[test]
fn two_thirds_of_the_council_dispatch_a_governance_call() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		assert_eq!(min_commission(), Perbill::zero());
		// Two of the three members (Alice, Bob, Charlie) vote aye.
		let hash = motion(2, &[Alice, Bob], governance_call());
		assert_eq!(executed(hash), Some(Ok(())));
		assert_eq!(min_commission(), Perbill::from_percent(5));
	});
}

#[test]
fn one_third_of_the_council_is_not_enough() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		let hash = motion(1, &[], governance_call());
		assert_eq!(executed(hash), Some(Err(DispatchError::BadOrigin)));
		assert_eq!(min_commission(), Perbill::zero());
	});
}

#[test]
fn three_quarters_of_the_council_dispatch_as_root() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), 1);
		// With three members, three quarters means all three.
		let hash = motion(3, &[Alice, Bob, Charlie], root_call(7));
		assert_eq!(executed(hash), Some(Ok(())));
		assert_eq!(dispatched_as_root(), Some(Ok(())));
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), 7);
	});
}

#[test]
fn two_thirds_of_the_council_cannot_dispatch_as_root() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		let hash = motion(2, &[Alice, Bob], root_call(7));
		assert_eq!(executed(hash), Some(Err(DispatchError::BadOrigin)));
		assert_eq!(dispatched_as_root(), None);
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), 1);
	});
}

#[test]
fn accounts_outside_governance_are_refused() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		let dave = RuntimeOrigin::signed(Dave.to_account_id());
		assert_noop!(
			Staking::set_min_commission(dave.clone(), Perbill::from_percent(5)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			aos_runtime::RootDispatch::dispatch_as_root(
				dave.clone(),
				Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![] }))
			),
			DispatchError::BadOrigin
		);
		// Dave is not on the council: he cannot even propose.
		assert_noop!(
			Council::propose(dave, 2, Box::new(governance_call()), 100),
			pallet_collective::Error::<Runtime, pallet_collective::Instance1>::NotMember
		);
	});
}

#[test]
fn root_is_a_governance_origin() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		assert_ok!(Staking::set_min_commission(RuntimeOrigin::root(), Perbill::from_percent(3)));
		assert_eq!(min_commission(), Perbill::from_percent(3));
	});
}

/// A 2/3 motion cannot change the council: otherwise two thirds could add members until they
/// are three quarters, and reach root. Root (3/4 through root-dispatch) can.
#[test]
fn only_root_changes_the_councils_membership() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		let set_members = || {
			RuntimeCall::Council(pallet_collective::Call::set_members {
				new_members: vec![Alice.to_account_id(), Bob.to_account_id(), Dave.to_account_id()],
				prime: None,
				old_count: 3,
			})
		};
		let hash = motion(2, &[Alice, Bob], set_members());
		assert_eq!(executed(hash), Some(Err(DispatchError::BadOrigin)));
		assert!(!Council::is_member(&Dave.to_account_id()));
		let as_root = RuntimeCall::RootDispatch(pallet_root_dispatch::Call::dispatch_as_root {
			call: Box::new(set_members()),
		});
		let hash = motion(3, &[Alice, Bob, Charlie], as_root);
		assert_eq!(executed(hash), Some(Ok(())));
		assert!(Council::is_member(&Dave.to_account_id()));
	});
}

/// Members who do not vote do not follow the prime: a root motion closed after its voting
/// period with two ayes out of three does not reach three quarters by a default vote.
#[test]
fn abstentions_do_not_follow_the_prime() {
	use frame_support::dispatch::GetDispatchInfo;
	common::genesis("development").execute_with(|| {
		common::run_to_block(1);
		assert_ok!(Council::set_members(
			RuntimeOrigin::root(),
			vec![Alice.to_account_id(), Bob.to_account_id(), Charlie.to_account_id()],
			Some(Alice.to_account_id()),
			3,
		));
		let call = root_call(9);
		let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
		let length = codec::Encode::encoded_size(&call) as u32;
		let weight = call.get_dispatch_info().call_weight;
		assert_ok!(Council::propose(
			RuntimeOrigin::signed(Alice.to_account_id()),
			3,
			Box::new(call),
			length
		));
		// The prime and Bob vote aye; Charlie stays silent.
		for who in [Alice, Bob] {
			assert_ok!(Council::vote(RuntimeOrigin::signed(who.to_account_id()), hash, 0, true));
		}
		// The voting period ends (no hook is involved in closing a motion).
		let end =
			System::block_number() + aos_runtime::configs::governance::CouncilMotionDuration::get();
		System::set_block_number(end + 1);
		assert_ok!(Council::close(
			RuntimeOrigin::signed(Bob.to_account_id()),
			hash,
			0,
			weight,
			length
		));
		assert_eq!(executed(hash), None, "a silent member counted as the prime's aye");
		assert_ne!(pallet_staking::ValidatorCount::<Runtime>::get(), 9);
	});
}
