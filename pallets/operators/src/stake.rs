//! Registration, keys, bonding, delegation, unbonding, withdrawal, leaving and rewards.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
	},
};
use sp_core::sr25519;
use sp_runtime::{
	traits::{AccountIdConversion, Bounded, CheckedAdd, Saturating, Verify, Zero},
	Perbill, Rounding,
};

impl<T: Config> Pallet<T> {
	/// The keyless account that holds the stake delegated to `operator`.
	pub fn pool_account(operator: &T::AccountId) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(operator)
	}

	/// Checks `params` against each other, the pallet's bounds and the reporters' timing.
	pub(crate) fn check_params(params: &ParamsOf<T>) -> Result<(), Error<T>> {
		Self::validate_params(
			params,
			T::Reporters::max_report_delay(),
			T::Reporters::min_routing_window(),
		)
	}

	/// Checks `params` against each other and the pallet's bounds only (at genesis, before
	/// the reporters' own parameters exist).
	pub(crate) fn check_own_params(params: &ParamsOf<T>) -> Result<(), Error<T>> {
		Self::validate_params(params, Zero::zero(), BlockNumberFor::<T>::max_value())
	}

	fn validate_params(
		params: &ParamsOf<T>,
		report_delay: BlockNumberFor<T>,
		routing_window: BlockNumberFor<T>,
	) -> Result<(), Error<T>> {
		params
			.validate(
				T::Currency::minimum_balance(),
				T::MaxPeriod::get(),
				report_delay,
				routing_window,
			)
			.map_err(|e| match e {
				ParamsError::BelowExistentialDeposit => Error::<T>::ParamBelowExistentialDeposit,
				ParamsError::ZeroPeriod => Error::<T>::ParamZeroPeriod,
				ParamsError::PeriodTooLong => Error::<T>::ParamPeriodTooLong,
				ParamsError::GraceTooShort => Error::<T>::ParamGraceTooShort,
				ParamsError::GraceTooLong => Error::<T>::ParamGraceTooLong,
				ParamsError::UnbondingNotLongerThanDeferral => {
					Error::<T>::ParamUnbondingNotLongerThanDeferral
				},
				ParamsError::DeferralTooLong => Error::<T>::ParamDeferralTooLong,
				ParamsError::ZeroOutageThreshold => Error::<T>::ParamZeroOutageThreshold,
				ParamsError::InconsistentSlashRule => Error::<T>::ParamInconsistentSlashRule,
			})
	}

	/// Whether `op` may take tasks, as far as its stored record tells: active, not found
	/// offline, with the minimum collateral.
	pub(crate) fn may_take_tasks(op: &OperatorOf<T>, params: &ParamsOf<T>) -> bool {
		op.status == OperatorStatus::Active
			&& op.last_offline_period.is_none()
			&& op.own.active.balance >= params.min_collateral
	}

	/// Brings `op`'s derived fields up to date: what it counts for in the selection total,
	/// and its selection stake capped at what it has.
	pub(crate) fn refresh(op: &mut OperatorOf<T>, params: &ParamsOf<T>) {
		let stake = op.active_stake();
		op.selection.cap(stake);
		op.counted_selection = if Self::may_take_tasks(op, params) { stake } else { Zero::zero() };
	}

	/// What an operator adds to [`Active`]: itself and its active stake, if it is active, and
	/// its counted selection stake.
	fn contribution(op: &OperatorOf<T>) -> (u32, BalanceOf<T>, BalanceOf<T>) {
		if op.status == OperatorStatus::Active {
			(1, op.active_stake(), op.counted_selection)
		} else {
			(0, Zero::zero(), op.counted_selection)
		}
	}

	/// What the bridge sees of `op` ([`Config::OnChange`]).
	pub(crate) fn standing(op: &OperatorOf<T>) -> Standing<BalanceOf<T>> {
		Standing {
			eth: op.eth_address,
			stake: op.active_stake(),
			active: op.status == OperatorStatus::Active,
		}
	}

	/// Keeps [`Active`] in step with `who`'s change from `before` to `after` (both refreshed),
	/// and tells [`Config::OnChange`] if its standing changed.
	pub(crate) fn note_active_change(
		who: &T::AccountId,
		before: Option<&OperatorOf<T>>,
		after: Option<&OperatorOf<T>>,
	) {
		let (b, a) = (before.map(Self::standing), after.map(Self::standing));
		if b != a {
			T::OnChange::on_operator_change(who, b.as_ref(), a.as_ref());
		}
		let (c0, s0, e0) = before.map(Self::contribution).unwrap_or_default();
		let (c1, s1, e1) = after.map(Self::contribution).unwrap_or_default();
		if (c0, s0, e0) == (c1, s1, e1) {
			return;
		}
		Active::<T>::mutate(|a| {
			a.count = a.count.saturating_sub(c0).saturating_add(c1);
			a.stake = a.stake.saturating_sub(s0).saturating_add(s1);
			a.selection_stake = a.selection_stake.saturating_sub(e0).saturating_add(e1);
		});
	}

	/// Writes `op` for `who`, keeping [`Active`] in step with the stored record it replaces.
	pub(crate) fn put_operator(who: &T::AccountId, before: &OperatorOf<T>, mut op: OperatorOf<T>) {
		Self::refresh(&mut op, &Parameters::<T>::get());
		Self::note_active_change(who, Some(before), Some(&op));
		Operators::<T>::insert(who, op);
	}

	/// Applies `f` to `who`'s operator record and writes it back if `f` succeeds.
	pub(crate) fn mutate_operator<R>(
		who: &T::AccountId,
		f: impl FnOnce(&mut OperatorOf<T>) -> Result<R, DispatchError>,
	) -> Result<R, DispatchError> {
		let before = Operators::<T>::get(who).ok_or(Error::<T>::NotOperator)?;
		let mut op = before.clone();
		let result = f(&mut op)?;
		Self::put_operator(who, &before, op);
		Ok(result)
	}

	/// `name` and `endpoint`, if within their bounds.
	#[allow(clippy::type_complexity)]
	pub(crate) fn bounded_metadata(
		name: Vec<u8>,
		endpoint: Vec<u8>,
	) -> Result<(BoundedVec<u8, T::MaxNameLen>, BoundedVec<u8, T::MaxEndpointLen>), Error<T>> {
		Ok((
			name.try_into().map_err(|_| Error::<T>::NameTooLong)?,
			endpoint.try_into().map_err(|_| Error::<T>::EndpointTooLong)?,
		))
	}

	/// Checks that `key` is free for `who` and that `proof` proves `who` owns it.
	fn check_vrf_key(
		who: &T::AccountId,
		key: &VrfPublic,
		proof: &sr25519::Signature,
	) -> DispatchResult {
		if let Some(owner) = VrfKeyOwners::<T>::get(key) {
			ensure!(owner == *who, Error::<T>::VrfKeyInUse);
		}
		let message = vrf_key_message(who);
		ensure!(proof.verify(&message[..], key), Error::<T>::VrfKeyProofInvalid);
		Ok(())
	}

	/// The address of an Ethereum binding whose signature `who`'s address made.
	fn check_eth_binding(
		who: &T::AccountId,
		binding: Option<EthBinding>,
	) -> Result<Option<EthAddress>, DispatchError> {
		let Some(binding) = binding else { return Ok(None) };
		let hash = eip191_hash(&eth_address_message(who));
		let signature = normalized_recovery_id(&binding.signature);
		let public = sp_io::crypto::secp256k1_ecdsa_recover(&signature, &hash)
			.map_err(|_| Error::<T>::EthAddressProofInvalid)?;
		ensure!(eth_address_of(&public) == binding.address, Error::<T>::EthAddressProofInvalid);
		Ok(Some(binding.address))
	}

	/// Can `who` part with `amount` and stay alive?
	fn ensure_funds(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let free = T::Currency::reducible_balance(who, Preservation::Preserve, Fortitude::Polite);
		ensure!(free >= amount, Error::<T>::InsufficientFunds);
		Ok(())
	}

	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_register(
		who: T::AccountId,
		name: Vec<u8>,
		endpoint: Vec<u8>,
		vrf_key: VrfPublic,
		vrf_proof: sr25519::Signature,
		eth: Option<EthBinding>,
		commission: Perbill,
		collateral: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!Operators::<T>::contains_key(&who), Error::<T>::AlreadyOperator);
		let (name, endpoint) = Self::bounded_metadata(name, endpoint)?;
		Self::check_vrf_key(&who, &vrf_key, &vrf_proof)?;
		let eth_address = Self::check_eth_binding(&who, eth)?;
		Self::register_checked(who, name, endpoint, vrf_key, eth_address, commission, collateral)
	}

	/// Registers `who` once its metadata and VRF key are checked.
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn register_checked(
		who: T::AccountId,
		name: BoundedVec<u8, T::MaxNameLen>,
		endpoint: BoundedVec<u8, T::MaxEndpointLen>,
		vrf_key: VrfPublic,
		eth_address: Option<EthAddress>,
		commission: Perbill,
		collateral: BalanceOf<T>,
	) -> DispatchResult {
		let params = Parameters::<T>::get();
		ensure!(collateral >= params.min_collateral, Error::<T>::BelowMinCollateral);
		let pool_deposit = T::Currency::minimum_balance();
		Self::ensure_funds(
			&who,
			collateral.checked_add(&pool_deposit).ok_or(Error::<T>::Overflow)?,
		)?;

		let now = frame_system::Pallet::<T>::block_number();
		let mut op = OperatorOf::<T> {
			name,
			endpoint,
			vrf_key,
			vrf_key_since: now,
			eth_address,
			commission,
			status: OperatorStatus::Active,
			registered_at: now,
			last_heartbeat: now,
			last_heartbeat_period: None,
			last_offline_period: None,
			liveness_check_at: None,
			own: Default::default(),
			delegated: Default::default(),
			delegators: 0,
			pending_slashes: 0,
			// A new operator's VRF key waits `SelectionDelay` before it counts: so may its
			// stake count at once.
			selection: SelectionStake { settled: collateral, pending: None },
			counted_selection: Zero::zero(),
			heartbeat_stake: Zero::zero(),
			continued_stake: Zero::zero(),
			left_at: None,
			pending_commission: None,
		};
		let shares = op.own.active.deposit(collateral).ok_or(Error::<T>::AmountTooSmall)?;
		// The pool account lives on this deposit, so that rewards of any size can be paid
		// into it; it goes back to the operator when the operator is removed.
		T::Currency::transfer(
			&who,
			&Self::pool_account(&who),
			pool_deposit,
			Preservation::Preserve,
		)?;
		T::Currency::hold(&HoldReason::Collateral.into(), &who, collateral)?;
		Ledgers::<T>::insert(
			&who,
			&who,
			LedgerOf::<T> { active: shares, unlocking: Default::default() },
		);
		VrfKeyOwners::<T>::insert(vrf_key, &who);
		Self::note_heartbeat(&who, &mut op, now, &params, false);
		Self::refresh(&mut op, &params);
		Self::note_active_change(&who, None, Some(&op));
		Operators::<T>::insert(&who, op);
		Self::deposit_event(Event::Registered { operator: who, vrf_key, collateral });
		Ok(())
	}

	pub(crate) fn do_rotate_keys(
		who: T::AccountId,
		vrf_key: VrfPublic,
		vrf_proof: sr25519::Signature,
		eth: Option<EthBinding>,
	) -> DispatchResult {
		Self::check_vrf_key(&who, &vrf_key, &vrf_proof)?;
		let eth_address = Self::check_eth_binding(&who, eth)?;
		let now = frame_system::Pallet::<T>::block_number();
		Self::mutate_operator(&who, |op| {
			if op.vrf_key != vrf_key {
				VrfKeyOwners::<T>::remove(op.vrf_key);
				VrfKeyOwners::<T>::insert(vrf_key, &who);
				op.vrf_key = vrf_key;
				op.vrf_key_since = now;
			}
			op.eth_address = eth_address;
			Ok(())
		})?;
		Self::deposit_event(Event::KeysRotated { operator: who, vrf_key, eth_address });
		Ok(())
	}

	/// Adds `amount` of `staker`'s free balance to its stake with `operator`.
	pub(crate) fn do_bond(
		operator: &T::AccountId,
		staker: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::AmountTooSmall);
		Self::ensure_funds(staker, amount)?;
		let own = operator == staker;
		let params = Parameters::<T>::get();
		Self::mutate_operator(operator, |op| {
			ensure!(op.status != OperatorStatus::Leaving, Error::<T>::OperatorLeaving);
			let existing = Ledgers::<T>::get(operator, staker);
			let is_new = existing.is_none();
			let mut ledger = existing.unwrap_or_default();
			let pool = op.pool_mut(own);
			let before = pool.active.value_of(ledger.active);
			let issued = pool.active.deposit(amount).ok_or(Error::<T>::AmountTooSmall)?;
			ledger.active = if ledger.active.generation == issued.generation {
				let amount =
					ledger.active.amount.checked_add(&issued.amount).ok_or(Error::<T>::Overflow)?;
				Shares { amount, generation: issued.generation }
			} else {
				// Shares of a wiped-out generation are worth nothing.
				issued
			};
			if own {
				T::Currency::hold(&HoldReason::Collateral.into(), staker, amount)?;
			} else {
				ensure!(
					before.saturating_add(amount) >= params.min_delegation,
					Error::<T>::BelowMinDelegation
				);
				T::Currency::transfer_and_hold(
					&HoldReason::Delegation.into(),
					staker,
					&Self::pool_account(operator),
					amount,
					Precision::Exact,
					Preservation::Preserve,
					Fortitude::Polite,
				)?;
				if is_new {
					op.delegators = op.delegators.saturating_add(1);
				}
			}
			Ledgers::<T>::insert(operator, staker, ledger);
			// Bonded stake counts for sampling only once randomness chosen after it.
			let now = frame_system::Pallet::<T>::block_number();
			op.selection.bonded(
				now,
				op.active_stake(),
				now.saturating_add(T::SelectionDelay::get()),
			);
			Ok(())
		})?;
		Self::deposit_event(Event::Bonded {
			operator: operator.clone(),
			staker: staker.clone(),
			amount,
		});
		Ok(())
	}

	/// Adds an unbonding chunk to `ledger`, merging with the last one when they unlock
	/// together; drops chunks whose shares a wipe-out made worthless.
	fn push_chunk(
		ledger: &mut LedgerOf<T>,
		unbonding: &Bucket<BalanceOf<T>>,
		unlock_at: BlockNumberFor<T>,
		shares: Shares<BalanceOf<T>>,
	) -> DispatchResult {
		ledger.unlocking.retain(|c| !unbonding.live(c.shares).is_zero());
		if let Some(last) = ledger.unlocking.last_mut() {
			if last.unlock_at == unlock_at && last.shares.generation == shares.generation {
				last.shares.amount =
					last.shares.amount.checked_add(&shares.amount).ok_or(Error::<T>::Overflow)?;
				return Ok(());
			}
		}
		ledger
			.unlocking
			.try_push(UnlockChunk { unlock_at, shares })
			.map_err(|_| Error::<T>::TooManyUnlockingChunks.into())
	}

	/// Starts unbonding up to `amount` of `staker`'s active stake with `operator`.
	pub(crate) fn do_unbond(
		operator: &T::AccountId,
		staker: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let mut ledger = Ledgers::<T>::get(operator, staker).ok_or(Error::<T>::NotStaked)?;
		let own = operator == staker;
		let params = Parameters::<T>::get();
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(params.unbonding_period);
		let moved = Self::mutate_operator(operator, |op| {
			let leaving = op.status == OperatorStatus::Leaving;
			let active = op.pool(own).active;
			let value = active.value_of(ledger.active);
			ensure!(!value.is_zero(), Error::<T>::NothingToUnbond);
			ensure!(!amount.is_zero(), Error::<T>::AmountTooSmall);
			let live = active.live(ledger.active);
			let shares =
				if amount >= value { live } else { active.shares_worth(ledger.active, amount) };
			let rest =
				Shares { amount: live.saturating_sub(shares), generation: active.generation };
			let remaining = active.value_of(rest);
			if own {
				ensure!(
					leaving || remaining >= params.min_collateral,
					Error::<T>::BelowMinCollateral
				);
			} else {
				ensure!(
					remaining.is_zero() || remaining >= params.min_delegation,
					Error::<T>::BelowMinDelegation
				);
			}
			let pool = op.pool_mut(own);
			let (moved, unbonding) = pool
				.unbond(Shares { amount: shares, generation: active.generation })
				.ok_or(Error::<T>::AmountTooSmall)?;
			ledger.active = rest;
			Self::push_chunk(&mut ledger, &pool.unbonding, unlock_at, unbonding)?;
			Ok(moved)
		})?;
		Ledgers::<T>::insert(operator, staker, ledger);
		Self::deposit_event(Event::Unbonded {
			operator: operator.clone(),
			staker: staker.clone(),
			amount: moved,
			unlock_at,
		});
		Ok(())
	}

	/// Whether `ledger` still owns anything in `pool`.
	pub(crate) fn ledger_has_value(ledger: &LedgerOf<T>, pool: &StakePool<BalanceOf<T>>) -> bool {
		!pool.active.live(ledger.active).is_zero()
			|| ledger.unlocking.iter().any(|c| !pool.unbonding.live(c.shares).is_zero())
	}

	/// Pays out `staker`'s unbonded stake with `operator`.
	pub(crate) fn do_withdraw(operator: &T::AccountId, staker: &T::AccountId) -> DispatchResult {
		let mut ledger = Ledgers::<T>::get(operator, staker).ok_or(Error::<T>::NotStaked)?;
		let own = operator == staker;
		let now = frame_system::Pallet::<T>::block_number();
		let unbonding_period = Parameters::<T>::get().unbonding_period;
		let value = Self::mutate_operator(operator, |op| {
			// A leaving operator's delegations were unbonded with it: they are released one
			// unbonding period after it left, like any unbonded stake.
			let released = !own
				&& op.status == OperatorStatus::Leaving
				&& op.left_at.is_some_and(|at| at.saturating_add(unbonding_period) <= now);
			let pool = op.pool_mut(own);
			let chunks = ledger.unlocking.len();
			let mut value = BalanceOf::<T>::zero();
			ledger.unlocking.retain(|chunk| {
				if chunk.unlock_at <= now {
					value = value.saturating_add(pool.unbonding.redeem(chunk.shares));
					false
				} else {
					true
				}
			});
			let mut redeemed_active = false;
			if released && !pool.active.live(ledger.active).is_zero() {
				value = value.saturating_add(pool.active.redeem(ledger.active));
				ledger.active = Shares { amount: Zero::zero(), generation: pool.active.generation };
				redeemed_active = true;
			}
			// A ledger a wipe-out left worthless can always be withdrawn: that removes it.
			ensure!(
				ledger.unlocking.len() < chunks
					|| redeemed_active
					|| !Self::ledger_has_value(&ledger, op.pool(own)),
				Error::<T>::NothingToWithdraw
			);
			if !value.is_zero() {
				if own {
					T::Currency::release(
						&HoldReason::Collateral.into(),
						staker,
						value,
						Precision::Exact,
					)?;
				} else {
					T::Currency::transfer_on_hold(
						&HoldReason::Delegation.into(),
						&Self::pool_account(operator),
						staker,
						value,
						Precision::Exact,
						Restriction::Free,
						Fortitude::Polite,
					)?;
				}
			}
			if Self::ledger_has_value(&ledger, op.pool(own)) {
				Ledgers::<T>::insert(operator, staker, &ledger);
			} else {
				Ledgers::<T>::remove(operator, staker);
				if !own {
					op.delegators = op.delegators.saturating_sub(1);
				}
			}
			Ok(value)
		})?;
		Self::deposit_event(Event::Withdrawn {
			operator: operator.clone(),
			staker: staker.clone(),
			amount: value,
		});
		Self::try_reap(operator);
		Ok(())
	}

	pub(crate) fn do_leave(who: &T::AccountId) -> DispatchResult {
		let params = Parameters::<T>::get();
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(params.unbonding_period);
		Self::mutate_operator(who, |op| {
			ensure!(op.status != OperatorStatus::Leaving, Error::<T>::OperatorLeaving);
			if op.status == OperatorStatus::Active {
				Self::stop_liveness(who, op);
			}
			op.status = OperatorStatus::Leaving;
			op.left_at = Some(frame_system::Pallet::<T>::block_number());
			if let Some(mut ledger) = Ledgers::<T>::get(who, who) {
				let live = op.own.active.live(ledger.active);
				let generation = op.own.active.generation;
				if let Some((_, unbonding)) = op.own.unbond(Shares { amount: live, generation }) {
					Self::push_chunk(&mut ledger, &op.own.unbonding, unlock_at, unbonding)?;
				}
				ledger.active =
					Shares { amount: Zero::zero(), generation: op.own.active.generation };
				Ledgers::<T>::insert(who, who, ledger);
			}
			Ok(())
		})?;
		Self::deposit_event(Event::Leaving { operator: who.clone() });
		Self::try_reap(who);
		Ok(())
	}

	/// Removes a leaving operator once nothing is left: its own stake withdrawn (or slashed
	/// away), no delegators, no pending slash. Returns whether it did.
	pub(crate) fn try_reap(who: &T::AccountId) -> bool {
		let Some(op) = Operators::<T>::get(who) else { return false };
		if op.status != OperatorStatus::Leaving || op.delegators > 0 || op.pending_slashes > 0 {
			return false;
		}
		if let Some(ledger) = Ledgers::<T>::get(who, who) {
			if Self::ledger_has_value(&ledger, &op.own) {
				return false;
			}
			Ledgers::<T>::remove(who, who);
		}
		if let Some(at) = op.liveness_check_at {
			LivenessChecks::<T>::remove(at, who);
		}
		VrfKeyOwners::<T>::remove(op.vrf_key);
		Self::note_active_change(who, Some(&op), None);
		Operators::<T>::remove(who);
		// Give back the pool account's deposit (and anything else sent to it).
		let pool = Self::pool_account(who);
		let left = T::Currency::balance(&pool);
		if !left.is_zero() {
			if let Err(e) = T::Currency::transfer(&pool, who, left, Preservation::Expendable) {
				log::error!(target: LOG_TARGET, "pool account of a removed operator kept {left:?}: {e:?}");
			}
		}
		Self::deposit_event(Event::Removed { operator: who.clone() });
		true
	}

	/// Pays `amount` from `payer` to `operator`'s stakers (see [`RewardOperator`]).
	pub(crate) fn do_reward(
		operator: &T::AccountId,
		payer: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		let now = frame_system::Pallet::<T>::block_number();
		let (commission, own, delegated) = Self::mutate_operator(operator, |op| {
			Self::apply_due_commission(op, now);
			let commission = op.commission.mul_floor(amount);
			let rest = amount.saturating_sub(commission);
			let total = op.active_stake();
			let mut delegated = mul_div(rest, op.delegated.active.balance, total, Rounding::Down)
				.unwrap_or_default();
			if !op.delegated.active.add(delegated) {
				delegated = Zero::zero();
			}
			// Compounded rewards were not chosen by anyone after seeing a task's randomness.
			op.selection.rewarded(delegated);
			Ok((commission, rest.saturating_sub(delegated), delegated))
		})?;
		let to_operator = commission.saturating_add(own);
		if !to_operator.is_zero() {
			T::Currency::transfer(payer, operator, to_operator, Preservation::Expendable)?;
		}
		if !delegated.is_zero() {
			T::Currency::transfer_and_hold(
				&HoldReason::Delegation.into(),
				payer,
				&Self::pool_account(operator),
				delegated,
				Precision::Exact,
				Preservation::Expendable,
				Fortitude::Polite,
			)?;
		}
		Self::deposit_event(Event::Rewarded {
			operator: operator.clone(),
			commission,
			own,
			delegated,
		});
		Ok(())
	}

	/// Makes a commission increase whose delay has passed by `now` the operator's commission.
	pub(crate) fn apply_due_commission(op: &mut OperatorOf<T>, now: BlockNumberFor<T>) {
		if let Some((commission, at)) = op.pending_commission {
			if at <= now {
				op.commission = commission;
				op.pending_commission = None;
			}
		}
	}

	/// The commission `op` takes at `now`.
	pub fn commission_at(op: &OperatorOf<T>, now: BlockNumberFor<T>) -> Perbill {
		match op.pending_commission {
			Some((commission, at)) if at <= now => commission,
			_ => op.commission,
		}
	}

	pub(crate) fn do_set_commission(who: &T::AccountId, commission: Perbill) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		let delay = Parameters::<T>::get().unbonding_period;
		let effective_from = Self::mutate_operator(who, |op| {
			Self::apply_due_commission(op, now);
			if commission > op.commission {
				// Delegators who disagree have one unbonding period to leave first.
				let at = now.saturating_add(delay);
				op.pending_commission = Some((commission, at));
				Ok(at)
			} else {
				op.commission = commission;
				op.pending_commission = None;
				Ok(now)
			}
		})?;
		Self::deposit_event(Event::CommissionSet {
			operator: who.clone(),
			commission,
			effective_from,
		});
		Ok(())
	}

	pub(crate) fn do_set_parameters(changes: Vec<ParameterOf<T>>) -> DispatchResult {
		ensure!(!changes.is_empty(), Error::<T>::NoChanges);
		let old = Parameters::<T>::get();
		let new = changes.iter().fold(old, |params, change| params.with(*change));
		Self::check_params(&new)?;
		Parameters::<T>::put(new);
		if new.heartbeat_period != old.heartbeat_period {
			// The current period ends at the next multiple of the new length; its heartbeats
			// and the outage history stay.
			let now = frame_system::Pallet::<T>::block_number();
			Liveness::<T>::mutate(|s| s.ends_at = Self::next_period_start(now, &new));
		}
		for change in changes {
			Self::deposit_event(Event::ParameterSet { change });
		}
		Ok(())
	}
}

