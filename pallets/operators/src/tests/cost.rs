//! The cost of a slash and of a reward does not grow with the number of delegators.

use super::*;

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
