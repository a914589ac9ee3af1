//! Offence reports, deferred slashes, their cancellation and their application.
//!
//! A slash is computed from the rule of its offence kind *when reported* (so a governance
//! change applies from the next report on; a kind whose rule is not in force yet, by its
//! `enabled_from`, slashes nothing), waits `slash_defer_period` in [`SlashQueue`]
//! (governance may cancel it), and is then applied: capped at its fraction of what the
//! operator has at stake then, taken from the operator's own collateral first and from its
//! delegations only beyond that, and handed to [`Config::OnSlash`].

use crate::{agenda, pallet::*, *};
use frame_support::{pallet_prelude::*, traits::fungible::BalancedHold, traits::Imbalance};
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Records an offence of `offender`; see [`SlashOperator::report_offence`].
	pub(crate) fn report(
		offender: &T::AccountId,
		kind: OffenceKind,
		reference: Option<OffenceReference>,
	) -> Result<SlashOutcome, DispatchError> {
		let mut op = Operators::<T>::get(offender).ok_or(Error::<T>::NotOperator)?;
		let params = Parameters::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		let rule = params.slash_rules.get(kind);
		if now < rule.enabled_from || rule.amount.is_zero() || rule.max_fraction.is_zero() {
			Self::deposit_event(Event::OffenceIgnored { operator: offender.clone(), kind });
			return Ok(SlashOutcome::Skipped);
		}
		let slash_id = NextSlashId::<T>::mutate(|next| {
			let id = *next;
			*next = next.saturating_add(1);
			id
		});
		let apply_at = now.saturating_add(params.slash_defer_period);
		let pending = PendingSlashOf::<T> {
			operator: offender.clone(),
			kind,
			reference,
			amount: rule.amount,
			max_fraction: rule.max_fraction,
			reported_at: now,
			apply_at,
		};
		if params.slash_defer_period.is_zero() {
			let _ = Self::apply_slash(slash_id, pending, false);
			return Ok(SlashOutcome::Applied(slash_id));
		}
		PendingSlashes::<T>::insert(slash_id, &pending);
		SlashesOf::<T>::insert(offender, slash_id, ());
		SlashQueue::<T>::insert(apply_at, slash_id, ());
		op.pending_slashes = op.pending_slashes.saturating_add(1);
		Operators::<T>::insert(offender, op);
		Self::deposit_event(Event::SlashDeferred {
			slash_id,
			operator: offender.clone(),
			kind,
			amount: rule.amount,
			apply_at,
		});
		Ok(SlashOutcome::Deferred(slash_id))
	}

	/// Applies slash `slash_id` now. `deferred`: it was pending (and counted as such).
	/// Returns its weight.
	pub(crate) fn apply_slash(
		slash_id: SlashId,
		slash: PendingSlashOf<T>,
		deferred: bool,
	) -> Weight {
		let who = &slash.operator;
		let Some(before) = Operators::<T>::get(who) else {
			// Cannot happen: an operator with pending slashes is not removed.
			log::error!(target: LOG_TARGET, "slash {slash_id} of a removed operator dropped");
			return T::DbWeight::get().reads(1);
		};
		let weight = Self::apply_slash_weight(before.delegators);
		let mut op = before.clone();
		if deferred {
			op.pending_slashes = op.pending_slashes.saturating_sub(1);
		}
		let amount = slash.amount.min(slash.max_fraction.mul_floor(op.slashable()));
		// The operator's own collateral first; delegations only for what exceeds it.
		let own_target = amount.min(op.own.slashable());
		let delegated_target = amount.saturating_sub(own_target);
		let (own_active, own_unbonding) = op.own.slash(own_target);
		let (del_active, del_unbonding) = op.delegated.slash(delegated_target);
		let from_own = own_active.saturating_add(own_unbonding);
		let from_delegated = del_active.saturating_add(del_unbonding);

		let (mut credit, own_missing) =
			<T::Currency as BalancedHold<_>>::slash(&HoldReason::Collateral.into(), who, from_own);
		let (delegated_credit, delegated_missing) = <T::Currency as BalancedHold<_>>::slash(
			&HoldReason::Delegation.into(),
			&Self::pool_account(who),
			from_delegated,
		);
		if !own_missing.is_zero() || !delegated_missing.is_zero() {
			log::error!(
				target: LOG_TARGET,
				"slash {slash_id}: held funds short of the accounted stake by {own_missing:?} (own) \
				 and {delegated_missing:?} (delegated)"
			);
		}
		credit.subsume(delegated_credit);
		Self::put_operator(who, &before, op);
		T::OnSlash::on_slash_applied(slash_id, who, slash.kind, slash.reference, credit);
		Self::deposit_event(Event::Slashed {
			slash_id,
			operator: who.clone(),
			kind: slash.kind,
			from_own: from_own.saturating_sub(own_missing),
			from_delegated: from_delegated.saturating_sub(delegated_missing),
		});
		Self::try_reap(who);
		weight
	}

	/// The weight of applying a slash to an operator with `delegators` delegators: taking
	/// from its pools, or removing it when nothing is left, and handing the funds to
	/// [`Config::OnSlash`] (the benchmarks measure the cheapest routing, a burn; the router's
	/// own weight covers the rest, such as a task's reward pool).
	fn apply_slash_weight(delegators: u32) -> Weight {
		T::WeightInfo::apply_slash(delegators)
			.max(T::WeightInfo::apply_slash_reaping())
			.saturating_add(T::OnSlash::on_slash_applied_weight())
	}

	/// The weight of applying a slash, for callers that do not know the operator yet. The
	/// benchmark of `apply_slash` shows that the weight does not grow with the number of
	/// delegators (shares, not a loop over them); one stands for any number.
	pub(crate) fn max_apply_slash_weight() -> Weight {
		Self::apply_slash_weight(1)
	}

	/// Applies the deferred slashes due by `now`; returns their weight.
	pub(crate) fn apply_due_slashes(now: BlockNumberFor<T>) -> Weight {
		let due = agenda::take_due::<SlashQueue<T>, _, _>(
			SlashCursor::<T>::get(),
			now,
			T::MaxSlashesPerBlock::get(),
		);
		SlashCursor::<T>::put(due.cursor);
		let mut weight = T::DbWeight::get().reads(u64::from(due.steps.saturating_sub(1)));
		for (_, slash_id) in due.entries {
			let Some(slash) = PendingSlashes::<T>::take(slash_id) else { continue };
			SlashesOf::<T>::remove(&slash.operator, slash_id);
			weight.saturating_accrue(Self::apply_slash(slash_id, slash, true));
		}
		weight
	}

	pub(crate) fn do_cancel_slash(slash_id: SlashId) -> DispatchResult {
		let slash = PendingSlashes::<T>::take(slash_id).ok_or(Error::<T>::UnknownSlash)?;
		SlashesOf::<T>::remove(&slash.operator, slash_id);
		SlashQueue::<T>::remove(slash.apply_at, slash_id);
		Operators::<T>::mutate(&slash.operator, |op| {
			if let Some(op) = op {
				op.pending_slashes = op.pending_slashes.saturating_sub(1);
			}
		});
		Self::deposit_event(Event::SlashCancelled { slash_id, operator: slash.operator.clone() });
		Self::try_reap(&slash.operator);
		Ok(())
	}
}

impl<T: Config> SlashOperator<T::AccountId> for Pallet<T> {
	fn report_offence(
		offender: &T::AccountId,
		kind: OffenceKind,
		reference: Option<OffenceReference>,
	) -> Result<SlashOutcome, DispatchError> {
		frame_support::storage::with_storage_layer(|| Self::report(offender, kind, reference))
	}

	fn report_offence_weight() -> Weight {
		// A report applied at once (no deferral configured) includes the application.
		T::WeightInfo::report_offence().saturating_add(Self::max_apply_slash_weight())
	}
}
