//! PoS+W resolution, liquidation, payouts and pruning.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use aos_inference_primitives::{
	settlement::{OnTaskSettled as _, SettledTask},
	zk::ZkModels as _,
};
use aos_operators_primitives::{
	OffenceKind, OffenceReference, OnSlashApplied, RewardOperator, SlashId, SlashOperator,
};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Balanced, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Imbalance,
	},
};
use sp_core::H256;
use sp_runtime::traits::{One, Saturating, Zero};

/// A decision's size: the claims decided over, and how many of them agreed on the result (and
/// were paid), none if the task did not settle.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Decided {
	pub claims: u32,
	pub agreed: u32,
}

/// The PoS+W tally of a task's reveals.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Tally {
	/// The most frequent result (ties: the smallest key), if anyone revealed.
	pub result: Option<H256>,
	/// n: reveals of it.
	pub agreeing: u32,
	/// m: reveals of anything else.
	pub conflicting: u32,
	/// A: operators assigned.
	pub assigned: u32,
}

impl Tally {
	/// Counts reveals by result.
	pub fn of<A>(claims: &[Claim<A>]) -> Self {
		let mut groups: Vec<(H256, u32)> = Vec::new();
		for result in claims.iter().filter_map(|c| c.result).filter(|r| *r != REJECTED) {
			match groups.iter_mut().find(|(r, _)| *r == result) {
				Some((_, n)) => *n = n.saturating_add(1),
				None => groups.push((result, 1)),
			}
		}
		let revealed: u32 = groups.iter().map(|(_, n)| *n).sum();
		let best = groups.iter().max_by(|(ra, na), (rb, nb)| na.cmp(nb).then(rb.cmp(ra))).copied();
		let agreeing = best.map_or(0, |(_, n)| n);
		Tally {
			result: best.map(|(r, _)| r),
			agreeing,
			conflicting: revealed.saturating_sub(agreeing),
			assigned: claims.len() as u32,
		}
	}

	/// The PoS+W rule: n > min(10·m, 0.66·A), in integers n > 10·m or 100·n > 66·A, with at
	/// least one reveal.
	pub fn holds(&self) -> bool {
		let (n, m, a) =
			(u64::from(self.agreeing), u64::from(self.conflicting), u64::from(self.assigned));
		n > 0 && (n > 10 * m || 100 * n > 66 * a)
	}
}

impl<T: Config> Pallet<T> {
	/// Decides a task at the end of its resolution window (or once everyone revealed): settles,
	/// escalates or ends it undecided. Returns the number of claims decided over.
	pub(crate) fn decide(id: TaskId) -> u32 {
		Self::decide_counted(id).claims
	}

	/// [`Pallet::decide`], saying how many of the claims agreed on the result it settled on
	/// (none if it did not settle): its weight is [`Pallet::resolve_weight`].
	pub(crate) fn decide_counted(id: TaskId) -> Decided {
		Self::decide_inner(id, true)
	}

	/// Decides with no further escalation.
	pub(crate) fn decide_final(id: TaskId) -> u32 {
		Self::decide_inner(id, false).claims
	}

	/// What deciding over `d.claims` claims costs: every claim paid as a winner, and every
	/// other one reported to pallet-operators; at most the benchmarked worst case.
	pub fn resolve_weight(d: Decided) -> Weight {
		use aos_operators_primitives::SlashOperator;
		let others = d.claims.saturating_sub(d.agreed);
		let counted = T::WeightInfo::resolve_agreed(d.claims).saturating_add(
			T::Operators::report_offence_weight().saturating_mul(u64::from(others)),
		);
		let settled = if d.agreed > 0 { Self::settled_weight() } else { Weight::zero() };
		T::WeightInfo::resolve(d.claims).min(counted).saturating_add(settled)
	}

	/// What the runtime does with a settled task ([`Config::OnSettled`]: the bridge's
	/// checkpoint records it), charged on every path that settles one. Added to the
	/// benchmarked decisions, which were measured without it.
	pub fn settled_weight() -> Weight {
		use aos_inference_primitives::settlement::OnTaskSettled;
		T::OnSettled::on_task_settled_weight()
	}

