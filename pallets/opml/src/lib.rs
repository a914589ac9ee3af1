//! # OPML dispute pallet
//!
//! Optimistic verification of inference: one operator's result stands unless someone proves it
//! wrong. An optimistic-mode task (`pallet-inference`) goes to one VRF-sampled operator, the
//! **defender**, which posts here ([`Pallet::post_result`]) its logits and a **trace
//! commitment**: the Merkle root over the roots of every layer's activations on the task's input
//! (kernel spec §4.1). The chain derives the output digest and top classes from the logits
//! itself and checks them against the trace, so the result and the trace it is disputed over
//! cannot disagree. A bond is held from the defender.
//!
//! ## Challenges and games
//!
//! Until the challenge period ends, anyone may [`Pallet::challenge`] the result with a bond: a
//! **game** between the defender and that challenger opens. Several challengers (at most
//! `max_challengers`) each play their own game; the result stands only if it survives all of
//! them. A game walks down the defender's trees, the defender opening and the challenger
//! pointing:
//!
//! 1. **Layers**: the posted result carries every layer's activation root (at most 16; the
//!    trace commitment is the tree over them). The challenger names, with its challenge, the
//!    first layer whose root it disagrees with: every layer before it is agreed.
//! 2. **Neurons**: down that layer's activation tree the defender opens a node's two children
//!    ([`Pallet::defend`]) and the challenger picks the one it says is wrong
//!    ([`Pallet::choose`]), to one neuron, whose value the defender then opens.
//! 3. **One step** ([`Pallet::one_step`]): the challenger gives the layer's input (the task's
//!    input for the first layer; otherwise the previous layer's activations, which must make
//!    the defender's own root of that layer) and the neuron's weights, bias and output rule
//!    (opened against the layer's weight root, bound by the task's model commitment). The
//!    runtime recomputes the neuron with the kernel; the challenger wins if the defender's
//!    value differs.
//!
//! A dishonest defender cannot escape: its first wrong layer has a wrong leaf under it (or a
//! node it cannot open, and its clock runs out), and that leaf's neuron, recomputed from the
//! agreed input and the registered weights, differs from it. An honest one cannot lose: every
//! value it opens is what the kernel computes. A game takes at most 2 + 2·log₂(width) moves (26
//! for the widest layer) and keeps O(1) state whatever the model's size. Each player has a **chess clock**: its moves together may take at most
//! `clock` blocks; a player out of time loses, and anyone may call [`Pallet::timeout`]. A move
//! that does not open what the game stands at (a wrong hash, a malformed proof) is refused and
//! changes nothing.
//!
//! ## Outcomes
//!
//! - The challenger loses: its bond goes to the defender (the `burn` share burned); the other
//!   games go on.
//! - The defender loses: its bond goes to that challenger (less the burned share); every other
//!   game ends with its challenger's bond returned; the inference pallet reports the defender
//!   (`DisputeLost`, slashed through pallet-operators) and reassigns the task to a newly
//!   sampled operator, or ends it undecided after its last round.
//! - No game lost by the defender and none open after the challenge period: anyone may
//!   [`Pallet::finalize`] the result; the defender's bond is returned and the task settles on
//!   the result through the inference pallet, which pays the defender the fee.
//!
//! A posted result snapshots the parameters its games play by.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
	not(feature = "runtime-benchmarks"),
	deny(clippy::unwrap_used, clippy::indexing_slicing)
)]

extern crate alloc;

pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
mod game;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible;
use frame_system::pallet_prelude::BlockNumberFor;

pub(crate) const LOG_TARGET: &str = "runtime::opml";

type AccountIdOf<T> = <T as frame_system::Config>::AccountId;
/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as fungible::Inspect<AccountIdOf<T>>>::Balance;
/// The pallet's parameters.
pub type ParamsOf<T> = Params<BlockNumberFor<T>, BalanceOf<T>>;
/// A posted result.
pub type PostedResultOf<T> = PostedResult<
	AccountIdOf<T>,
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxLayers,
	<T as Config>::MaxTopK,
