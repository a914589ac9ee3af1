//! # Root dispatch pallet
//!
//! Lets [`Config::RootOrigin`] — on AOS, a supermajority (3/4) of the council — dispatch a call
//! as root.
//!
//! ## Why
//!
//! Some calls only root may make: runtime upgrades (`system.set_code`), staking's validator
//! count and era forcing, sudo's own key. On development chains root is reached through sudo;
//! networks without a sudo key (the public testnet and everything after it) need another way
//! in, or they could never upgrade. This pallet is that way, kept apart from
//! `GovernanceOrigin` (2/3 of the council) so that root powers ask for a larger majority than
//! parameter changes.
//!
//! ## Calls
//!
//! - [`Pallet::dispatch_as_root`]: dispatches `call` with the root origin, bypassing the call
//!   filter as root always does. It succeeds whether or not the inner call does; the inner
//!   call's result is in the [`Event::DispatchedAsRoot`] event, as with sudo. The weight
//!   charged is this pallet's overhead plus the inner call's weight, refunded to the inner
//!   call's actual weight.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests and benchmark setups may).
#![cfg_attr(
	not(feature = "runtime-benchmarks"),
	deny(clippy::unwrap_used, clippy::indexing_slicing)
)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::boxed::Box;
	use frame_support::{
		dispatch::{GetDispatchInfo, PostDispatchInfo},
		pallet_prelude::*,
		traits::UnfilteredDispatchable,
	};
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The runtime's call type.
		type RuntimeCall: Parameter
			+ UnfilteredDispatchable<RuntimeOrigin = Self::RuntimeOrigin>
			+ GetDispatchInfo
			+ From<frame_system::Call<Self>>;

		/// Who may dispatch calls as root.
		type RootOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A call was dispatched as root; `result` is the inner call's.
		DispatchedAsRoot { result: DispatchResult },
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Dispatches `call` with the root origin. Only [`Config::RootOrigin`] may call it.
		#[pallet::call_index(0)]
		#[pallet::weight({
			let info = call.get_dispatch_info();
			(T::WeightInfo::dispatch_as_root().saturating_add(info.call_weight), info.class)
		})]
		pub fn dispatch_as_root(
			origin: OriginFor<T>,
			call: Box<<T as Config>::RuntimeCall>,
		) -> DispatchResultWithPostInfo {
			T::RootOrigin::ensure_origin(origin)?;
			let declared = call.get_dispatch_info().call_weight;
			let outcome = call.dispatch_bypass_filter(frame_system::RawOrigin::Root.into());
			let inner_actual = match &outcome {
				Ok(post) => post.actual_weight,
				Err(err) => err.post_info.actual_weight,
			}
			.unwrap_or(declared);
			Self::deposit_event(Event::DispatchedAsRoot {
				result: outcome.map(|_| ()).map_err(|e| e.error),
			});
			Ok(PostDispatchInfo {
				actual_weight: Some(T::WeightInfo::dispatch_as_root().saturating_add(inner_actual)),
				pays_fee: Pays::Yes,
			})
		}
	}
}