	fn decide_inner(id: TaskId, may_escalate: bool) -> Decided {
		let none = Decided { claims: 0, agreed: 0 };
		let Some(mut task) = Tasks::<T>::get(id) else { return none };
		let Some((round, until)) = task.status.resolving() else { return none };
		// Resolved before its deadline: that agenda entry has nothing left to do.
		Agenda::<T>::remove(until, id);
		let now = frame_system::Pallet::<T>::block_number();
		let claims = Claims::<T>::get(id);
		let tally = Tally::of(&claims);
		let params = Parameters::<T>::get();
		let mut agreed = 0;
		if tally.holds() {
			agreed = tally.agreeing;
			Self::settle(id, task, &claims, &tally, now);
		} else if may_escalate
			&& round.saturating_add(1) < params.max_rounds
			&& (claims.len() as u32) < T::MaxClaims::get()
		{
			if task.mode.settles_on_one() {
				// A verified result settles these modes without judging anyone else: a claimant
				// silent through this round's window is judged now, before others are sampled.
				Self::judge_silent(id, task.mode, round);
			}
			let round = round.saturating_add(1);
			let until = now.saturating_add(params.claim_period);
			task.status = TaskStatus::Claiming { round, tranche: 0, until };
			Tasks::<T>::insert(id, task);
			Self::schedule(until, id);
			Self::deposit_event(Event::TaskEscalated {
				task: id,
				round,
				agreeing: tally.agreeing,
				conflicting: tally.conflicting,
				assigned: tally.assigned,
			});
			Self::deposit_event(Event::ClaimsOpen { task: id, round, tranche: 0, until });
		} else {
			Self::end_undecided(id, task, now);
		}
		Decided { claims: claims.len() as u32, agreed }
	}

	fn settle(
		id: TaskId,
		task: TaskInfo<T>,
		claims: &[Claim<T::AccountId>],
		tally: &Tally,
		now: BlockNumberFor<T>,
	) {
		let Some(key) = tally.result else { return };
		let winners: Vec<T::AccountId> =
			claims.iter().filter(|c| c.result == Some(key)).map(|c| c.operator.clone()).collect();
		let top = winners
			.first()
			.and_then(|w| Reveals::<T>::get(id, w))
			.map(|r| (r.output, r.top))
			.unwrap_or_default();
		for claim in claims {
			match claim.result {
				// Reported when the chain refused it.
				Some(r) if r == key || r == REJECTED => {},
				Some(_) => {
					// The amount and the cap are governance's (pallet-operators' WrongResult
					// rule); the funds come back through `on_slash_applied` into the pool.
					Self::report(id, &claim.operator, OffenceKind::WrongResult);
					Self::deposit_event(Event::OperatorLiquidated {
						task: id,
						operator: claim.operator.clone(),
					});
				},
				None if Self::owed_result(task.mode, claim, claims) => {
					Self::report_withheld(id, task.mode, &claim.operator)
				},
				None => {
					Self::report(id, &claim.operator, OffenceKind::Offline);
					Self::deposit_event(Event::OperatorSilent {
						task: id,
						operator: claim.operator.clone(),
					});
				},
			}
		}
		let result = TaskResult {
			output: top.0,
			top: top.1,
			agreeing: tally.agreeing,
			conflicting: tally.conflicting,
			assigned: tally.assigned,
			proof: None,
		};
		Self::conclude(id, task, &winners, result, now);
	}

	/// Reports `operator`'s offence `kind` in task `id` to pallet-operators. A report it
	/// refuses (the operator has left since) slashes nothing and does not concern the task: it
	/// is only logged.
	pub(crate) fn report(id: TaskId, operator: &T::AccountId, kind: OffenceKind) {
		if let Err(e) = T::Operators::report_offence(operator, kind, Some(id)) {
			log::debug!(
				target: LOG_TARGET,
				"task {id}: {kind:?} report of {operator:?} refused, nothing slashed: {e:?}"
			);
		}
	}

	/// Whether a claim with no result owes one, so that its silence costs what cheating does in
	/// the task's mode: it committed to one; or, in TEE mode, it claimed the task with an
	/// enclave allowed for the model, which is all the commitment TEE mode takes (an enclave's
	/// signature cannot be copied, so there is nothing to hide before the reveal); or, in
	/// optimistic mode, it claimed the task (its result is disputed, not compared); or, in Zk
	/// mode, it is its round's only prover ([`Self::sole_prover`]), which proves without
	/// committing. `claims` are the task's claims.
	pub(crate) fn owed_result(
		mode: VerificationMode,
		claim: &Claim<T::AccountId>,
		claims: &[Claim<T::AccountId>],
	) -> bool {
		claim.commitment.is_some()
			|| matches!(mode, VerificationMode::Tee | VerificationMode::Optimistic)
			|| Self::sole_prover(mode, claims, claim.round)
	}

