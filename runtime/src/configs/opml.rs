//! Optimistic mode's chain side (`pallet-opml`): results posted with a trace commitment, held
//! through a challenge period, and bisection disputes ending in a one-step check of one neuron.
//!
//! [`production_params`] follow the AOS spec: a 3-day challenge period. Each player's clock
//! (12 hours for all its moves in one game) is set so that the longest dispute, from a result
//! posted to its defender's loss, with the slash deferral (1 day) fits in the operators'
//! unbonding period (7 days): 3 days + 2 · 12 hours + 1 day. [`dev_params`] settle an
//! unchallenged result a minute after it is posted.

use crate::{
	constants::{currency::*, time::*},
	Balances, Runtime, RuntimeEvent, RuntimeHoldReason,
};
use frame_support::{parameter_types, traits::ConstU32};
use pallet_opml::{Params, ParamsOf};
use sp_runtime::Perbill;

/// The parameters of a production network at genesis.
pub fn production_params() -> ParamsOf<Runtime> {
	Params {
		challenge_period: 3 * DAYS,
		clock: 12 * HOURS,
		result_bond: RESULT_BOND,
		challenge_bond: CHALLENGE_BOND,
		max_challengers: 8,
		burn: Perbill::from_percent(10),
	}
}

/// The parameters of the `development` and `local_testnet` presets.
pub fn dev_params() -> ParamsOf<Runtime> {
	Params {
		challenge_period: MINUTES,
		// A game of the widest layer takes 13 moves a player, each within a block or two.
		clock: 30,
		..production_params()
	}
}

/// Held from a defender while its result may be disputed: the result's record (about 1.2 KiB
/// with 16 layers) and what a challenger wins.
pub const RESULT_BOND: crate::Balance = 10 * UNITS;
/// Held from a challenger while its game runs: the game's record, and what the defender wins.
pub const CHALLENGE_BOND: crate::Balance = 5 * UNITS;

parameter_types! {
	pub OpmlDefaultParams: ParamsOf<Runtime> = production_params();
}

impl pallet_opml::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Tasks = crate::Inference;
	// A dispute must end while the defender's stake is there to slash.
	type SlashPeriods = super::operators::OperatorSlashPeriods;
	type GovernanceOrigin = crate::GovernanceOrigin;
	type MaxLayers = ConstU32<{ aos_kernel::model::MAX_LAYERS as u32 }>;
	type MaxWidth = ConstU32<{ aos_kernel::model::MAX_WIDTH }>;
	type MaxTopK = ConstU32<16>;
	type MaxChallengers = ConstU32<16>;
	type DefaultParams = OpmlDefaultParams;
	type WeightInfo = pallet_opml::weights::SubstrateWeight<Runtime>;
}
