//! The pallet's stored and call types.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;

use crate::{BalanceOf, Config};
use scale_info::TypeInfo;
use sp_core::{Get, H256};

pub use aos_inference_primitives::{zk::ZkLink, ModelId, TaskId};
pub use aos_kernel::SamplingParams;

/// How a task's result is verified.
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
pub enum VerificationMode {
	/// PoS+W: k operators sampled by VRF compute it; the majority rule decides and liars are
	/// liquidated.
	Redundancy,
	/// A zk proof of the inference: an ezkl proof verified natively by `pallet-zk-verifier`.
	Zk,
	/// A Nitro enclave's signature: the result an enclave attested for the model signed
	/// (`pallet-tee`) settles the task.
	Tee,
	/// Optimistic: one operator's result stands unless an OPML dispute is won against it
	/// (`pallet-opml`).
	Optimistic,
}

impl VerificationMode {
	/// The mode's bit in [`ModelInfo::modes`].
	pub const fn bit(self) -> u8 {
		match self {
			VerificationMode::Redundancy => 1,
			VerificationMode::Zk => 2,
			VerificationMode::Tee => 4,
			VerificationMode::Optimistic => 8,
		}
	}
}

/// A registered model's state.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub enum ModelStatus {
	/// Takes tasks.
	Active,
	/// Banned by governance: takes no tasks and cannot be registered again.
	Banned,
}

/// One layer's commitment: its shape and the Merkle root of its neurons (kernel spec §4).
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
pub struct LayerCommitment {
	pub inputs: u32,
	pub outputs: u32,
	pub root: H256,
}

impl LayerCommitment {
	/// The commitments of `model`'s layers, in order: what `register_model` takes.
	pub fn of_model(model: &aos_kernel::Model) -> alloc::vec::Vec<LayerCommitment> {
		model
			.layers
			.iter()
			.zip(aos_kernel::commit::layer_roots(model))
			.map(|(l, root)| LayerCommitment {
				inputs: l.inputs,
				outputs: l.outputs,
				root: H256(root),
			})
			.collect()
	}
}

/// A registered model.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct ModelInfo<T: Config> {
	pub owner: T::AccountId,
	/// The kernel spec version it runs under.
	pub kernel_version: u16,
	/// The model's input width.
	pub inputs: u32,
	/// Per-layer shapes and Merkle roots, in order.
	pub layers: BoundedVec<LayerCommitment, T::MaxLayers>,
	/// The model commitment over them (kernel spec §4), computed on registration.
	pub commitment: H256,
	/// Where operators fetch the model file (checked against the model id, its content hash).
	pub uri: BoundedVec<u8, T::MaxUriLen>,
	/// The verification modes it may be used with: a set of [`VerificationMode::bit`]s.
	pub modes: u8,
	/// The least fee per assigned operator a task must offer.
	pub price: BalanceOf<T>,
	/// Held from the owner while the model is registered.
	pub deposit: BalanceOf<T>,
	pub status: ModelStatus,
	/// Its tasks that have not ended: while there are any, it cannot be deregistered (and its
	/// verifying key not relinked).
	pub live_tasks: u32,
}

impl<T: Config> ModelInfo<T> {
	/// The number of positions of a run (kernel spec §5): every layer's outputs.
	pub fn positions(&self) -> u64 {
		self.layers.iter().map(|l| u64::from(l.outputs)).sum()
	}
	/// The number of logits.
	pub fn outputs(&self) -> u32 {
		self.layers.last().map_or(0, |l| l.outputs)
	}
}

/// A task's input.
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
#[scale_info(skip_type_params(MaxInput, MaxUri))]
pub enum TaskInput<MaxInput: Get<u32>, MaxUri: Get<u32>> {
	/// The int8 input itself.
	Inline(BoundedVec<i8, MaxInput>),
	/// The BLAKE2b-256 hash of the input's bytes (as `i8`s), and where to fetch them.
	Remote { hash: H256, uri: BoundedVec<u8, MaxUri> },
}

