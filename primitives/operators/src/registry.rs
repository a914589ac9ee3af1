//! What the pallets that assign and pay for tasks know of the operator set.

use crate::{SlashPeriods, VrfPublic};
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::DispatchError;

/// Pays operators. Implemented by `pallet-operators`.
pub trait RewardOperator<AccountId, Balance> {
	/// Moves `amount` from `payer`'s free balance to `operator`'s stakers: the operator's
	/// commission and the share of its own active stake to the operator's free balance, the
	/// delegators' share into the delegation pool, where it compounds.
	fn reward(
		operator: &AccountId,
		payer: &AccountId,
		amount: Balance,
	) -> Result<(), DispatchError>;
	/// The most weight [`Self::reward`] may take.
	fn reward_weight() -> sp_runtime::Weight;
}

/// What a task-assigning pallet needs to know of an operator that may take tasks.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct EligibleOperator<Balance, BlockNumber> {
	/// Active stake, own plus delegated: what sampling weighs.
	pub stake: Balance,
	/// The registered VRF key.
	pub vrf_key: VrfPublic,
	/// Since when this key is registered. A VRF over randomness revealed before this block
	/// must not be accepted: a key chosen after the randomness was known could be ground.
	pub vrf_key_since: BlockNumber,
}

/// Which operators may take tasks. Implemented by `pallet-operators`.
pub trait OperatorRegistry<AccountId, Balance, BlockNumber> {
	/// `Some` when `who` may take tasks now: registered, active (not chilled or leaving),
	/// heartbeating within the offline grace period, and with at least the minimum collateral
	/// of its own. Its `stake` is what counts for randomness from block `from`: stake bonded
	/// too late to count then (see [`Self::selection_delay`]) is left out.
	fn eligible(
		who: &AccountId,
		from: BlockNumber,
	) -> Option<EligibleOperator<Balance, BlockNumber>>;
	/// The active stake of the operators that may take tasks (those not found offline, with
	/// the minimum collateral), kept in one storage value so that reading it does not depend
	/// on their number. Task sampling divides by it; the pallets that sample snapshot it when
	/// a task's randomness is fixed.
	fn total_selection_stake() -> Balance;
	/// Number of active operators.
	fn active_operators() -> u32;
	/// How long a new VRF key or newly bonded stake waits before it counts for sampling: a key
	/// or stake chosen after a task's randomness was known could be ground for it.
	fn selection_delay() -> BlockNumber;
	/// The slashing periods that offence reporters must fit in (see [`SlashPeriods`]).
	fn slash_periods() -> SlashPeriods<BlockNumber>;
}
