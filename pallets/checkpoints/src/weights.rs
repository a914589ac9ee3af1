//! Weights of `pallet_checkpoints`. Replaced by `scripts/bench-pallet.sh pallet_checkpoints
//! pallets/checkpoints`; `()` is for tests.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions of `pallet_checkpoints`.
pub trait WeightInfo {
	fn on_initialize_base() -> Weight;
	fn fail() -> Weight;
	fn close(b: u32, u: u32, ) -> Weight;
	fn prune(s: u32, ) -> Weight;
	fn seal(n: u32, ) -> Weight;
	fn record() -> Weight;
	fn sign() -> Weight;
	fn finalize(u: u32, ) -> Weight;
	fn report_equivocation() -> Weight;
	fn set_parameters() -> Weight;
}

impl WeightInfo for () {
	fn on_initialize_base() -> Weight { Weight::zero() }
	fn fail() -> Weight { Weight::zero() }
	fn close(_b: u32, _u: u32, ) -> Weight { Weight::zero() }
	fn prune(_s: u32, ) -> Weight { Weight::zero() }
	fn seal(_n: u32, ) -> Weight { Weight::zero() }
	fn record() -> Weight { Weight::zero() }
	fn sign() -> Weight { Weight::zero() }
	fn finalize(_u: u32, ) -> Weight { Weight::zero() }
	fn report_equivocation() -> Weight { Weight::zero() }
	fn set_parameters() -> Weight { Weight::zero() }
}
