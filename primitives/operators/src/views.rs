//! The operator set as seen from outside: the views that [`OperatorsApi`] answers with, and
//! the JSON-RPC serves.

#[cfg(feature = "std")]
use crate::decimal_string;
use crate::{EthAddress, OffenceKind, OffenceReference, SlashId, VrfPublic};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// An operator's state as seen from outside.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum OperatorStatusView {
	/// Heartbeating and taking tasks.
	Active,
	/// Active, but no heartbeat for longer than the offline grace period: takes no tasks and
	/// is slashed for every further grace period offline.
	Offline,
	/// Paused by the operator (planned maintenance): takes no tasks, is not checked for
	/// liveness, costs nothing.
	Chilled,
	/// Has left: its own stake is unbonding; it takes no tasks and no new delegations.
	Leaving,
}

/// A slash waiting for its veto window to end.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "Balance: std::fmt::Display, BlockNumber: serde::Serialize",
			deserialize = "Balance: std::str::FromStr, BlockNumber: serde::Deserialize<'de>"
		)
	)
)]
pub struct PendingSlashView<Balance, BlockNumber> {
	/// The slash's id (governance cancels it by this id).
	pub id: SlashId,
	/// The offence.
	pub kind: OffenceKind,
	/// What the offence was about, in the reporter's terms.
	pub reference: Option<OffenceReference>,
	/// The amount asked for; capped when applied at the kind's maximum fraction of the stake.
	#[cfg_attr(feature = "std", serde(with = "decimal_string"))]
	pub amount: Balance,
	/// When the offence was reported.
	pub reported_at: BlockNumber,
	/// When the slash is applied unless cancelled.
	pub apply_at: BlockNumber,
}

/// An operator's state: the answer of [`OperatorsApi::operator`].
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(
		rename_all = "camelCase",
		bound(
			serialize = "Balance: std::fmt::Display, BlockNumber: serde::Serialize",
			deserialize = "Balance: std::str::FromStr, BlockNumber: serde::Deserialize<'de>"
		)
	)
)]
pub struct OperatorState<Balance, BlockNumber> {
	/// Liveness and participation.
	pub status: OperatorStatusView,
	/// The operator's own active (bonded, not unbonding) stake.
	#[cfg_attr(feature = "std", serde(with = "decimal_string"))]
	pub own_stake: Balance,
	/// Active stake delegated to the operator.
	#[cfg_attr(feature = "std", serde(with = "decimal_string"))]
	pub delegated_stake: Balance,
	/// `own_stake + delegated_stake`: what task sampling weighs.
	#[cfg_attr(feature = "std", serde(with = "decimal_string"))]
	pub total_stake: Balance,
	/// Stake being unbonded (own and delegated), still slashable until withdrawn.
	#[cfg_attr(feature = "std", serde(with = "decimal_string"))]
	pub unbonding: Balance,
	/// Number of delegators.
	pub delegators: u32,
	/// The operator's cut of rewards before the pro-rata split.
	pub commission: Perbill,
	/// The block of the last heartbeat.
	pub last_heartbeat: BlockNumber,
	/// The VRF key for task sampling.
	pub vrf_key: VrfPublic,
	/// Since when the VRF key is registered.
	pub vrf_key_since: BlockNumber,
	/// The Ethereum address for the EigenLayer bridge, if set.
	pub eth_address: Option<EthAddress>,
	/// Slashes reported and not yet applied or cancelled.
	pub pending_slashes: Vec<PendingSlashView<Balance, BlockNumber>>,
}

/// One staker's position with an operator: the answer of [`OperatorsApi::stake_of`].
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
	feature = "std",
	serde(bound(
		serialize = "Balance: std::fmt::Display, BlockNumber: serde::Serialize",
		deserialize = "Balance: std::str::FromStr, BlockNumber: serde::Deserialize<'de>"
	))
)]
pub struct StakeState<Balance, BlockNumber> {
	/// Active stake, at the pool's current value.
	#[cfg_attr(feature = "std", serde(with = "decimal_string"))]
	pub active: Balance,
	/// Unbonding chunks: (withdrawable from block, amount at the current value).
	#[cfg_attr(feature = "std", serde(with = "decimal_string::pairs"))]
	pub unbonding: Vec<(BlockNumber, Balance)>,
}

sp_api::decl_runtime_apis! {
	/// Reads the operator set. Version 2 added `selection_stake` and `heartbeat_period`, so that
	/// the operator service asks the runtime instead of decoding the pallet's storage.
	#[api_version(2)]
	pub trait OperatorsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: codec::Codec,
		Balance: codec::Codec,
		BlockNumber: codec::Codec,
	{
		/// An operator's stake, status, last heartbeat and pending slashes; `None` if `who` is
		/// not an operator.
		fn operator(who: AccountId) -> Option<OperatorState<Balance, BlockNumber>>;
		/// `staker`'s stake with `operator` (the operator's own when `staker == operator`).
		fn stake_of(operator: AccountId, staker: AccountId) -> Option<StakeState<Balance, BlockNumber>>;
		/// `who`'s stake as task sampling weighs it for randomness from block `from` (stake
		/// bonded too late to count for it left out); `None` if `who` may not take tasks now.
		fn selection_stake(who: AccountId, from: BlockNumber) -> Option<Balance>;
		/// How often operators heartbeat: the length of a heartbeat period, in blocks.
		fn heartbeat_period() -> BlockNumber;
	}
}
