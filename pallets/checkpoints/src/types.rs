//! The pallet's records.

use aos_checkpoint_primitives::{CheckpointMessage, SetUpdate};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use scale_info::TypeInfo;
use sp_runtime::{traits::AtLeast32BitUnsigned, Perbill};

/// The parameters governance sets.
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
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct Params<BlockNumber> {
	/// Blocks a checkpoint covers (the AOS spec: 30 minutes). A period with nothing to record
	/// and no operator-set change makes no checkpoint; it runs on into the next.
	pub period: BlockNumber,
	/// Blocks the operators have to sign a closed checkpoint; short of quorum by then it
	/// fails, and its contents roll into the next one. No period closes while one is signed.
	pub signing_window: BlockNumber,
	/// The share of the operator set's weight whose signatures make a checkpoint final (the
	/// AVS contract checks the same share): more than half.
	pub quorum: Perbill,
	/// How many checkpoints stay readable, with their signatures, before they are pruned; a
	/// signature over a false checkpoint is reported within the same span.
	pub retention: u32,
}

/// Why parameters were refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamsError {
	/// A zero period or signing window, or one beyond the pallet's bounds.
	Period,
	/// A quorum of half the weight or less.
	Quorum,
	/// No checkpoint retained.
	Retention,
}

impl<BlockNumber: AtLeast32BitUnsigned + Copy> Params<BlockNumber> {
	/// Checks the parameters: the period and the signing window non-zero and within
	/// `max_span` together, the quorum more than half, at least one checkpoint retained.
	pub fn validate(&self, max_span: BlockNumber) -> Result<(), ParamsError> {
		if self.period.is_zero()
			|| self.signing_window.is_zero()
			|| self.period.saturating_add(self.signing_window) > max_span
		{
			return Err(ParamsError::Period);
		}
		if self.quorum <= Perbill::from_percent(50) {
			return Err(ParamsError::Quorum);
		}
		if self.retention == 0 {
			return Err(ParamsError::Retention);
		}
		Ok(())
	}

	/// How long after a checkpoint closed a signature over a false one is reported: as long
	/// as `retention` checkpoints take at the least, a period and a signing window each.
	pub fn report_window(&self) -> BlockNumber {
		self.period.saturating_add(self.signing_window).saturating_mul(self.retention.into())
	}
}

/// Where a checkpoint stands (the shared type readers get through `CheckpointsApi`).
pub use aos_checkpoint_primitives::CheckpointStatus as Status;

/// A closed checkpoint.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxUpdates))]
pub struct Checkpoint<AccountId, BlockNumber, MaxUpdates: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// What the operators sign.
	pub message: CheckpointMessage,
	/// Its operator-set updates, in order, with the account each concerns.
	pub changes: BoundedVec<(AccountId, SetUpdate), MaxUpdates>,
	/// The first block whose leaves it holds (a failed predecessor's included).
	pub from: BlockNumber,
	/// The block it closed at (its leaves are those of the blocks before).
	pub closed_at: BlockNumber,
	/// How many subtrees its root is over: batch roots, and a failed predecessor's root first.
	pub batches: u32,
	/// The operator set's total weight when it closed.
	pub total_weight: u128,
	/// The weight of signatures it needs.
	pub threshold: u128,
	/// The weight of the signatures it has.
	pub signed: u128,
	/// Where it stands.
	pub status: Status<BlockNumber>,
}

/// What a failed checkpoint hands on to the next: its updates (its root is the next one's
/// first subtree) and the first block of its leaves.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxUpdates))]
pub struct Carried<AccountId, BlockNumber, MaxUpdates: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The failed checkpoint's updates.
	pub changes: BoundedVec<(AccountId, SetUpdate), MaxUpdates>,
	/// The first block of its leaves.
	pub from: BlockNumber,
}