	/// Whether `round` of a Zk-mode task has one assigned operator: it then proves without
	/// committing first, as no other operator may submit a proof of the round to copy its
	/// own (a commitment only keeps co-provers from taking each other's proofs), and the
	/// round goes from its claims straight to its proving phase.
	pub(crate) fn sole_prover(
		mode: VerificationMode,
		claims: &[Claim<T::AccountId>],
		round: u8,
	) -> bool {
		mode == VerificationMode::Zk && claims.iter().filter(|c| c.round == round).count() == 1
	}

	/// Settles task `id` on the one result the chain verified itself (a Zk proof, an enclave's
	/// signature) from `who`: it stands where a reveal would, so readers find results in one
	/// place; `who` is paid the fee. The other claims are not judged: the task needed one
	/// verified result, and got it.
	pub(crate) fn settle_verified(
		id: TaskId,
		task: TaskInfo<T>,
		who: &T::AccountId,
		output: H256,
		top: BoundedVec<u32, T::MaxTopK>,
		proof: Option<H256>,
	) {
		if let Some((_, until)) = task.status.resolving() {
			Agenda::<T>::remove(until, id);
		}
		let now = frame_system::Pallet::<T>::block_number();
		let key = result_key(&output, &top);
		let mut claims = Claims::<T>::get(id);
		for c in claims.iter_mut() {
			if &c.operator == who {
				c.result = Some(key);
			}
		}
		let assigned = claims.len() as u32;
		Claims::<T>::insert(id, claims);
		Reveals::<T>::insert(
			id,
			who,
			Reveal {
				output,
				top: top.clone(),
				samples: Default::default(),
				intermediates: Default::default(),
				pow_nonce: 0,
			},
		);
		let result = TaskResult { output, top, agreeing: 1, conflicting: 0, assigned, proof };
		Self::conclude(id, task, core::slice::from_ref(who), result, now);
	}

	/// Refuses claim `who`'s submission for task `id` and reports `kind` at once: the claim is
	/// spent ([`REJECTED`]), so it is reported once and heard no more. Returns whether every
	/// claim of the task's round has now answered (nothing is left to wait for).
	pub(crate) fn reject(id: TaskId, who: &T::AccountId, kind: OffenceKind) -> bool {
		let round = Tasks::<T>::get(id).and_then(|t| t.status.resolving()).map(|(r, _)| r);
		let mut answered = false;
		Claims::<T>::mutate(id, |claims| {
			if let Some(c) = claims.iter_mut().find(|c| &c.operator == who) {
				c.result = Some(REJECTED);
			}
			answered = claims.iter().filter(|c| Some(c.round) == round).all(|c| c.result.is_some());
		});
		Self::report(id, who, kind);
		answered && round.is_some()
	}

	/// Reports every claimant of `round` that owed a result and gave none, and spends its claim
	/// ([`REJECTED`]) so that it is not reported again.
	fn judge_silent(id: TaskId, mode: VerificationMode, round: u8) {
		let mut silent = Vec::new();
		Claims::<T>::mutate(id, |claims| {
			let owed: Vec<bool> = claims
				.iter()
				.map(|c| {
					c.round == round && c.result.is_none() && Self::owed_result(mode, c, claims)
				})
				.collect();
			for (c, owed) in claims.iter_mut().zip(owed) {
				if owed {
					c.result = Some(REJECTED);
					silent.push(c.operator.clone());
				}
			}
		});
		for operator in silent {
			Self::report_withheld(id, mode, &operator);
		}
	}

	/// Reports an operator that committed to a result of task `id` and withheld its reveal:
	/// it saw the others' reveals (or chose not to be judged), so it pays what cheating
	/// costs in the task's mode, not what being offline does.
	fn report_withheld(id: TaskId, mode: VerificationMode, operator: &T::AccountId) {
		Self::report(id, operator, mode.withheld_offence());
		Self::deposit_event(Event::RevealWithheld { task: id, operator: operator.clone() });
	}

