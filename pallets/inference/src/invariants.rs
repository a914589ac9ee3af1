//! The pallet's invariants, checked by `try_state`.

#[cfg(any(feature = "try-runtime", test))]
use crate::{pallet::*, *};
#[cfg(any(feature = "try-runtime", test))]
use frame_support::traits::fungible::InspectHold;
#[cfg(any(feature = "try-runtime", test))]
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

#[cfg(any(feature = "try-runtime", test))]
impl<T: Config> Pallet<T> {
	/// - every task not ended has exactly one deadline in the agenda, and its claims fit its
	///   status (none before the randomness is fixed);
	/// - the fees held from each owner are the fees of their tasks not ended, and the deposits
	///   held are their active models' deposits;
	/// - every task is indexed under its owner; a revealed claim has its reveal stored;
	/// - the escrow account exists.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let mut fees: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, task) in Tasks::<T>::iter() {
			ensure_that(
				TasksByOwner::<T>::contains_key(&task.owner, id),
				"task not indexed under its owner",
			)?;
			let deadlines = Agenda::<T>::iter().filter(|(_, t, _)| *t == id).count();
			if !task.status.is_final() {
				ensure_that(deadlines == 1, "a live task without exactly one deadline")?;
				let fee = fees.entry(task.owner.clone()).or_default();
				*fee = fee.saturating_add(task.fee);
			} else {
				ensure_that(deadlines >= 1, "an ended task that will never be pruned")?;
			}
			let claims = Claims::<T>::get(id);
			if matches!(task.status, TaskStatus::AwaitingRandomness { .. }) {
				ensure_that(
					claims.is_empty() && task.randomness.is_none(),
					"claims before the randomness",
				)?;
			}
			if let Some((_, from)) = task.randomness {
				ensure_that(from > task.submitted_at, "randomness from before the task")?;
			}
			for claim in &claims {
				ensure_that(
					claim.result.is_none() || Reveals::<T>::contains_key(id, &claim.operator),
					"a revealed claim without its reveal",
				)?;
				// A Zk-mode result is a verified proof: no commit-reveal.
				ensure_that(
					claim.result.is_none()
						|| claim.commitment.is_some()
						|| task.mode == VerificationMode::Zk,
					"a reveal without a commitment",
				)?;
			}
			ensure_that(task.pool_pending <= task.pool, "more pending than pooled")?;
		}
		for (owner, fee) in fees {
			let held = T::Currency::balance_on_hold(&HoldReason::TaskFee.into(), &owner);
			ensure_that(held == fee, "held task fees differ from the fees of live tasks")?;
		}
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (_, model) in Models::<T>::iter() {
			if model.status == ModelStatus::Banned {
				ensure_that(model.deposit.is_zero(), "a banned model still holds a deposit")?;
			}
			let d = deposits.entry(model.owner.clone()).or_default();
			*d = d.saturating_add(model.deposit);
		}
		for (owner, deposit) in deposits {
			let held = T::Currency::balance_on_hold(&HoldReason::ModelDeposit.into(), &owner);
			ensure_that(held == deposit, "held model deposits differ from the models'")?;
		}
		ensure_that(
			frame_system::Pallet::<T>::account_exists(&Self::escrow_account()),
			"the escrow account does not exist",
		)?;
		Ok(())
	}
}

#[cfg(any(feature = "try-runtime", test))]
fn ensure_that(condition: bool, message: &'static str) -> Result<(), TryRuntimeError> {
	if condition {
		Ok(())
	} else {
		Err(TryRuntimeError::Other(message))
	}
}
