//! Deadlines and the work of ended tasks.
//!
//! Each task not ended has one entry in the [`Agenda`], at the block of its next deadline;
//! `on_initialize` works through due entries in block order from a cursor, at most
//! `MaxAgendaPerBlock` a block, and `on_idle` works through more when the block has room. As
//! there are at most `MaxLiveTasks` tasks not ended, an entry waits behind at most that many:
//! no deadline is handled more than `MaxLiveTasks / MaxAgendaPerBlock` blocks late, whatever
//! anyone submits (admission control refuses submissions beyond `MaxLiveTasks`).
//!
//! Ended tasks have their reward-pool payouts and their pruning in [`Expiries`]: they are not
//! deadlines, so they use what a block has left (`on_idle`), and a few entries of every block
//! besides, so that they never starve.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use aos_operators_primitives::OperatorRegistry;
use frame_support::{
	pallet_prelude::*,
	storage::IterableStorageDoubleMap,
	traits::{Get, Randomness},
};
use sp_runtime::traits::{One, Saturating, Zero};

/// Empty blocks a cursor may pass in one go: it normally moves one block per block, this lets
/// it catch up after a burst.
pub(crate) const MAX_CURSOR_STEPS: u32 = 8;

impl<T: Config> Pallet<T> {
	pub(crate) fn schedule(at: BlockNumberFor<T>, id: TaskId) {
		Agenda::<T>::insert(at, id, ());
	}

	/// Brings task `id`'s deadline from `until` forward to `at`, if earlier.
	pub(crate) fn reschedule(id: TaskId, until: BlockNumberFor<T>, at: BlockNumberFor<T>) {
		if at < until {
			Agenda::<T>::remove(until, id);
			Self::schedule(at, id);
		}
	}

	/// Opens the phase in which task `id` of round `round` resolves (reveals, proofs, signed
	/// results, the optimistic post), for the resolution window from `now`.
	pub(crate) fn open_resolution(
		id: TaskId,
		mut task: TaskInfo<T>,
		round: u8,
		now: BlockNumberFor<T>,
	) {
		let until = now.saturating_add(Parameters::<T>::get().resolution_window);
		let mode = task.mode;
		task.status = TaskStatus::resolution_phase(mode, round, until);
		Tasks::<T>::insert(id, task);
		Self::schedule(until, id);
		Self::deposit_event(match mode {
			VerificationMode::Redundancy => Event::RevealPhase { task: id, round, until },
			VerificationMode::Zk => Event::ProofPhase { task: id, round, until },
			VerificationMode::Tee => Event::AttestationPhase { task: id, round, until },
			VerificationMode::Optimistic => Event::PostingPhase { task: id, round, until },
		});
	}

	/// Schedules ended task `id`'s pool payout or pruning at `at`.
	pub(crate) fn schedule_expiry(at: BlockNumberFor<T>, id: TaskId) {
		Expiries::<T>::insert(at, id, ());
	}

	/// The most weight one deadline may take: the costliest of fixing randomness, closing a
	/// tranche (assigning every candidate, and deciding when no one came) and resolving.
	pub(crate) fn max_deadline_weight() -> Weight {
		let claims = T::MaxClaims::get();
		let resolve = T::WeightInfo::resolve(claims).saturating_add(Self::settled_weight());
		T::WeightInfo::fix_randomness()
			.max(T::WeightInfo::close_tranche(claims).saturating_add(resolve))
			.max(resolve)
	}

	/// The most weight one ended task's entry may take: paying its pool and pruning it.
	pub(crate) fn max_expiry_weight() -> Weight {
		let claims = T::MaxClaims::get();
		T::WeightInfo::pay_pool(claims)
			.saturating_add(T::WeightInfo::prune(claims))
			.saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}

	/// Works through the due deadlines and a few ended tasks' entries. Returns the weight used.
	pub(crate) fn process_agenda(now: BlockNumberFor<T>) -> Weight {
		let mut weight = T::WeightInfo::on_initialize_base();
		let per_block = T::MaxAgendaPerBlock::get();
		let deadlines = Self::drain::<Agenda<T>>(
			AgendaCursor::<T>::get(),
			now,
			per_block,
			Weight::MAX,
			Self::max_deadline_weight(),
			|id| Self::process(id, now),
		);
		AgendaCursor::<T>::put(deadlines.cursor);
		weight.saturating_accrue(deadlines.weight);
		// Ended tasks' work never starves, even in blocks that leave no room for `on_idle`.
		let expiries = Self::drain::<Expiries<T>>(
			ExpiryCursor::<T>::get(),
			now,
			(per_block / 4).max(1),
			Weight::MAX,
			Self::max_expiry_weight(),
			|id| Self::process_expiry(id, now),
		);
		ExpiryCursor::<T>::put(expiries.cursor);
		weight.saturating_add(expiries.weight)
	}

