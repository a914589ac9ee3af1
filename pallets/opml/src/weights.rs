//! Weights for `pallet_opml`. Placeholder until `scripts/bench-pallet.sh pallet_opml
//! pallets/opml` writes the measured ones.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_opml`.
pub trait WeightInfo {
	fn post_result(n: u32) -> Weight;
	fn challenge() -> Weight;
	fn defend() -> Weight;
	fn choose() -> Weight;
	fn one_step(w: u32) -> Weight;
	fn timeout() -> Weight;
	fn finalize() -> Weight;
	fn close_games(c: u32) -> Weight;
	fn set_parameters() -> Weight;
}

/// Weights for `pallet_opml` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn post_result(n: u32) -> Weight {
		Weight::from_parts(200_000_000, 8000)
			.saturating_add(Weight::from_parts(2_000_000, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn challenge() -> Weight {
		Weight::from_parts(100_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn defend() -> Weight {
		Weight::from_parts(100_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
	fn choose() -> Weight {
		Weight::from_parts(100_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
	fn one_step(w: u32) -> Weight {
		Weight::from_parts(200_000_000, 16000)
			.saturating_add(Weight::from_parts(4_000_000, 0).saturating_mul(w.into()))
			.saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn timeout() -> Weight {
		Weight::from_parts(100_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(4, 4))
	}
	fn finalize() -> Weight {
		Weight::from_parts(100_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn close_games(c: u32) -> Weight {
		Weight::from_parts(20_000_000, 3000)
			.saturating_add(Weight::from_parts(50_000_000, 3000).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads_writes(2, 2).saturating_mul(c.into()))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().writes(1))
	}
}

// For tests.
impl WeightInfo for () {
	fn post_result(n: u32) -> Weight {
		Weight::from_parts(200_000_000, 8000)
			.saturating_add(Weight::from_parts(2_000_000, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn challenge() -> Weight {
		Weight::from_parts(100_000_000, 6000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn defend() -> Weight {
		Weight::from_parts(100_000_000, 6000)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 1))
	}
	fn choose() -> Weight {
		Weight::from_parts(100_000_000, 6000)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 1))
	}
	fn one_step(w: u32) -> Weight {
		Weight::from_parts(200_000_000, 16000)
			.saturating_add(Weight::from_parts(4_000_000, 0).saturating_mul(w.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn timeout() -> Weight {
		Weight::from_parts(100_000_000, 6000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 4))
	}
	fn finalize() -> Weight {
		Weight::from_parts(100_000_000, 6000)
			.saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn close_games(c: u32) -> Weight {
		Weight::from_parts(20_000_000, 3000)
			.saturating_add(Weight::from_parts(50_000_000, 3000).saturating_mul(c.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2).saturating_mul(c.into()))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(20_000_000, 0).saturating_add(RocksDbWeight::get().writes(1))
	}
}
