use crate::{mock::*, *};
use frame_support::traits::Hooks;

fn genesis(epoch_duration: Option<u64>, sessions_per_era: Option<u32>) -> GenesisConfig<Test> {
	GenesisConfig { epoch_duration, sessions_per_era, _config: Default::default() }
}

#[test]
fn genesis_without_values_keeps_the_defaults() {
	new_test_ext(genesis(None, None)).execute_with(|| {
		assert_eq!(EpochDurationOf::<Test>::get(), 720);
		assert_eq!(SessionsPerEraOf::<Test>::get(), 6);
		// The defaults are written, not only implied, so that the chain keeps them even if a
		// later runtime ships other defaults.
		assert!(EpochDuration::<Test>::exists());
		assert!(SessionsPerEra::<Test>::exists());
	});
}

#[test]
fn genesis_values_override_the_defaults() {
	new_test_ext(genesis(Some(12), Some(2))).execute_with(|| {
		assert_eq!(EpochDurationOf::<Test>::get(), 12);
		assert_eq!(SessionsPerEraOf::<Test>::get(), 2);
	});
}

#[test]
#[should_panic(expected = "epochDuration is below MIN_EPOCH_DURATION")]
fn genesis_refuses_a_one_slot_epoch() {
	new_test_ext(genesis(Some(1), None));
}

#[test]
#[should_panic(expected = "epochDuration is above MAX_EPOCH_DURATION")]
fn genesis_refuses_an_overlong_epoch() {
	new_test_ext(genesis(Some(MAX_EPOCH_DURATION + 1), None));
}

#[test]
#[should_panic(expected = "sessionsPerEra must be at least 1")]
fn genesis_refuses_eras_without_sessions() {
	new_test_ext(genesis(None, Some(0)));
}

#[test]
#[should_panic(expected = "sessionsPerEra is above MAX_SESSIONS_PER_ERA")]
fn genesis_refuses_overlong_eras() {
	new_test_ext(genesis(None, Some(MAX_SESSIONS_PER_ERA + 1)));
}

#[test]
fn bounds_are_inclusive() {
	assert!(Pallet::<Test>::check(MIN_EPOCH_DURATION, 1).is_ok());
	assert!(Pallet::<Test>::check(MAX_EPOCH_DURATION, MAX_SESSIONS_PER_ERA).is_ok());
}

#[test]
fn integrity_test_passes_for_the_mock_defaults() {
	new_test_ext(genesis(None, None)).execute_with(|| {
		<Pallet<Test> as Hooks<u64>>::integrity_test();
	});
}
