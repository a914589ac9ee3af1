//! Weights of `pallet_operators`. Placeholder values until `scripts/bench-pallet.sh` measures
//! them; regenerate after changing the pallet's calls or storage.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions of `pallet_operators`.
pub trait WeightInfo {
	fn register() -> Weight;
	fn update_metadata() -> Weight;
	fn rotate_keys() -> Weight;
	fn set_commission() -> Weight;
	fn bond_extra() -> Weight;
	fn delegate() -> Weight;
	fn unbond() -> Weight;
	fn withdraw_unbonded() -> Weight;
	fn heartbeat() -> Weight;
	fn chill() -> Weight;
	fn resume() -> Weight;
	fn leave() -> Weight;
	fn set_parameters(n: u32, ) -> Weight;
	fn cancel_slash() -> Weight;
	fn on_initialize_base() -> Weight;
	fn liveness_check() -> Weight;
	fn apply_slash(d: u32, ) -> Weight;
	fn apply_slash_reaping() -> Weight;
	fn report_offence() -> Weight;
	fn reward() -> Weight;
}

/// Weights measured for the AOS runtime, with its database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register() -> Weight { Weight::from_parts(200_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(8, 8)) }
	fn update_metadata() -> Weight { Weight::from_parts(30_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(2, 2)) }
	fn rotate_keys() -> Weight { Weight::from_parts(150_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 4)) }
	fn set_commission() -> Weight { Weight::from_parts(30_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(2, 2)) }
	fn bond_extra() -> Weight { Weight::from_parts(80_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(6, 5)) }
	fn delegate() -> Weight { Weight::from_parts(100_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(7, 6)) }
	fn unbond() -> Weight { Weight::from_parts(60_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(4, 3)) }
	fn withdraw_unbonded() -> Weight { Weight::from_parts(100_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(8, 8)) }
	fn heartbeat() -> Weight { Weight::from_parts(40_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(4, 5)) }
	fn chill() -> Weight { Weight::from_parts(40_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(4, 4)) }
	fn resume() -> Weight { Weight::from_parts(40_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(4, 4)) }
	fn leave() -> Weight { Weight::from_parts(120_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(10, 10)) }
	fn set_parameters(n: u32, ) -> Weight { Weight::from_parts(20_000_000, 2000).saturating_add(Weight::from_parts(2_000_000, 0).saturating_mul(n.into())).saturating_add(T::DbWeight::get().reads_writes(2, 2)) }
	fn cancel_slash() -> Weight { Weight::from_parts(120_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(10, 10)) }
	fn on_initialize_base() -> Weight { Weight::from_parts(20_000_000, 3000).saturating_add(T::DbWeight::get().reads_writes(7, 3)) }
	fn liveness_check() -> Weight { Weight::from_parts(120_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(8, 8)) }
	fn apply_slash(_d: u32, ) -> Weight { Weight::from_parts(150_000_000, 10000).saturating_add(T::DbWeight::get().reads_writes(10, 10)) }
	fn apply_slash_reaping() -> Weight { Weight::from_parts(150_000_000, 10000).saturating_add(T::DbWeight::get().reads_writes(12, 12)) }
	fn report_offence() -> Weight { Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(4, 5)) }
	fn reward() -> Weight { Weight::from_parts(100_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(6, 6)) }
}

/// The same weights for tests and mocks, with ParityDB's database weights.
impl WeightInfo for () {
	fn register() -> Weight { Weight::from_parts(200_000_000, 6000).saturating_add(ParityDbWeight::get().reads_writes(8, 8)) }
	fn update_metadata() -> Weight { Weight::from_parts(30_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn rotate_keys() -> Weight { Weight::from_parts(150_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(3, 4)) }
	fn set_commission() -> Weight { Weight::from_parts(30_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn bond_extra() -> Weight { Weight::from_parts(80_000_000, 6000).saturating_add(ParityDbWeight::get().reads_writes(6, 5)) }
	fn delegate() -> Weight { Weight::from_parts(100_000_000, 8000).saturating_add(ParityDbWeight::get().reads_writes(7, 6)) }
	fn unbond() -> Weight { Weight::from_parts(60_000_000, 6000).saturating_add(ParityDbWeight::get().reads_writes(4, 3)) }
	fn withdraw_unbonded() -> Weight { Weight::from_parts(100_000_000, 8000).saturating_add(ParityDbWeight::get().reads_writes(8, 8)) }
	fn heartbeat() -> Weight { Weight::from_parts(40_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(4, 5)) }
	fn chill() -> Weight { Weight::from_parts(40_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(4, 4)) }
	fn resume() -> Weight { Weight::from_parts(40_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(4, 4)) }
	fn leave() -> Weight { Weight::from_parts(120_000_000, 8000).saturating_add(ParityDbWeight::get().reads_writes(10, 10)) }
	fn set_parameters(n: u32, ) -> Weight { Weight::from_parts(20_000_000, 2000).saturating_add(Weight::from_parts(2_000_000, 0).saturating_mul(n.into())).saturating_add(ParityDbWeight::get().reads_writes(2, 2)) }
	fn cancel_slash() -> Weight { Weight::from_parts(120_000_000, 8000).saturating_add(ParityDbWeight::get().reads_writes(10, 10)) }
	fn on_initialize_base() -> Weight { Weight::from_parts(20_000_000, 3000).saturating_add(ParityDbWeight::get().reads_writes(7, 3)) }
	fn liveness_check() -> Weight { Weight::from_parts(120_000_000, 8000).saturating_add(ParityDbWeight::get().reads_writes(8, 8)) }
	fn apply_slash(_d: u32, ) -> Weight { Weight::from_parts(150_000_000, 10000).saturating_add(ParityDbWeight::get().reads_writes(10, 10)) }
	fn apply_slash_reaping() -> Weight { Weight::from_parts(150_000_000, 10000).saturating_add(ParityDbWeight::get().reads_writes(12, 12)) }
	fn report_offence() -> Weight { Weight::from_parts(50_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(4, 5)) }
	fn reward() -> Weight { Weight::from_parts(100_000_000, 8000).saturating_add(ParityDbWeight::get().reads_writes(6, 6)) }
}
