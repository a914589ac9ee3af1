//! The pallet's invariants, checked by `try_state` (and after every unit test).

use crate::{pallet::*, *};
use frame_support::traits::fungible::InspectHold;
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

fn check(ok: bool, what: &'static str) -> Result<(), TryRuntimeError> {
	if ok {
		Ok(())
	} else {
		log::error!(target: LOG_TARGET, "invariant broken: {what}");
		Err(TryRuntimeError::Other(what))
	}
}

fn bucket_consistent<B: Zero + PartialEq>(bucket: &Bucket<B>) -> bool {
	// No funds without owners, no owners without funds.
	bucket.shares.is_zero() == bucket.balance.is_zero()
}

impl<T: Config> Pallet<T> {
	/// Checks every invariant of the pallet's storage.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		Self::check_params(&Parameters::<T>::get())
			.map_err(|_| TryRuntimeError::Other("stored parameters are invalid"))?;
		let liveness = Liveness::<T>::get();
		let mut active = ActiveSet::<BalanceOf<T>>::default();
		let mut pending = 0u32;
		let (mut live, mut continuing, mut prev_live) =
			(BalanceOf::<T>::zero(), BalanceOf::<T>::zero(), BalanceOf::<T>::zero());

		for (who, op) in Operators::<T>::iter() {
			// Held funds equal the accounted stake.
			let own_held = T::Currency::balance_on_hold(&HoldReason::Collateral.into(), &who);
			check(own_held == op.own.slashable(), "own collateral held != accounted")?;
			let pool_held = T::Currency::balance_on_hold(
				&HoldReason::Delegation.into(),
				&Self::pool_account(&who),
			);
			check(pool_held == op.delegated.slashable(), "delegations held != accounted")?;
			for bucket in
				[&op.own.active, &op.own.unbonding, &op.delegated.active, &op.delegated.unbonding]
			{
				check(bucket_consistent(bucket), "bucket with shares xor funds")?;
			}

			// Shares in ledgers add up to the buckets' shares.
			let (mut own_active, mut own_unbonding) =
				(BalanceOf::<T>::zero(), BalanceOf::<T>::zero());
			let (mut del_active, mut del_unbonding) =
				(BalanceOf::<T>::zero(), BalanceOf::<T>::zero());
			let mut delegators = 0u32;
			for (staker, ledger) in Ledgers::<T>::iter_prefix(&who) {
				let own = staker == who;
				let pool = op.pool(own);
				let active_shares = pool.active.live(ledger.active);
				let unbonding_shares =
					ledger.unlocking.iter().fold(BalanceOf::<T>::zero(), |acc, c| {
						acc.saturating_add(pool.unbonding.live(c.shares))
					});
				if own {
					own_active = own_active.saturating_add(active_shares);
					own_unbonding = own_unbonding.saturating_add(unbonding_shares);
				} else {
					delegators = delegators.saturating_add(1);
					del_active = del_active.saturating_add(active_shares);
					del_unbonding = del_unbonding.saturating_add(unbonding_shares);
				}
			}
			check(own_active == op.own.active.shares, "own active shares do not add up")?;
			check(own_unbonding == op.own.unbonding.shares, "own unbonding shares do not add up")?;
			check(
				del_active == op.delegated.active.shares,
				"delegated active shares do not add up",
			)?;
			check(
				del_unbonding == op.delegated.unbonding.shares,
				"delegated unbonding shares do not add up",
			)?;
			check(delegators == op.delegators, "delegator count is wrong")?;

			// Liveness: an active operator has exactly its one scheduled check.
			match op.status {
				OperatorStatus::Active => {
					let at = op.liveness_check_at.ok_or(TryRuntimeError::Other(
						"active operator without a liveness check",
					))?;
					check(LivenessChecks::<T>::contains_key(at, &who), "liveness check missing")?;
					active.count = active.count.saturating_add(1);
					active.stake = active.stake.saturating_add(op.active_stake());
					let period = op.last_heartbeat_period;
					if period == Some(liveness.period) {
						live = live.saturating_add(op.heartbeat_stake);
						continuing = continuing.saturating_add(op.continued_stake);
						prev_live = prev_live.saturating_add(op.continued_stake);
					} else if period.is_some() && period == liveness.period.checked_sub(1) {
						prev_live = prev_live.saturating_add(op.heartbeat_stake);
					}
				},
				_ => {
					check(op.liveness_check_at.is_none(), "inactive operator is checked")?;
					check(op.last_heartbeat_period.is_none(), "inactive operator is live")?;
				},
			}
			// What it counts for in the selection total is its active stake or nothing.
			let counted = op.counted_selection;
			check(
				counted.is_zero() || counted == op.active_stake(),
				"counted selection stake is neither zero nor the active stake",
			)?;
			active.selection_stake = active.selection_stake.saturating_add(counted);
			check(op.selection.settled <= op.active_stake(), "selection stake above the stake")?;
			check(
				op.selection.pending.is_none_or(|(_, v)| v <= op.active_stake()),
				"pending selection stake above the stake",
			)?;
			check(
				op.left_at.is_some() == (op.status == OperatorStatus::Leaving),
				"left_at without leaving",
			)?;
			check(VrfKeyOwners::<T>::get(op.vrf_key) == Some(who.clone()), "VRF key owner")?;
			let slashes = SlashesOf::<T>::iter_key_prefix(&who).count() as u32;
			check(slashes == op.pending_slashes, "pending slash count is wrong")?;
			pending = pending.saturating_add(slashes);
		}

		check(Active::<T>::get() == active, "active set totals are wrong")?;
		check(liveness.live_stake == live, "live stake of the period is wrong")?;
		check(liveness.continuing_stake == continuing, "continuing stake of the period is wrong")?;
		// Operators' stakes change after they heartbeat; the period's sums are what was counted.
		check(liveness.prev_live_stake == prev_live, "previous period's live stake is wrong")?;
		check(
			LivenessChecks::<T>::iter_keys().count() as u32 == active.count,
			"liveness checks of operators that are not active",
		)?;
		check(
			VrfKeyOwners::<T>::iter_keys().count() as u32 == Operators::<T>::count(),
			"VRF keys",
		)?;
		for (id, slash) in PendingSlashes::<T>::iter() {
			check(SlashQueue::<T>::contains_key(slash.apply_at, id), "pending slash not queued")?;
			check(SlashesOf::<T>::contains_key(&slash.operator, id), "pending slash not indexed")?;
			check(id < NextSlashId::<T>::get(), "slash id from the future")?;
		}
		check(PendingSlashes::<T>::iter_keys().count() as u32 == pending, "stray pending slashes")?;
		check(SlashQueue::<T>::iter_keys().count() as u32 == pending, "stray queued slashes")?;
		Ok(())
	}
}
