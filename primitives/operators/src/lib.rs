//! # AOS operator primitives
//!
//! What the rest of AOS needs to know about operators, without depending on
//! `pallet-operators` itself:
//!
//! - [`OffenceKind`]: the offences an operator can be slashed for;
//! - [`SlashOperator`]: how the inference, zk, TEE and OPML pallets report an offence, and
//!   [`OnSlashApplied`]: where the slashed funds go;
//! - [`RewardOperator`]: how they pay an operator (and, through it, its delegators);
//! - [`OperatorRegistry`]: who may take tasks, with what stake and VRF key;
//! - [`OperatorsApi`]: the runtime API that node RPCs and tools read operator state with.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{sr25519, H160};
use sp_runtime::{DispatchError, Perbill};

/// JSON (serde) helpers for the RPC views: balances travel as decimal strings, since they
/// exceed the integers JavaScript represents exactly (2^53).
#[cfg(feature = "std")]
pub mod decimal_string {
	use serde::{de::Error, Deserialize, Deserializer, Serializer};
	use std::{fmt::Display, str::FromStr, string::String};

	/// `value` as a decimal string.
	pub fn serialize<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
		s.collect_str(value)
	}

	/// A decimal string as a number; a clear error otherwise.
	pub fn deserialize<'de, T: FromStr, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
		let text = String::deserialize(d)?;
		text.parse().map_err(|_| D::Error::custom(format!("not a decimal amount: {text:?}")))
	}

	/// `(block, amount)` pairs, with the amounts as decimal strings.
	pub mod pairs {
		use super::*;
		use serde::{ser::SerializeSeq, Serialize};
		use std::vec::Vec;

		pub fn serialize<B: Serialize, T: Display, S: Serializer>(
			value: &[(B, T)],
			s: S,
		) -> Result<S::Ok, S::Error> {
			let mut seq = s.serialize_seq(Some(value.len()))?;
			for (b, t) in value {
				seq.serialize_element(&(b, t.to_string()))?;
			}
			seq.end()
		}

		pub fn deserialize<'de, B, T, D>(d: D) -> Result<Vec<(B, T)>, D::Error>
		where
			B: Deserialize<'de>,
			T: FromStr,
			D: Deserializer<'de>,
		{
			let pairs: Vec<(B, String)> = Vec::deserialize(d)?;
			pairs
				.into_iter()
				.map(|(b, text)| {
					let t = text
						.parse()
						.map_err(|_| D::Error::custom(format!("not a decimal amount: {text:?}")))?;
					Ok((b, t))
				})
				.collect()
		}
	}
}

/// An operator's public sr25519 key for VRF task sampling.
pub type VrfPublic = sr25519::Public;

/// An Ethereum address (20 bytes), for the EigenLayer bridge.
pub type EthAddress = H160;

/// The message an operator's Ethereum key signs to prove that the operator owns its address:
/// this prefix followed by the SCALE encoding of the operator's account id.
pub const ETH_ADDRESS_PROOF_PREFIX: &[u8] = b"aos:operator-eth-address:";

/// An operator's Ethereum address with the proof that the operator controls it: the address's
/// EIP-191 signature ("personal_sign", what a Web3Signer's `eth_sign` returns) of
/// [`eth_address_message`]. Without the proof anyone could claim another's address on the
/// EigenLayer side.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct EthBinding {
	pub address: EthAddress,
	/// `r ‖ s ‖ v`, with `v` either 0/1 or Ethereum's 27/28.
	pub signature: [u8; 65],
}

/// What an operator's Ethereum key signs: [`ETH_ADDRESS_PROOF_PREFIX`] and the SCALE
/// encoding of its account id.
pub fn eth_address_message<AccountId: Encode>(operator: &AccountId) -> Vec<u8> {
	let mut message = Vec::from(ETH_ADDRESS_PROOF_PREFIX);
	operator.encode_to(&mut message);
	message
}

/// The hash an EIP-191 "personal_sign" signature signs:
/// `keccak256("\x19Ethereum Signed Message:\n" ‖ len(message) ‖ message)`.
pub fn eip191_hash(message: &[u8]) -> [u8; 32] {
	let mut data = Vec::from(&b"\x19Ethereum Signed Message:\n"[..]);
	data.extend_from_slice(alloc::format!("{}", message.len()).as_bytes());
	data.extend_from_slice(message);
	sp_crypto_hashing::keccak_256(&data)
}

/// The Ethereum address of an uncompressed secp256k1 public key (`x ‖ y`, 64 bytes).
pub fn eth_address_of(public: &[u8; 64]) -> EthAddress {
	let hash = sp_crypto_hashing::keccak_256(public);
	EthAddress::from_slice(&hash[12..])
}

