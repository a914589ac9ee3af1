//! # Inference pallet
//!
//! A dApp pays for an inference; operators chosen by verifiable randomness compute it with the
//! AOS kernel (`primitives/kernel`); their results are compared; liars lose their collateral to
//! the honest. The verification rule is AegisAI's PoS+W. In Zk mode an operator's ezkl proof,
//! verified in the runtime by `pallet-zk-verifier`, settles the task instead; in TEE mode a
//! result signed by an operator's attested Nitro enclave (`pallet-tee`) does (`tee.rs`). The
//! optimistic mode one sampled operator posts its result with a trace commitment to
//! `pallet-opml`, where it stands unless a dispute overturns it (`optimistic.rs`).
//!
//! ## Models
//!
//! [`Pallet::register_model`] records a model by its content hash (the hash of its kernel model
//! file), with its kernel version, each layer's shape and Merkle root (from which the pallet
//! computes the model commitment), where to fetch it, the verification modes it allows and its
//! price per assigned operator. A deposit is held while it is registered.
//! [`Pallet::deregister_model`] returns it (refused while the model has live tasks); governance
//! can [`Pallet::ban_model`] one. Either removes the model's zk verifying-key link.
//!
//! ## A task's life
//!
//! 1. [`Pallet::submit_task`]: the owner names a model, an input (inline or by hash and URI), a
//!    fee (held in escrow; at least `min_fee` per operator), the verification mode (redundancy,
//!    PoS+W; Zk with `pallet-zk-verifier`; TEE with `pallet-tee`; optimistic with `pallet-opml`,
//!    k = 1) and k, the redundancy. A storage deposit is held until the task is
//!    pruned, a base fee is burned, and the task snapshots what it depends on
//!    ([`TaskTerms`]: model shape, difficulty, verifying key). Admission control refuses
//!    tasks beyond [`Config::MaxLiveTasks`].
//! 2. **Randomness**: `randomness_delay` blocks later, `on_initialize` fixes the task's
//!    sampling randomness from BABE's VRF output of a block after the task's own block, and
//!    snapshots the operators' selection stake. Neither the submitter nor any operator could
//!    know the randomness when the task was submitted.
//! 3. **Claims** ([`Pallet::claim`]): each eligible operator (pallet-operators: active, online,
//!    enough collateral, a VRF key at least an epoch old) evaluates its registered sr25519 VRF
//!    key over (task, randomness) off chain. An output below a threshold proportional to its
//!    stake (as it counted for that randomness) — targeting k selections — lets it claim the
//!    task with the VRF proof, checked here. Claims are candidates until the tranche ends; the
//!    best-ranked are then assigned, whatever order they arrived in. Nothing iterates over
//!    operators: each selected operator comes to the chain itself. If fewer than k are
//!    assigned within a tranche, the next tranche doubles the threshold, as Polkadot's
//!    approval-voting tranches do. A tranche that has all the claims it wants ends at the next
//!    block rather than wait out its period.
//! 4. **Commit** ([`Pallet::commit`]), then **reveal** ([`Pallet::reveal`], in its round): each
//!    assigned operator commits to H(task, operator, output, top classes, samples,
//!    intermediates, salt), then reveals its output digest, top classes, its own samples and
//!    intermediates (kernel spec §5–7) and a proof-of-work nonce that binds the reveal to it.
//!    An operator that computed before it claimed commits with its claim; when every claim of
//!    the round did, there is no commit phase, and the round's last commitment ends the phase
//!    otherwise. The reveal phase is the resolution window. In Zk mode the operators commit to their
//!    proofs and, in the proving phase that takes the reveal phase's place, submit them to
//!    `pallet-zk-verifier` (`zk.rs`); the first valid one settles the task. A Zk round with one
//!    assigned operator commits to nothing: there is no one to copy its proof. In TEE mode only
//!    operators with an enclave allowed for the model claim, nothing is committed, and in the
//!    attesting phase the first result its enclave signed settles the task
//!    ([`Pallet::submit_attested_result`], `tee.rs`).
//! 5. **Resolution** (PoS+W): with R the most frequent output (n reveals), m the reveals of
//!    anything else and A the operators assigned to the task (silent ones count in A, not in m),
//!    R is correct when n > 10·m or 100·n > 66·A. Then every operator that revealed something
//!    else is reported to pallet-operators for `WrongResult` (liquidation, up to all of its
//!    collateral, as governance sets), every one that committed and withheld its reveal for
//!    what cheating costs in the task's mode, every one that never committed for `Offline`, and
//!    the fee is shared by the operators that revealed R; the liquidated collateral reaches this
//!    pallet through [`aos_operators_primitives::OnSlashApplied`] once the slash's veto window
//!    has passed and is shared by them too: the task's verification reward pool. If the rule
//!    does not hold, the task escalates: a new round samples twice as many further verifiers,
//!    and the decision is taken again over all reveals. After the last round it ends
//!    `Undecided`: the fee is refunded and no one is slashed for the result (withheld reveals
//!    are). Resolution happens at the end of the window, or as soon as every operator of the
//!    round has revealed (nothing can change any more).
//! 6. [`Pallet::work`] carries one operator's claims, commitments and reveals of many tasks in
//!    one transaction, each item checked and charged as its call and failing alone.
//! 7. Ended tasks stay readable (storage, [`Event`]s, the runtime API) for `retention` blocks,
//!    then are pruned and their deposit returned.
//!
//! Deadlines are kept in an agenda that `on_initialize` works through, at most
//! `MaxAgendaPerBlock` tasks a block (and `on_idle` more), carrying any excess to the next
//! block: with at most `MaxLiveTasks` tasks in flight, no deadline is handled more than
//! `MaxLiveTasks / MaxAgendaPerBlock` blocks late. Ended tasks' pool payouts and pruning are
//! done apart, with the room blocks have left.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests and benchmark setups may).
#![cfg_attr(
	not(feature = "runtime-benchmarks"),
	deny(clippy::unwrap_used, clippy::indexing_slicing)
)]

