//! Submitting, claiming, committing and revealing.

use crate::{pallet::*, *};
use aos_inference_primitives::{
	account_bytes, is_selected, pow_valid, result_commitment, selection_rank, task_hash,
	vrf_output, vrf_transcript, RevealedResult,
};
use aos_operators_primitives::OperatorRegistry;
use codec::Decode;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{Balanced, Inspect, MutateHold},
		tokens::{Fortitude, Precision, Preservation},
	},
};
use sp_core::{
	crypto::VrfPublic as _,
	sr25519::vrf::{VrfPreOutput, VrfProof, VrfSignature},
	H256,
};
use sp_runtime::{
	traits::{Saturating, Zero},
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
		ensure!(Self::agenda_has_room(at), Error::<T>::AgendaFull);
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

	/// The selections a claim threshold targets in `round`, `tranche`: k doubled per round and
	/// doubled again per tranche, so that each tranche reaches twice as far down the VRF outputs
	/// as the one before (operators selected earlier stay selected).
	pub fn selection_target(redundancy: u8, round: u8, tranche: u8) -> u32 {
		let doublings = u32::from(round).saturating_add(u32::from(tranche)).min(16);
		u32::from(redundancy).saturating_mul(1u32 << doublings)
	}

	/// The claims wanted in `round`: k, doubled per round; in optimistic mode k (one operator),
	/// as a later round replaces an overturned or silent operator rather than adds verifiers.
	pub fn round_target(mode: VerificationMode, redundancy: u8, round: u8) -> u32 {
		if mode == VerificationMode::Optimistic {
			return u32::from(redundancy);
		}
		u32::from(redundancy).saturating_mul(1u32 << u32::from(round.min(8)))
	}

	pub(crate) fn do_claim(
		who: T::AccountId,
		id: TaskId,
		pre_output: [u8; 32],
		proof: [u8; 64],
	) -> DispatchResult {
		let task = Tasks::<T>::get(id).ok_or(Error::<T>::UnknownTask)?;
		let TaskStatus::Claiming { round, tranche, .. } = task.status else {
			return Err(Error::<T>::NotClaiming.into());
		};
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
		let signature = VrfSignature {
			pre_output: VrfPreOutput::decode(&mut &pre_output[..])
				.map_err(|_| Error::<T>::VrfProofInvalid)?,
			proof: VrfProof::decode(&mut &proof[..]).map_err(|_| Error::<T>::VrfProofInvalid)?,
		};
		let transcript = vrf_transcript(&task_hash(id), &randomness.0);
		ensure!(
			operator.vrf_key.vrf_verify(&transcript.clone().into_sign_data(), &signature),
			Error::<T>::VrfProofInvalid
		);
		let output = vrf_output(&operator.vrf_key, &transcript, &signature.pre_output)
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
		let candidate = Candidate { operator: who.clone(), output, stake: operator.stake };
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
		Candidates::<T>::insert(id, candidates);
		Self::deposit_event(Event::Claimed { task: id, operator: who, round });
		Ok(())
	}

	pub(crate) fn do_commit(who: T::AccountId, id: TaskId, commitment: H256) -> DispatchResult {
		let task = Tasks::<T>::get(id).ok_or(Error::<T>::UnknownTask)?;
		let TaskStatus::Committing { round, .. } = task.status else {
			return Err(Error::<T>::NotCommitting.into());
		};
		Claims::<T>::try_mutate(id, |claims| -> DispatchResult {
			let claim =
				claims.iter_mut().find(|c| c.operator == who).ok_or(Error::<T>::NotAssigned)?;
			ensure!(claim.round == round, Error::<T>::NotCommitting);
			ensure!(claim.commitment.is_none(), Error::<T>::AlreadyCommitted);
			claim.commitment = Some(commitment);
			Ok(())
		})?;
		Self::deposit_event(Event::Committed { task: id, operator: who });
		Ok(())
	}

	/// Checks and records a reveal; resolves the task if it was the last one due. Returns the
	/// number of claims resolved over, if it resolved.
	pub(crate) fn do_reveal(
		who: T::AccountId,
		id: TaskId,
		output: H256,
		reveal: RevealOf<T>,
		salt: [u8; 32],
	) -> Result<Option<u32>, DispatchError> {
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
		let count = claims.len() as u32;
		Claims::<T>::insert(id, claims);
		Reveals::<T>::insert(id, &who, reveal);
		Self::deposit_event(Event::Revealed { task: id, operator: who, output });
		if all_revealed {
			Self::decide(id);
			return Ok(Some(count));
		}
		Ok(None)
	}
}
