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
	/// - every task not ended has exactly one deadline in the agenda and none in the
	///   expiries; every ended task has at least one entry in the expiries (its pruning) and
	///   none in the agenda; [`LiveTasks`] counts the tasks not ended, and each model's
	///   `live_tasks` its own;
	/// - its claims fit its status (none before the randomness is fixed); candidates exist only
	///   while it takes claims, and never more than it still wants;
	/// - the fees held from each owner are the fees of their tasks not ended, the task deposits
	///   held are those of their tasks not pruned, and the deposits held are their active
	///   models' deposits;
	/// - every task is indexed under its owner; a revealed claim has its reveal stored (a refused
	///   one has none); TEE-mode claims commit to nothing; every
	///   proof remembered names a Zk-mode task that it settled;
	/// - the escrow account exists.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let mut fees: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut live_per_model: BTreeMap<ModelId, u32> = BTreeMap::new();
		let mut live = 0u32;
		for (id, task) in Tasks::<T>::iter() {
			ensure_that(
				TasksByOwner::<T>::contains_key(&task.owner, id),
				"task not indexed under its owner",
			)?;
			let deadlines = Agenda::<T>::iter().filter(|(_, t, _)| *t == id).count();
			let expiries = Expiries::<T>::iter().filter(|(_, t, _)| *t == id).count();
			let deposit = deposits.entry(task.owner.clone()).or_default();
			*deposit = deposit.saturating_add(task.deposit);
			if !task.status.is_final() {
				// An optimistic task in its challenge period is `pallet-opml`'s.
				let due = usize::from(!matches!(task.status, TaskStatus::Challenging { .. }));
				ensure_that(deadlines == due, "a live task without exactly one deadline")?;
				ensure_that(expiries == 0, "a live task with expiries")?;
				let fee = fees.entry(task.owner.clone()).or_default();
				*fee = fee.saturating_add(task.fee);
				live = live.saturating_add(1);
				let n = live_per_model.entry(task.model).or_default();
				*n = n.saturating_add(1);
			} else {
				ensure_that(deadlines == 0, "an ended task with a deadline")?;
				ensure_that(expiries >= 1, "an ended task that will never be pruned")?;
			}
			let claims = Claims::<T>::get(id);
			let candidates = Candidates::<T>::get(id);
			if matches!(task.status, TaskStatus::AwaitingRandomness { .. }) {
				ensure_that(
					claims.is_empty() && task.randomness.is_none(),
					"claims before the randomness",
				)?;
			}
			if let TaskStatus::Claiming { round, .. } = task.status {
				let this_round = claims.iter().filter(|c| c.round == round).count() as u32;
				ensure_that(
					candidates.len() as u32
						<= Self::round_target(task.mode, task.redundancy, round)
							.saturating_sub(this_round),
					"more candidates than the task wants",
				)?;
			} else {
				ensure_that(candidates.is_empty(), "candidates outside a claim tranche")?;
			}
			if let Some((_, from)) = task.randomness {
				ensure_that(from > task.submitted_at, "randomness from before the task")?;
			}
			ensure_that(
				(task.mode == VerificationMode::Zk) == task.terms.zk.is_some(),
				"a Zk-mode task without its verifying key, or another with one",
			)?;
			for claim in &claims {
				// A refused submission stores nothing.
				let revealed = claim.result.filter(|r| *r != REJECTED);
				ensure_that(
					revealed.is_none() || Reveals::<T>::contains_key(id, &claim.operator),
					"a revealed claim without its reveal",
				)?;
				// A Zk-mode result is a verified proof, a TEE-mode one a verified signature:
				// neither is committed to first.
				ensure_that(
					claim.result.is_none()
						|| claim.commitment.is_some()
						|| task.mode.settles_on_one(),
					"a reveal without a commitment",
				)?;
				ensure_that(
					claim.commitment.is_none() || task.mode != VerificationMode::Tee,
					"a TEE-mode claim with a commitment",
				)?;
			}
			ensure_that(task.pool_pending <= task.pool, "more pending than pooled")?;
		}
		ensure_that(LiveTasks::<T>::get() == live, "the live task count is wrong")?;
		for (proof, id) in ProvedProofs::<T>::iter() {
			let proved = Tasks::<T>::get(id).and_then(|t| t.result).and_then(|r| r.proof);
			ensure_that(proved == Some(proof), "a remembered proof that settled no task")?;
		}
		for (owner, fee) in fees {
			let held = T::Currency::balance_on_hold(&HoldReason::TaskFee.into(), &owner);
			ensure_that(held == fee, "held task fees differ from the fees of live tasks")?;
		}
		for (owner, deposit) in deposits {
			let held = T::Currency::balance_on_hold(&HoldReason::TaskDeposit.into(), &owner);
			ensure_that(held == deposit, "held task deposits differ from the tasks'")?;
		}
		let mut model_deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, model) in Models::<T>::iter() {
			if model.status == ModelStatus::Banned {
				ensure_that(model.deposit.is_zero(), "a banned model still holds a deposit")?;
			}
			ensure_that(
				model.live_tasks == live_per_model.get(&id).copied().unwrap_or(0),
				"a model's live task count is wrong",
			)?;
			let d = model_deposits.entry(model.owner.clone()).or_default();
			*d = d.saturating_add(model.deposit);
		}
		for (owner, deposit) in model_deposits {
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