extern crate alloc;

pub mod types;
pub mod weights;

mod agenda;
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod invariants;
pub mod migrations;
mod optimistic;
mod registry;
pub mod resolution;
mod tasks;
mod tee;
mod zk;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use resolution::{Decided, Tally};
pub use types::*;
pub use weights::WeightInfo;

/// The number of registered operators `claim` is charged for: the most its benchmark measured.
/// A claim reads a fixed number of storage items whatever the number of operators; what grows
/// with it is only the depth of the operators map's trie (docs/PERFORMANCE.md).
pub const CLAIM_WEIGHT_OPERATORS: u32 = 10_000;

pub(crate) const LOG_TARGET: &str = "runtime::inference";

use frame_support::traits::fungible;
use frame_system::pallet_prelude::BlockNumberFor;

type AccountIdOf<T> = <T as frame_system::Config>::AccountId;
/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as fungible::Inspect<AccountIdOf<T>>>::Balance;
/// Funds taken by a slash, on their way somewhere.
pub type CreditOf<T> = fungible::Credit<AccountIdOf<T>, <T as Config>::Currency>;
/// The pallet's parameters.
pub type ParamsOf<T> = Params<BlockNumberFor<T>, BalanceOf<T>>;
/// A task's input.
pub type TaskInputOf<T> = TaskInput<<T as Config>::MaxInputLen, <T as Config>::MaxUriLen>;
/// A stored reveal.
pub type RevealOf<T> =
	Reveal<<T as Config>::MaxTopK, <T as Config>::MaxSamples, <T as Config>::MaxIntermediates>;
/// One step of an operator's work, in [`Pallet::work`].
pub type WorkItemOf<T> =
	WorkItem<<T as Config>::MaxTopK, <T as Config>::MaxSamples, <T as Config>::MaxIntermediates>;
