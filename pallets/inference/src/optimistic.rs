//! Optimistic mode: one sampled operator's result, held by `pallet-opml` through its challenge
//! period and disputes.
//!
//! An optimistic task takes one operator (k = 1) and an inline input (a dispute's one-step
//! check reads it). Once assigned, with no commit phase (a result is disputed, not compared
//! with others, so there is nothing to copy), the operator posts its result and trace
//! commitment to `pallet-opml` in the resolution window ([`TaskStatus::Posting`]); silence to
//! its end costs what losing a dispute does (`DisputeLost`) and the task goes to a further
//! operator. A posted result leaves the task to `pallet-opml` ([`TaskStatus::Challenging`],
//! no deadline here), which later tells this pallet that the result stood (the task settles on
//! it, as on a verified proof) or was overturned (its operator is reported for `DisputeLost`,
//! and the task is reassigned to a newly sampled operator, or ends undecided after its last
//! round, its fee refunded).

use crate::{pallet::*, *};
use alloc::vec::Vec;
use aos_inference_primitives::optimistic::{OptimisticTasks, OptimisticTerms, PostRefusal};
use aos_operators_primitives::OffenceKind;
use frame_support::{pallet_prelude::*, BoundedVec};
use sp_core::H256;

impl<T: Config> OptimisticTasks<T::AccountId> for Pallet<T> {
	fn awaiting(id: TaskId, who: &T::AccountId) -> Result<OptimisticTerms, PostRefusal> {
		let task = Tasks::<T>::get(id).ok_or(PostRefusal::UnknownTask)?;
		ensure!(task.mode == VerificationMode::Optimistic, PostRefusal::NotOptimistic);
		let TaskStatus::Posting { round, .. } = task.status else {
			return Err(PostRefusal::NotPosting);
		};
		let claims = Claims::<T>::get(id);
		ensure!(
			claims.iter().any(|c| &c.operator == who && c.round == round && c.result.is_none()),
			PostRefusal::NotAssigned
		);
		let TaskInput::Inline(input) = &task.input else {
			return Err(PostRefusal::NotOptimistic);
		};
		Ok(OptimisticTerms {
			model_commitment: task.terms.model_commitment,
			inputs: input.len() as u32,
			top_k: task.sampling.top_k,
		})
	}

	fn posted(id: TaskId, who: &T::AccountId) {
		let Some(mut task) = Tasks::<T>::get(id) else { return };
		let TaskStatus::Posting { round, until } = task.status else { return };
		Agenda::<T>::remove(until, id);
		task.status = TaskStatus::Challenging { round };
		Tasks::<T>::insert(id, task);
		Self::deposit_event(Event::ResultPosted { task: id, operator: who.clone(), round });
	}

	fn input(id: TaskId) -> Option<Vec<i8>> {
		match Tasks::<T>::get(id)?.input {
			TaskInput::Inline(values) => Some(values.into_inner()),
			TaskInput::Remote { .. } => None,
		}
	}

	fn stood(id: TaskId, who: &T::AccountId, output: H256, top: Vec<u32>) {
		let Some(task) = Tasks::<T>::get(id) else { return };
		if !matches!(task.status, TaskStatus::Challenging { .. }) {
			return;
		}
		// The dispute pallet derived `top` from the task's own top-k: it fits.
		let top = BoundedVec::truncate_from(top);
		Self::settle_verified(id, task, who, output, top, None);
	}

	fn overturned(id: TaskId, who: &T::AccountId) -> Weight {
		let Some(mut task) = Tasks::<T>::get(id) else { return T::DbWeight::get().reads(1) };
		let TaskStatus::Challenging { round } = task.status else {
			return T::DbWeight::get().reads(1);
		};
		let claims = Claims::<T>::decode_len(id).unwrap_or_default() as u32;
		Self::deposit_event(Event::ResultOverturned { task: id, operator: who.clone() });
		// Back in the round's resolution phase, with the claim spent, so that the decision
		// reassigns the task (or ends it after its last round) as a failed round does.
		let now = frame_system::Pallet::<T>::block_number();
		task.status = TaskStatus::Posting { round, until: now };
		Tasks::<T>::insert(id, task);
		Self::reject(id, who, OffenceKind::DisputeLost);
		Self::decide(id);
		Self::overturned_weight_of(claims)
	}

	fn post_weight() -> Weight {
		T::DbWeight::get().reads_writes(3, 3)
	}

	fn stood_weight() -> Weight {
		// Settling on one verified result, as a TEE-mode one (whose signature check it does
		// not make) does.
		T::WeightInfo::submit_attested_result(T::MaxClaims::get())
			.saturating_add(Self::settled_weight())
	}

	fn overturned_weight() -> Weight {
		Self::overturned_weight_of(T::MaxClaims::get())
	}

	fn input_weight() -> Weight {
		T::DbWeight::get().reads(1)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_task(defender: &T::AccountId, terms: OptimisticTerms, input: Vec<i8>) -> TaskId {
		crate::benchmarking::optimistic_task::<T>(defender, terms, input)
	}
}

impl<T: Config> Pallet<T> {
	/// An overturned result's cost with `claims` claims on its task: the operator reported as
	/// a refused attested result is, and the round decided over the claims.
	fn overturned_weight_of(claims: u32) -> Weight {
		T::WeightInfo::submit_rejected_result()
			.saturating_add(T::WeightInfo::resolve(claims.clamp(1, T::MaxClaims::get())))
	}
}
