//! Benchmarks of pallet-operators, each at its worst case.

use super::*;
use crate::pallet::*;
use alloc::{vec, vec::Vec};
use codec::Encode;
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Mutate, EnsureOrigin, Hooks},
};
use frame_system::RawOrigin;
use sp_core::{crypto::KeyTypeId, sr25519};
use sp_runtime::{
	traits::{Bounded, One, Saturating, Zero},
	Perbill,
};

const SEED: u32 = 0;
/// The keystore slot benchmark VRF keys are made in.
const BENCH_KEY: KeyTypeId = KeyTypeId(*b"aosb");

fn balance<T: Config>(units: u32) -> BalanceOf<T> {
	Parameters::<T>::get().min_collateral.saturating_mul(units.into())
}

/// Gives `who` plenty of funds.
fn fund<T: Config>(who: &T::AccountId) {
	let _ = T::Currency::set_balance(who, balance::<T>(1_000_000));
}

/// A fresh VRF key and `who`'s proof of owning it.
fn vrf_key<T: Config>(who: &T::AccountId) -> (VrfPublic, sr25519::Signature) {
	let key = sp_io::crypto::sr25519_generate(BENCH_KEY, None);
	let mut message = Vec::from(VRF_KEY_PROOF_PREFIX);
	who.encode_to(&mut message);
	let proof = sp_io::crypto::sr25519_sign(BENCH_KEY, &key, &message)
		.unwrap_or_else(|| panic!("the benchmark keystore signs with the key it made"));
	(key, proof)
}

/// An Ethereum address of a key made in the benchmark keystore, with its proof for `who`.
fn eth_binding<T: Config>(who: &T::AccountId) -> EthBinding {
	let key = sp_io::crypto::ecdsa_generate(BENCH_KEY, None);
	let hash = eip191_hash(&eth_address_message(who));
	let signed = sp_io::crypto::ecdsa_sign_prehashed(BENCH_KEY, &key, &hash)
		.unwrap_or_else(|| panic!("the benchmark keystore signs with the key it made"));
	let mut signature = [0u8; 65];
	signature.copy_from_slice(signed.as_ref());
	let public = sp_io::crypto::secp256k1_ecdsa_recover(&signature, &hash)
		.unwrap_or_else(|_| panic!("a signature just made recovers"));
	EthBinding { address: eth_address_of(&public), signature }
}

/// Parameters under which offences are slashed and deferred.
fn slashing_params<T: Config>() {
	Pallet::<T>::benchmark_enable_slashing();
}

/// Registers a funded operator with names of the maximum length and twice the minimum
/// collateral.
fn operator<T: Config>(index: u32) -> Result<T::AccountId, BenchmarkError> {
	let who: T::AccountId = account("operator", index, SEED);
	fund::<T>(&who);
	let (key, proof) = vrf_key::<T>(&who);
	Pallet::<T>::do_register(
		who.clone(),
		vec![b'n'; T::MaxNameLen::get() as usize],
		vec![b'e'; T::MaxEndpointLen::get() as usize],
		key,
		proof,
		None,
		Perbill::from_percent(5),
		balance::<T>(2),
	)?;
	Ok(who)
}

/// Adds `n` delegators of the minimum delegation to `operator`.
fn delegators<T: Config>(operator: &T::AccountId, n: u32) -> Result<(), BenchmarkError> {
	let amount = Parameters::<T>::get().min_delegation;
	for i in 0..n {
		let who: T::AccountId = account("delegator", i, SEED);
		fund::<T>(&who);
		Pallet::<T>::do_bond(operator, &who, amount)?;
	}
	Ok(())
}

/// Moves to the next block.
fn next_block<T: Config>() {
	let now = frame_system::Pallet::<T>::block_number();
	frame_system::Pallet::<T>::set_block_number(now.saturating_add(One::one()));
}

/// Moves past the unbonding period of stake unbonded now.
fn pass_unbonding<T: Config>() {
	let unbonding = Parameters::<T>::get().unbonding_period;
	let now = frame_system::Pallet::<T>::block_number();
	frame_system::Pallet::<T>::set_block_number(now.saturating_add(unbonding));
}

/// The whitelisted caller, funded.
fn funded_caller<T: Config>() -> T::AccountId {
	let caller: T::AccountId = whitelisted_caller();
	fund::<T>(&caller);
	caller
}

/// Gives `staker`'s ledger with `operator` all but one of the allowed unbonding chunks.
fn unbonding_chunks<T: Config>(
	operator: &T::AccountId,
	staker: &T::AccountId,
	amount: BalanceOf<T>,
) -> Result<(), BenchmarkError> {
	for _ in 1..T::MaxUnlockingChunks::get() {
		next_block::<T>();
		Pallet::<T>::do_unbond(operator, staker, amount)?;
	}
	Ok(())
}

fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() -> Result<(), BenchmarkError> {
		let caller = funded_caller::<T>();
		let (key, proof) = vrf_key::<T>(&caller);
		let eth = eth_binding::<T>(&caller);
		let name = vec![b'n'; T::MaxNameLen::get() as usize];
		let endpoint = vec![b'e'; T::MaxEndpointLen::get() as usize];
		let collateral = balance::<T>(2);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			name,
			endpoint,
			key,
			proof,
			Some(eth),
			Perbill::from_percent(5),
			collateral,
		);

		assert!(Operators::<T>::contains_key(&caller));
		Ok(())
	}

	#[benchmark]
	fn update_metadata() -> Result<(), BenchmarkError> {
		let who = operator::<T>(0)?;
		let name = vec![b'm'; T::MaxNameLen::get() as usize];
		let endpoint = vec![b'f'; T::MaxEndpointLen::get() as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), name.clone(), endpoint);

		assert_eq!(Operators::<T>::get(&who).map(|o| o.name.into_inner()), Some(name));
		Ok(())
	}

	#[benchmark]
	fn rotate_keys() -> Result<(), BenchmarkError> {
		let who = operator::<T>(0)?;
		let (key, proof) = vrf_key::<T>(&who);
		let eth = eth_binding::<T>(&who);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), key, proof, Some(eth));

		assert_eq!(VrfKeyOwners::<T>::get(key), Some(who.clone()));
		assert_eq!(Operators::<T>::get(&who).and_then(|o| o.eth_address), Some(eth.address));
		Ok(())
	}

	/// An increase: it waits one unbonding period (a decrease, at once, writes no more).
	#[benchmark]
	fn set_commission() -> Result<(), BenchmarkError> {
		let who = operator::<T>(0)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Perbill::from_percent(20));

		assert_eq!(
			Operators::<T>::get(&who).and_then(|o| o.pending_commission).map(|(c, _)| c),
			Some(Perbill::from_percent(20))
		);
		Ok(())
	}

	#[benchmark]
	fn bond_extra() -> Result<(), BenchmarkError> {
		let who = operator::<T>(0)?;
		let amount = balance::<T>(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);

		assert_eq!(Operators::<T>::get(&who).map(|o| o.own.active.balance), Some(balance::<T>(3)));
		Ok(())
	}

	/// A new delegator (a new ledger and a new delegator count).
	#[benchmark]
	fn delegate() -> Result<(), BenchmarkError> {
		let op = operator::<T>(0)?;
		let caller = funded_caller::<T>();
		let amount = balance::<T>(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), op.clone(), amount);

		assert!(Ledgers::<T>::contains_key(&op, &caller));
		Ok(())
	}

	/// A delegator with all but one unbonding chunk, unbonding in a new block.
	#[benchmark]
	fn unbond() -> Result<(), BenchmarkError> {
		let op = operator::<T>(0)?;
		let caller = funded_caller::<T>();
		let min = Parameters::<T>::get().min_delegation;
		Pallet::<T>::do_bond(&op, &caller, min.saturating_mul(100u32.into()))?;
		unbonding_chunks::<T>(&op, &caller, min)?;
		next_block::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), op.clone(), min);

		assert_eq!(
			Ledgers::<T>::get(&op, &caller).map(|l| l.unlocking.len() as u32),
			Some(T::MaxUnlockingChunks::get())
		);
		Ok(())
	}

	/// The last delegator of a leaving operator withdraws all its chunks, and the operator is
	/// removed.
	#[benchmark]
	fn withdraw_unbonded() -> Result<(), BenchmarkError> {
		let op = operator::<T>(0)?;
		let caller = funded_caller::<T>();
		let min = Parameters::<T>::get().min_delegation;
		Pallet::<T>::do_bond(
			&op,
			&caller,
			min.saturating_mul(T::MaxUnlockingChunks::get().into()),
		)?;
		unbonding_chunks::<T>(&op, &caller, min)?;
		next_block::<T>();
		Pallet::<T>::do_unbond(&op, &caller, BalanceOf::<T>::max_value())?;
		Pallet::<T>::do_leave(&op)?;
		pass_unbonding::<T>();
		Pallet::<T>::do_withdraw(&op, &op)?;
		assert!(Operators::<T>::contains_key(&op));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), op.clone());

		assert!(!Operators::<T>::contains_key(&op));
		Ok(())
	}

	/// Anyone withdraws for a delegator of a leaving operator: its unbonding chunks all but
	/// one, and its active stake the operator's leaving unbonded; the last delegator, so the
	/// operator is removed.
	#[benchmark]
	fn withdraw_for() -> Result<(), BenchmarkError> {
		let op = operator::<T>(0)?;
		let delegator: T::AccountId = account("delegator", 0, SEED);
		fund::<T>(&delegator);
		let min = Parameters::<T>::get().min_delegation;
		Pallet::<T>::do_bond(
			&op,
			&delegator,
			min.saturating_mul(T::MaxUnlockingChunks::get().into()),
		)?;
		unbonding_chunks::<T>(&op, &delegator, min)?;
		next_block::<T>();
		Pallet::<T>::do_leave(&op)?;
		pass_unbonding::<T>();
		Pallet::<T>::do_withdraw(&op, &op)?;
		let caller = funded_caller::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), op.clone(), delegator);

		assert!(!Operators::<T>::contains_key(&op));
		Ok(())
	}

	/// The first heartbeat of a period, moving the liveness check.
	#[benchmark]
	fn heartbeat() -> Result<(), BenchmarkError> {
		let who = operator::<T>(0)?;
		let params = Parameters::<T>::get();
		let next =
			Pallet::<T>::next_period_start(frame_system::Pallet::<T>::block_number(), &params);
		frame_system::Pallet::<T>::set_block_number(next);
		Pallet::<T>::roll_period(next, &params);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_eq!(Operators::<T>::get(&who).map(|o| o.last_heartbeat), Some(next));
		Ok(())
	}

	#[benchmark]
	fn chill() -> Result<(), BenchmarkError> {
		let who = operator::<T>(0)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_eq!(Operators::<T>::get(&who).map(|o| o.status), Some(OperatorStatus::Chilled));
		Ok(())
	}

	#[benchmark]
	fn resume() -> Result<(), BenchmarkError> {
		let who = operator::<T>(0)?;
		Pallet::<T>::do_chill(&who)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_eq!(Operators::<T>::get(&who).map(|o| o.status), Some(OperatorStatus::Active));
		Ok(())
	}

	/// An operator with all but one unbonding chunk leaves.
	#[benchmark]
	fn leave() -> Result<(), BenchmarkError> {
		let who = operator::<T>(0)?;
		let min = Parameters::<T>::get().min_collateral;
		Pallet::<T>::do_bond(&who, &who, min.saturating_mul(T::MaxUnlockingChunks::get().into()))?;
		unbonding_chunks::<T>(&who, &who, One::one())?;
		next_block::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_eq!(Operators::<T>::get(&who).map(|o| o.status), Some(OperatorStatus::Leaving));
		Ok(())
	}

	/// `n` changes, the heartbeat period among them.
	#[benchmark]
	fn set_parameters(n: Linear<1, MAX_PARAMETER_CHANGES>) -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let params = Parameters::<T>::get();
		let mut changes = vec![types::Parameter::HeartbeatPeriod(params.heartbeat_period)];
		changes.resize(n as usize, types::Parameter::MinDelegation(params.min_delegation));
		let changes: BoundedVec<_, _> =
			changes.try_into().map_err(|_| BenchmarkError::Stop("too many changes"))?;
		// Force the heartbeat-period path: it must differ from the stored one.
		Parameters::<T>::mutate(|p| {
			p.heartbeat_period = p.heartbeat_period.saturating_add(One::one())
		});
		Parameters::<T>::mutate(|p| {
			p.offline_grace =
				p.heartbeat_period.saturating_mul(MIN_GRACE_PERIODS.into()).max(p.offline_grace)
		});

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, changes);

		assert_eq!(Parameters::<T>::get().heartbeat_period, params.heartbeat_period);
		Ok(())
	}

	/// Cancelling the last pending slash of a leaving operator with nothing left removes it.
	#[benchmark]
	fn cancel_slash() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		slashing_params::<T>();
		let who = operator::<T>(0)?;
		let SlashOutcome::Deferred(id) =
			Pallet::<T>::report(&who, OffenceKind::WrongResult, Some(1))?
		else {
			return Err(BenchmarkError::Stop("the slash was not deferred"));
		};
		Pallet::<T>::do_leave(&who)?;
		pass_unbonding::<T>();
		Pallet::<T>::do_withdraw(&who, &who)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert!(!Operators::<T>::contains_key(&who));
		Ok(())
	}

	/// `on_initialize` closing a heartbeat period, with nothing due.
	#[benchmark]
	fn on_initialize_base() -> Result<(), BenchmarkError> {
		operator::<T>(0)?;
		let params = Parameters::<T>::get();
		let next =
			Pallet::<T>::next_period_start(frame_system::Pallet::<T>::block_number(), &params);
		LivenessCursor::<T>::put(next);
		SlashCursor::<T>::put(next);

		#[block]
		{
			Pallet::<T>::on_initialize(next);
		}

		assert_eq!(Liveness::<T>::get().ends_at, Pallet::<T>::next_period_start(next, &params));
		Ok(())
	}

	/// One liveness check that finds an operator offline and reports a deferred slash.
	#[benchmark]
	fn liveness_check() -> Result<(), BenchmarkError> {
		slashing_params::<T>();
		let who = operator::<T>(0)?;
		let params = Parameters::<T>::get();
		let Some(at) = Operators::<T>::get(&who).and_then(|o| o.liveness_check_at) else {
			return Err(BenchmarkError::Stop("no liveness check scheduled"));
		};
		frame_system::Pallet::<T>::set_block_number(at);
		LivenessCursor::<T>::put(at);

		#[block]
		{
			Pallet::<T>::check_liveness(at, &params);
		}

		assert_eq!(Operators::<T>::get(&who).map(|o| o.pending_slashes), Some(1));
		Ok(())
	}

	/// Applying a deferred slash that takes own and delegated stake, active and unbonding,
	/// from an operator with `d` delegators. Shares make it independent of `d`.
	#[benchmark]
	fn apply_slash(d: Linear<1, 10_000>) -> Result<(), BenchmarkError> {
		slashing_params::<T>();
		let who = operator::<T>(0)?;
		delegators::<T>(&who, d)?;
		let min = Parameters::<T>::get().min_collateral;
		Pallet::<T>::do_unbond(&who, &who, min)?;
		// More than the operator's own stake, so that delegators pay too.
		Parameters::<T>::mutate(|p| {
			p.slash_rules.wrong_result = SlashRule {
				amount: min.saturating_mul(3u32.into()),
				max_fraction: Perbill::one(),
				enabled_from: Zero::zero(),
			}
		});
		Pallet::<T>::report(&who, OffenceKind::WrongResult, Some(1))?;
		let Some((apply_at, _)) = SlashQueue::<T>::iter_keys().next() else {
			return Err(BenchmarkError::Stop("no slash queued"));
		};
		frame_system::Pallet::<T>::set_block_number(apply_at);
		SlashCursor::<T>::put(apply_at);

		#[block]
		{
			Pallet::<T>::apply_due_slashes(apply_at);
		}

		assert_eq!(Operators::<T>::get(&who).map(|o| o.own.slashable()), Some(Zero::zero()));
		Ok(())
	}

	/// Applying a slash that takes all a leaving operator has left, removing it.
	#[benchmark]
	fn apply_slash_reaping() -> Result<(), BenchmarkError> {
		slashing_params::<T>();
		Parameters::<T>::mutate(|p| {
			p.slash_rules.wrong_result = SlashRule {
				amount: BalanceOf::<T>::max_value(),
				max_fraction: Perbill::one(),
				enabled_from: Zero::zero(),
			}
		});
		let who = operator::<T>(0)?;
		Pallet::<T>::report(&who, OffenceKind::WrongResult, Some(1))?;
		Pallet::<T>::do_leave(&who)?;
		let Some((apply_at, _)) = SlashQueue::<T>::iter_keys().next() else {
			return Err(BenchmarkError::Stop("no slash queued"));
		};
		frame_system::Pallet::<T>::set_block_number(apply_at);
		SlashCursor::<T>::put(apply_at);

		#[block]
		{
			Pallet::<T>::apply_due_slashes(apply_at);
		}

		assert!(!Operators::<T>::contains_key(&who));
		Ok(())
	}

	/// A deferred offence report.
	#[benchmark]
	fn report_offence() -> Result<(), BenchmarkError> {
		slashing_params::<T>();
		let who = operator::<T>(0)?;

		#[block]
		{
			Pallet::<T>::report_offence(&who, OffenceKind::DisputeLost, Some(7))?;
		}

		assert_eq!(Operators::<T>::get(&who).map(|o| o.pending_slashes), Some(1));
		Ok(())
	}

	/// A reward split between commission, own stake and delegators.
	#[benchmark]
	fn reward() -> Result<(), BenchmarkError> {
		let who = operator::<T>(0)?;
		delegators::<T>(&who, 1)?;
		let payer: T::AccountId = account("payer", 0, SEED);
		fund::<T>(&payer);
		let amount = balance::<T>(1);

		#[block]
		{
			<Pallet<T> as RewardOperator<_, _>>::reward(&who, &payer, amount)?;
		}

		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