/// A signature's `r ‖ s ‖ v` with `v` as 0 or 1, as `secp256k1_ecdsa_recover` takes it.
pub fn normalized_recovery_id(signature: &[u8; 65]) -> [u8; 65] {
	let mut sig = *signature;
	if sig[64] >= 27 {
		sig[64] -= 27;
	}
	sig
}

/// Identifies a deferred slash.
pub type SlashId = u64;

/// Why an operator is slashed.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum OffenceKind {
	/// No heartbeat for longer than the offline grace period.
	Offline,
	/// An inference result that differs from the verified one.
	WrongResult,
	/// A zk proof that failed verification.
	ZkProofInvalid,
	/// A TEE attestation that failed verification.
	AttestationInvalid,
	/// An OPML dispute lost.
	DisputeLost,
}

impl OffenceKind {
	/// Every kind, in declaration order.
	pub const ALL: [OffenceKind; 5] = [
		OffenceKind::Offline,
		OffenceKind::WrongResult,
		OffenceKind::ZkProofInvalid,
		OffenceKind::AttestationInvalid,
		OffenceKind::DisputeLost,
	];
}

/// Identifies what an offence was about, in the reporting pallet's terms (a task id, a dispute
/// id). Stored with the slash and handed back to [`OnSlashApplied`], so that the reporter can
/// route the slashed funds, for example into the task's verification reward pool.
pub type OffenceReference = u64;

/// What became of an offence report.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub enum SlashOutcome {
	/// A slash of this id is deferred and will be applied unless governance cancels it.
	Deferred(SlashId),
	/// The slash of this id was applied at once (no deferral configured).
	Applied(SlashId),
	/// Nothing is slashed: slashing is not enabled yet, or the amount for this kind is zero.
	Skipped,
}

/// Reports operator offences. Implemented by `pallet-operators`; used by the pallets that
/// detect offences (inference, zk, TEE, OPML).
pub trait SlashOperator<AccountId> {
	/// Reports that `offender` committed an offence of `kind`, about `reference`. Fails only if
	/// `offender` is not an operator.
	fn report_offence(
		offender: &AccountId,
		kind: OffenceKind,
		reference: Option<OffenceReference>,
	) -> Result<SlashOutcome, DispatchError>;
	/// The most weight [`Self::report_offence`] may take (a report applied at once included).
	fn report_offence_weight() -> sp_runtime::Weight;
}

/// Receives the funds of an applied slash. `credit` is an imbalance (for pallet-balances,
/// `fungible::Credit`): dropping it burns the funds, resolving it into an account pays them.
pub trait OnSlashApplied<AccountId, Credit> {
	/// Slash `id` of `offender` for `kind` about `reference` took `credit`.
	fn on_slash_applied(
		id: SlashId,
		offender: &AccountId,
		kind: OffenceKind,
		reference: Option<OffenceReference>,
		credit: Credit,
	);
	/// The most weight [`Self::on_slash_applied`] may take: the slashing pallet charges it with
	/// every slash it applies.
	fn on_slash_applied_weight() -> sp_runtime::Weight {
		sp_runtime::Weight::zero()
	}
}

/// Burns slashed funds: dropping a credit reduces the total issuance.
impl<AccountId, Credit> OnSlashApplied<AccountId, Credit> for () {
	fn on_slash_applied(
		_: SlashId,
		_: &AccountId,
		_: OffenceKind,
		_: Option<OffenceReference>,
		_: Credit,
	) {
	}
}

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

/// The periods of slashing that the pallets reporting offences depend on.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct SlashPeriods<BlockNumber> {
	/// How long a reported slash waits before it is applied.
	pub defer: BlockNumber,
	/// How long unbonding stake stays slashable.
	pub unbonding: BlockNumber,
}

/// How late the pallets that detect offences report them, and how long they can route a
/// slash's funds after reporting it. `pallet-operators` keeps its slashing periods consistent
/// with them: an offender's stake must still be bonded when its slash is applied
/// (`unbonding > max_report_delay + defer`), and the reporter must still know where the funds
/// go (`defer < min_routing_window`).
pub trait OffenceReporting<BlockNumber> {
	/// The longest time between an offence and its report (for a task: its whole life).
	fn max_report_delay() -> BlockNumber;
	/// The shortest time after a report during which the reporter routes the slash's funds
	/// (for a task: how long it is retained once ended).
	fn min_routing_window() -> BlockNumber;
}

/// No reporter with timing constraints.
impl<BlockNumber: sp_runtime::traits::Bounded + sp_runtime::traits::Zero>
	OffenceReporting<BlockNumber> for ()
{
	fn max_report_delay() -> BlockNumber {
		BlockNumber::zero()
	}
	fn min_routing_window() -> BlockNumber {
		BlockNumber::max_value()
	}
}

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
	/// Reads the operator set.
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
	}
}
