//! Every active operator has one entry in [`LivenessChecks`], at the first block at which it
//! would have been silent for longer than `offline_grace`. A heartbeat moves the entry;
//! `on_initialize` takes the entries that fall due. An operator found offline is slashed
//! (unless a mass outage covers its silence) and checked again one grace period later.
//!
//! Mass outages are measured per heartbeat period, by stake: [`Liveness`] sums the stake of
//! the active operators that heartbeated in the current period, and how much of the previous
//! period's live stake heartbeated again. When the period ends, the previous period's live
//! stake that did not is compared with `mass_outage_threshold` of it, and the verdict kept,
//! for the last 64 periods, as a bit in [`LivenessState::outages`]. An operator that never
//! heartbeats is never live, so it can neither cause nor prevent a verdict. All of it is O(1)
//! per heartbeat and per period.

use crate::{agenda, pallet::*, *};
use frame_support::{ensure, pallet_prelude::*};
use sp_runtime::{
	traits::{One, Saturating, Zero},
	SaturatedConversion,
};

impl<T: Config> Pallet<T> {
	/// The first multiple of the heartbeat period after `now`.
	pub(crate) fn next_period_start(
		now: BlockNumberFor<T>,
		params: &ParamsOf<T>,
	) -> BlockNumberFor<T> {
		let length = params.heartbeat_period.max(One::one());
		(now / length).saturating_add(One::one()).saturating_mul(length)
	}

	/// Closes the heartbeat period if `now` starts a new one, judging whether it was a mass
	/// outage.
	pub(crate) fn roll_period(now: BlockNumberFor<T>, params: &ParamsOf<T>) {
		let mut state = Liveness::<T>::get();
		if now < state.ends_at {
			return;
		}
		let live = state.prev_live_stake;
		let missed = state.missed_stake();
		let outage = !live.is_zero() && missed > params.mass_outage_threshold.mul_floor(live);
		if outage {
			Self::deposit_event(Event::MassOutage {
				period: state.period,
				missed_stake: missed,
				live_stake: live,
			});
		}
		// Periods without a block that ran this hook (none on a live chain) get no verdict.
		let length = params.heartbeat_period.max(One::one());
		let skipped: u32 = (now.saturating_sub(state.ends_at) / length).saturated_into();
		state.roll(outage, state.period.saturating_add(skipped).saturating_add(1));
		state.ends_at = Self::next_period_start(now, params);
		Liveness::<T>::put(state);
	}

	/// Records a sign of life from active operator `who` at `now`: moves its liveness check
	/// and marks the current period as heard from (once). Only a `heartbeat` call counts its
	/// stake as live in the period (`live`); registering and resuming reset the clock without
	/// it, so that registrations cannot make the next period's verdict. Returns whether it is
	/// the first in the period.
	pub(crate) fn note_heartbeat(
		who: &T::AccountId,
		op: &mut OperatorOf<T>,
		now: BlockNumberFor<T>,
		params: &ParamsOf<T>,
		live: bool,
	) -> bool {
		op.last_heartbeat = now;
		op.last_offline_period = None;
		let mut state = Liveness::<T>::get();
		let first = op.last_heartbeat_period != Some(state.period);
		if first {
			// Live in the previous period too: that stake did not miss this one.
			let continued = live
				&& op.last_heartbeat_period.is_some()
				&& op.last_heartbeat_period == state.period.checked_sub(1);
			op.continued_stake = if continued { op.heartbeat_stake } else { Zero::zero() };
			op.heartbeat_stake = if live { op.active_stake() } else { Zero::zero() };
			state.continuing_stake = state.continuing_stake.saturating_add(op.continued_stake);
			state.live_stake = state.live_stake.saturating_add(op.heartbeat_stake);
			op.last_heartbeat_period = Some(state.period);
			Liveness::<T>::put(state);
		}
		let check_at = now.saturating_add(params.offline_grace).saturating_add(One::one());
		Self::schedule_check(who, op, check_at);
		first
	}

	/// Moves `who`'s liveness check to `at`.
	fn schedule_check(who: &T::AccountId, op: &mut OperatorOf<T>, at: BlockNumberFor<T>) {
		if op.liveness_check_at == Some(at) {
			return;
		}
		if let Some(old) = op.liveness_check_at {
			LivenessChecks::<T>::remove(old, who);
		}
		LivenessChecks::<T>::insert(at, who, ());
		op.liveness_check_at = Some(at);
	}

	/// Stops checking `who` (it chills or leaves), and takes its stake out of the periods'
	/// live stake: stopping on purpose is not missing a heartbeat.
	pub(crate) fn stop_liveness(who: &T::AccountId, op: &mut OperatorOf<T>) {
		if let Some(at) = op.liveness_check_at.take() {
			LivenessChecks::<T>::remove(at, who);
		}
		let mut state = Liveness::<T>::get();
		let period = op.last_heartbeat_period;
		if period.is_some() && period == Some(state.period) {
			state.live_stake = state.live_stake.saturating_sub(op.heartbeat_stake);
			state.continuing_stake = state.continuing_stake.saturating_sub(op.continued_stake);
			state.prev_live_stake = state.prev_live_stake.saturating_sub(op.continued_stake);
		} else if period.is_some() && period == state.period.checked_sub(1) {
			state.prev_live_stake = state.prev_live_stake.saturating_sub(op.heartbeat_stake);
		}
		Liveness::<T>::put(state);
		op.last_heartbeat_period = None;
		op.heartbeat_stake = Zero::zero();
		op.continued_stake = Zero::zero();
	}