/// Where a task is in its life. Deadlines are block numbers; `round` counts escalations. The
/// codec indices are stored state: a new phase takes a new index, whatever its place here.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub enum TaskStatus<BlockNumber> {
	/// Waiting for the randomness of a later block (`at`).
	#[codec(index = 0)]
	AwaitingRandomness { at: BlockNumber },
	/// Selected operators claim it with their VRF proofs until `until`.
	#[codec(index = 1)]
	Claiming { round: u8, tranche: u8, until: BlockNumber },
	/// Claimants commit to their results until `until`.
	#[codec(index = 2)]
	Committing { round: u8, until: BlockNumber },
	/// Redundancy mode: claimants reveal their results until `until`, the end of the resolution
	/// window.
	#[codec(index = 3)]
	Revealing { round: u8, until: BlockNumber },
	/// Zk mode: claimants submit the proofs they committed to until `until`, the end of the
	/// resolution window; the first proof that verifies settles the task.
	#[codec(index = 6)]
	Proving { round: u8, until: BlockNumber },
	/// TEE mode: claimants submit results signed by their enclaves until `until`, the end of
	/// the resolution window; the first whose signature checks settles the task.
	#[codec(index = 7)]
	Attesting { round: u8, until: BlockNumber },
	/// Optimistic mode: the assigned operator posts its result and trace commitment to
	/// `pallet-opml` until `until`, the end of the resolution window.
	#[codec(index = 8)]
	Posting { round: u8, until: BlockNumber },
	/// Optimistic mode: the result of round `round` is posted; `pallet-opml` holds it through its
	/// challenge period and disputes, and settles or overturns the task. No deadline here.
	#[codec(index = 9)]
	Challenging { round: u8 },
	/// Decided: the result is in [`TaskInfo::result`].
	#[codec(index = 4)]
	Settled,
	/// No result won by the rule after the last round, or no operator took the task: the fee
	/// was refunded and no one was slashed.
	#[codec(index = 5)]
	Undecided,
}

impl<B: Copy> TaskStatus<B> {
	/// Whether the task is over.
	pub fn is_final(&self) -> bool {
		matches!(self, TaskStatus::Settled | TaskStatus::Undecided)
	}

	/// The round and deadline of the phase that ends in a decision: `Revealing` (redundancy),
	/// `Proving` (Zk), `Attesting` (TEE) or `Posting` (optimistic).
	pub fn resolving(&self) -> Option<(u8, B)> {
		match *self {
			TaskStatus::Revealing { round, until }
			| TaskStatus::Proving { round, until }
			| TaskStatus::Attesting { round, until }
			| TaskStatus::Posting { round, until } => Some((round, until)),
			_ => None,
		}
	}

	/// The phase in which a task of `mode` resolves, for `round` until `until`.
	pub fn resolution_phase(mode: VerificationMode, round: u8, until: B) -> Self {
		match mode {
			VerificationMode::Zk => TaskStatus::Proving { round, until },
			VerificationMode::Tee => TaskStatus::Attesting { round, until },
			VerificationMode::Optimistic => TaskStatus::Posting { round, until },
			VerificationMode::Redundancy => TaskStatus::Revealing { round, until },
		}
	}
}

impl VerificationMode {
	/// Whether one result the chain verified itself (a proof, an enclave's signature, a result
	/// that stood its disputes) settles a task of this mode, rather than a comparison of
	/// committed results.
	pub fn settles_on_one(self) -> bool {
		matches!(self, VerificationMode::Zk | VerificationMode::Tee | VerificationMode::Optimistic)
	}

	/// The offence of an assigned operator that committed and then withheld its reveal: what
	/// cheating costs in this mode, so that staying silent is no cheaper than lying.
	pub fn withheld_offence(self) -> aos_operators_primitives::OffenceKind {
		use aos_operators_primitives::OffenceKind;
		match self {
			VerificationMode::Zk => OffenceKind::ZkProofInvalid,
			VerificationMode::Tee => OffenceKind::AttestationInvalid,
			VerificationMode::Redundancy => OffenceKind::WrongResult,
			// Silence after claiming costs what losing the dispute would.
			VerificationMode::Optimistic => OffenceKind::DisputeLost,
		}
	}
}

