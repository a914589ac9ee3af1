//! Submitting, claiming, committing and revealing.

use crate::{pallet::*, *};
use aos_inference_primitives::{
	account_bytes, is_selected, pow_valid, result_commitment, selection_rank, task_hash,
	RevealedResult, SamplingVrf as _,
};
use aos_operators_primitives::OperatorRegistry;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{Balanced, Inspect, MutateHold},
		tokens::{Fortitude, Precision, Preservation},
	},
};
use sp_core::H256;
use sp_runtime::{
	traits::{One, Saturating, Zero},
	SaturatedConversion,
};

use aos_inference_primitives::{
	optimistic::OptimisticDisputes as _, tee::TeeEnclaves as _, zk::ZkModels as _,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_submit_task(
		who: T::AccountId,
		model_id: ModelId,
		input: TaskInputOf<T>,
		fee: BalanceOf<T>,
		mode: VerificationMode,
		redundancy: u8,
		sampling: SamplingParams,
	) -> DispatchResult {
		let mut model = Models::<T>::get(model_id).ok_or(Error::<T>::UnknownModel)?;
		ensure!(model.status == ModelStatus::Active, Error::<T>::ModelBanned);
		ensure!(model.modes & mode.bit() != 0, Error::<T>::ModeNotAllowed);
		let zk = match mode {
			VerificationMode::Redundancy => None,
			VerificationMode::Zk => {
				let link = T::ZkModels::link(&model_id).ok_or(Error::<T>::NoVerifyingKey)?;
				ensure!(matches!(input, TaskInput::Inline(_)), Error::<T>::InlineInputRequired);
				Some(link)
			},
			// Whether anyone may run it is known when operators claim it (an enclave allowed
			// for the model); if no one can, it ends undecided and its fee is refunded.
			VerificationMode::Tee => None,
			VerificationMode::Optimistic => {
				ensure!(T::Disputes::enabled(), Error::<T>::ModeNotSupported);
				ensure!(matches!(input, TaskInput::Inline(_)), Error::<T>::InlineInputRequired);
				// One operator computes; anyone may dispute it.
				ensure!(redundancy == 1, Error::<T>::RedundancyOutOfRange);
				None
			},
		};
		if let TaskInput::Inline(values) = &input {
			ensure!(values.len() as u32 == model.inputs, Error::<T>::InputWidthMismatch);
		}
		let params = Parameters::<T>::get();
		ensure!(
			redundancy >= 1 && redundancy <= params.max_redundancy,
			Error::<T>::RedundancyOutOfRange
		);
		ensure!(
			sampling.top_k >= 1
				&& sampling.top_k <= model.outputs()
				&& sampling.top_k <= T::MaxTopK::get(),
			Error::<T>::TopKOutOfRange
		);
		let price = model.price.max(params.min_fee);
		ensure!(fee >= price.saturating_mul(u32::from(redundancy).into()), Error::<T>::FeeTooLow);
		// Admission control: a bounded number of tasks in flight bounds how late any
		// deadline is handled.
		ensure!(LiveTasks::<T>::get() < T::MaxLiveTasks::get(), Error::<T>::TooManyTasks);
		let deposit = T::TaskDeposit::get();
		let due = fee.saturating_add(deposit).saturating_add(params.base_fee);
		let free = T::Currency::reducible_balance(&who, Preservation::Preserve, Fortitude::Polite);
		ensure!(free >= due, Error::<T>::InsufficientFunds);

		let now = frame_system::Pallet::<T>::block_number();
		let at = now.saturating_add(params.randomness_delay);
		T::Currency::hold(&HoldReason::TaskFee.into(), &who, fee)?;
		T::Currency::hold(&HoldReason::TaskDeposit.into(), &who, deposit)?;
		if !params.base_fee.is_zero() {
			// Dropping the credit burns it.
			let _ = T::Currency::withdraw(
				&who,
				params.base_fee,
				Precision::Exact,
				Preservation::Preserve,
				Fortitude::Polite,
			)?;
		}
		let id = NextTaskId::<T>::mutate(|next| {
			let id = *next;
			*next = next.saturating_add(1);
			id
		});
		let terms = TaskTerms {
			model_commitment: model.commitment,
			positions: model.positions(),
			samples: params.samples,
			intermediates: params.intermediates,
			pow_difficulty: params.pow_difficulty,
			zk,
		};
		if let Some(link) = zk {
			T::ZkModels::hold_vk(&link.vk);
		}
		model.live_tasks = model.live_tasks.saturating_add(1);
		Models::<T>::insert(model_id, model);
		LiveTasks::<T>::mutate(|n| *n = n.saturating_add(1));
		Tasks::<T>::insert(
			id,
			crate::types::TaskInfo {
				owner: who.clone(),
				model: model_id,
				input,
				fee,
				deposit,
				mode,
				redundancy,
				sampling,
				terms,
				submitted_at: now,
				randomness: None,
				selection_stake: Zero::zero(),
				status: TaskStatus::AwaitingRandomness { at },
				result: None,
				pool: Default::default(),
				pool_pending: Default::default(),
				ended_at: None,
			},
		);
		TasksByOwner::<T>::insert(&who, id, ());
		Self::schedule(at, id);
		Self::deposit_event(Event::TaskSubmitted {
			task: id,
			owner: who,
			model: model_id,
			fee,
			redundancy,
		});
		Ok(())
	}

	/// The selections a claim threshold targets in `round`, `tranche`: k doubled per round, at
	/// least [`Config::MinSelections`], then doubled per tranche, so that each tranche reaches
	/// twice as far down the VRF outputs as the one before (operators selected earlier stay
	/// selected). The floor over-samples a task with a small k: its first tranche targeting one
	/// selection would select no one about e⁻¹ of the time, and the task would wait a whole
	/// claim period for the next; the extra candidates rank, and only the best are assigned.
	pub fn selection_target(redundancy: u8, round: u8, tranche: u8) -> u32 {
		let round_target = u32::from(redundancy)
			.saturating_mul(1u32 << u32::from(round).min(16))
			.max(T::MinSelections::get());
		round_target.saturating_mul(1u32 << u32::from(tranche).min(16))
	}

	/// The claims wanted in `round`: k, doubled per round; in optimistic mode k (one operator),
	/// as a later round replaces an overturned or silent operator rather than adds verifiers.
	pub fn round_target(mode: VerificationMode, redundancy: u8, round: u8) -> u32 {
		if mode == VerificationMode::Optimistic {
			return u32::from(redundancy);
		}
		u32::from(redundancy).saturating_mul(1u32 << u32::from(round.min(8)))
	}

	/// Checks a claim and makes it a candidate, with `commitment` when the claimant computed
	/// first. A claim that fills the tranche brings its end forward to the next block: claims
	/// made in the same block are still ranked together. Returns the claim's weight: less
	/// than charged when it did not move the deadline.
	pub(crate) fn do_claim(
		who: T::AccountId,
		id: TaskId,
		pre_output: [u8; 32],
		proof: [u8; 64],
		commitment: Option<H256>,
	) -> Result<Weight, DispatchError> {
		let task = Tasks::<T>::get(id).ok_or(Error::<T>::UnknownTask)?;
		let TaskStatus::Claiming { round, tranche, until } = task.status else {
			return Err(Error::<T>::NotClaiming.into());
		};
		ensure!(
			commitment.is_none()
				|| matches!(task.mode, VerificationMode::Redundancy | VerificationMode::Zk),
			Error::<T>::NothingToCommit
		);
		let (randomness, from) = task.randomness.ok_or(Error::<T>::NotClaiming)?;
		let claims = Claims::<T>::get(id);
		let mut candidates = Candidates::<T>::get(id);
		ensure!(
			!claims.iter().any(|c| c.operator == who)
				&& !candidates.iter().any(|c| c.operator == who),
			Error::<T>::AlreadyClaimed
		);
		let this_round = claims.iter().filter(|c| c.round == round).count() as u32;
		let wanted = Self::round_target(task.mode, task.redundancy, round)
			.saturating_sub(this_round)
			.min(T::MaxClaims::get().saturating_sub(claims.len() as u32));
		ensure!(wanted > 0, Error::<T>::ClaimsFull);

		let operator = T::Operators::eligible(&who, from).ok_or(Error::<T>::NotEligible)?;
		if task.mode == VerificationMode::Tee {
			ensure!(T::Enclaves::may_run(&who, &task.model), Error::<T>::NoEnclave);
		}
		// A key must be older than the randomness by the selection delay: one registered once
		// the randomness could be known, or just before, could have been ground for it.
		ensure!(
			operator.vrf_key_since.saturating_add(T::Operators::selection_delay()) < from,
			Error::<T>::VrfKeyTooNew
		);
		let output =
			T::Vrf::verify(&operator.vrf_key, &task_hash(id), &randomness.0, &pre_output, &proof)
				.ok_or(Error::<T>::VrfProofInvalid)?;
		// The stake total snapshotted with the randomness: stake joining since cannot change
		// who is selected.
		let stake: u128 = operator.stake.saturated_into();
		let target = Self::selection_target(task.redundancy, round, tranche);
		ensure!(
			is_selected(output, stake, task.selection_stake.saturated_into(), target),
			Error::<T>::NotSelected
		);
		// Rank, not arrival, decides who is assigned: keep the best `wanted` claims.
		let rank = |c: &Candidate<T::AccountId, BalanceOf<T>>| (c.output, c.stake.saturated_into());
		let candidate =
			Candidate { operator: who.clone(), output, stake: operator.stake, commitment };
		if candidates.len() as u32 >= wanted {
			let worst = candidates
				.iter()
				.enumerate()
				.max_by(|(_, a), (_, b)| selection_rank(rank(a), rank(b)))
				.map(|(i, c)| (i, rank(c)));
			match worst {
				Some((i, worst)) if selection_rank((output, stake), worst).is_lt() => {
					candidates.remove(i);
				},
				_ => return Err(Error::<T>::ClaimsFull.into()),
			}
		}
		candidates.try_push(candidate).map_err(|_| Error::<T>::ClaimsFull)?;
		let full = candidates.len() as u32 >= wanted;
		Candidates::<T>::insert(id, candidates);
		Self::deposit_event(Event::Claimed { task: id, operator: who, round });
		let next = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		if full && next < until {
			// Nothing is left to wait for but better-ranked claims made in this very block.
			let mut task = task;
			task.status = TaskStatus::Claiming { round, tranche, until: next };
			Tasks::<T>::insert(id, task);
			Self::reschedule(id, until, next);
			return Ok(Self::claim_weight());
		}
		Ok(Self::claim_weight().saturating_sub(Self::phase_change_writes()))
	}

	/// What ending a phase early writes besides the call's own work: the task's status and its
	/// agenda entry, moved. Benchmarked in `claim` and `commit`, refunded when they do not.
	fn phase_change_writes() -> Weight {
		T::DbWeight::get().writes(3)
	}

	/// Records a commitment. The last one of the round opens the reveal (or proving) phase at
	/// once. Returns its weight (less than charged when it was not the last).
	pub(crate) fn do_commit(
		who: T::AccountId,
		id: TaskId,
		commitment: H256,
	) -> Result<Weight, DispatchError> {
		let task = Tasks::<T>::get(id).ok_or(Error::<T>::UnknownTask)?;
		let TaskStatus::Committing { round, until } = task.status else {
			return Err(Error::<T>::NotCommitting.into());
		};
		let all_committed = Claims::<T>::try_mutate(id, |claims| -> Result<bool, DispatchError> {
			let claim =
				claims.iter_mut().find(|c| c.operator == who).ok_or(Error::<T>::NotAssigned)?;
			ensure!(claim.round == round, Error::<T>::NotCommitting);
			ensure!(claim.commitment.is_none(), Error::<T>::AlreadyCommitted);
			claim.commitment = Some(commitment);
			Ok(claims.iter().filter(|c| c.round == round).all(|c| c.commitment.is_some()))
		})?;
		Self::deposit_event(Event::Committed { task: id, operator: who });
		if all_committed {
			// Everyone committed: waiting out the commit period would change nothing.
			Agenda::<T>::remove(until, id);
			let now = frame_system::Pallet::<T>::block_number();
			Self::open_resolution(id, task, round, now);
			return Ok(T::WeightInfo::commit());
		}
		Ok(T::WeightInfo::commit().saturating_sub(Self::phase_change_writes()))
	}

	/// Checks and records a reveal; resolves the task if it was the last one due. Returns the
	/// decision's size, if it resolved.
	pub(crate) fn do_reveal(
		who: T::AccountId,
		id: TaskId,
		output: H256,
		reveal: RevealOf<T>,
		salt: [u8; 32],
	) -> Result<Option<resolution::Decided>, DispatchError> {
		let task = Tasks::<T>::get(id).ok_or(Error::<T>::UnknownTask)?;
		// A Zk-mode task is revealed by its proof (`pallet-zk-verifier`).
		ensure!(task.mode == VerificationMode::Redundancy, Error::<T>::ModeNotSupported);
		let TaskStatus::Revealing { round, .. } = task.status else {
			return Err(Error::<T>::NotRevealing.into());
		};
		let hash = task_hash(id);
		let operator = account_bytes(&who);
		let mut claims = Claims::<T>::get(id);
		let claim = claims.iter_mut().find(|c| c.operator == who).ok_or(Error::<T>::NotAssigned)?;
		// An earlier round's claim had its round to reveal; it is judged as withheld.
		ensure!(claim.round == round, Error::<T>::WrongRound);
		let commitment = match (claim.commitment, claim.result) {
			(Some(c), None) => c,
			_ => return Err(Error::<T>::NothingToReveal.into()),
		};
		ensure!(reveal.output == output, Error::<T>::RevealShapeMismatch);
		let revealed = RevealedResult {
			output: &output.0,
			top: &reveal.top,
			samples: &reveal.samples,
			intermediates: &reveal.intermediates,
		};
		let expected = result_commitment(&hash, &operator, revealed, &salt);
		ensure!(commitment.0 == expected, Error::<T>::CommitmentMismatch);
		let terms = task.terms;
		ensure!(
			pow_valid(&hash, &operator, &output.0, reveal.pow_nonce, terms.pow_difficulty),
			Error::<T>::ProofOfWorkTooWeak
		);
		ensure!(reveal.top.len() as u32 == task.sampling.top_k, Error::<T>::RevealShapeMismatch);
		ensure!(
			reveal.samples.len() == usize::from(terms.samples),
			Error::<T>::RevealShapeMismatch
		);
		// The positions are the kernel's choice for this operator (spec §5), over the model
		// the task was submitted for; only the values need the model to check.
		let seed = aos_kernel::intermediates::intermediates_seed(&hash, &operator);
		let positions = aos_kernel::intermediates::positions(
			seed,
			terms.positions,
			u32::from(terms.intermediates),
		);
		ensure!(
			positions.len() == reveal.intermediates.len()
				&& positions.iter().zip(reveal.intermediates.iter()).all(|(p, (q, _))| p == q),
			Error::<T>::RevealShapeMismatch
		);
		claim.result = Some(result_key(&output, &reveal.top));
		let all_revealed = claims.iter().filter(|c| c.round == round).all(|c| c.result.is_some());
		Claims::<T>::insert(id, claims);
		Reveals::<T>::insert(id, &who, reveal);
		Self::deposit_event(Event::Revealed { task: id, operator: who, output });
		if all_revealed {
			return Ok(Some(Self::decide_counted(id)));
		}
		Ok(None)
	}
}

