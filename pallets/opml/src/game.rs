//! Posting, challenging and playing: the game's moves and its ends.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use aos_inference_primitives::{
	optimistic::{OptimisticTasks, PostRefusal},
	TaskId,
};
use aos_kernel::{
	commit::{self, MerkleProof},
	trace::{activation_leaf, activation_root, TreeNode},
};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_core::H256;
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_post_result(
		who: T::AccountId,
		task: TaskId,
		logits: BoundedVec<i32, T::MaxWidth>,
		roots: BoundedVec<H256, T::MaxLayers>,
		layers: BoundedVec<LayerShape, T::MaxLayers>,
	) -> DispatchResult {
		let terms = T::Tasks::awaiting(task, &who).map_err(|e| match e {
			PostRefusal::UnknownTask => Error::<T>::UnknownTask,
			PostRefusal::NotOptimistic => Error::<T>::NotOptimistic,
			PostRefusal::NotPosting => Error::<T>::NotPosting,
			PostRefusal::NotAssigned => Error::<T>::NotAssigned,
		})?;
		let first = layers.first().ok_or(Error::<T>::ModelMismatch)?;
		ensure!(first.inputs == terms.inputs, Error::<T>::ModelMismatch);
		let shapes: Vec<(u32, u32, [u8; 32])> =
			layers.iter().map(|l| (l.inputs, l.outputs, l.root.0)).collect();
		let commitment =
			commit::commitment_from_layers(aos_kernel::KERNEL_VERSION, first.inputs, &shapes);
		ensure!(commitment == terms.model_commitment.0, Error::<T>::ModelMismatch);
		let last = layers.last().ok_or(Error::<T>::ModelMismatch)?;
		ensure!(
			logits.len() as u32 == last.outputs && terms.top_k as usize <= logits.len(),
			Error::<T>::LogitsMismatch
		);
		ensure!(roots.len() == layers.len(), Error::<T>::TraceMismatch);
		let last_index = (layers.len() as u32).saturating_sub(1);
		let last_root = activation_root(last_index, logits.iter().copied());
		ensure!(roots.last() == Some(&H256(last_root)), Error::<T>::TraceMismatch);
		let leaves: Vec<[u8; 32]> = roots.iter().map(|r| r.0).collect();
		let trace = H256(commit::root(&leaves));

		let params = Parameters::<T>::get();
		T::Currency::hold(&HoldReason::ResultBond.into(), &who, params.result_bond)?;
		let output = H256(aos_kernel::output_digest(&logits));
		let top = aos_kernel::sampler::top_k(&logits, terms.top_k);
		let now = frame_system::Pallet::<T>::block_number();
		let challenge_until = now.saturating_add(params.challenge_period);
		Results::<T>::insert(
			task,
			PostedResult {
				defender: who.clone(),
				output,
				top: BoundedVec::truncate_from(top),
				trace,
				roots,
				layers,
				bond: params.result_bond,
				challenge_until,
				open_games: 0,
				games: 0,
				terms: GameTerms {
					clock: params.clock,
					challenge_bond: params.challenge_bond,
					max_challengers: params.max_challengers,
					burn: params.burn,
				},
			},
		);
		T::Tasks::posted(task, &who);
		Self::deposit_event(Event::ResultPosted {
			task,
			defender: who,
			output,
			trace,
			challenge_until,
		});
		Ok(())
	}

	pub(crate) fn do_challenge(who: T::AccountId, task: TaskId, layer: u32) -> DispatchResult {
		let mut result = Results::<T>::get(task).ok_or(Error::<T>::NoResult)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now < result.challenge_until, Error::<T>::ChallengePeriodOver);
		ensure!(who != result.defender, Error::<T>::OwnResult);
		ensure!(!Games::<T>::contains_key(task, &who), Error::<T>::AlreadyChallenged);
		ensure!(result.games < result.terms.max_challengers, Error::<T>::TooManyChallengers);
		let shape = result.layers.get(layer as usize).ok_or(Error::<T>::NoSuchLayer)?;
		let hash = *result.roots.get(layer as usize).ok_or(Error::<T>::NoSuchLayer)?;
		let node = TreeNode::root(shape.outputs);
		let bond = result.terms.challenge_bond;
		T::Currency::hold(&HoldReason::ChallengeBond.into(), &who, bond)?;
		let game = Game {
			bond,
			layer,
			node,
			hash,
			opened: None,
			since: now,
			defender_clock: result.terms.clock,
			challenger_clock: result.terms.clock,
		};
		result.games = result.games.saturating_add(1);
		result.open_games = result.open_games.saturating_add(1);
		Results::<T>::insert(task, result);
		Games::<T>::insert(task, &who, game);
		Self::deposit_event(Event::Challenged { task, challenger: who, layer });
		Ok(())
	}

	/// Charges the mover's clock for the time since the last move; refuses a move out of time.
	fn tick(game: &mut GameOf<T>, now: BlockNumberFor<T>) -> DispatchResult {
		let spent = now.saturating_sub(game.since);
		let clock = match game.turn() {
			Player::Defender => &mut game.defender_clock,
			Player::Challenger => &mut game.challenger_clock,
		};
		ensure!(spent <= *clock, Error::<T>::OutOfTime);
		*clock = clock.saturating_sub(spent);
		game.since = now;
		Ok(())
	}

	pub(crate) fn do_defend(
		who: T::AccountId,
		task: TaskId,
		challenger: T::AccountId,
		opening: Opening,
	) -> DispatchResult {
		let result = Results::<T>::get(task).ok_or(Error::<T>::NoResult)?;
		ensure!(who == result.defender, Error::<T>::NotPlayer);
		let mut game = Games::<T>::get(task, &challenger).ok_or(Error::<T>::NoGame)?;
		ensure!(game.turn() == Player::Defender, Error::<T>::NotYourTurn);
		let valid = match (game.node.is_leaf(), opening) {
			(true, Opening::Value(v)) => {
				activation_leaf(game.layer, game.node.index, v) == game.hash.0
			},
			(false, Opening::Children { left, right }) => {
				commit::node_hash(&left.0, &right.0) == game.hash.0
			},
			_ => false,
		};
		ensure!(valid, Error::<T>::BadOpening);
		Self::tick(&mut game, frame_system::Pallet::<T>::block_number())?;
		game.opened = Some(opening);
		let (layer, level, index) = (game.layer, game.node.level, game.node.index);
		Games::<T>::insert(task, &challenger, game);
		Self::deposit_event(Event::Defended { task, challenger, layer, level, index, opening });
		Ok(())
	}

	pub(crate) fn do_choose(who: T::AccountId, task: TaskId, right: bool) -> DispatchResult {
		ensure!(Results::<T>::contains_key(task), Error::<T>::NoResult);
		let mut game = Games::<T>::get(task, &who).ok_or(Error::<T>::NoGame)?;
		ensure!(game.turn() == Player::Challenger, Error::<T>::NotYourTurn);
		let Some(Opening::Children { left, right: right_hash }) = game.opened else {
			// At a leaf the challenger's move is the one-step check.
			return Err(Error::<T>::NotYourTurn.into());
		};
		Self::tick(&mut game, frame_system::Pallet::<T>::block_number())?;
		game.node = game.node.child(right).ok_or(Error::<T>::BadOpening)?;
		game.hash = if right { right_hash } else { left };
		game.opened = None;
		let (layer, level, index) = (game.layer, game.node.level, game.node.index);
		Games::<T>::insert(task, &who, game);
		Self::deposit_event(Event::Chosen { task, challenger: who, layer, level, index });
		Ok(())
	}

	/// Checks the one step and ends the game. Returns the neuron's fan-in.
	pub(crate) fn do_one_step(
		who: T::AccountId,
		task: TaskId,
		step: OneStepOf<T>,
	) -> Result<(u32, Weight), DispatchError> {
		let result = Results::<T>::get(task).ok_or(Error::<T>::NoResult)?;
		let mut game = Games::<T>::get(task, &who).ok_or(Error::<T>::NoGame)?;
		ensure!(game.turn() == Player::Challenger, Error::<T>::NotYourTurn);
		let Some(Opening::Value(claimed)) = game.opened else {
			return Err(Error::<T>::NotAtLeaf.into());
		};
		let layer = game.layer;
		let shape = *result.layers.get(layer as usize).ok_or(Error::<T>::NotAtLeaf)?;
		let fan_in = shape.inputs;
		// The layer's input: the task's own for the first layer, else the previous layer's
		// activations as the defender committed them (agreed: the challenger named this layer
		// as the first it disputes).
		let input: Vec<i8> = match layer.checked_sub(1) {
			None => T::Tasks::input(task).ok_or(Error::<T>::BadInput)?,
			Some(previous) => {
				let root = activation_root(previous, step.input.iter().map(|v| i32::from(*v)));
				let committed = result.roots.get(previous as usize).ok_or(Error::<T>::BadInput)?;
				ensure!(root == committed.0, Error::<T>::BadInput);
				step.input.into_inner()
			},
		};
		ensure!(input.len() as u32 == fan_in, Error::<T>::BadInput);
		ensure!(step.row.len() as u32 == fan_in, Error::<T>::BadWeights);
		let neuron = game.node.index;
		let leaf = commit::leaf_hash(layer, neuron, &step.row, step.bias, &step.output);
		let proof = MerkleProof {
			index: neuron,
			count: shape.outputs,
			siblings: step.row_proof.iter().map(|h| h.0).collect(),
		};
		ensure!(commit::verify(&shape.root.0, &leaf, &proof), Error::<T>::BadWeights);
		Self::tick(&mut game, frame_system::Pallet::<T>::block_number())?;

		let computed = aos_kernel::neuron(&step.row, step.bias, step.output, &input);
		let end = GameEnd::OneStep { computed, claimed };
		let lost = if computed == claimed {
			Self::challenger_lost(task, &who, game, result, end);
			Weight::zero()
		} else {
			Self::defender_lost(task, &who, game, result, end)
		};
		Ok((fan_in, lost))
	}

	/// Ends a game on time. Returns what a defender's loss took beyond the timeout itself
	/// (nothing if the challenger lost).
	pub(crate) fn do_timeout(
		task: TaskId,
		challenger: T::AccountId,
	) -> Result<Weight, DispatchError> {
		let result = Results::<T>::get(task).ok_or(Error::<T>::NoResult)?;
		let game = Games::<T>::get(task, &challenger).ok_or(Error::<T>::NoGame)?;
		let now = frame_system::Pallet::<T>::block_number();
		let loser = game.turn();
		let clock = match loser {
			Player::Defender => game.defender_clock,
			Player::Challenger => game.challenger_clock,
		};
		ensure!(now.saturating_sub(game.since) > clock, Error::<T>::NotTimedOut);
		Ok(match loser {
			Player::Defender => {
				Self::defender_lost(task, &challenger, game, result, GameEnd::Timeout)
			},
			Player::Challenger => {
				Self::challenger_lost(task, &challenger, game, result, GameEnd::Timeout);
				Weight::zero()
			},
		})
	}

	pub(crate) fn do_finalize(task: TaskId) -> DispatchResult {
		let result = Results::<T>::get(task).ok_or(Error::<T>::NoResult)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now >= result.challenge_until && result.open_games == 0, Error::<T>::NotFinal);
		Results::<T>::remove(task);
		let _ = T::Currency::release(
			&HoldReason::ResultBond.into(),
			&result.defender,
			result.bond,
			Precision::BestEffort,
		);
		T::Tasks::stood(task, &result.defender, result.output, result.top.to_vec());
		Self::deposit_event(Event::ResultStood {
			task,
			defender: result.defender,
			output: result.output,
		});
		Ok(())
	}

	/// Pays `amount` of `loser`'s bond held for `reason` to `winner`, burning the `burn` share.
	fn forfeit(
		reason: HoldReason,
		loser: &T::AccountId,
		winner: &T::AccountId,
		amount: BalanceOf<T>,
		burn: sp_runtime::Perbill,
	) {
		let burned = burn * amount;
		let paid = amount.saturating_sub(burned);
		if !paid.is_zero() {
			let moved = T::Currency::transfer_on_hold(
				&reason.into(),
				loser,
				winner,
				paid,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			);
			if let Err(e) = moved {
				log::debug!(target: LOG_TARGET, "bond of {loser:?} not paid to {winner:?}: {e:?}");
			}
		}
		if !burned.is_zero() {
			let _ = T::Currency::burn_held(
				&reason.into(),
				loser,
				burned,
				Precision::BestEffort,
				Fortitude::Force,
			);
		}
	}

	/// The challenger lost: its bond goes to the defender; the result's other games go on.
	fn challenger_lost(
		task: TaskId,
		challenger: &T::AccountId,
		game: GameOf<T>,
		mut result: PostedResultOf<T>,
		end: GameEnd,
	) {
		Games::<T>::remove(task, challenger);
		Self::forfeit(
			HoldReason::ChallengeBond,
			challenger,
			&result.defender,
			game.bond,
			result.terms.burn,
		);
		result.open_games = result.open_games.saturating_sub(1);
		Results::<T>::insert(task, result);
		Self::deposit_event(Event::GameEnded {
			task,
			challenger: challenger.clone(),
			winner: Player::Defender,
			end,
		});
	}

	/// The defender lost: its bond goes to the challenger, every other game is closed with its
	/// bond returned, and the task goes back to the inference pallet.
	/// The defender lost: its bond goes to `challenger`, the result's other games close and
	/// the task goes back to the inference pallet. Returns what that took: the other games'
	/// closing and the inference pallet's part.
	fn defender_lost(
		task: TaskId,
		challenger: &T::AccountId,
		game: GameOf<T>,
		result: PostedResultOf<T>,
		end: GameEnd,
	) -> Weight {
		Results::<T>::remove(task);
		Self::forfeit(
			HoldReason::ResultBond,
			&result.defender,
			challenger,
			result.bond,
			result.terms.burn,
		);
		let _ = T::Currency::release(
			&HoldReason::ChallengeBond.into(),
			challenger,
			game.bond,
			Precision::BestEffort,
		);
		Games::<T>::remove(task, challenger);
		Self::deposit_event(Event::GameEnded {
			task,
			challenger: challenger.clone(),
			winner: Player::Challenger,
			end,
		});
		let closed = Self::close_games(task);
		let returned = T::Tasks::overturned(task, &result.defender);
		Self::deposit_event(Event::ResultOverturned {
			task,
			defender: result.defender,
			challenger: challenger.clone(),
		});
		T::WeightInfo::close_games(closed).saturating_add(returned)
	}

	/// Ends every open game of `task` with no winner, returning the challengers' bonds. At most
	/// `MaxChallengers` games exist. Returns how many it closed.
	pub(crate) fn close_games(task: TaskId) -> u32 {
		let games: Vec<(T::AccountId, GameOf<T>)> =
			Games::<T>::drain_prefix(task).take(T::MaxChallengers::get() as usize).collect();
		let closed = games.len() as u32;
		for (challenger, game) in games {
			let _ = T::Currency::release(
				&HoldReason::ChallengeBond.into(),
				&challenger,
				game.bond,
				Precision::BestEffort,
			);
			Self::deposit_event(Event::GameClosed { task, challenger });
		}
		closed
	}

	/// The pallet's invariants: every game belongs to a posted result, which counts it, and
	/// stands at a node its tree has; bonds held match the results' and games'.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use frame_support::traits::fungible::InspectHold;
		let fail = |m: &'static str| sp_runtime::TryRuntimeError::Other(m);
		let mut held: BTreeMap<T::AccountId, (BalanceOf<T>, BalanceOf<T>)> = BTreeMap::new();
		for (task, result) in Results::<T>::iter() {
			let open = Games::<T>::iter_prefix(task).count() as u32;
			ensure!(open == result.open_games, fail("a result's open game count is wrong"));
			ensure!(result.open_games <= result.games, fail("more games open than opened"));
			ensure!(
				result.games <= result.terms.max_challengers,
				fail("more games than challengers allowed")
			);
			ensure!(
				!result.layers.is_empty() && result.roots.len() == result.layers.len(),
				fail("a result without one root per layer")
			);
			let entry = held.entry(result.defender.clone()).or_default();
			entry.0 = entry.0.saturating_add(result.bond);
		}
		for (task, challenger, game) in Games::<T>::iter() {
			let result = Results::<T>::get(task).ok_or(fail("a game without its result"))?;
			let count = result
				.layers
				.get(game.layer as usize)
				.ok_or(fail("a game past the layers"))?
				.outputs;
			ensure!(
				game.node.count == count && game.node.index < count,
				fail("a game at a node its tree does not have")
			);
			let entry = held.entry(challenger).or_default();
			entry.1 = entry.1.saturating_add(game.bond);
		}
		for (who, (results, games)) in held {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ResultBond.into(), &who) == results,
				fail("held result bonds differ from the results'")
			);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ChallengeBond.into(), &who) == games,
				fail("held challenge bonds differ from the games'")
			);
		}
		Ok(())
	}
}