/// What a task depends on, snapshotted when it is submitted: the model's owner may deregister
/// it, re-register it with other layers or relink its verifying key, and governance may change
/// the parameters, without changing the rules of a task already submitted.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct TaskTerms {
	/// The model commitment (kernel spec §4).
	pub model_commitment: H256,
	/// The model's positions (every layer's outputs): where intermediates are chosen from.
	pub positions: u64,
	/// Draws each operator reports (kernel spec §6).
	pub samples: u8,
	/// Intermediates each operator reports (kernel spec §5).
	pub intermediates: u8,
	/// Leading zero bits of a reveal's proof of work.
	pub pow_difficulty: u8,
	/// A Zk-mode task's verifying key.
	pub zk: Option<ZkLink>,
}

/// The result a task settled on.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxTopK))]
pub struct TaskResult<MaxTopK: Get<u32>> {
	/// The kernel's output digest (kernel spec §7) of the logits.
	pub output: H256,
	/// The top classes, largest logit first.
	pub top: BoundedVec<u32, MaxTopK>,
	/// n: the operators that revealed it.
	pub agreeing: u32,
	/// m: the operators that revealed something else.
	pub conflicting: u32,
	/// A: the operators assigned to the task (silent ones included).
	pub assigned: u32,
	/// For a Zk-mode task, the hash of the proof that settled it.
	pub proof: Option<H256>,
}

/// A task.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct TaskInfo<T: Config> {
	pub owner: T::AccountId,
	pub model: ModelId,
	pub input: TaskInput<T::MaxInputLen, T::MaxUriLen>,
	/// Held from the owner until the task ends.
	pub fee: BalanceOf<T>,
	/// Held from the owner until the task is pruned: it pays for the task's storage.
	pub deposit: BalanceOf<T>,
	pub mode: VerificationMode,
	/// k: the operators wanted in the first round.
	pub redundancy: u8,
	pub sampling: SamplingParams,
	/// What the task depends on, fixed at submission.
	pub terms: TaskTerms,
	pub submitted_at: BlockNumberFor<T>,
	/// The sampling randomness and the block whose VRF it is (always after `submitted_at`).
	pub randomness: Option<(H256, BlockNumberFor<T>)>,
	/// The operators' selection stake when the randomness was fixed: what sampling divides
	/// by, so that stake joining later cannot change who is selected.
	pub selection_stake: BalanceOf<T>,
	pub status: TaskStatus<BlockNumberFor<T>>,
	pub result: Option<TaskResult<T::MaxTopK>>,
	/// Liquidated collateral received for this task: its verification reward pool.
	pub pool: BalanceOf<T>,
	/// The part of the pool not paid out yet (paid by the next block's agenda).
	pub pool_pending: BalanceOf<T>,
	/// When it ended.
	pub ended_at: Option<BlockNumberFor<T>>,
}

/// An operator that claimed a task in the current tranche, waiting for the tranche to end: the
/// best-ranked claims (see [`aos_inference_primitives::selection_rank`]) are assigned.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Candidate<AccountId, Balance> {
	pub operator: AccountId,
	/// Its VRF output for the task.
	pub output: u128,
	/// Its selection stake for the task.
	pub stake: Balance,
	/// The commitment it made with its claim, if it did (redundancy and Zk modes): an
	/// operator that computed before it claimed need not wait for the commit phase.
	pub commitment: Option<H256>,
}

/// One step of an operator's work on one task, as [`crate::Pallet::work`] carries many: each is
/// checked and charged as the call of the same name.
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
#[scale_info(skip_type_params(MaxTopK, MaxSamples, MaxIntermediates))]
pub enum WorkItem<MaxTopK: Get<u32>, MaxSamples: Get<u32>, MaxIntermediates: Get<u32>> {
	/// [`crate::Pallet::claim`], with the claimant's commitment to its result when it has
	/// computed it already (redundancy and Zk modes).
	#[codec(index = 0)]
	Claim { task: TaskId, pre_output: [u8; 32], proof: [u8; 64], commitment: Option<H256> },
	/// [`crate::Pallet::commit`].
	#[codec(index = 1)]
	Commit { task: TaskId, commitment: H256 },
	/// [`crate::Pallet::reveal`]: the reveal (its output digest included) and the salt.
	/// `claims`, a witness, is the task's number of claims (the operator reads them with the
	/// task): the item is charged in advance for the resolution of that many claims, not of
	/// `MaxClaims`, and is refused ([`crate::Error::ClaimsAboveWitness`]) if the task has more.
	/// A block then takes as many reveals as they really cost.
	#[codec(index = 2)]
	Reveal {
		task: TaskId,
		reveal: Reveal<MaxTopK, MaxSamples, MaxIntermediates>,
		salt: [u8; 32],
		claims: u32,
	},
}

