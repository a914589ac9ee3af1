//! Governance of the parameters, and their bounds.

use super::*;

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
