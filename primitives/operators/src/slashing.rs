//! Offences and slashing: what an operator can be slashed for, how the pallets that detect
//! offences report them, where slashed funds go, and the timing the two sides must agree on.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::DispatchError;

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
	/// An Ethereum signature over a checkpoint other than the one the chain fixed for its
	/// number (pallet-checkpoints): it could get a false checkpoint recorded on Ethereum.
	CheckpointEquivocation,
}

impl OffenceKind {
	/// Every kind, in declaration order.
	pub const ALL: [OffenceKind; 6] = [
		OffenceKind::Offline,
		OffenceKind::WrongResult,
		OffenceKind::ZkProofInvalid,
		OffenceKind::AttestationInvalid,
		OffenceKind::DisputeLost,
		OffenceKind::CheckpointEquivocation,
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

/// The periods of slashing that the pallets reporting offences depend on.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct SlashPeriods<BlockNumber> {
	/// How long a reported slash waits before it is applied.
	pub defer: BlockNumber,
	/// How long unbonding stake stays slashable.
	pub unbonding: BlockNumber,
}

impl<BlockNumber: sp_runtime::traits::Saturating + Ord + Copy> SlashPeriods<BlockNumber> {
	/// Whether an offence reported up to `report_delay` after it happened is still slashed
	/// from bonded stake: the stake unbonding when the offence happened is slashable until
	/// after the report and the deferral (`unbonding > report_delay + defer`).
	pub fn admit_report_delay(&self, report_delay: BlockNumber) -> bool {
		self.unbonding > report_delay.saturating_add(self.defer)
	}
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

/// Two reporters: the later of their report delays, the shorter of their routing windows.
impl<BlockNumber: Ord, A: OffenceReporting<BlockNumber>, B: OffenceReporting<BlockNumber>>
	OffenceReporting<BlockNumber> for (A, B)
{
	fn max_report_delay() -> BlockNumber {
		A::max_report_delay().max(B::max_report_delay())
	}
	fn min_routing_window() -> BlockNumber {
		A::min_routing_window().min(B::min_routing_window())
	}
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