impl<A: Get<u32>, B: Get<u32>, C: Get<u32>> WorkItem<A, B, C> {
	/// The task the item is for.
	pub fn task(&self) -> TaskId {
		match self {
			WorkItem::Claim { task, .. }
			| WorkItem::Commit { task, .. }
			| WorkItem::Reveal { task, .. } => *task,
		}
	}
}

/// An operator assigned to a task.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Claim<AccountId> {
	pub operator: AccountId,
	/// The round it was selected in.
	pub round: u8,
	/// Its commitment, once made (for a Zk-mode task, to its proof; spent by a proof that does
	/// not verify).
	pub commitment: Option<H256>,
	/// Its revealed result, once revealed: [`result_key`] of its output digest and top classes,
	/// what reveals are grouped by; [`REJECTED`] once the chain refused what it submitted.
	pub result: Option<H256>,
}

/// The result of a claim whose submission the chain refused and reported at once (a Zk proof
/// that does not verify, a TEE result its enclave did not sign): it counts in no tally, and the
/// claim is neither reported again nor heard again. No [`result_key`] is zero (it is a
/// BLAKE2b-256 hash).
pub const REJECTED: H256 = H256::zero();

/// What an operator reveals besides its output digest: the evidence that it ran the model.
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
#[scale_info(skip_type_params(MaxTopK, MaxSamples, MaxIntermediates))]
pub struct Reveal<MaxTopK: Get<u32>, MaxSamples: Get<u32>, MaxIntermediates: Get<u32>> {
	/// The kernel's output digest of the logits.
	pub output: H256,
	pub top: BoundedVec<u32, MaxTopK>,
	pub samples: BoundedVec<u32, MaxSamples>,
	pub intermediates: BoundedVec<(u64, i32), MaxIntermediates>,
	pub pow_nonce: u64,
}

/// Governance-set parameters. Block counts are in blocks; amounts in the smallest unit.
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
	/// Blocks between a task's block and the block whose BABE VRF seeds its sampling; at least
	/// [`MIN_RANDOMNESS_DELAY`].
	pub randomness_delay: BlockNumber,
	/// Length of a claim tranche.
	pub claim_period: BlockNumber,
	/// Tranches per round; each one doubles the expected selections of the previous.
	pub max_tranches: u8,
	/// Length of the commit phase.
	pub commit_period: BlockNumber,
	/// Length of the reveal phase: the resolution window (24 hours on the production chain).
	pub resolution_window: BlockNumber,
	/// Rounds of verification; each escalation doubles the verifiers of the previous round.
	pub max_rounds: u8,
	/// How long an ended task stays readable before it is pruned.
	pub retention: BlockNumber,
	/// Leading zero bits of a reveal's proof of work; 0 turns it off.
	pub pow_difficulty: u8,
	/// The largest k a task may ask for.
	pub max_redundancy: u8,
	/// Draws each operator reports per task.
	pub samples: u8,
	/// Intermediates each operator reports per task.
	pub intermediates: u8,
	/// The least fee per assigned operator, whatever the model's price: no task is free for
	/// operators to compute.
	pub min_fee: Balance,
	/// Paid on submission and not refunded (burned), even if the task ends undecided: the
	/// chain's own work on a task nobody may be paid for is not free.
	pub base_fee: Balance,
}

/// `randomness_delay` is at least this: the parent-block randomness read at block b is block
/// b−1's, and the block holding the task must not supply it (its author knows its own VRF
/// output).
pub const MIN_RANDOMNESS_DELAY: u32 = 2;

/// `max_tranches` is at most this: each tranche doubles the selection target, so eight already
/// reach 128 times the first tranche's expected claimants.
pub const MAX_TRANCHES: u8 = 8;

