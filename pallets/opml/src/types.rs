//! The pallet's stored and passed types.

use aos_kernel::{trace::TreeNode, LayerOutput};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, BoundedVec};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Perbill;

/// Most siblings in a proof of a neuron under a layer root: 4,096 neurons at most.
pub type MaxLayerDepth = ConstU32<12>;

/// The governance parameters. A posted result snapshots the ones its disputes depend on.
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
pub struct Params<BlockNumber, Balance> {
	/// How long a posted result may be challenged (the AOS spec: 3 days).
	pub challenge_period: BlockNumber,
	/// Each player's chess clock in one game: the blocks it may spend on all its moves
	/// together. Whoever runs out loses.
	pub clock: BlockNumber,
	/// Held from the operator that posts a result until it stands; a lost game gives it to the
	/// challenger.
	pub result_bond: Balance,
	/// Held from a challenger until its game ends; a lost game gives it to the defender.
	pub challenge_bond: Balance,
	/// Most games one result may face (at most `MaxChallengers`).
	pub max_challengers: u32,
	/// The share of a loser's bond burned rather than paid to the winner: what makes losing to
	/// oneself (a defender challenging its own result) cost something.
	pub burn: Perbill,
}

/// Why parameters are refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamsError {
	/// A period or the clock is zero.
	ZeroPeriod,
	/// A bond is zero.
	ZeroBond,
	/// `max_challengers` is zero or above `MaxChallengers`.
	ChallengersOutOfRange,
}

impl<B: sp_runtime::traits::Zero, Balance: sp_runtime::traits::Zero> Params<B, Balance> {
	/// Checks the parameters on their own.
	pub fn validate(&self, max_challengers: u32) -> Result<(), ParamsError> {
		if self.challenge_period.is_zero() || self.clock.is_zero() {
			return Err(ParamsError::ZeroPeriod);
		}
		if self.result_bond.is_zero() || self.challenge_bond.is_zero() {
			return Err(ParamsError::ZeroBond);
		}
		if self.max_challengers == 0 || self.max_challengers > max_challengers {
			return Err(ParamsError::ChallengersOutOfRange);
		}
		Ok(())
	}
}

/// A model layer's shape and weight root, as registered (kernel spec §4).
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
pub struct LayerShape {
	pub inputs: u32,
	pub outputs: u32,
	/// The root of the layer's weight tree.
	pub root: H256,
}

/// A result in its challenge period.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxLayers, MaxTopK))]
pub struct PostedResult<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxLayers: Get<u32>,
	MaxTopK: Get<u32>,
> {
	/// The operator that posted it.
	pub defender: AccountId,
	/// The output digest of its logits (kernel spec §7).
	pub output: H256,
	/// The top classes of its logits.
	pub top: BoundedVec<u32, MaxTopK>,
	/// The trace commitment (kernel spec §4.1): the root over `roots`.
	pub trace: H256,
	/// Each layer's activation root, as the defender computed them: a challenger names the
	/// first it disagrees with.
	pub roots: BoundedVec<H256, MaxLayers>,
	/// The model's layers, checked against the task's model commitment.
	pub layers: BoundedVec<LayerShape, MaxLayers>,
	/// The defender's bond, held.
	pub bond: Balance,
	/// Challenges are taken until this block.
	pub challenge_until: BlockNumber,
	/// Games not ended.
	pub open_games: u32,
	/// Games opened in all.
	pub games: u32,
	/// The parameters the games play by, as they were when the result was posted.
	pub terms: GameTerms<BlockNumber, Balance>,
}

/// What a result's games play by, snapshotted when it is posted.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct GameTerms<BlockNumber, Balance> {
	pub clock: BlockNumber,
	pub challenge_bond: Balance,
	pub max_challengers: u32,
	pub burn: Perbill,
}

/// Who is to move.
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
pub enum Player {
	Defender,
	Challenger,
}

/// What the defender shows of the node a game stands at.
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
pub enum Opening {
	/// An inner node's two children.
	Children { left: H256, right: H256 },
	/// A neuron leaf's value: its output, an int8 activation widened to i32 or a logit.
	Value(i32),
}

/// One challenger's game against a result: O(1) in the model's size.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Game<Balance, BlockNumber> {
	/// The challenger's bond, held.
	pub bond: Balance,
	/// The layer whose activation tree the game walks down: the first whose root the
	/// challenger disputes.
	pub layer: u32,
	/// Where the walk stands.
	pub node: TreeNode,
	/// The defender's hash at `node`.
	pub hash: H256,
	/// What the defender opened at `node`: `None` while it is the defender's move.
	pub opened: Option<Opening>,
	/// Since when the player to move has been thinking.
	pub since: BlockNumber,
	/// The defender's time left.
	pub defender_clock: BlockNumber,
	/// The challenger's time left.
	pub challenger_clock: BlockNumber,
}

impl<Balance, BlockNumber> Game<Balance, BlockNumber> {
	/// Who is to move: the defender opens, the challenger chooses (or checks the one step).
	pub fn turn(&self) -> Player {
		if self.opened.is_some() {
			Player::Challenger
		} else {
			Player::Defender
		}
	}
}

/// The challenger's last move: what the runtime needs to recompute the disputed neuron.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxWidth))]
pub struct OneStep<MaxWidth: Get<u32>> {
	/// The layer's input: for the first layer, empty (the task's input is read); otherwise the
	/// previous layer's activations, which must make the defender's root of that layer.
	pub input: BoundedVec<i8, MaxWidth>,
	/// The neuron's weights, bias and output rule.
	pub row: BoundedVec<i8, MaxWidth>,
	pub bias: i32,
	pub output: LayerOutput,
	/// The neuron's leaf under the layer's weight root.
	pub row_proof: BoundedVec<H256, MaxLayerDepth>,
}

/// How a game ended.
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
pub enum GameEnd {
	/// The one-step check recomputed the neuron.
	OneStep { computed: i32, claimed: i32 },
	/// The loser's clock ran out.
	Timeout,
}
