//! The block limits the runtime documents: 2 s of ref-time and 5 MiB per 5-second block.

use aos_runtime::{configs::RuntimeBlockLength, configs::RuntimeBlockWeights, SLOT_DURATION};
use frame_support::{dispatch::DispatchClass, weights::constants::WEIGHT_REF_TIME_PER_SECOND};

#[test]
fn blocks_hold_two_seconds_of_compute_and_five_mebibytes() {
	assert_eq!(SLOT_DURATION, 5_000);
	let weights = RuntimeBlockWeights::get();
	assert_eq!(weights.max_block.ref_time(), 2 * WEIGHT_REF_TIME_PER_SECOND);
	let length = RuntimeBlockLength::get();
	assert_eq!(*length.max.get(DispatchClass::Operational), 5 * 1024 * 1024);
	// Normal transactions leave a quarter of the block to operational ones.
	assert_eq!(*length.max.get(DispatchClass::Normal), 5 * 1024 * 1024 * 3 / 4);
}