/// `max_rounds` is at most this: each escalation doubles the verifiers, so four rounds already
/// ask for 8·k.
pub const MAX_ROUNDS: u8 = 4;

/// `pow_difficulty` is at most this many leading zero bits: an honest operator's expected 2^24
/// hashes per reveal take well under a second.
pub const MAX_POW_DIFFICULTY: u8 = 24;

/// The bounds [`Params`] are checked against that come from the pallet's configuration.
#[derive(Clone, Copy, Debug)]
pub struct ParamBounds<BlockNumber> {
	/// The longest any period may be (`Config::MaxPeriod`).
	pub max_period: BlockNumber,
	/// The most claims a task takes (`Config::MaxClaims`): the largest k.
	pub max_claims: u32,
	/// The most samples a reveal carries (`Config::MaxSamples`).
	pub max_samples: u32,
	/// The most intermediates a reveal carries (`Config::MaxIntermediates`).
	pub max_intermediates: u32,
}

/// The rule a set of [`Params`] breaks: one per rule, so governance is told which.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamsError {
	/// `randomness_delay` below [`MIN_RANDOMNESS_DELAY`].
	RandomnessDelayTooShort,
	/// `claim_period`, `commit_period`, `resolution_window` or `retention` is zero.
	ZeroPeriod,
	/// A period exceeds `MaxPeriod`.
	PeriodTooLong,
	/// `max_tranches` is 0 or above [`MAX_TRANCHES`].
	TranchesOutOfRange,
	/// `max_rounds` is 0 or above [`MAX_ROUNDS`].
	RoundsOutOfRange,
	/// `pow_difficulty` above [`MAX_POW_DIFFICULTY`].
	PowDifficultyTooHigh,
	/// `max_redundancy` is 0 or above `MaxClaims`.
	MaxRedundancyOutOfRange,
	/// `samples` above `MaxSamples`.
	TooManySamples,
	/// `intermediates` above `MaxIntermediates`.
	TooManyIntermediates,
	/// `min_fee` is zero: tasks would be free for operators to compute.
	ZeroMinFee,
}

impl<BN: sp_runtime::traits::AtLeast32BitUnsigned + Copy, B: sp_runtime::traits::Zero>
	Params<BN, B>
{
	/// Checks the parameters against each other and the pallet's bounds. (How they fit the
	/// operator set's slashing periods is the pallet's check: `Pallet::check_params`.)
	pub fn validate(&self, bounds: &ParamBounds<BN>) -> Result<(), ParamsError> {
		if self.randomness_delay < MIN_RANDOMNESS_DELAY.into() {
			return Err(ParamsError::RandomnessDelayTooShort);
		}
		let periods =
			[self.claim_period, self.commit_period, self.resolution_window, self.retention];
		if periods.iter().any(|p| p.is_zero()) {
			return Err(ParamsError::ZeroPeriod);
		}
		if periods.iter().chain([&self.randomness_delay]).any(|p| *p > bounds.max_period) {
			return Err(ParamsError::PeriodTooLong);
		}
		if !(1..=MAX_TRANCHES).contains(&self.max_tranches) {
			return Err(ParamsError::TranchesOutOfRange);
		}
		if !(1..=MAX_ROUNDS).contains(&self.max_rounds) {
			return Err(ParamsError::RoundsOutOfRange);
		}
		if self.pow_difficulty > MAX_POW_DIFFICULTY {
			return Err(ParamsError::PowDifficultyTooHigh);
		}
		if self.max_redundancy == 0 || u32::from(self.max_redundancy) > bounds.max_claims {
			return Err(ParamsError::MaxRedundancyOutOfRange);
		}
		if u32::from(self.samples) > bounds.max_samples {
			return Err(ParamsError::TooManySamples);
		}
		if u32::from(self.intermediates) > bounds.max_intermediates {
			return Err(ParamsError::TooManyIntermediates);
		}
		if self.min_fee.is_zero() {
			return Err(ParamsError::ZeroMinFee);
		}
		Ok(())
	}
}

/// What reveals are grouped and compared by (shared with the operator service).
pub use aos_inference_primitives::result_key;
