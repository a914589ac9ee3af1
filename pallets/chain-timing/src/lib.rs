//! # Chain timing pallet
//!
//! The lengths of AOS's BABE epochs (which are also its sessions) and of its staking eras,
//! chosen by the chain spec and fixed at genesis.
//!
//! ## Why not constants
//!
//! BABE cannot change its epoch length on a live chain: clients read the epoch length from the
//! genesis configuration and keep using it, so a runtime upgrade that changed it would stall
//! block production. Compile-time constants would therefore force a separate runtime (and node)
//! build for every network that wants other lengths — production, public testnets, local test
//! networks. Instead, one runtime reads both lengths from storage that the genesis preset fills
//! and that no call can change.
//!
//! ## Use
//!
//! - [`EpochDurationOf`] implements `Get<u64>` for `pallet_babe::Config::EpochDuration`.
//! - [`SessionsPerEraOf`] implements `Get<SessionIndex>` for
//!   `pallet_staking::Config::SessionsPerEra`.
//!
//! Both values are read in every block by BABE and session rotation, so their storage is
//! whitelisted: benchmarks do not charge for them again.
//!
//! The pallet has no calls, no events and no errors. A genesis config whose values are out of
//! bounds ([`MIN_EPOCH_DURATION`], [`MAX_EPOCH_DURATION`], [`MAX_SESSIONS_PER_ERA`]) fails the
//! genesis build with a message naming the value.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests may).
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;

use core::marker::PhantomData;
use frame_support::traits::Get;
use sp_staking::SessionIndex;

/// The shortest epoch, in slots, a genesis config may set. BABE needs at least two slots per
/// epoch to announce the next epoch's randomness before it starts.
pub const MIN_EPOCH_DURATION: u64 = 2;
/// The longest epoch, in slots, a genesis config may set (about 7 days of 5-second slots).
pub const MAX_EPOCH_DURATION: u64 = 120_960;
/// The most sessions an era may span.
pub const MAX_SESSIONS_PER_ERA: SessionIndex = 1_000;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::BlockNumberFor;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Epoch (= session) length in slots when the genesis config sets none.
		#[pallet::constant]
		type DefaultEpochDuration: Get<u64>;
		/// Sessions per staking era when the genesis config sets none.
		#[pallet::constant]
		type DefaultSessionsPerEra: Get<SessionIndex>;
	}

	/// Length of a BABE epoch (and of a session), in slots.
	#[pallet::storage]
	#[pallet::whitelist_storage]
	pub type EpochDuration<T: Config> = StorageValue<_, u64, ValueQuery, T::DefaultEpochDuration>;

	/// Number of sessions in a staking era.
	#[pallet::storage]
	#[pallet::whitelist_storage]
	pub type SessionsPerEra<T: Config> =
		StorageValue<_, SessionIndex, ValueQuery, T::DefaultSessionsPerEra>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Epoch length in slots; `None` keeps [`Config::DefaultEpochDuration`].
		pub epoch_duration: Option<u64>,
		/// Sessions per era; `None` keeps [`Config::DefaultSessionsPerEra`].
		pub sessions_per_era: Option<SessionIndex>,
		#[serde(skip)]
		pub _config: PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let epoch = self.epoch_duration.unwrap_or_else(T::DefaultEpochDuration::get);
			let sessions = self.sessions_per_era.unwrap_or_else(T::DefaultSessionsPerEra::get);
			// A bad chain spec must not start a chain that cannot rotate sessions: fail the
			// genesis build, naming the value.
			if let Err(e) = Pallet::<T>::check(epoch, sessions) {
				panic!("invalid chainTiming genesis config: {e}");
			}
			EpochDuration::<T>::put(epoch);
			SessionsPerEra::<T>::put(sessions);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				Pallet::<T>::check(T::DefaultEpochDuration::get(), T::DefaultSessionsPerEra::get())
					.is_ok(),
				"the default epoch duration and sessions per era must be within bounds"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Pallet::<T>::check(EpochDuration::<T>::get(), SessionsPerEra::<T>::get())
				.map_err(sp_runtime::TryRuntimeError::Other)
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks an epoch duration and a number of sessions per era against the bounds.
		pub fn check(
			epoch_duration: u64,
			sessions_per_era: SessionIndex,
		) -> Result<(), &'static str> {
			if epoch_duration < MIN_EPOCH_DURATION {
				return Err("epochDuration is below MIN_EPOCH_DURATION (2 slots)");
			}
			if epoch_duration > MAX_EPOCH_DURATION {
				return Err("epochDuration is above MAX_EPOCH_DURATION (120960 slots)");
			}
			if sessions_per_era == 0 {
				return Err("sessionsPerEra must be at least 1");
			}
			if sessions_per_era > MAX_SESSIONS_PER_ERA {
				return Err("sessionsPerEra is above MAX_SESSIONS_PER_ERA (1000)");
			}
			Ok(())
		}
	}
}

/// `Get<u64>` adapter for `pallet_babe::Config::EpochDuration`.
pub struct EpochDurationOf<T>(PhantomData<T>);
impl<T: Config> Get<u64> for EpochDurationOf<T> {
	fn get() -> u64 {
		EpochDuration::<T>::get()
	}
}

/// `Get<SessionIndex>` adapter for `pallet_staking::Config::SessionsPerEra`.
pub struct SessionsPerEraOf<T>(PhantomData<T>);
impl<T: Config> Get<SessionIndex> for SessionsPerEraOf<T> {
	fn get() -> SessionIndex {
		SessionsPerEra::<T>::get()
	}
}
