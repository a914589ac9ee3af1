//! AOS operators: collateral, delegation, heartbeats and slashing (`pallet-operators`).
//!
//! [`production_params`] are the genesis defaults of a real network, from the AOS spec: an
//! hour offline before the first slash, and a year before being offline is slashed at all;
//! proven misbehaviour (a wrong or withheld result, an invalid proof or attestation, a lost
//! dispute) is slashable from genesis, so that verification has teeth at launch. Governance
//! (the council by a 2/3 motion) tunes every amount and date afterwards. [`dev_params`] shrink
//! every period so that a local chain shows the whole lifecycle in minutes.

use crate::{
	constants::{currency::*, time::*},
	Balance, Balances, BlockNumber, GovernanceOrigin, Runtime, RuntimeHoldReason,
};
use aos_operators_primitives::{OperatorRegistry, SlashPeriods};
use frame_support::{parameter_types, traits::ConstU32, PalletId};
use pallet_operators::{Params, ParamsOf, SlashRule, SlashRules};
use sp_runtime::{Perbill, SaturatedConversion};

fn rule(amount: Balance, max_percent: u32) -> SlashRule<Balance, BlockNumber> {
	SlashRule { amount, max_fraction: Perbill::from_percent(max_percent), enabled_from: 0 }
}

/// What each offence costs, in production and on development chains alike. The AOS spec's
/// 0.1 ETH per offence is, at launch, not a figure in AOS: governance sets the amounts; these
/// are the starting point.
fn slash_rules() -> SlashRules<Balance, BlockNumber> {
	SlashRules {
		// Each grace period offline: small, but it adds up for a node that stays away.
		offline: rule(10 * UNITS, 10),
		// A wrong inference result or a lost dispute is fraud: up to all of the stake.
		wrong_result: rule(1_000 * UNITS, 100),
		dispute_lost: rule(1_000 * UNITS, 100),
		// Signing a false checkpoint could get it recorded on Ethereum: fraud as well.
		checkpoint_equivocation: rule(1_000 * UNITS, 100),
		// A bad proof or attestation may be a broken prover or enclave rather than fraud.
		zk_proof_invalid: rule(100 * UNITS, 50),
		attestation_invalid: rule(100 * UNITS, 50),
	}
}

/// The parameters of a production network at genesis.
pub fn production_params() -> ParamsOf<Runtime> {
	let mut slash_rules = slash_rules();
	// The AOS spec: nobody is slashed for being offline in the first year. Proven misbehaviour
	// is, from genesis.
	slash_rules.offline.enabled_from = 365 * DAYS;
	Params {
		min_collateral: 1_000 * UNITS,
		min_delegation: 10 * UNITS,
		unbonding_period: 7 * DAYS,
		heartbeat_period: 10 * MINUTES,
		offline_grace: HOURS,
		mass_outage_threshold: Perbill::from_percent(50),
		slash_defer_period: DAYS,
		slash_rules,
	}
}

/// The parameters of the `development` and `local_testnet` presets: 20-second heartbeat
/// periods, 2 minutes of grace, slashes deferred for 10 blocks, every offence slashable from
/// genesis. Unbonding takes longer than a task's longest life (deadlines handled as late as
/// the agenda's bound allows) plus the deferral, as the inference pallet requires.
pub fn dev_params() -> ParamsOf<Runtime> {
	Params {
		min_collateral: 100 * UNITS,
		min_delegation: UNITS,
		unbonding_period: 1_000,
		heartbeat_period: 4,
		offline_grace: 24,
		mass_outage_threshold: Perbill::from_percent(50),
		slash_defer_period: 10,
		slash_rules: slash_rules(),
	}
}

parameter_types! {
	/// Derives the operators' delegation pool accounts.
	pub const OperatorsPalletId: PalletId = PalletId(*b"aos/oprs");
	/// No period governance sets may exceed a year.
	pub const MaxOperatorPeriod: BlockNumber = 365 * DAYS;
	pub OperatorDefaultParams: ParamsOf<Runtime> = production_params();
}

/// The operator set's slashing periods, which the pallets reporting offences fit their report
/// windows in (pallet-opml's disputes, pallet-checkpoints' equivocations).
pub struct OperatorSlashPeriods;
impl frame_support::traits::Get<SlashPeriods<BlockNumber>> for OperatorSlashPeriods {
	fn get() -> SlashPeriods<BlockNumber> {
		<crate::Operators as OperatorRegistry<_, _, _>>::slash_periods()
	}
}

/// One BABE epoch, in blocks: how long a new VRF key or newly bonded stake waits before it
/// counts for task sampling (the chain spec's epoch length, `pallet-chain-timing`).
pub struct OneEpoch;
impl frame_support::traits::Get<BlockNumber> for OneEpoch {
	fn get() -> BlockNumber {
		<super::consensus::EpochDuration as frame_support::traits::Get<u64>>::get().saturated_into()
	}
}

impl pallet_operators::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = GovernanceOrigin;
	// Liquidations fund their task's verification reward pool; the rest is burned.
	// Each applied slash is recorded in the bridge's checkpoint, then routed as
	// pallet-inference does.
	type OnSlash = crate::configs::checkpoints::RecordSlashes;
	type OnChange = crate::Checkpoints;
	// The task pallets report offences up to a task's whole life after them; the checkpoint
	// pallet reports equivocations while a checkpoint is kept.
	type Reporters = (crate::Inference, crate::Checkpoints);
	type SelectionDelay = OneEpoch;
	type PalletId = OperatorsPalletId;
	type MaxNameLen = ConstU32<64>;
	type MaxEndpointLen = ConstU32<256>;
	type MaxUnlockingChunks = ConstU32<16>;
	type MaxPeriod = MaxOperatorPeriod;
	type MaxLivenessChecksPerBlock = ConstU32<64>;
	type MaxSlashesPerBlock = ConstU32<16>;
	type DefaultParams = OperatorDefaultParams;
	// The bridge's hook (`OnChange`) may write with every operator record: charged on top.
	type WeightInfo = pallet_operators::hooked_weights::WithOnChange<
		Runtime,
		pallet_operators::weights::SubstrateWeight<Runtime>,
	>;
}