	/// With the room a block has left: deadlines `on_initialize` could not handle, then ended
	/// tasks' entries. Returns the weight used.
	pub(crate) fn process_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
		let cursor_reads = T::DbWeight::get().reads_writes(2, 2);
		if remaining.any_lt(cursor_reads) {
			return Weight::zero();
		}
		let mut budget = remaining.saturating_sub(cursor_reads);
		let deadlines = Self::drain::<Agenda<T>>(
			AgendaCursor::<T>::get(),
			now,
			u32::MAX,
			budget,
			Self::max_deadline_weight(),
			|id| Self::process(id, now),
		);
		AgendaCursor::<T>::put(deadlines.cursor);
		budget = budget.saturating_sub(deadlines.weight);
		let expiries = Self::drain::<Expiries<T>>(
			ExpiryCursor::<T>::get(),
			now,
			u32::MAX,
			budget,
			Self::max_expiry_weight(),
			|id| Self::process_expiry(id, now),
		);
		ExpiryCursor::<T>::put(expiries.cursor);
		cursor_reads.saturating_add(deadlines.weight).saturating_add(expiries.weight)
	}

	/// Takes up to `max` entries of `M` due by `now` from `cursor` (at `now` when there is
	/// none) in block order, each only while `budget` has room for `per_entry`, and hands them
	/// to `handle`, which returns what it used.
	fn drain<M>(
		cursor: BlockNumberFor<T>,
		now: BlockNumberFor<T>,
		max: u32,
		budget: Weight,
		per_entry: Weight,
		mut handle: impl FnMut(TaskId) -> Weight,
	) -> Drained<BlockNumberFor<T>>
	where
		M: IterableStorageDoubleMap<BlockNumberFor<T>, TaskId, ()>,
	{
		let mut block = if cursor.is_zero() { now } else { cursor };
		let mut weight = Weight::zero();
		let mut left = max;
		let mut steps = 0;
		let read = T::DbWeight::get().reads(1);
		while block <= now && steps < MAX_CURSOR_STEPS {
			let take =
				left.min(affordable(budget.saturating_sub(weight.saturating_add(read)), per_entry));
			if take == 0 {
				break;
			}
			let due: Vec<TaskId> = M::iter_key_prefix(block).take(take as usize).collect();
			for id in &due {
				M::remove(block, id);
				weight.saturating_accrue(handle(*id));
			}
			left = left.saturating_sub(due.len() as u32);
			weight.saturating_accrue(read);
			if due.len() as u32 == take && M::iter_key_prefix(block).next().is_some() {
				// More are due at this block: take them while entries and weight are left (the
				// worst case per entry was reserved; most cost far less), else resume here
				// next time.
				continue;
			}
			block.saturating_inc();
			steps += 1;
		}
		Drained { cursor: block, weight }
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
				let (assigned, decided) = Self::close_tranche(id, task, round, tranche, now);
				T::WeightInfo::close_tranche(assigned)
					.saturating_add(decided.map_or(Weight::zero(), T::WeightInfo::resolve))
			},
			TaskStatus::Committing { round, .. } => {
				Self::open_resolution(id, task, round, now);
				T::WeightInfo::close_tranche(0)
			},
			TaskStatus::Revealing { .. }
			| TaskStatus::Proving { .. }
			| TaskStatus::Attesting { .. }
			| TaskStatus::Posting { .. } => Self::resolve_weight(Self::decide_counted(id)),
			// `pallet-opml` has the task; it keeps no deadline here.
			TaskStatus::Challenging { .. } => T::DbWeight::get().reads(1),
			TaskStatus::Settled | TaskStatus::Undecided => {
				// Ended tasks' work is in the expiries.
				Self::schedule_expiry(now, id);
				T::DbWeight::get().reads_writes(1, 1)
			},
		}
	}

	/// Handles ended task `id`'s entry: pays its pending pool, and prunes it once its
	/// retention is over. Returns the weight used.
	pub(crate) fn process_expiry(id: TaskId, now: BlockNumberFor<T>) -> Weight {
		let Some(task) = Tasks::<T>::get(id) else {
			return T::DbWeight::get().reads(1);
		};
		let claims = Claims::<T>::decode_len(id).unwrap_or(0) as u32;
		let mut weight = T::DbWeight::get().reads_writes(2, 1);
		if !task.pool_pending.is_zero() {
			weight.saturating_accrue(Self::pay_pool(id));
		}
		let prune_at =
			task.ended_at.unwrap_or(now).saturating_add(Parameters::<T>::get().retention);
		if now >= prune_at {
			Self::prune(id);
			weight.saturating_accrue(T::WeightInfo::prune(claims));
		} else if !Expiries::<T>::contains_key(prune_at, id) {
			Self::schedule_expiry(prune_at, id);
		}
		weight
	}

	/// Fixes the sampling randomness from the VRF of the parent block, which came after the
	/// task's block, and snapshots the stake sampling divides by; opens claims.
	pub(crate) fn fix_randomness(id: TaskId, mut task: TaskInfo<T>, now: BlockNumberFor<T>) {
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
		for (b, e) in bytes.iter_mut().zip(&encoded) {
			*b = *e;
		}
		let randomness = sp_core::H256(bytes);
		let until = now.saturating_add(Parameters::<T>::get().claim_period);
		task.randomness = Some((randomness, from));
		task.selection_stake = T::Operators::total_selection_stake();
		task.status = TaskStatus::Claiming { round: 0, tranche: 0, until };
		Tasks::<T>::insert(id, task);
		Self::schedule(until, id);
		Self::deposit_event(Event::RandomnessFixed { task: id, randomness, from });
		Self::deposit_event(Event::ClaimsOpen { task: id, round: 0, tranche: 0, until });
	}

	/// At the end of a claim tranche: the tranche's candidates are assigned (they are the best
	/// ranked, at most the claims wanted); enough claims → commit; too few → the next tranche,
	/// or, after the last, go on with those there are (or give up if there are none). Returns
	/// the candidates assigned, and the number of claims decided over if it came to a decision.
	pub(crate) fn close_tranche(
		id: TaskId,
		mut task: TaskInfo<T>,
		round: u8,
		tranche: u8,
		now: BlockNumberFor<T>,
	) -> (u32, Option<u32>) {
		let params = Parameters::<T>::get();
		let mut claims = Claims::<T>::get(id);
		let candidates = Candidates::<T>::take(id);
		let assigned = candidates.len() as u32;
		for c in candidates {
			let claim = Claim {
				operator: c.operator.clone(),
				round,
				commitment: c.commitment,
				result: None,
			};
			// Cannot fail: claims take candidates only up to `MaxClaims`.
			if claims.try_push(claim).is_ok() {
				Self::deposit_event(Event::Assigned { task: id, operator: c.operator, round });
			}
		}
		Claims::<T>::insert(id, &claims);
		let this_round = claims.iter().filter(|c| c.round == round).count() as u32;
		if this_round < Self::round_target(task.mode, task.redundancy, round)
			&& (claims.len() as u32) < T::MaxClaims::get()
			&& tranche.saturating_add(1) < params.max_tranches
		{
			let tranche = tranche.saturating_add(1);
			let until = now.saturating_add(params.claim_period);
			task.status = TaskStatus::Claiming { round, tranche, until };
			Tasks::<T>::insert(id, task);
			Self::schedule(until, id);
			Self::deposit_event(Event::ClaimsOpen { task: id, round, tranche, until });
			return (assigned, None);
		}
		if this_round == 0 {
			// No one new came. With earlier reveals, decide on them for the last time; with
			// none at all, no one took the task.
			if claims.is_empty() {
				Self::end_undecided(id, task, now);
				return (assigned, None);
			}
			task.status = TaskStatus::resolution_phase(task.mode, round, now);
			Tasks::<T>::insert(id, task);
			return (assigned, Some(Self::decide_final(id)));
		}
		// Nothing to commit to in TEE and optimistic modes: an enclave's signature cannot be
		// copied, and an optimistic result has no competitor to copy from (it is disputed, not
		// compared); nor for a Zk round's only prover (`sole_prover`). In the others, every
		// claimant may have committed with its claim.
		let committed = matches!(task.mode, VerificationMode::Tee | VerificationMode::Optimistic)
			|| Self::sole_prover(task.mode, &claims, round)
			|| claims.iter().filter(|c| c.round == round).all(|c| c.commitment.is_some());
		if committed {
			Self::open_resolution(id, task, round, now);
			return (assigned, None);
		}
		// Redundancy and Zk commit first: results (PoS+W) or proofs (Zk), none revealed
		// before all are committed, so no one can copy another's.
		let until = now.saturating_add(params.commit_period);
		task.status = TaskStatus::Committing { round, until };
		Tasks::<T>::insert(id, task);
		Self::schedule(until, id);
		Self::deposit_event(Event::CommitPhase { task: id, round, until });
		(assigned, None)
	}
}

/// How many entries of weight `per_entry` fit in `room`.
fn affordable(room: Weight, per_entry: Weight) -> u32 {
	let fit = |room: u64, each: u64| room.checked_div(each).unwrap_or(u64::MAX);
	let n = fit(room.ref_time(), per_entry.ref_time())
		.min(fit(room.proof_size(), per_entry.proof_size()));
	u32::try_from(n).unwrap_or(u32::MAX)
}

/// Where a drain stopped, and what it cost.
struct Drained<B> {
	cursor: B,
	weight: Weight,
}
