//! Reads of the operator set: the registry other pallets sample tasks from, and the state the
//! runtime API (and through it the node's RPC) reports.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use aos_operators_primitives::{OperatorState, OperatorStatusView, PendingSlashView, StakeState};
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// Whether `op` has been silent for longer than the grace period at `now`.
	fn is_offline(op: &OperatorOf<T>, now: BlockNumberFor<T>, params: &ParamsOf<T>) -> bool {
		now.saturating_sub(op.last_heartbeat) > params.offline_grace
	}

	/// `who`'s stake, status, last heartbeat and pending slashes, if it is an operator.
	pub fn operator_state(
		who: &T::AccountId,
	) -> Option<OperatorState<BalanceOf<T>, BlockNumberFor<T>>> {
		let op = Operators::<T>::get(who)?;
		let params = Parameters::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		let status = match op.status {
			OperatorStatus::Active if Self::is_offline(&op, now, &params) => {
				OperatorStatusView::Offline
			},
			OperatorStatus::Active => OperatorStatusView::Active,
			OperatorStatus::Chilled => OperatorStatusView::Chilled,
			OperatorStatus::Leaving => OperatorStatusView::Leaving,
		};
		let mut pending_slashes: Vec<_> = SlashesOf::<T>::iter_key_prefix(who)
			.filter_map(|id| {
				PendingSlashes::<T>::get(id).map(|s| PendingSlashView {
					id,
					kind: s.kind,
					reference: s.reference,
					amount: s.amount,
					reported_at: s.reported_at,
					apply_at: s.apply_at,
				})
			})
			.collect();
		pending_slashes.sort_by_key(|s| s.id);
		Some(OperatorState {
			status,
			own_stake: op.own.active.balance,
			delegated_stake: op.delegated.active.balance,
			total_stake: op.active_stake(),
			unbonding: op.own.unbonding.balance.saturating_add(op.delegated.unbonding.balance),
			delegators: op.delegators,
			commission: Self::commission_at(&op, now),
			last_heartbeat: op.last_heartbeat,
			vrf_key: op.vrf_key,
			vrf_key_since: op.vrf_key_since,
			eth_address: op.eth_address,
			pending_slashes,
		})
	}

	/// `staker`'s stake with `operator`, at the pools' current values.
	pub fn stake_state(
		operator: &T::AccountId,
		staker: &T::AccountId,
	) -> Option<StakeState<BalanceOf<T>, BlockNumberFor<T>>> {
		let op = Operators::<T>::get(operator)?;
		let ledger = Ledgers::<T>::get(operator, staker)?;
		let pool = op.pool(operator == staker);
		Some(StakeState {
			active: pool.active.value_of(ledger.active),
			unbonding: ledger
				.unlocking
				.iter()
				.map(|c| (c.unlock_at, pool.unbonding.value_of(c.shares)))
				.collect(),
		})
	}
}

impl<T: Config> OperatorRegistry<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> for Pallet<T> {
	fn eligible(
		who: &T::AccountId,
		from: BlockNumberFor<T>,
	) -> Option<EligibleOperator<BalanceOf<T>, BlockNumberFor<T>>> {
		let op = Operators::<T>::get(who)?;
		let params = Parameters::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		let eligible = op.status == OperatorStatus::Active
			&& !Self::is_offline(&op, now, &params)
			&& op.own.active.balance >= params.min_collateral;
		eligible.then(|| EligibleOperator {
			stake: op.selection.at(from).min(op.active_stake()),
			vrf_key: op.vrf_key,
			vrf_key_since: op.vrf_key_since,
		})
	}

	fn total_selection_stake() -> BalanceOf<T> {
		Active::<T>::get().selection_stake
	}

	fn active_operators() -> u32 {
		Active::<T>::get().count
	}

	fn selection_delay() -> BlockNumberFor<T> {
		<T::SelectionDelay as frame_support::traits::Get<_>>::get()
	}

	fn slash_periods() -> SlashPeriods<BlockNumberFor<T>> {
		Parameters::<T>::get().slash_periods()
	}
}

impl<T: Config> OperatorStandings<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn standing(who: &T::AccountId) -> Option<Standing<BalanceOf<T>>> {
		Operators::<T>::get(who).map(|op| Self::standing(&op))
	}

	fn for_each_standing(mut f: impl FnMut(T::AccountId, Standing<BalanceOf<T>>)) -> u32 {
		let mut count = 0u32;
		for (who, op) in Operators::<T>::iter() {
			f(who, Self::standing(&op));
			count = count.saturating_add(1);
		}
		count
	}
}