>;
/// A game.
pub type GameOf<T> = Game<BalanceOf<T>, BlockNumberFor<T>>;
/// A one-step move.
pub type OneStepOf<T> = OneStep<<T as Config>::MaxWidth>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aos_inference_primitives::{optimistic::OptimisticTasks, TaskId};
	use aos_operators_primitives::SlashPeriods;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A posted result's bond.
		ResultBond,
		/// A challenger's bond.
		ChallengeBond,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The currency bonds are held and paid in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// Optimistic-mode tasks (`pallet-inference`): which result a task waits for, and what
		/// becomes of it.
		type Tasks: OptimisticTasks<Self::AccountId>;

		/// The operator set's slashing periods: a defender's loss must be reported while its
		/// stake is still bonded.
		type SlashPeriods: Get<SlashPeriods<BlockNumberFor<Self>>>;

		/// Changes the parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Most layers of a model (the kernel allows 16).
		#[pallet::constant]
		type MaxLayers: Get<u32>;

		/// The widest layer (the kernel allows 4,096): the most logits a result posts and the
		/// largest fan-in a one-step check recomputes.
		#[pallet::constant]
		type MaxWidth: Get<u32>;

		/// Most top classes a task may ask for (the inference pallet's bound).
		#[pallet::constant]
		type MaxTopK: Get<u32>;

		/// Most games one result may face: the bound on `max_challengers`.
		#[pallet::constant]
		type MaxChallengers: Get<u32>;

		/// The parameters at genesis when the genesis config gives none.
		type DefaultParams: Get<ParamsOf<Self>>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// Results in their challenge period or disputes, by task.
	#[pallet::storage]
	pub type Results<T: Config> = StorageMap<_, Twox64Concat, TaskId, PostedResultOf<T>>;

	/// Games not ended, by task and challenger.
	#[pallet::storage]
	pub type Games<T: Config> =
		StorageDoubleMap<_, Twox64Concat, TaskId, Blake2_128Concat, T::AccountId, GameOf<T>>;

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
			if let Err(e) = Pallet::<T>::check_params(&Parameters::<T>::get()) {
				panic!("invalid opml parameters in genesis: {e:?}");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A defender posted an optimistic result; it may be challenged until `challenge_until`.
		ResultPosted {
			task: TaskId,
			defender: T::AccountId,
			output: H256,
			trace: H256,
			challenge_until: BlockNumberFor<T>,
		},
		/// A challenger opened a game against a result, disputing layer `layer`'s root.
		Challenged { task: TaskId, challenger: T::AccountId, layer: u32 },
		/// The defender opened the node a game stands at.
		Defended {
			task: TaskId,
			challenger: T::AccountId,
			layer: u32,
			level: u8,
			index: u32,
			opening: Opening,
		},
		/// The challenger chose where the game goes: node `level`, `index` of layer `layer`'s
		/// activation tree.
		Chosen { task: TaskId, challenger: T::AccountId, layer: u32, level: u8, index: u32 },
		/// A game ended: `winner` won it, by the one-step check or on time.
		GameEnded { task: TaskId, challenger: T::AccountId, winner: Player, end: GameEnd },
		/// A game ended with no winner as another overturned the result: its bond was returned.
		GameClosed { task: TaskId, challenger: T::AccountId },
		/// A result survived its challenge period and every game: the task settles on it.
		ResultStood { task: TaskId, defender: T::AccountId, output: H256 },
		/// A result lost a game: the task goes back to the inference pallet.
		ResultOverturned { task: TaskId, defender: T::AccountId, challenger: T::AccountId },
		/// Governance changed the parameters.
		ParametersChanged { params: ParamsOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No such task.
		UnknownTask,
		/// The task is not an optimistic-mode task.
		NotOptimistic,
		/// The task is not waiting for a result now.
		NotPosting,
		/// The caller is not the operator the task waits for.
		NotAssigned,
		/// The layers do not make the task's model commitment.
		ModelMismatch,
		/// The logits are not the last layer's width, or fewer than the task's top-k.
		LogitsMismatch,
		/// Not one activation root per layer, or the last is not the logits' root.
		TraceMismatch,
		/// The model has no such layer.
		NoSuchLayer,
		/// No result of this task is posted.
		NoResult,
		/// The challenge period is over.
		ChallengePeriodOver,
		/// The challenge period is not over, or games are open.
		NotFinal,
		/// The defender cannot challenge its own result.
		OwnResult,
		/// The caller already plays a game against this result.
		AlreadyChallenged,
		/// The result faces as many games as it may.
		TooManyChallengers,
		/// No such game.
		NoGame,
		/// Only the game's defender may open, only its challenger choose or check.
		NotPlayer,
		/// It is the other player's move.
		NotYourTurn,
		/// The mover's clock has run out: the game is lost on time.
		OutOfTime,
		/// The opening does not hash to the node, or is not the kind the node takes (children
		/// of an inner node, the value of a neuron leaf).
		BadOpening,
		/// The game does not stand at a neuron leaf whose value is opened.
		NotAtLeaf,
		/// The layer's input does not have its width, or does not make the defender's root of
		/// the previous layer.
		BadInput,
		/// The neuron's weights do not have the layer's fan-in, or are not its leaf under the
		/// layer's weight root.
		BadWeights,
		/// Neither player's clock has run out.
		NotTimedOut,
		/// A parameter period or the clock is zero.
		ParamZeroPeriod,
		/// A bond parameter is zero.
		ParamZeroBond,
		/// `max_challengers` is zero or above `MaxChallengers`.
		ParamChallengersOutOfRange,
		/// The challenge period and both clocks, with the slash deferral, do not fit in the
		/// operators' unbonding period: a losing defender could leave before its slash lands.
		ParamDisputeOutlivesUnbonding,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				ParamsOf::<T>::validate(&T::DefaultParams::get(), T::MaxChallengers::get()).is_ok(),
				"DefaultParams must be valid"
			);
			assert!(T::MaxWidth::get() <= aos_kernel::model::MAX_WIDTH, "wider than the kernel");
			assert!(T::MaxLayers::get() as usize <= aos_kernel::model::MAX_LAYERS);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Posts the caller's result for optimistic task `task`: its `logits`, every layer's
		/// activation root (`roots`, the last one the logits' own), and the model's `layers`
		/// (checked against the task's model commitment). The trace commitment, the output
		/// digest and the top classes are derived. Holds the result bond.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::post_result(T::MaxWidth::get())
			.saturating_add(T::Tasks::post_weight()))]
		pub fn post_result(
			origin: OriginFor<T>,
			task: TaskId,
			logits: BoundedVec<i32, T::MaxWidth>,
			roots: BoundedVec<H256, T::MaxLayers>,
			layers: BoundedVec<LayerShape, T::MaxLayers>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let n = logits.len() as u32;
			Self::do_post_result(who, task, logits, roots, layers)?;
			Ok(Some(T::WeightInfo::post_result(n).saturating_add(T::Tasks::post_weight())).into())
		}

		/// Challenges `task`'s result with the challenge bond, disputing the activation root of
		/// `layer` (the first the caller disagrees with): opens a game against its defender,
		/// who moves first.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::challenge())]
		pub fn challenge(origin: OriginFor<T>, task: TaskId, layer: u32) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_challenge(who, task, layer)
		}

		/// The defender's move in its game against `challenger`: opens the node the game stands
		/// at (an inner node's children, or a neuron leaf's value).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::defend())]
		pub fn defend(
			origin: OriginFor<T>,
			task: TaskId,
			challenger: T::AccountId,
			opening: Opening,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_defend(who, task, challenger, opening)
		}

		/// The challenger's move: the child (`right` or left) of the opened node it says is
		/// wrong.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::choose())]
		pub fn choose(origin: OriginFor<T>, task: TaskId, right: bool) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_choose(who, task, right)
		}

		/// The challenger's last move, at an opened neuron leaf: the runtime recomputes the
		/// neuron from `step` and ends the game.
		#[pallet::call_index(4)]
		#[pallet::weight(Pallet::<T>::one_step_weight(T::MaxWidth::get())
			.saturating_add(Pallet::<T>::defender_lost_weight()))]
		pub fn one_step(
			origin: OriginFor<T>,
			task: TaskId,
			step: OneStepOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let (fan_in, lost) = Self::do_one_step(who, task, step)?;
			Ok(Some(Self::one_step_weight(fan_in).saturating_add(lost)).into())
		}

		/// Ends `challenger`'s game on `task` if the player to move has run out of time; anyone
		/// may call it.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::timeout()
			.saturating_add(Pallet::<T>::defender_lost_weight()))]
		pub fn timeout(
			origin: OriginFor<T>,
			task: TaskId,
			challenger: T::AccountId,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let lost = Self::do_timeout(task, challenger)?;
			Ok(Some(T::WeightInfo::timeout().saturating_add(lost)).into())
		}

		/// Settles `task` on its result once the challenge period is over and no game is open;
		/// anyone may call it. Returns the defender's bond.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::finalize().saturating_add(T::Tasks::stood_weight()))]
		pub fn finalize(origin: OriginFor<T>, task: TaskId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_finalize(task)
		}

		/// Sets the parameters (governance). Results already posted keep the terms they were
		/// posted under.
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
		/// Checks parameters on their own and against the operators' slashing periods.
		pub fn check_params(p: &ParamsOf<T>) -> Result<(), Error<T>> {
			p.validate(T::MaxChallengers::get()).map_err(|e| match e {
				ParamsError::ZeroPeriod => Error::<T>::ParamZeroPeriod,
				ParamsError::ZeroBond => Error::<T>::ParamZeroBond,
				ParamsError::ChallengersOutOfRange => Error::<T>::ParamChallengersOutOfRange,
			})?;
			ensure!(
				T::SlashPeriods::get().admit_report_delay(Self::max_report_delay_of(p)),
				Error::<T>::ParamDisputeOutlivesUnbonding
			);
			Ok(())
		}

		/// The longest from a posted result to its defender's loss: a challenge in the last
		/// block of the period, then both clocks run out.
		pub fn max_report_delay_of(p: &ParamsOf<T>) -> BlockNumberFor<T> {
			use sp_runtime::traits::Saturating;
			p.challenge_period.saturating_add(p.clock.saturating_mul(2u32.into()))
		}

		/// What a one-step check over `fan_in` inputs costs, the game's end included (a
		/// defender's loss adds at most [`Self::defender_lost_weight`]).
		pub fn one_step_weight(fan_in: u32) -> Weight {
			T::WeightInfo::one_step(fan_in).saturating_add(T::Tasks::input_weight())
		}

		/// The most a defender's loss costs beyond the move that caused it: every other game
		/// closed, and the task handed back to the inference pallet.
		pub fn defender_lost_weight() -> Weight {
			T::WeightInfo::close_games(T::MaxChallengers::get())
				.saturating_add(T::Tasks::overturned_weight())
		}
	}

	impl<T: Config> aos_inference_primitives::optimistic::OptimisticDisputes<BlockNumberFor<T>>
		for Pallet<T>
	{
		fn enabled() -> bool {
			true
		}
		fn max_report_delay() -> BlockNumberFor<T> {
			Self::max_report_delay_of(&Parameters::<T>::get())
		}
	}
}
