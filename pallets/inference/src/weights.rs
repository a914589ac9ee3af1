//! Weights of pallet-inference.
//!
//! NOT YET MEASURED: these are estimates from the storage accesses of each call (ParityDB
//! weights) plus the cost of an sr25519 VRF verification, to be replaced by the output of
//! `./scripts/bench-pallet.sh pallet_inference pallets/inference` once the benchmarks land.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// The weight functions of this pallet.
pub trait WeightInfo {
	fn register_model(l: u32) -> Weight;
	fn deregister_model() -> Weight;
	fn ban_model() -> Weight;
	fn submit_task(i: u32) -> Weight;
	fn claim() -> Weight;
	fn commit() -> Weight;
	fn reveal() -> Weight;
	fn set_parameters() -> Weight;
	fn on_initialize_base() -> Weight;
	fn fix_randomness() -> Weight;
	fn close_tranche() -> Weight;
	fn resolve(c: u32) -> Weight;
	fn pay_pool(c: u32) -> Weight;
	fn prune(c: u32) -> Weight;
}

/// Estimated weights for the AOS runtime.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_model(l: u32) -> Weight {
		Weight::from_parts(60_000_000, 4000)
			.saturating_add(Weight::from_parts(2_000_000, 0).saturating_mul(l.into()))
			.saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn deregister_model() -> Weight {
		Weight::from_parts(60_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn ban_model() -> Weight {
		Weight::from_parts(60_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn submit_task(i: u32) -> Weight {
		Weight::from_parts(100_000_000, 8000)
			.saturating_add(Weight::from_parts(2_000, 0).saturating_mul(i.into()))
			.saturating_add(T::DbWeight::get().reads_writes(6 + 32, 6))
	}
	fn claim() -> Weight {
		Weight::from_parts(600_000_000, 12000).saturating_add(T::DbWeight::get().reads_writes(6, 1))
	}
	fn commit() -> Weight {
		Weight::from_parts(50_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
	fn reveal() -> Weight {
		Weight::from_parts(200_000_000, 12000).saturating_add(T::DbWeight::get().reads_writes(4, 2))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().writes(1))
	}
	fn on_initialize_base() -> Weight {
		Weight::from_parts(10_000_000, 2000).saturating_add(T::DbWeight::get().reads_writes(3, 1))
	}
	fn fix_randomness() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(4, 3))
	}
	fn close_tranche() -> Weight {
		Weight::from_parts(50_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(4, 3))
	}
	fn resolve(c: u32) -> Weight {
		Weight::from_parts(300_000_000, 12000)
			.saturating_add(Weight::from_parts(400_000_000, 6000).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads_writes(8, 8))
			.saturating_add(T::DbWeight::get().reads_writes(10, 10).saturating_mul(c.into()))
	}
	fn pay_pool(c: u32) -> Weight {
		Weight::from_parts(100_000_000, 8000)
			.saturating_add(Weight::from_parts(300_000_000, 6000).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads_writes(6, 6).saturating_mul(c.into()))
	}
	fn prune(c: u32) -> Weight {
		Weight::from_parts(50_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads_writes(3, 3))
			.saturating_add(T::DbWeight::get().writes(1).saturating_mul(c.into()))
	}
}

/// For tests: unit weights.
impl WeightInfo for () {
	fn register_model(_: u32) -> Weight {
		Weight::from_parts(1, 0)
	}
	fn deregister_model() -> Weight {
		Weight::from_parts(1, 0)
	}
	fn ban_model() -> Weight {
		Weight::from_parts(1, 0)
	}
	fn submit_task(_: u32) -> Weight {
		Weight::from_parts(1, 0)
	}
	fn claim() -> Weight {
		Weight::from_parts(1, 0)
	}
	fn commit() -> Weight {
		Weight::from_parts(1, 0)
	}
	fn reveal() -> Weight {
		Weight::from_parts(1, 0)
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(1, 0)
	}
	fn on_initialize_base() -> Weight {
		Weight::from_parts(1, 0)
	}
	fn fix_randomness() -> Weight {
		Weight::from_parts(1, 0)
	}
	fn close_tranche() -> Weight {
		Weight::from_parts(1, 0)
	}
	fn resolve(c: u32) -> Weight {
		Weight::from_parts(1 + u64::from(c), 0)
	}
	fn pay_pool(c: u32) -> Weight {
		Weight::from_parts(1 + u64::from(c), 0)
	}
	fn prune(c: u32) -> Weight {
		Weight::from_parts(1 + u64::from(c), 0)
	}
}