/// A task's assignments.
pub type ClaimsOf<T> = frame_support::BoundedVec<Claim<AccountIdOf<T>>, <T as Config>::MaxClaims>;
/// The claims of a task's current tranche, waiting to be ranked.
pub type CandidatesOf<T> =
	frame_support::BoundedVec<Candidate<AccountIdOf<T>, BalanceOf<T>>, <T as Config>::MaxClaims>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use aos_operators_primitives::{
		OnSlashApplied, OperatorRegistry, RewardOperator, SlashOperator,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Balanced, Mutate, MutateHold},
			Randomness,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A registered model's deposit.
		ModelDeposit,
		/// A task's fee, in escrow until the task ends.
		TaskFee,
		/// A task's storage deposit, returned when it is pruned.
		TaskDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The currency fees, deposits and rewards are paid in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Balanced<Self::AccountId>;

		/// The operator set: who may take tasks, and how they are slashed and paid.
		type Operators: OperatorRegistry<Self::AccountId, BalanceOf<Self>, BlockNumberFor<Self>>
			+ SlashOperator<Self::AccountId>
			+ RewardOperator<Self::AccountId, BalanceOf<Self>>;

		/// The VRF randomness of the parent block (BABE's `ParentBlockRandomness`): the value and
		/// the block it comes from.
		type Randomness: Randomness<Option<Self::Hash>, BlockNumberFor<Self>>;

		/// Changes parameters and bans models.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Receives slashed funds that are not a task's verification reward pool (offline
		/// reports, or a liquidation whose task was already pruned).
		type OnUnclaimedSlash: OnSlashApplied<Self::AccountId, CreditOf<Self>>;

		/// Derives the escrow account fees pass through when they are paid out.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Held from a model's owner while it is registered.
		#[pallet::constant]
		type ModelDeposit: Get<BalanceOf<Self>>;

		/// Held from a task's owner until the task is pruned: what its storage (the task, its
		/// claims and reveals) costs.
		#[pallet::constant]
		type TaskDeposit: Get<BalanceOf<Self>>;

		/// Most tasks not ended at once: admission control. With at most
		/// [`Config::MaxAgendaPerBlock`] deadlines handled per block, no deadline is handled
		/// more than `MaxLiveTasks / MaxAgendaPerBlock` blocks late, however tasks are
		/// submitted.
		#[pallet::constant]
		type MaxLiveTasks: Get<u32>;

		/// Most layers of a model (the kernel allows 16).
		#[pallet::constant]
		type MaxLayers: Get<u32>;

		/// Longest period governance may set.
		#[pallet::constant]
		type MaxPeriod: Get<BlockNumberFor<Self>>;

		/// Longest model or input URI, in bytes.
		#[pallet::constant]
		type MaxUriLen: Get<u32>;

		/// Longest inline input, in int8 values.
		#[pallet::constant]
		type MaxInputLen: Get<u32>;

		/// Most operators assigned to one task, over all its rounds.
		#[pallet::constant]
		type MaxClaims: Get<u32>;

		/// The selections a round's first claim tranche targets at least, whatever the task's k
		/// ([`Pallet::selection_target`]). A task with k = 1 (Zk, TEE, optimistic) targeting one
		/// selection finds no operator in its first tranche about e⁻¹ (37 %) of the time, and
		/// waits a claim period for the next; with 3, about e⁻³ (5 %) of the time, never among
		/// three operators of equal stake. The price: the extra selected operators' claims
		/// (charged to them) and, where they compute before claiming, their work.
		#[pallet::constant]
		type MinSelections: Get<u32>;

		/// Most top classes a task may ask for.
		#[pallet::constant]
		type MaxTopK: Get<u32>;

		/// Most draws an operator reports per task.
		#[pallet::constant]
		type MaxSamples: Get<u32>;

		/// Most intermediates an operator reports per task.
		#[pallet::constant]
		type MaxIntermediates: Get<u32>;

		/// Most deadlines `on_initialize` handles in one block (more are handled by `on_idle`
		/// when the block has room, or by the next block).
		#[pallet::constant]
		type MaxAgendaPerBlock: Get<u32>;

		/// Most items in one [`Pallet::work`] call.
		#[pallet::constant]
		type MaxWorkItems: Get<u32>;

		/// Where a claim's sr25519 VRF signature is checked: natively through the node's host
		/// function (`aos-vrf-host`), or in wasm ([`aos_inference_primitives::PureVrf`]).
		type Vrf: aos_inference_primitives::SamplingVrf;

		/// Which models have a zk verifying key: Zk-mode tasks are taken only for those
		/// (`pallet-zk-verifier`; `()` for none).
		type ZkModels: aos_inference_primitives::zk::ZkModels;

		/// Which operators have enclaves allowed for a model, and whether an enclave signed a
		/// result: TEE-mode tasks go only to those (`pallet-tee`; `()` for none).
		type Enclaves: aos_inference_primitives::tee::TeeEnclaves<Self::AccountId>;

		/// Holds optimistic-mode results through their challenge period and disputes
		/// (`pallet-opml`; `()` refuses optimistic tasks).
		type Disputes: aos_inference_primitives::optimistic::OptimisticDisputes<
			BlockNumberFor<Self>,
		>;

		/// Told of every task that settles with a result (the bridge's checkpoints,
		/// `pallet-checkpoints`; `()` for none). Its weight is charged with every decision.
		type OnSettled: aos_inference_primitives::settlement::OnTaskSettled;

		/// The parameters at genesis when the genesis config gives none.
		type DefaultParams: Get<ParamsOf<Self>>;

		/// Weights of the calls and hooks.
		type WeightInfo: WeightInfo;

		/// Makes operators, slashing and parent-block randomness for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId, BalanceOf<Self>>;
	}

	/// Registered models, by content hash.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Identity, ModelId, ModelInfo<T>>;

	/// Tasks, by id.
	#[pallet::storage]
	pub type Tasks<T: Config> = StorageMap<_, Twox64Concat, TaskId, TaskInfo<T>>;

	/// The id the next task gets.
	#[pallet::storage]
	pub type NextTaskId<T: Config> = StorageValue<_, TaskId, ValueQuery>;

	/// Each task's assigned operators and their commitments and outputs.
	#[pallet::storage]
	pub type Claims<T: Config> = StorageMap<_, Twox64Concat, TaskId, ClaimsOf<T>, ValueQuery>;

	/// Each task's claims in its current tranche, assigned by rank when the tranche ends.
	#[pallet::storage]
	pub type Candidates<T: Config> =
		StorageMap<_, Twox64Concat, TaskId, CandidatesOf<T>, ValueQuery>;

	/// Tasks not ended: what admission control counts.
	#[pallet::storage]
	pub type LiveTasks<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Ended tasks' work: reward-pool payouts and pruning, by block. Not deadlines, so it is
	/// done with the room a block has left (`on_idle`), and a few entries per block besides.
	#[pallet::storage]
	pub type Expiries<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, TaskId, (), OptionQuery>;

	/// The earliest block whose expiries may still hold entries.
	#[pallet::storage]
	pub type ExpiryCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Proofs that settled a task not pruned yet, by their hash: a proof is not accepted twice.
	#[pallet::storage]
	pub type ProvedProofs<T: Config> = StorageMap<_, Identity, H256, TaskId, OptionQuery>;

	/// Each assigned operator's revealed evidence.
	#[pallet::storage]
	pub type Reveals<T: Config> =
		StorageDoubleMap<_, Twox64Concat, TaskId, Blake2_128Concat, T::AccountId, RevealOf<T>>;

	/// Tasks by owner, for reads (RPC "tasks of an account").
	#[pallet::storage]
	pub type TasksByOwner<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, TaskId, (), OptionQuery>;

	/// Deadlines: the tasks that need attention at a block.
	#[pallet::storage]
	pub type Agenda<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, TaskId, (), OptionQuery>;

	/// The earliest block whose agenda may still hold entries.
	#[pallet::storage]
	pub type AgendaCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The parameters.
	#[pallet::storage]
	pub type Parameters<T: Config> = StorageValue<_, ParamsOf<T>, ValueQuery, T::DefaultParams>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters; `None` for [`Config::DefaultParams`].
		pub params: Option<ParamsOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = self.params {
				Parameters::<T>::put(params);
			}
			// Against the operator set's slashing periods too, built before this pallet.
			if let Err(e) = Pallet::<T>::check_params(&Parameters::<T>::get()) {
				panic!("invalid inference parameters in genesis: {e:?}");
			}
			Pallet::<T>::ensure_escrow_account();
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was registered.
		ModelRegistered { model: ModelId, owner: T::AccountId, commitment: H256 },
		/// A model was deregistered by its owner; its deposit was returned.
		ModelDeregistered { model: ModelId },
		/// Governance banned a model.
		ModelBanned { model: ModelId },
		/// A task was submitted; its fee is held.
		TaskSubmitted {
			task: TaskId,
			owner: T::AccountId,
			model: ModelId,
			fee: BalanceOf<T>,
			redundancy: u8,
		},
		/// A task's sampling randomness is fixed, from the VRF of block `from`.
		RandomnessFixed { task: TaskId, randomness: H256, from: BlockNumberFor<T> },
		/// Claims are open (a new round or tranche), until block `until`.
		ClaimsOpen { task: TaskId, round: u8, tranche: u8, until: BlockNumberFor<T> },
		/// An operator proved its selection: it is a candidate until the tranche ends.
		Claimed { task: TaskId, operator: T::AccountId, round: u8 },
		/// A candidate ranked among the task's wanted operators and is assigned to it.
		Assigned { task: TaskId, operator: T::AccountId, round: u8 },
		/// Claimants commit until `until`.
		CommitPhase { task: TaskId, round: u8, until: BlockNumberFor<T> },
		/// An operator committed to its result.
		Committed { task: TaskId, operator: T::AccountId },
		/// Claimants reveal until `until`: the resolution window (redundancy mode).
		RevealPhase { task: TaskId, round: u8, until: BlockNumberFor<T> },
		/// Claimants submit the proofs they committed to until `until`: the resolution window
		/// (Zk mode).
		ProofPhase { task: TaskId, round: u8, until: BlockNumberFor<T> },
		/// Claimants submit results signed by their enclaves until `until`: the resolution
		/// window (TEE mode).
		AttestationPhase { task: TaskId, round: u8, until: BlockNumberFor<T> },
		/// The assigned operator posts its result to `pallet-opml` until `until`: the
		/// resolution window (optimistic mode).
		PostingPhase { task: TaskId, round: u8, until: BlockNumberFor<T> },
		/// An optimistic result was posted: the task waits for its challenge period.
		ResultPosted { task: TaskId, operator: T::AccountId, round: u8 },
		/// An optimistic result lost a dispute: its operator was reported (`DisputeLost`).
		ResultOverturned { task: TaskId, operator: T::AccountId },
		/// An operator's result, signed by its enclave, was checked: it settles the task.
		ResultAttested { task: TaskId, operator: T::AccountId, output: H256 },
		/// An operator submitted a result its enclave did not sign, and was reported
		/// (`AttestationInvalid`).
		AttestationRejected { task: TaskId, operator: T::AccountId },
		/// An operator revealed its result.
		Revealed { task: TaskId, operator: T::AccountId, output: H256 },
		/// The rule held: `output` is the task's result.
		TaskSettled { task: TaskId, output: H256, agreeing: u32, conflicting: u32, assigned: u32 },
		/// The rule did not hold: a new round of verifiers is sampled.
		TaskEscalated { task: TaskId, round: u8, agreeing: u32, conflicting: u32, assigned: u32 },
		/// No result won after the last round (or no operator took the task): the fee was
		/// refunded, no one was slashed.
		TaskUndecided { task: TaskId },
		/// An operator that revealed a conflicting result was reported for liquidation.
		OperatorLiquidated { task: TaskId, operator: T::AccountId },
		/// An assigned operator that did not commit was reported as offline.
		OperatorSilent { task: TaskId, operator: T::AccountId },
		/// An assigned operator committed and did not reveal: reported for what cheating costs
		/// in the task's mode.
		RevealWithheld { task: TaskId, operator: T::AccountId },
		/// A Zk-mode task settled on a proof that the chain verified.
		TaskProved { task: TaskId, operator: T::AccountId, output: H256 },
		/// An assigned operator submitted a proof that does not verify, and was reported.
		InvalidProofReported { task: TaskId, operator: T::AccountId },
		/// An operator was paid for revealing a task's result.
		OperatorPaid { task: TaskId, operator: T::AccountId, amount: BalanceOf<T> },
		/// A payout that could not be made went back to the task's owner (`to_owner`) or was
		/// burned, rather than stay in escrow.
		PayoutSwept { task: TaskId, amount: BalanceOf<T>, to_owner: bool },
		/// Liquidated collateral reached a task's verification reward pool.
		PoolFunded { task: TaskId, amount: BalanceOf<T> },
		/// An ended task was pruned.
		TaskPruned { task: TaskId },
		/// Governance changed the parameters.
		ParametersChanged { params: ParamsOf<T> },
		/// Item `index` of `operator`'s [`Pallet::work`] call failed with `error` and changed
		/// nothing; the call's other items stand.
		WorkItemFailed { operator: T::AccountId, index: u32, task: TaskId, error: DispatchError },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A model with this content hash is registered (or banned).
		ModelExists,
		/// No such model.
		UnknownModel,
		/// Only the model's owner may do this.
		NotModelOwner,
		/// The model is banned.
		ModelBanned,
		/// The model's kernel version is not the one this runtime runs.
		UnsupportedKernelVersion,
		/// A model needs at least one layer.
		NoLayers,
		/// A layer's width is 0 or above the kernel's `MAX_WIDTH`.
		WidthOutOfRange,
		/// Each layer's inputs must be the previous layer's outputs (the first's, the model's
		/// input width).
		LayersDoNotChain,
		/// A model must allow at least one verification mode.
		NoModeAllowed,
		/// A mode bit that names no verification mode.
		UnknownMode,
		/// The model does not allow this verification mode.
		ModeNotAllowed,
		/// This verification mode is not available in this runtime, or the call is not this
		/// mode's.
		ModeNotSupported,
		/// Only operators with a live enclave allowed for the model may claim a TEE-mode task or
		/// submit its result (none registered, expired, revoked, or its image revoked or not
		/// allowed for the model).
		NoEnclave,
		/// The task is not a TEE-mode task.
		NotTeeTask,
		/// The task is not taking enclave-signed results now.
		NotAttesting,
		/// A Zk-mode task needs a model with a linked verifying key.
		NoVerifyingKey,
		/// A Zk-mode task needs its input inline (the proof's public instances carry it), and so
		/// does an optimistic one (a dispute's one-step check reads it).
		InlineInputRequired,
		/// The inline input's length is not the model's input width.
		InputWidthMismatch,
		/// k must be at least 1 and at most the `max_redundancy` parameter (exactly 1 in
		/// optimistic mode).
		RedundancyOutOfRange,
		/// Top-k must be 1 to the model's outputs (and `MaxTopK`).
		TopKOutOfRange,
		/// The fee is below the model's price times k.
		FeeTooLow,
		/// Not enough free funds for the fee or the deposit.
		InsufficientFunds,
		/// No such task.
		UnknownTask,
		/// The task is not taking claims now.
		NotClaiming,
		/// The caller may not take tasks now (not an active, online operator with enough
		/// collateral).
		NotEligible,
		/// The caller's VRF key was registered after the task's randomness was known.
		VrfKeyTooNew,
		/// The VRF signature does not verify for the caller's registered key, this task and its
		/// randomness.
		VrfProofInvalid,
		/// The VRF output is above the caller's selection threshold.
		NotSelected,
		/// The caller has claimed this task already.
		AlreadyClaimed,
		/// The task has all the claims it takes this round.
		ClaimsFull,
		/// The caller is not assigned to this task.
		NotAssigned,
		/// The task is not in its commit phase, or the caller's claim is not from this round.
		NotCommitting,
		/// The caller has committed already.
		AlreadyCommitted,
		/// The task is not in its reveal phase.
		NotRevealing,
		/// The caller did not commit, or has revealed already.
		NothingToReveal,
		/// The reveal does not match the commitment.
		CommitmentMismatch,
		/// The proof-of-work nonce does not meet the difficulty.
		ProofOfWorkTooWeak,
		/// The reveal's top classes, samples or intermediates do not have the task's shape, or
		/// the intermediates are not at the positions the kernel chooses for this operator.
		RevealShapeMismatch,
		/// Parameter `randomness_delay` below `MIN_RANDOMNESS_DELAY` (2).
		ParamRandomnessDelayTooShort,
		/// A period parameter is zero.
		ParamZeroPeriod,
		/// A period parameter exceeds `MaxPeriod`.
		ParamPeriodTooLong,
		/// Parameter `max_tranches` is 0 or above `MAX_TRANCHES` (8).
		ParamTranchesOutOfRange,
		/// Parameter `max_rounds` is 0 or above `MAX_ROUNDS` (4).
		ParamRoundsOutOfRange,
		/// Parameter `pow_difficulty` above `MAX_POW_DIFFICULTY` (24).
		ParamPowDifficultyTooHigh,
		/// Parameter `max_redundancy` is 0 or above `MaxClaims`.
		ParamMaxRedundancyOutOfRange,
		/// Parameter `samples` above `MaxSamples`.
		ParamTooManySamples,
		/// Parameter `intermediates` above `MaxIntermediates`.
		ParamTooManyIntermediates,
		/// Parameter `min_fee` is zero: tasks would be free for operators to compute.
		ParamZeroMinFee,
		/// A task's longest life plus the slash deferral does not fit in the operators'
		/// unbonding period: a liar could unbond and leave before its slash lands.
		ParamTaskOutlivesUnbonding,
		/// Parameter `retention` not longer than the slash deferral: a liquidation would find
		/// its task pruned and miss the reward pool.
		ParamRetentionWithinDeferral,
		/// No longer returned (until spec 109 submissions were capped per block; admission
		/// control by [`Config::MaxLiveTasks`] is what bounds deadlines' lateness).
		AgendaFull,
		/// The chain has as many tasks in flight as it takes (`MaxLiveTasks`); submit when some
		/// have ended.
		TooManyTasks,
		/// The model has tasks that have not ended.
		ModelInUse,
		/// The caller's claim is not from the task's current round.
		WrongRound,
		/// A claim's commitment in a mode that commits to nothing (TEE, optimistic).
		NothingToCommit,
		/// A reveal work item's `claims` witness is below the task's number of claims: it was
		/// charged for resolving fewer claims than the task has.
		ClaimsAboveWitness,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::process_agenda(now)
		}

		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::process_idle(now, remaining)
		}

		fn integrity_test() {
			assert!(T::MaxAgendaPerBlock::get() > 0, "deadlines must progress");
			assert!(T::MaxLiveTasks::get() > 0, "tasks must be admitted");
			assert!(
				Pallet::<T>::check_own_params(&T::DefaultParams::get()).is_ok(),
				"DefaultParams must be valid"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a model by its content hash. `layers` are its layers' shapes and Merkle
		/// roots (kernel spec §4), from which the model commitment is computed; `modes` is a
		/// set of [`VerificationMode::bit`]s; `price` is the least fee per assigned operator.
		/// Holds [`Config::ModelDeposit`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_model(layers.len() as u32))]
		#[allow(clippy::too_many_arguments)]
		pub fn register_model(
			origin: OriginFor<T>,
			model: ModelId,
			kernel_version: u16,
			inputs: u32,
			layers: BoundedVec<LayerCommitment, T::MaxLayers>,
			uri: BoundedVec<u8, T::MaxUriLen>,
			modes: u8,
			price: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_model(who, model, kernel_version, inputs, layers, uri, modes, price)
		}

		/// Deregisters the caller's model and returns its deposit; its verifying key link goes
		/// too. Refused while the model has tasks that have not ended.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::deregister_model())]
		pub fn deregister_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deregister_model(who, model)
		}

		/// Bans a model (governance): it takes no new tasks and cannot be registered again; its
		/// deposit is returned to its owner and its verifying key link removed. Tasks already
		/// submitted run to their end on what they snapshotted.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::ban_model())]
		pub fn ban_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_ban_model(model)
		}

		/// Submits a task: `fee` is held until the task ends, [`Config::TaskDeposit`] until it
		/// is pruned, and the `base_fee` parameter is burned. `redundancy` is k, the operators
		/// wanted; `sampling` the top-k and temperature of the kernel's sampler.
		#[pallet::call_index(3)]
		#[pallet::weight({
			// A Zk-mode task also reads the model's link and holds its verifying key.
			let zk = if *mode == VerificationMode::Zk {
				T::DbWeight::get().reads_writes(2, 1)
			} else {
				Weight::zero()
			};
			// Charged at the input's own size: an inline input's values, or a remote one's
			// URI and hash.
			let size = match input {
				TaskInput::Inline(values) => values.len() as u32,
				TaskInput::Remote { uri, .. } => (uri.len() as u32).saturating_add(32),
			};
			T::WeightInfo::submit_task(size.clamp(1, T::MaxInputLen::get())).saturating_add(zk)
		})]
		pub fn submit_task(
			origin: OriginFor<T>,
			model: ModelId,
			input: TaskInputOf<T>,
			fee: BalanceOf<T>,
			mode: VerificationMode,
			redundancy: u8,
			sampling: SamplingParams,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_task(who, model, input, fee, mode, redundancy, sampling)
		}

		/// Claims a task with the caller's VRF signature over (task, randomness): `pre_output`
		/// and `proof` are the 32- and 64-byte parts of an sr25519 `VrfSignature`. A selected
		/// claim is a candidate; when the tranche ends, the best-ranked candidates are assigned.
		#[pallet::call_index(4)]
		#[pallet::weight(Pallet::<T>::claim_weight())]
		pub fn claim(
			origin: OriginFor<T>,
			task: TaskId,
			pre_output: [u8; 32],
			proof: [u8; 64],
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Ok(Some(Self::do_claim(who, task, pre_output, proof, None)?).into())
		}

		/// Commits to a result: [`aos_inference_primitives::result_commitment`] (in Zk mode, to a
		/// proof: [`aos_inference_primitives::zk::proof_commitment`]).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::commit())]
		pub fn commit(
			origin: OriginFor<T>,
			task: TaskId,
			commitment: H256,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Ok(Some(Self::do_commit(who, task, commitment)?).into())
		}

		/// Reveals a committed result: the output digest, the top classes, the operator's own
		/// samples and intermediates (kernel spec §5–7), the commitment's salt and a
		/// proof-of-work nonce, in the round the caller was assigned in. The last reveal of a
		/// task resolves it at once.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::reveal()
			.saturating_add(T::WeightInfo::resolve(T::MaxClaims::get()))
			.saturating_add(Pallet::<T>::settled_weight()))]
		#[allow(clippy::too_many_arguments)]
		pub fn reveal(
			origin: OriginFor<T>,
			task: TaskId,
			output: H256,
			top: BoundedVec<u32, T::MaxTopK>,
			samples: BoundedVec<u32, T::MaxSamples>,
			intermediates: BoundedVec<(u64, i32), T::MaxIntermediates>,
			salt: [u8; 32],
			pow_nonce: u64,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let reveal = Reveal { output, top, samples, intermediates, pow_nonce };
			let resolved_with = Self::do_reveal(who, task, output, reveal, salt)?;
			let weight = T::WeightInfo::reveal()
				.saturating_add(resolved_with.map_or(Weight::zero(), Self::resolve_weight));
			Ok(Some(weight).into())
		}

		/// Submits a TEE-mode result: the output digest and top classes the caller's enclave
		/// computed, and the enclave key's ed25519 signature over
		/// [`aos_inference_primitives::tee::result_message`] of the task, its model, its
		/// input's hash and the result. A result that checks settles the task; one whose
		/// signature does not is reported (`AttestationInvalid`). Refused while the caller has
		/// no live enclave allowed for the model.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::submit_attested_result(T::MaxClaims::get())
			.max(T::WeightInfo::submit_rejected_result().saturating_add(T::WeightInfo::resolve(T::MaxClaims::get())))
			.saturating_add(Pallet::<T>::settled_weight()))]
		pub fn submit_attested_result(
			origin: OriginFor<T>,
			task: TaskId,
			output: H256,
			top: BoundedVec<u32, T::MaxTopK>,
			signature: [u8; 64],
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let weight = match Self::do_submit_attested_result(who, task, output, top, signature)? {
				tee::Attested::Settled(claims) => T::WeightInfo::submit_attested_result(claims)
					.saturating_add(Self::settled_weight()),
				tee::Attested::Rejected(decided) => T::WeightInfo::submit_rejected_result()
					.saturating_add(decided.map_or(Weight::zero(), T::WeightInfo::resolve))
					.saturating_add(Self::settled_weight()),
			};
			Ok(Some(weight).into())
		}

		/// An operator's work on many tasks in one transaction: claims (with the commitment
		/// when the result is computed already), commitments and reveals, each checked and
		/// charged as the call of the same name, the transaction's base cost and signature paid
		/// once. An item that fails changes nothing and is reported
		/// ([`Event::WorkItemFailed`]); the others stand. Charged in advance as if every reveal
		/// resolved its task with the number of claims its item declares (`claims`, a witness
		/// checked against the task), refunded to what the items did.
		#[pallet::call_index(9)]
		#[pallet::weight(Pallet::<T>::work_weight(items))]
		pub fn work(
			origin: OriginFor<T>,
			items: BoundedVec<WorkItemOf<T>, T::MaxWorkItems>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Ok(Some(Self::do_work(who, items)).into())
		}

		/// Sets the parameters (governance).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, params: ParamsOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::check_params(&params)?;
			Parameters::<T>::put(params);
			Self::deposit_event(Event::ParametersChanged { params });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// What `claim` is charged: its benchmark at [`CLAIM_WEIGHT_OPERATORS`], and the
		/// enclave lookup a TEE-mode claim makes.
		pub fn claim_weight() -> Weight {
			use aos_inference_primitives::tee::TeeEnclaves;
			T::WeightInfo::claim(CLAIM_WEIGHT_OPERATORS)
				.saturating_add(T::Enclaves::may_run_weight())
		}

		/// The account fees pass through on their way to operators.
		pub fn escrow_account() -> T::AccountId {
			use sp_runtime::traits::AccountIdConversion;
			T::PalletId::get().into_account_truncating()
		}

		/// Makes the escrow account exist without a balance of its own, so that fees passing
		/// through it need not cover the existential deposit.
		pub(crate) fn ensure_escrow_account() {
			let account = Self::escrow_account();
			if !frame_system::Pallet::<T>::account_exists(&account) {
				let _ = frame_system::Pallet::<T>::inc_providers(&account);
			}
		}

		/// Up to `limit` (at most 1,000) ids of `owner`'s tasks that are not pruned, in storage
		/// order, starting after `after`: pages for the runtime API.
		pub fn tasks_of(owner: &T::AccountId, after: Option<TaskId>, limit: u32) -> Vec<TaskId> {
			let limit = limit.min(aos_inference_primitives::MAX_TASKS_PAGE) as usize;
			let ids = match after {
				Some(last) => TasksByOwner::<T>::iter_key_prefix_from(
					owner,
					TasksByOwner::<T>::hashed_key_for(owner, last),
				),
				None => TasksByOwner::<T>::iter_key_prefix(owner),
			};
			ids.take(limit).collect()
		}

		/// Checks parameters against their bounds and against the operator set's slashing
		/// periods (see [`OffenceReporting`](aos_operators_primitives::OffenceReporting)).
		pub fn check_params(p: &ParamsOf<T>) -> Result<(), Error<T>> {
			use sp_runtime::traits::Saturating;
			Self::check_own_params(p)?;
			let slashing = T::Operators::slash_periods();
			// A slash reported at the end of a task's life must still find the stake bonded.
			ensure!(
				slashing.unbonding > Self::max_task_life(p).saturating_add(slashing.defer),
				Error::<T>::ParamTaskOutlivesUnbonding
			);
			// It must also be applied while the task still routes its funds to the reward pool.
			ensure!(p.retention > slashing.defer, Error::<T>::ParamRetentionWithinDeferral);
			Ok(())
		}

		/// Checks parameters against each other and the pallet's bounds.
		pub fn check_own_params(p: &ParamsOf<T>) -> Result<(), Error<T>> {
			let bounds = ParamBounds {
				max_period: T::MaxPeriod::get(),
				max_claims: T::MaxClaims::get(),
				max_samples: T::MaxSamples::get(),
				max_intermediates: T::MaxIntermediates::get(),
			};
			p.validate(&bounds).map_err(|e| match e {
				ParamsError::RandomnessDelayTooShort => Error::<T>::ParamRandomnessDelayTooShort,
				ParamsError::ZeroPeriod => Error::<T>::ParamZeroPeriod,
				ParamsError::PeriodTooLong => Error::<T>::ParamPeriodTooLong,
				ParamsError::TranchesOutOfRange => Error::<T>::ParamTranchesOutOfRange,
				ParamsError::RoundsOutOfRange => Error::<T>::ParamRoundsOutOfRange,
				ParamsError::PowDifficultyTooHigh => Error::<T>::ParamPowDifficultyTooHigh,
				ParamsError::MaxRedundancyOutOfRange => Error::<T>::ParamMaxRedundancyOutOfRange,
				ParamsError::TooManySamples => Error::<T>::ParamTooManySamples,
				ParamsError::TooManyIntermediates => Error::<T>::ParamTooManyIntermediates,
				ParamsError::ZeroMinFee => Error::<T>::ParamZeroMinFee,
			})
		}

		/// The longest a task lives from submission to its last decision, deadlines handled
		/// late included: how long after an offence it may be reported.
		pub fn max_task_life(p: &ParamsOf<T>) -> BlockNumberFor<T> {
			use sp_runtime::traits::Saturating;
			let tranches = BlockNumberFor::<T>::from(u32::from(p.max_tranches));
			let round = p
				.claim_period
				.saturating_mul(tranches)
				.saturating_add(p.commit_period)
				.saturating_add(p.resolution_window);
			let rounds = BlockNumberFor::<T>::from(u32::from(p.max_rounds));
			// Each deadline (randomness, tranches, commit, reveal) may be handled late by at most
			// the agenda's backlog bound.
			let deadlines = 1u32.saturating_add(
				u32::from(p.max_rounds).saturating_mul(u32::from(p.max_tranches).saturating_add(2)),
			);
			let lateness = Self::max_deadline_lateness().saturating_mul(deadlines.into());
			p.randomness_delay.saturating_add(round.saturating_mul(rounds)).saturating_add(lateness)
		}

		/// The most blocks a deadline is handled late: every task not ended has one deadline,
		/// and `on_initialize` handles `MaxAgendaPerBlock` of them a block in deadline order.
		pub fn max_deadline_lateness() -> BlockNumberFor<T> {
			let per_block = T::MaxAgendaPerBlock::get().max(1);
			T::MaxLiveTasks::get().div_ceil(per_block).into()
		}
	}

	impl<T: Config> aos_operators_primitives::OffenceReporting<BlockNumberFor<T>> for Pallet<T> {
		fn max_report_delay() -> BlockNumberFor<T> {
			use aos_inference_primitives::optimistic::OptimisticDisputes;
			// A lost dispute is reported after the task's own deadlines, counted from the
			// posted result.
			Self::max_task_life(&Parameters::<T>::get()).max(T::Disputes::max_report_delay())
		}
		fn min_routing_window() -> BlockNumberFor<T> {
			Parameters::<T>::get().retention
		}
	}

	impl<T: Config> OnSlashApplied<T::AccountId, CreditOf<T>> for Pallet<T> {
		fn on_slash_applied(
			id: aos_operators_primitives::SlashId,
			offender: &T::AccountId,
			kind: aos_operators_primitives::OffenceKind,
			reference: Option<aos_operators_primitives::OffenceReference>,
			credit: CreditOf<T>,
		) {
			Self::route_slash(id, offender, kind, reference, credit)
		}

		fn on_slash_applied_weight() -> Weight {
			T::WeightInfo::route_slash()
		}
	}
}
