//! Block production (BABE), finality (GRANDPA), authorship, sessions and offences.

use super::staking::BondingDuration;
use crate::{
	constants::{currency::UNITS, time::*},
	AccountId, Babe, Balances, Historical, Offences, Runtime, RuntimeEvent, SessionKeys, Staking,
};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, Get},
};

/// Genesis-fixed epoch length in slots (see `pallet-chain-timing`).
pub type EpochDuration = pallet_chain_timing::EpochDurationOf<Runtime>;
/// Genesis-fixed number of sessions per era (see `pallet-chain-timing`).
pub type SessionsPerEra = pallet_chain_timing::SessionsPerEraOf<Runtime>;

impl pallet_chain_timing::Config for Runtime {
	type DefaultEpochDuration = ConstU64<EPOCH_DURATION_IN_SLOTS>;
	type DefaultSessionsPerEra = ConstU32<SESSIONS_PER_ERA>;
}

parameter_types! {
	/// Most validators (and so BABE and GRANDPA authorities) the chain supports.
	pub const MaxAuthorities: u32 = 100;
	/// Most nominators backing one validator that equivocation reports account for.
	pub const MaxNominators: u32 = 512;
}

/// How long an equivocation report stays valid, in blocks: as long as the offender's stake
/// stays slashable (the bonding duration), since it cannot be punished afterwards.
pub struct ReportLongevity;
impl Get<u64> for ReportLongevity {
	fn get() -> u64 {
		u64::from(BondingDuration::get())
			.saturating_mul(u64::from(SessionsPerEra::get()))
			.saturating_mul(EpochDuration::get())
	}
}

impl pallet_babe::Config for Runtime {
	type EpochDuration = EpochDuration;
	type ExpectedBlockTime = ConstU64<MILLISECS_PER_BLOCK>;
	/// Sessions end with epochs: the session pallet triggers the epoch change.
	type EpochChangeTrigger = pallet_babe::ExternalTrigger;
	type DisabledValidators = crate::Session;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = MaxNominators;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_babe::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

/// Session-to-set-id entries GRANDPA keeps, one per session in the bonding duration, so that
/// equivocations stay provable as long as they are punishable.
pub struct MaxSetIdSessionEntries;
impl Get<u64> for MaxSetIdSessionEntries {
	fn get() -> u64 {
		u64::from(BondingDuration::get()).saturating_mul(u64::from(SessionsPerEra::get()))
	}
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = MaxNominators;
	type MaxSetIdSessionEntries = MaxSetIdSessionEntries;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_grandpa::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Babe>;
	/// Staking gives the author era reward points.
	type EventHandler = Staking;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// A validator is identified by its stash account.
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = Babe;
	type NextSessionRotation = Babe;
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Self, Staking>;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// Disable at most a third of the validators for offences, re-enabling lesser offenders
	/// when a worse one must be disabled.
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Held from an account that registers session keys, so that key registrations cannot
	/// bloat state for the price of a transaction fee.
	type KeyDeposit = ConstU128<UNITS>;
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = pallet_staking::UnitIdentificationOf<Self>;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = Staking;
}
