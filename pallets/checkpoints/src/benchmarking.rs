//! Benchmarks of the checkpoint pallet. Operators come from the runtime through
//! [`BenchmarkHelper`]; their Ethereum keys are made in the benchmark keystore.

use super::*;
use crate::Pallet as Checkpoints;
use aos_checkpoint_primitives::SetUpdate;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;
use sp_core::{crypto::KeyTypeId, ecdsa};

const KEY: KeyTypeId = KeyTypeId(*b"bnch");
const SEED: u32 = 0;

/// What the benchmarks need of the runtime.
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` an active operator with Ethereum address `eth` and `units` weight units of
	/// stake, as the operator pallet would report it.
	fn make_operator(who: &AccountId, eth: EthAddress, units: u32);
}

/// A key in the benchmark keystore and its Ethereum address.
fn eth_key() -> (ecdsa::Public, EthAddress) {
	let key = sp_io::crypto::ecdsa_generate(KEY, None);
	let hash = [1u8; 32];
	let signature = sign_hash(&key, &hash);
	let address = aos_checkpoint_primitives::recover_signer(&hash, &signature)
		.unwrap_or_else(|| panic!("a signature just made recovers"));
	(key, address)
}

fn sign_hash(key: &ecdsa::Public, hash: &[u8; 32]) -> [u8; 65] {
	let signed = sp_io::crypto::ecdsa_sign_prehashed(KEY, key, hash)
		.unwrap_or_else(|| panic!("the benchmark keystore signs with the key it made"));
	let mut signature = [0u8; 65];
	signature.copy_from_slice(signed.as_ref());
	signature
}

/// The address whose last eight bytes are `n`.
fn address(n: u64) -> EthAddress {
	let mut a = [0u8; 20];
	a[12..].copy_from_slice(&n.to_be_bytes());
	EthAddress::from(a)
}

/// `n` members of weight 1, with their keys, as a final checkpoint left them.
fn members<T: Config>(n: u32) -> Vec<(T::AccountId, ecdsa::Public, EthAddress)> {
	let mut out = Vec::new();
	for i in 0..n {
		let who: T::AccountId = account("member", i, SEED);
		let (key, address) = eth_key();
		T::BenchmarkHelper::make_operator(&who, address, 1);
		Dirty::<T>::remove(&who);
		Members::<T>::insert(address, (who.clone(), 1));
		MemberOf::<T>::insert(&who, address);
		out.push((who, key, address));
	}
	MemberCount::<T>::put(n);
	TotalWeight::<T>::put(u128::from(n));
	LastFinal::<T>::put(0);
	NextId::<T>::put(1);
	out
}

/// `u` updates of operators joining the set.
fn changes<T: Config>(u: u32) -> ChangesOf<T> {
	let changes = (0..u)
		.map(|i| {
			let who: T::AccountId = account("joiner", i, SEED);
			(who, SetUpdate { operator: address(u64::from(i) + 1), weight: 1 })
		})
		.collect::<Vec<_>>();
	BoundedVec::truncate_from(changes)
}

/// Checkpoint `id`, signing until `until`, over the members' weight, with `changes`.
fn signing<T: Config>(id: CheckpointId, until: BlockNumberFor<T>, changes: ChangesOf<T>) {
	let total = TotalWeight::<T>::get();
	let message = CheckpointMessage {
		chain: Checkpoints::<T>::chain(),
		id,
		previous: 0,
		root: H256::repeat_byte(1),
		updates: H256::repeat_byte(2),
	};
	Closed::<T>::insert(
		id,
		CheckpointOf::<T> {
			message,
			changes,
			from: Zero::zero(),
			closed_at: Zero::zero(),
			batches: 1,
			total_weight: total,
			threshold: total,
			signed: 0,
			status: Status::Signing { until },
		},
	);
	Signing::<T>::put(id);
	NextId::<T>::put(id.saturating_add(1));
}

fn full_batches<T: Config>(b: u32) {
	let roots = (0..b).map(|i| H256::repeat_byte(i as u8)).collect::<Vec<_>>();
	Batches::<T>::put(BoundedVec::truncate_from(roots));
}

fn leaf(i: u32) -> Leaf {
	Leaf::Result {
		task: u64::from(i),
		model: H256::repeat_byte(1),
		output: H256::repeat_byte(3),
		result: H256::repeat_byte(4),
		agreeing: 3,
		assigned: 3,
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A block with nothing to do: no checkpoint signing, the period not over.
	#[benchmark]
	fn on_initialize_base() {
		PeriodStart::<T>::put(frame_system::Pallet::<T>::block_number());
		#[block]
		{
			Checkpoints::<T>::on_initialize(frame_system::Pallet::<T>::block_number());
		}
	}

	/// The signing window over: the checkpoint fails, with the most updates to carry and a
	/// full list of batches to fold.
	#[benchmark]
	fn fail() {
		members::<T>(1);
		signing::<T>(1, Zero::zero(), changes::<T>(T::MaxUpdates::get()));
		full_batches::<T>(T::MaxBatches::get());
		let now: BlockNumberFor<T> = 1u32.into();
		#[block]
		{
			Checkpoints::<T>::expire(1, now);
		}
		assert!(matches!(Closed::<T>::get(1).map(|c| c.status), Some(Status::Failed { .. })));
	}

	/// Closing a period of `b` batches with `u` operators changing address (two updates
	/// each, the most an operator makes).
	#[benchmark]
	fn close(b: Linear<1, { T::MaxBatches::get() }>, u: Linear<0, { T::MaxUpdates::get() / 2 }>) {
		members::<T>(1);
		full_batches::<T>(b);
		for i in 0..u {
			let who: T::AccountId = account("mover", i, SEED);
			let old = address(u64::from(i) + 100);
			let new = address(u64::from(i) + 10_000);
			T::BenchmarkHelper::make_operator(&who, new, 2);
			Members::<T>::insert(old, (who.clone(), 1));
			MemberOf::<T>::insert(&who, old);
			Dirty::<T>::insert(&who, ());
		}
		MemberCount::<T>::mutate(|c| *c += u);
		TotalWeight::<T>::mutate(|t| *t += u128::from(u));
		let params = Parameters::<T>::get();
		let now: BlockNumberFor<T> = 1u32.into();
		#[block]
		{
			Checkpoints::<T>::close(now, &params);
		}
		assert_eq!(Closed::<T>::get(1).map(|c| c.changes.len() as u32), Some(2 * u));
	}

	/// Pruning a checkpoint with `s` signatures and as many equivocation reports.
	#[benchmark]
	fn prune(s: Linear<0, { T::MaxMembers::get() }>) {
		members::<T>(0);
		signing::<T>(1, Zero::zero(), Default::default());
		for i in 0..s {
			let address = address(u64::from(i) + 1);
			Signatures::<T>::insert(1, address, [7u8; 65]);
			Reported::<T>::insert(1, address, ());
		}
		#[block]
		{
			Checkpoints::<T>::prune(1);
		}
		assert!(Closed::<T>::get(1).is_none());
	}

	/// Sealing a batch of `n` leaves into a full list of batches (which folds first).
	#[benchmark]
	fn seal(n: Linear<0, { T::MaxBatchLeaves::get() }>) {
		full_batches::<T>(T::MaxBatches::get());
		let hashes = (0..n).map(|i| leaf(i).hash()).collect::<Vec<_>>();
		Batch::<T>::put(BoundedVec::truncate_from(hashes));
		#[block]
		{
			Checkpoints::<T>::seal();
		}
		assert!(Batch::<T>::get().is_empty());
	}

	/// Recording a leaf.
	#[benchmark]
	fn record() {
		let hashes = (0..T::MaxBatchLeaves::get().saturating_sub(1))
			.map(|i| leaf(i).hash())
			.collect::<Vec<_>>();
		Batch::<T>::put(BoundedVec::truncate_from(hashes));
		#[block]
		{
			Checkpoints::<T>::record(leaf(0));
		}
		assert!(Batch::<T>::get().is_full());
	}

	/// A signature that counts and does not reach the quorum.
	#[benchmark]
	fn sign() {
		let set = members::<T>(2);
		signing::<T>(1, 100u32.into(), Default::default());
		let (_, key, address) = set.first().cloned().unwrap_or_else(|| panic!("two members"));
		let message = Closed::<T>::get(1).map(|c| c.message).unwrap_or_else(|| panic!("closed"));
		let signature = sign_hash(&key, &message.signing_hash());
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), 1, signature);
		assert!(Signatures::<T>::contains_key(1, address));
	}

	/// A checkpoint made final, applying `u` updates.
	#[benchmark]
	fn finalize(u: Linear<0, { T::MaxUpdates::get() }>) {
		members::<T>(1);
		signing::<T>(1, 100u32.into(), changes::<T>(u));
		let cp = Closed::<T>::get(1).unwrap_or_else(|| panic!("closed"));
		let now: BlockNumberFor<T> = 1u32.into();
		#[block]
		{
			Checkpoints::<T>::finalize(1, cp, now);
		}
		assert_eq!(MemberCount::<T>::get(), 1 + u);
	}

	/// A report of a member's signature over a false checkpoint.
	#[benchmark]
	fn report_equivocation() {
		let set = members::<T>(1);
		signing::<T>(1, 100u32.into(), Default::default());
		let (_, key, address) = set.first().cloned().unwrap_or_else(|| panic!("a member"));
		let honest = Closed::<T>::get(1).map(|c| c.message).unwrap_or_else(|| panic!("closed"));
		let message = CheckpointMessage { root: H256::repeat_byte(9), ..honest };
		let signature = sign_hash(&key, &message.signing_hash());
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), message, signature);
		assert!(Reported::<T>::contains_key(1, address));
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let params = Parameters::<T>::get();
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		Ok(())
	}

	impl_benchmark_test_suite!(Checkpoints, crate::mock::new_test_ext(), crate::mock::Test);
}