impl<T: Config> RewardOperator<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn reward(
		operator: &T::AccountId,
		payer: &T::AccountId,
		amount: BalanceOf<T>,
	) -> Result<(), DispatchError> {
		frame_support::storage::with_storage_layer(|| Self::do_reward(operator, payer, amount))
	}

	fn reward_weight() -> Weight {
		T::WeightInfo::reward()
	}
}

/// Support for the benchmarks of pallets that sample operators.
#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Funds `who` and registers it as an active, online operator with `collateral` of its own
	/// and the VRF key `vrf_key`, without the key's proof of possession (benchmarks use fixed
	/// VRF keys whose secret signing in wasm would need system randomness).
	pub fn benchmark_operator(
		who: &T::AccountId,
		vrf_key: VrfPublic,
		collateral: BalanceOf<T>,
	) -> DispatchResult {
		Self::register_for_benchmark(who, vrf_key, collateral, None)
	}

	/// As [`Self::benchmark_operator`], with Ethereum address `eth` bound (without its proof).
	pub fn benchmark_operator_with_eth(
		who: &T::AccountId,
		vrf_key: VrfPublic,
		collateral: BalanceOf<T>,
		eth: EthAddress,
	) -> DispatchResult {
		Self::register_for_benchmark(who, vrf_key, collateral, Some(eth))
	}

	fn register_for_benchmark(
		who: &T::AccountId,
		vrf_key: VrfPublic,
		collateral: BalanceOf<T>,
		eth: Option<EthAddress>,
	) -> DispatchResult {
		let collateral = collateral.max(Parameters::<T>::get().min_collateral);
		let funds = collateral
			.saturating_mul(2u32.into())
			.saturating_add(T::Currency::minimum_balance().saturating_mul(2u32.into()));
		T::Currency::set_balance(who, funds);
		Self::register_checked(
			who.clone(),
			Default::default(),
			Default::default(),
			vrf_key,
			eth,
			Perbill::zero(),
			collateral,
		)
	}

	/// Turns slashing on, every offence costing the minimum collateral (capped at all of the
	/// stake), deferred by at least one block: the costliest way for a report to be handled.
	pub fn benchmark_enable_slashing() {
		use sp_runtime::traits::One;
		Parameters::<T>::mutate(|p| {
			if p.slash_defer_period.is_zero() {
				p.slash_defer_period = One::one();
				let two = BlockNumberFor::<T>::one().saturating_add(One::one());
				p.unbonding_period = p.unbonding_period.max(two);
			}
			for kind in OffenceKind::ALL {
				p.slash_rules.set(
					kind,
					SlashRule {
						amount: p.min_collateral,
						max_fraction: Perbill::one(),
						enabled_from: Zero::zero(),
					},
				);
			}
		});
	}
}