	/// Ends a task on `result`: its fee leaves escrow for `winners`, it is settled, and its
	/// pruning is scheduled. Shared by the redundancy rule and Zk proofs.
	pub(crate) fn conclude(
		id: TaskId,
		mut task: TaskInfo<T>,
		winners: &[T::AccountId],
		result: TaskResult<T::MaxTopK>,
		now: BlockNumberFor<T>,
	) {
		let escrow = Self::escrow_account();
		let moved = T::Currency::transfer_on_hold(
			&HoldReason::TaskFee.into(),
			&task.owner,
			&escrow,
			task.fee,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)
		.unwrap_or_default();
		let unpaid = Self::pay_winners(id, winners, moved);
		// What could not be paid goes back to whom it came from.
		Self::sweep(id, unpaid, Some(&task.owner));
		let event = Event::TaskSettled {
			task: id,
			output: result.output,
			agreeing: result.agreeing,
			conflicting: result.conflicting,
			assigned: result.assigned,
		};
		T::OnSettled::on_task_settled(&SettledTask {
			task: id,
			model: task.model,
			output: result.output,
			result: result_key(&result.output, &result.top),
			agreeing: result.agreeing,
			assigned: result.assigned,
		});
		task.result = Some(result);
		task.status = TaskStatus::Settled;
		Self::end(id, task, now);
		Self::deposit_event(event);
	}

	pub(crate) fn end_undecided(id: TaskId, mut task: TaskInfo<T>, now: BlockNumberFor<T>) {
		// No result: no one is judged for it, but withholding a committed reveal is judged on
		// its own (it may be what kept the task from a result).
		let claims = Claims::<T>::get(id);
		for claim in claims.iter() {
			if claim.result.is_none() && Self::owed_result(task.mode, claim, &claims) {
				Self::report_withheld(id, task.mode, &claim.operator);
			}
		}
		let _ = T::Currency::release(
			&HoldReason::TaskFee.into(),
			&task.owner,
			task.fee,
			Precision::BestEffort,
		);
		task.status = TaskStatus::Undecided;
		Self::end(id, task, now);
		Self::deposit_event(Event::TaskUndecided { task: id });
	}

	/// What every ended task goes through: it no longer counts as live, for admission control
	/// or against its model and verifying key; its pruning is scheduled.
	fn end(id: TaskId, mut task: TaskInfo<T>, now: BlockNumberFor<T>) {
		task.ended_at = Some(now);
		LiveTasks::<T>::mutate(|n| *n = n.saturating_sub(1));
		Models::<T>::mutate(task.model, |m| {
			if let Some(m) = m {
				m.live_tasks = m.live_tasks.saturating_sub(1);
			}
		});
		if let Some(link) = task.terms.zk {
			T::ZkModels::release_vk(&link.vk);
		}
		// A task ends with candidates only if it ends while claims are open: a read, not a
		// write, in the usual case.
		if Candidates::<T>::contains_key(id) {
			Candidates::<T>::remove(id);
		}
		Tasks::<T>::insert(id, task);
		Self::schedule_expiry(now.saturating_add(Parameters::<T>::get().retention), id);
	}

	/// Pays `amount`, held by the escrow account, to `winners` in equal shares (the remainder of
	/// the division to the first), through pallet-operators so that delegators get their part.
	/// Returns what could not be paid.
	fn pay_winners(id: TaskId, winners: &[T::AccountId], amount: BalanceOf<T>) -> BalanceOf<T> {
		let count: BalanceOf<T> = (winners.len() as u32).into();
		if count.is_zero() || amount.is_zero() {
			return amount;
		}
		let share = amount / count;
		let remainder = amount.saturating_sub(share.saturating_mul(count));
		let escrow = Self::escrow_account();
		let mut unpaid = BalanceOf::<T>::zero();
		for (i, winner) in winners.iter().enumerate() {
			let pay = if i == 0 { share.saturating_add(remainder) } else { share };
			if pay.is_zero() {
				continue;
			}
			// An operator that left since is paid directly.
			let paid = T::Operators::reward(winner, &escrow, pay).is_ok()
				|| T::Currency::transfer(&escrow, winner, pay, Preservation::Expendable).is_ok();
			if paid {
				Self::deposit_event(Event::OperatorPaid {
					task: id,
					operator: winner.clone(),
					amount: pay,
				});
			} else {
				log::debug!(
					target: LOG_TARGET,
					"task {id}: {pay:?} for {winner:?} could not be paid; swept with the rest"
				);
				unpaid = unpaid.saturating_add(pay);
			}
		}
		unpaid
	}

