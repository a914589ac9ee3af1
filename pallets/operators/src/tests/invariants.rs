//! `try_state` catching broken invariants, agendas catching up, and the pallet's types.

use super::*;

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
