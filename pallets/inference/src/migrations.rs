//! Storage migrations.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use core::marker::PhantomData;
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};

/// Version 1 (spec 110): a claim may carry its commitment, so [`Candidate`] gained
/// `commitment`. Candidates stored before have none.
pub mod v1 {
	use super::*;

	/// A candidate as version 0 stored it.
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo)]
	pub struct OldCandidate<AccountId, Balance> {
		pub operator: AccountId,
		pub output: u128,
		pub stake: Balance,
	}

	type OldCandidates<T> =
		BoundedVec<OldCandidate<AccountIdOf<T>, BalanceOf<T>>, <T as Config>::MaxClaims>;

	/// Rewrites every task's candidates (at most one entry per live task: `MaxLiveTasks`).
	pub struct InnerMigrateV0ToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut entries = 0u64;
			Candidates::<T>::translate::<OldCandidates<T>, _>(|_, old| {
				entries = entries.saturating_add(1);
				let new: Vec<_> = old
					.into_iter()
					.map(|c| Candidate {
						operator: c.operator,
						output: c.output,
						stake: c.stake,
						commitment: None,
					})
					.collect();
				Some(BoundedVec::truncate_from(new))
			});
			T::DbWeight::get().reads_writes(entries, entries)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Candidates::<T>::iter_keys().count() as u32).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u32::decode(&mut &state[..])
				.map_err(|_| sp_runtime::TryRuntimeError::Other("pre-upgrade state"))?;
			// Every entry decodes in the new format, and none was lost.
			let after = Candidates::<T>::iter_values().count() as u32;
			ensure!(before == after, "candidates lost in the migration");
			Ok(())
		}
	}

	/// [`InnerMigrateV0ToV1`], run once: from storage version 0 to 1.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