	/// Takes `amount` out of escrow rather than leave it there: to `owner` if given and
	/// possible, else burned.
	pub(crate) fn sweep(id: TaskId, amount: BalanceOf<T>, owner: Option<&T::AccountId>) {
		if amount.is_zero() {
			return;
		}
		let escrow = Self::escrow_account();
		let to_owner = owner.is_some_and(|owner| {
			T::Currency::transfer(&escrow, owner, amount, Preservation::Expendable).is_ok()
		});
		if !to_owner {
			// Dropping the credit burns it.
			let _ = T::Currency::withdraw(
				&escrow,
				amount,
				Precision::BestEffort,
				Preservation::Expendable,
				Fortitude::Force,
			);
		}
		Self::deposit_event(Event::PayoutSwept { task: id, amount, to_owner });
	}

	/// Pays a settled task's pending pool to the operators that revealed its result. Returns
	/// its weight, at the task's real number of claims.
	pub(crate) fn pay_pool(id: TaskId) -> Weight {
		let Some(mut task) = Tasks::<T>::get(id) else { return Weight::zero() };
		let Some(result) = task.result.as_ref() else { return Weight::zero() };
		let key = result_key(&result.output, &result.top);
		let claims = Claims::<T>::get(id);
		let count = claims.len() as u32;
		let winners: Vec<T::AccountId> =
			claims.into_iter().filter(|c| c.result == Some(key)).map(|c| c.operator).collect();
		let amount = core::mem::take(&mut task.pool_pending);
		Tasks::<T>::insert(id, task);
		let unpaid = Self::pay_winners(id, &winners, amount);
		// Slashed funds that cannot reach the honest are burned, as unclaimed slashes are.
		Self::sweep(id, unpaid, None);
		T::WeightInfo::pay_pool(count)
	}

	pub(crate) fn prune(id: TaskId) {
		let Some(task) = Tasks::<T>::take(id) else { return };
		// Anything still pending is paid before the record goes.
		if !task.pool_pending.is_zero() {
			Tasks::<T>::insert(id, &task);
			Self::pay_pool(id);
			Tasks::<T>::remove(id);
		}
		let _ = T::Currency::release(
			&HoldReason::TaskDeposit.into(),
			&task.owner,
			task.deposit,
			Precision::BestEffort,
		);
		if let Some(proof) = task.result.as_ref().and_then(|r| r.proof) {
			ProvedProofs::<T>::remove(proof);
		}
		// Candidates went when the task ended.
		Claims::<T>::remove(id);
		let _ = Reveals::<T>::clear_prefix(id, T::MaxClaims::get(), None);
		TasksByOwner::<T>::remove(&task.owner, id);
		Self::deposit_event(Event::TaskPruned { task: id });
	}

	/// Routes an applied slash: a liquidation for a settled task funds its pool; anything else
	/// goes to [`Config::OnUnclaimedSlash`].
	pub(crate) fn route_slash(
		slash: SlashId,
		offender: &T::AccountId,
		kind: OffenceKind,
		reference: Option<OffenceReference>,
		credit: CreditOf<T>,
	) {
		let settled = reference.filter(|_| kind == OffenceKind::WrongResult).and_then(|id| {
			Tasks::<T>::get(id).filter(|t| t.status == TaskStatus::Settled).map(|t| (id, t))
		});
		let Some((id, mut task)) = settled else {
			return T::OnUnclaimedSlash::on_slash_applied(slash, offender, kind, reference, credit);
		};
		let amount = credit.peek();
		if let Err(credit) = T::Currency::resolve(&Self::escrow_account(), credit) {
			return T::OnUnclaimedSlash::on_slash_applied(slash, offender, kind, reference, credit);
		}
		task.pool = task.pool.saturating_add(amount);
		task.pool_pending = task.pool_pending.saturating_add(amount);
		Tasks::<T>::insert(id, task);
		// Paid by the expiries, whose weight is accounted, rather than inside the slash.
		Self::schedule_expiry(
			frame_system::Pallet::<T>::block_number().saturating_add(One::one()),
			id,
		);
		Self::deposit_event(Event::PoolFunded { task: id, amount });
	}
}
