//! Storage migrations.

use crate::{pallet::*, *};
use core::marker::PhantomData;
use frame_support::traits::OnRuntimeUpgrade;

/// Seeds the operator set of a chain that adds this pallet by a runtime upgrade.
///
/// The pallet learns of operators only when pallet-operators reports a change
/// ([`aos_operators_primitives::OnOperatorChange`]). On a chain that already had operators when
/// the pallet was added, nothing reported them, so the first checkpoint (the set the contract is
/// deployed with) would leave them out until each happened to change its stake. This marks
/// every operator the set would hold [`Dirty`], as registering would have.
///
/// It acts only while no checkpoint has been closed (later, every change since has been
/// reported) and is idempotent, so it may stay in the runtime's migrations; it reads every
/// operator record once, in one block.
pub struct SeedOperatorSet<T>(PhantomData<T>);

impl<T: Config> SeedOperatorSet<T> {
	/// Whether `who` belongs in the set but is not marked for the next checkpoint.
	fn unmarked(who: &T::AccountId, standing: &Standing<T::Balance>) -> bool {
		Pallet::<T>::wanted(Some(standing)).1 > 0 && !Dirty::<T>::contains_key(who)
	}
}

impl<T: Config> OnRuntimeUpgrade for SeedOperatorSet<T> {
	fn on_runtime_upgrade() -> Weight {
		let db = T::DbWeight::get();
		if NextId::<T>::get() != 0 {
			return db.reads(1);
		}
		let mut marked = 0u32;
		let seen = T::Operators::for_each_standing(|who, standing| {
			if Self::unmarked(&who, &standing) {
				Dirty::<T>::insert(who, ());
				marked = marked.saturating_add(1);
			}
		});
		log::info!(target: LOG_TARGET, "operator set seeded: {marked} of {seen} operators marked");
		// Per operator: its record and its Dirty entry.
		db.reads_writes(u64::from(seen).saturating_mul(2).saturating_add(1), u64::from(marked))
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		if NextId::<T>::get() != 0 {
			return Ok(());
		}
		let mut missing = 0u32;
		T::Operators::for_each_standing(|who, standing| {
			if Self::unmarked(&who, &standing) {
				missing = missing.saturating_add(1);
			}
		});
		ensure!(missing == 0, "an operator of the set is not marked for the first checkpoint");
		Ok(())
	}
}

/// Sets the parameters of a chain that adds this pallet by a runtime upgrade.
///
/// Such a chain has no stored parameters, so [`Config::DefaultParams`] apply, and they may not
/// fit the chain's operators: a development chain unbonds in far less time than the production
/// report window, and pallet-operators then refuses every change to its own parameters (its
/// slashing periods must outlast every reporter's window). This stores the first of
/// `Candidates` that [`Pallet::check_params`] admits; with none admitted it stores nothing, logs
/// an error, and try-runtime's check fails. Parameters already stored (by genesis or
/// governance) are kept, so it is idempotent and may stay in the runtime's migrations.
pub struct InitParameters<T, Candidates>(PhantomData<(T, Candidates)>);

impl<T: Config, Candidates: Get<Vec<ParamsOf<T>>>> OnRuntimeUpgrade
	for InitParameters<T, Candidates>
{
	fn on_runtime_upgrade() -> Weight {
		let db = T::DbWeight::get();
		if Parameters::<T>::exists() {
			return db.reads(1);
		}
		// The operators' slashing periods are one more read.
		let weight = db.reads(2);
		match Candidates::get().into_iter().find(|p| Pallet::<T>::check_params(p).is_ok()) {
			Some(params) => {
				Parameters::<T>::put(params);
				log::info!(target: LOG_TARGET, "parameters set: {params:?}");
				weight.saturating_add(db.writes(1))
			},
			None => {
				log::error!(
					target: LOG_TARGET,
					"no candidate parameters fit the operators' slashing periods: the defaults stay"
				);
				weight
			},
		}
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		Pallet::<T>::check_params(&Parameters::<T>::get())
			.map_err(|_| "the parameters do not fit the operators' slashing periods")?;
		Ok(())
	}
}
