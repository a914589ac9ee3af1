//! Deadlines. Each live task has one entry in the agenda, at the block of its next deadline;
//! `on_initialize` works through due entries from a cursor, at most `MaxAgendaPerBlock` a
//! block, so a burst of deadlines is carried to the following blocks instead of overloading one.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{Get, Randomness},
};
use sp_runtime::traits::{One, Saturating, Zero};

/// Empty blocks the cursor may pass in one `on_initialize`: it normally moves one block per
/// block, this lets it catch up after a burst.
pub(crate) const MAX_CURSOR_STEPS: u32 = 8;

impl<T: Config> Pallet<T> {
	/// Whether a task may still be scheduled at `at` by a submission.
	pub(crate) fn agenda_has_room(at: BlockNumberFor<T>) -> bool {
		let max = T::MaxAgendaPerBlock::get() as usize;
		Agenda::<T>::iter_key_prefix(at).take(max).count() < max
	}

	pub(crate) fn schedule(at: BlockNumberFor<T>, id: TaskId) {
		Agenda::<T>::insert(at, id, ());
	}

	/// Works through the due agenda. Returns the weight used.
	pub(crate) fn process_agenda(now: BlockNumberFor<T>) -> Weight {
		let mut weight = T::WeightInfo::on_initialize_base();
		let mut block = AgendaCursor::<T>::get();
		if block.is_zero() {
			block = now;
		}
		let mut budget = T::MaxAgendaPerBlock::get() as usize;
		let mut steps = 0;
		while block <= now && steps < MAX_CURSOR_STEPS {
			let due: Vec<TaskId> = Agenda::<T>::iter_key_prefix(block).take(budget).collect();
			for id in &due {
				Agenda::<T>::remove(block, id);
				weight.saturating_accrue(Self::process(*id, now));
			}
			budget = budget.saturating_sub(due.len());
			if budget == 0 && Agenda::<T>::iter_key_prefix(block).next().is_some() {
				break;
			}
			block.saturating_inc();
			steps += 1;
			weight.saturating_accrue(T::DbWeight::get().reads(1));
			if budget == 0 {
				break;
			}
		}
		AgendaCursor::<T>::put(block);
		weight
	}

	/// Handles task `id`'s deadline. Returns the weight used.
	pub(crate) fn process(id: TaskId, now: BlockNumberFor<T>) -> Weight {
		let Some(task) = Tasks::<T>::get(id) else {
			return T::DbWeight::get().reads(1);
		};
		match task.status {
			TaskStatus::AwaitingRandomness { .. } => {
				Self::fix_randomness(id, task, now);
				T::WeightInfo::fix_randomness()
			},
			TaskStatus::Claiming { round, tranche, .. } => {
				let decided = Self::close_tranche(id, task, round, tranche, now);
				T::WeightInfo::close_tranche()
					.saturating_add(decided.map_or(Weight::zero(), T::WeightInfo::resolve))
			},
			TaskStatus::Committing { round, .. } => {
				let until = now.saturating_add(Parameters::<T>::get().resolution_window);
				Tasks::<T>::mutate(id, |t| {
					if let Some(t) = t {
						t.status = TaskStatus::Revealing { round, until };
					}
				});
				Self::schedule(until, id);
				Self::deposit_event(Event::RevealPhase { task: id, round, until });
				T::WeightInfo::close_tranche()
			},
			TaskStatus::Revealing { .. } => T::WeightInfo::resolve(Self::decide(id)),
			TaskStatus::Settled | TaskStatus::Undecided => {
				let prune_at =
					task.ended_at.unwrap_or(now).saturating_add(Parameters::<T>::get().retention);
				let mut weight = Weight::zero();
				if !task.pool_pending.is_zero() {
					weight.saturating_accrue(Self::pay_pool(id));
				}
				if now >= prune_at {
					Self::prune(id);
					weight.saturating_accrue(T::WeightInfo::prune(T::MaxClaims::get()));
				} else if !Agenda::<T>::contains_key(prune_at, id) {
					Self::schedule(prune_at, id);
				}
				weight.saturating_add(T::DbWeight::get().reads_writes(2, 1))
			},
		}
	}