	pub(crate) fn do_heartbeat(who: &T::AccountId) -> Result<bool, DispatchError> {
		let params = Parameters::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		let first = Self::mutate_operator(who, |op| {
			ensure!(op.status != OperatorStatus::Chilled, Error::<T>::OperatorChilled);
			ensure!(op.status != OperatorStatus::Leaving, Error::<T>::OperatorLeaving);
			Ok(Self::note_heartbeat(who, op, now, &params, true))
		})?;
		Self::deposit_event(Event::Heartbeat { operator: who.clone() });
		Ok(first)
	}

	pub(crate) fn do_chill(who: &T::AccountId) -> DispatchResult {
		Self::mutate_operator(who, |op| {
			ensure!(op.status != OperatorStatus::Chilled, Error::<T>::OperatorChilled);
			ensure!(op.status != OperatorStatus::Leaving, Error::<T>::OperatorLeaving);
			Self::stop_liveness(who, op);
			op.status = OperatorStatus::Chilled;
			Ok(())
		})?;
		Self::deposit_event(Event::Chilled { operator: who.clone() });
		Ok(())
	}

	pub(crate) fn do_resume(who: &T::AccountId) -> DispatchResult {
		let params = Parameters::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		Self::mutate_operator(who, |op| {
			ensure!(op.status != OperatorStatus::Leaving, Error::<T>::OperatorLeaving);
			ensure!(op.status == OperatorStatus::Chilled, Error::<T>::NotChilled);
			op.status = OperatorStatus::Active;
			Self::note_heartbeat(who, op, now, &params, false);
			Ok(())
		})?;
		Self::deposit_event(Event::Resumed { operator: who.clone() });
		Ok(())
	}

	/// The weight of one liveness check that finds an operator offline and reports it.
	pub(crate) fn liveness_check_weight(params: &ParamsOf<T>) -> Weight {
		let report = if params.slash_defer_period.is_zero() {
			Self::max_apply_slash_weight()
		} else {
			Weight::zero()
		};
		T::WeightInfo::liveness_check().saturating_add(report)
	}

	/// Makes the liveness checks due by `now`; returns their weight.
	pub(crate) fn check_liveness(now: BlockNumberFor<T>, params: &ParamsOf<T>) -> Weight {
		let due = agenda::take_due::<LivenessChecks<T>, _, _>(
			LivenessCursor::<T>::get(),
			now,
			T::MaxLivenessChecksPerBlock::get(),
		);
		LivenessCursor::<T>::put(due.cursor);
		let per_check = Self::liveness_check_weight(params);
		// The base weight covers one prefix read; further blocks visited cost one read each.
		let mut weight = T::DbWeight::get().reads(u64::from(due.steps.saturating_sub(1)));
		for (at, who) in due.entries {
			Self::check_one(&who, at, now, params);
			weight.saturating_accrue(per_check);
		}
		weight
	}

	/// The liveness check of `who`, scheduled at `at`.
	fn check_one(
		who: &T::AccountId,
		at: BlockNumberFor<T>,
		now: BlockNumberFor<T>,
		params: &ParamsOf<T>,
	) {
		let Some(before) = Operators::<T>::get(who) else { return };
		if before.liveness_check_at != Some(at) {
			// A leftover of a check that was moved; the agenda entry is gone now.
			return;
		}
		let mut op = before.clone();
		op.liveness_check_at = None;
		if op.status != OperatorStatus::Active {
			Self::put_operator(who, &before, op);
			return;
		}
		let grace = params.offline_grace;
		if now.saturating_sub(op.last_heartbeat) <= grace {
			// The grace period grew since the check was scheduled.
			let next = op.last_heartbeat.saturating_add(grace).saturating_add(One::one());
			Self::schedule_check(who, &mut op, next);
			Self::put_operator(who, &before, op);
			return;
		}
		if op.last_offline_period.is_none() {
			Self::deposit_event(Event::Offline {
				operator: who.clone(),
				last_heartbeat: op.last_heartbeat,
			});
		}
		// The periods this check covers: from the first one after the operator was last
		// heard from (or last checked) to the last finished one.
		let state = Liveness::<T>::get();
		let from = op
			.last_offline_period
			.or(op.last_heartbeat_period)
			.map_or(state.period, |p| p.saturating_add(1));
		let forgiven = state.outage_between(from, state.period);
		op.last_offline_period = Some(state.period);
		Self::schedule_check(who, &mut op, now.saturating_add(grace));
		Self::put_operator(who, &before, op);
		if forgiven {
			Self::deposit_event(Event::OfflineForgiven { operator: who.clone() });
		} else if let Err(e) = Self::report(who, OffenceKind::Offline, None) {
			log::error!(target: LOG_TARGET, "offline slash of a known operator failed: {e:?}");
		}
	}
}
