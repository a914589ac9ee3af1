//! Heartbeats, offline slashing and mass outages.

use super::*;

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