impl<T: Config> Pallet<T> {
	/// What one [`WorkItemOf`] is charged in advance: what the call of the same name is.
	fn item_weight(item: &WorkItemOf<T>) -> Weight {
		match item {
			WorkItem::Claim { .. } => Self::claim_weight(),
			WorkItem::Commit { .. } => T::WeightInfo::commit(),
			// The witness is checked with one read of the task's claims.
			WorkItem::Reveal { claims, .. } => T::WeightInfo::reveal()
				.saturating_add(T::WeightInfo::resolve((*claims).min(T::MaxClaims::get())))
				.saturating_add(Self::settled_weight())
				.saturating_add(T::DbWeight::get().reads(1)),
		}
	}

	/// What [`Pallet::work`] is charged in advance: the batch's own cost and every item's.
	pub fn work_weight(items: &[WorkItemOf<T>]) -> Weight {
		items.iter().fold(T::WeightInfo::work(items.len() as u32), |w, item| {
			w.saturating_add(Self::item_weight(item))
		})
	}

	/// Does `who`'s items in order, each in its own storage layer: one that fails is rolled
	/// back and reported, and the next goes on. Returns the weight used.
	pub(crate) fn do_work(
		who: T::AccountId,
		items: BoundedVec<WorkItemOf<T>, T::MaxWorkItems>,
	) -> Weight {
		use frame_support::storage::{with_transaction, TransactionOutcome};
		let mut weight = T::WeightInfo::work(items.len() as u32);
		for (index, item) in items.into_iter().enumerate() {
			let task = item.task();
			let charged = Self::item_weight(&item);
			let done = with_transaction(|| match Self::do_item(who.clone(), item) {
				Ok(used) => TransactionOutcome::Commit(Ok(used)),
				Err(e) => TransactionOutcome::Rollback(Err(e)),
			});
			match done {
				Ok(used) => weight.saturating_accrue(used),
				Err(error) => {
					// A failed item is charged in full: it may have failed late.
					weight.saturating_accrue(charged);
					Self::deposit_event(Event::WorkItemFailed {
						operator: who.clone(),
						index: index as u32,
						task,
						error,
					});
				},
			}
		}
		weight
	}

	/// Does one item; returns its weight.
	fn do_item(who: T::AccountId, item: WorkItemOf<T>) -> Result<Weight, DispatchError> {
		match item {
			WorkItem::Claim { task, pre_output, proof, commitment } => {
				Self::do_claim(who, task, pre_output, proof, commitment)
			},
			WorkItem::Commit { task, commitment } => Self::do_commit(who, task, commitment),
			WorkItem::Reveal { task, reveal, salt, claims } => {
				let witnessed = Claims::<T>::decode_len(task).unwrap_or_default() as u32 <= claims;
				ensure!(witnessed, Error::<T>::ClaimsAboveWitness);
				let output = reveal.output;
				let resolved = Self::do_reveal(who, task, output, reveal, salt)?;
				Ok(T::WeightInfo::reveal()
					.saturating_add(T::DbWeight::get().reads(1))
					.saturating_add(resolved.map_or(Weight::zero(), Self::resolve_weight)))
			},
		}
	}
}