	/// Fixes the sampling randomness from the VRF of the parent block, which came after the
	/// task's block; opens claims.
	pub(crate) fn fix_randomness(id: TaskId, mut task: TaskOf<T>, now: BlockNumberFor<T>) {
		let subject = codec::Encode::encode(&(b"aos/inference/sampling", id));
		let (random, from) = T::Randomness::random(&subject);
		let random = random.filter(|_| from > task.submitted_at);
		let Some(random) = random else {
			// No VRF in the parent block (a secondary slot) or not later yet: try the next one.
			let next = now.saturating_add(One::one());
			task.status = TaskStatus::AwaitingRandomness { at: next };
			Tasks::<T>::insert(id, task);
			Self::schedule(next, id);
			return;
		};
		let mut bytes = [0u8; 32];
		let encoded = codec::Encode::encode(&random);
		let n = encoded.len().min(32);
		bytes[..n].copy_from_slice(&encoded[..n]);
		let randomness = sp_core::H256(bytes);
		let until = now.saturating_add(Parameters::<T>::get().claim_period);
		task.randomness = Some((randomness, from));
		task.status = TaskStatus::Claiming { round: 0, tranche: 0, until };
		Tasks::<T>::insert(id, task);
		Self::schedule(until, id);
		Self::deposit_event(Event::RandomnessFixed { task: id, randomness, from });
		Self::deposit_event(Event::ClaimsOpen { task: id, round: 0, tranche: 0, until });
	}

	/// At the end of a claim tranche: enough claims → commit; too few → the next tranche, or,
	/// after the last, go on with those there are (or give up if there are none). Returns the
	/// number of claims decided over if it came to a decision.
	pub(crate) fn close_tranche(
		id: TaskId,
		mut task: TaskOf<T>,
		round: u8,
		tranche: u8,
		now: BlockNumberFor<T>,
	) -> Option<u32> {
		let params = Parameters::<T>::get();
		let claims = Claims::<T>::get(id);
		let this_round = claims.iter().filter(|c| c.round == round).count() as u32;
		if this_round < Self::round_target(task.redundancy, round)
			&& tranche.saturating_add(1) < params.max_tranches
		{
			let tranche = tranche.saturating_add(1);
			let until = now.saturating_add(params.claim_period);
			task.status = TaskStatus::Claiming { round, tranche, until };
			Tasks::<T>::insert(id, task);
			Self::schedule(until, id);
			Self::deposit_event(Event::ClaimsOpen { task: id, round, tranche, until });
			return None;
		}
		if this_round == 0 {
			// No one new came. With earlier reveals, decide on them for the last time; with
			// none at all, no one took the task.
			if claims.is_empty() {
				Self::end_undecided(id, task, now);
				return None;
			}
			task.status = TaskStatus::Revealing { round, until: now };
			Tasks::<T>::insert(id, task);
			return Some(Self::decide_final(id));
		}
		if task.mode == VerificationMode::Zk {
			// A proof needs no commit-reveal: claimants prove until the end of what would
			// have been both phases, and the first valid proof settles the task.
			let until =
				now.saturating_add(params.commit_period).saturating_add(params.resolution_window);
			task.status = TaskStatus::Revealing { round, until };
			Tasks::<T>::insert(id, task);
			Self::schedule(until, id);
			Self::deposit_event(Event::ProofPhase { task: id, round, until });
			return None;
		}
		let until = now.saturating_add(params.commit_period);
		task.status = TaskStatus::Committing { round, until };
		Tasks::<T>::insert(id, task);
		Self::schedule(until, id);
		Self::deposit_event(Event::CommitPhase { task: id, round, until });
		None
	}
}
