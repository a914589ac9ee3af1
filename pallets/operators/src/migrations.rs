//! Storage migrations.

use crate::{pallet::*, *};
use core::marker::PhantomData;
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};
use sp_runtime::Perbill;

/// Version 1: a sixth offence kind, `CheckpointEquivocation` (signing a false checkpoint for
/// the bridge to Ethereum), so [`SlashRules`] gained `checkpoint_equivocation`. It starts as
/// the rule of a wrong result, the fraud it compares with; governance tunes it from there.
pub mod v1 {
	use super::*;

	/// [`Params`] as version 0 stored it: the same fields, five slash rules (a struct encodes
	/// as the tuple of its fields, and the new rule is its last).
	type OldParams<B, BN> = (B, B, BN, BN, BN, Perbill, BN, [SlashRule<B, BN>; 5]);

	/// Rewrites the parameters.
	pub struct InnerMigrateV0ToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let translated = Parameters::<T>::translate::<
				OldParams<BalanceOf<T>, BlockNumberFor<T>>,
				_,
			>(|old| {
				old.map(|(min_c, min_d, unbonding, heartbeat, grace, outage, defer, rules)| {
					let [offline, wrong_result, zk_proof_invalid, attestation_invalid, dispute_lost] =
						rules;
					Params {
						min_collateral: min_c,
						min_delegation: min_d,
						unbonding_period: unbonding,
						heartbeat_period: heartbeat,
						offline_grace: grace,
						mass_outage_threshold: outage,
						slash_defer_period: defer,
						slash_rules: SlashRules {
							offline,
							wrong_result,
							zk_proof_invalid,
							attestation_invalid,
							dispute_lost,
							checkpoint_equivocation: wrong_result,
						},
					}
				})
			});
			if translated.is_err() {
				log::error!(target: LOG_TARGET, "parameters did not decode as version 0's");
			}
			T::DbWeight::get().reads_writes(1, 1)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let raw = frame_support::storage::unhashed::get_raw(&Parameters::<T>::hashed_key());
			if let Some(raw) = raw {
				ParamsOf::<T>::decode(&mut &raw[..])
					.map_err(|_| sp_runtime::TryRuntimeError::Other("parameters do not decode"))?;
			}
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
