//! Weights of the pallet's calls.
//!
//! NOT YET BENCHMARKED: the pallet is not part of the runtime until `benchmarking.rs` has run
//! on the reference machine and replaced the `()` figures below, which are only an order of
//! magnitude for the mock (a verification measured natively at about 2 ms).

use frame_support::weights::Weight;

/// The weights the pallet charges.
pub trait WeightInfo {
	fn register_vk() -> Weight;
	fn unregister_vk() -> Weight;
	fn link_model() -> Weight;
	fn unlink_model() -> Weight;
	fn submit_proof(instances: u32) -> Weight;
	fn submit_invalid_proof(instances: u32) -> Weight;
}

/// Until benchmarked: the placeholder figures for the runtime too.
pub struct SubstrateWeight<T>(core::marker::PhantomData<T>);
impl<T> WeightInfo for SubstrateWeight<T> {
	fn register_vk() -> Weight {
		<() as WeightInfo>::register_vk()
	}
	fn unregister_vk() -> Weight {
		<() as WeightInfo>::unregister_vk()
	}
	fn link_model() -> Weight {
		<() as WeightInfo>::link_model()
	}
	fn unlink_model() -> Weight {
		<() as WeightInfo>::unlink_model()
	}
	fn submit_proof(instances: u32) -> Weight {
		<() as WeightInfo>::submit_proof(instances)
	}
	fn submit_invalid_proof(instances: u32) -> Weight {
		<() as WeightInfo>::submit_invalid_proof(instances)
	}
}

impl WeightInfo for () {
	fn register_vk() -> Weight {
		Weight::from_parts(5_000_000_000, 10_000)
	}
	fn unregister_vk() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
	}
	fn link_model() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
	}
	fn unlink_model() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
	}
	fn submit_proof(instances: u32) -> Weight {
		Weight::from_parts(20_000_000_000 + 10_000_000 * u64::from(instances), 100_000)
	}
	fn submit_invalid_proof(instances: u32) -> Weight {
		Weight::from_parts(20_000_000_000 + 10_000_000 * u64::from(instances), 100_000)
	}
}
