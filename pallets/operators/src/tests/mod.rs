//! Unit tests: every rule of the pallet, on the mock runtime, by concern. Each test ends with
//! the pallet's `try_state` invariants (see [`crate::mock::test`]). The helpers here are
//! shared by the files below.

mod cost;
mod invariants;
mod liveness;
mod params;
mod registration;
mod slashing;
mod stake;

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

/// Whether `who` may take a task whose randomness is from the current block.
fn eligible(who: AccountId) -> Option<EligibleOperator<Balance, BlockNumber>> {
	<Operators as OperatorRegistry<_, _, _>>::eligible(&who, System::block_number())
}

/// Registers ALICE..DAVE at block 1.
fn four_operators() {
	for who in [ALICE, BOB, CHARLIE, DAVE] {
		register(who, 1_000);
	}
}
