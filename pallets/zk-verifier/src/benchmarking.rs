//! Benchmarks of pallet-zk-verifier, on real ezkl 23.0.5 proofs (`aos_zk::vectors`).
//!
//! A proof's verification cost grows with its public instances (each is hashed into the
//! transcript and evaluated in the instance polynomial); the circuit's other dimensions are
//! bounded by [`Config::MaxVkaLen`] and [`Config::MaxProofLen`], which the runtime sets to the
//! class of circuit the vectors are (ezkl's default layout: a 157-word VKA, 3,072-byte proofs).
//! `submit_proof` at `n` instances verifies the vector with the fewest instances no fewer than
//! `n`, so the fitted weight is never below the cost of a real proof of `n` instances.
//! An invalid proof costs as much to verify (it fails only at the final pairing) and its report
//! slashes, so it has its own benchmark; the call is charged the larger.

use super::*;
use crate::pallet::*;
use alloc::vec::Vec;
use aos_zk::vectors::{self, Vector};
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{Inspect, Mutate},
};
use frame_system::RawOrigin;
use sp_runtime::traits::{One, Saturating};

/// What the benchmarks need from the inference tasks pallet.
pub trait BenchmarkHelper<AccountId> {
	/// Registers model `id`, owned by `owner`, `inputs` wide with `outputs` logits, allowing
	/// the Zk mode.
	fn zk_model(
		owner: &AccountId,
		id: ModelId,
		inputs: u32,
		outputs: u32,
	) -> Result<(), BenchmarkError>;
	/// A Zk-mode task of `model` on `input` waiting for a proof, `operator` (an eligible
	/// operator whose slash is the costliest) assigned to it.
	fn zk_task(
		model: ModelId,
		input: Vec<i8>,
		operator: &AccountId,
	) -> Result<TaskId, BenchmarkError>;
}

const SEED: u32 = 0;

fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, SEED);
	let deposit = T::DepositBase::get()
		.saturating_add(T::DepositPerByte::get().saturating_mul(T::MaxVkaLen::get().into()));
	let plenty = deposit
		.saturating_add(T::Currency::minimum_balance())
		.saturating_add(One::one())
		.saturating_mul(4u32.into());
	T::Currency::set_balance(&who, plenty);
	who
}

fn bounded<S: Get<u32>>(bytes: &[u8]) -> Result<BoundedVec<u8, S>, BenchmarkError> {
	BoundedVec::try_from(bytes.to_vec()).map_err(|_| BenchmarkError::Stop("vector above a bound"))
}

fn register<T: Config>(owner: &T::AccountId, v: &Vector) -> Result<H256, BenchmarkError> {
	Pallet::<T>::register_vk(RawOrigin::Signed(owner.clone()).into(), bounded(v.vka)?)?;
	Ok(H256(sp_crypto_hashing::blake2_256(v.vka)))
}

const MODEL: ModelId = H256::repeat_byte(0x2a);

/// Vector `v`'s VK registered by a funded owner and linked to [`MODEL`], a model of its shape.
fn linked<T: Config>(v: &Vector) -> Result<(T::AccountId, H256), BenchmarkError> {
	let owner = funded::<T>("owner");
	let vk = register::<T>(&owner, v)?;
	let outputs = v.num_instances().saturating_sub(v.inputs);
	T::BenchmarkHelper::zk_model(&owner, MODEL, v.inputs, outputs)?;
	Pallet::<T>::link_model(RawOrigin::Signed(owner.clone()).into(), MODEL, vk, v.input_scale)?;
	Ok((owner, vk))
}

/// [`linked`], and a Zk-mode task on the vector's input with `operator` assigned.
fn proof_task<T: Config>(v: &Vector, operator: &T::AccountId) -> Result<TaskId, BenchmarkError> {
	linked::<T>(v)?;
	let input = v.input().ok_or(BenchmarkError::Stop("a vector's input instances"))?;
	T::BenchmarkHelper::zk_task(MODEL, input, operator)
}

fn instances<T: Config>(
	v: &Vector,
) -> Result<BoundedVec<[u8; 32], T::MaxInstances>, BenchmarkError> {
	BoundedVec::try_from(v.instances().collect::<Vec<_>>())
		.map_err(|_| BenchmarkError::Stop("vector above MaxInstances"))
}

fn last_event<T: Config>() -> Option<<T as frame_system::Config>::RuntimeEvent> {
	frame_system::Pallet::<T>::events().pop().map(|r| r.event)
}

fn is<T: Config>(e: Event<T>) -> bool {
	last_event::<T>() == Some(<T as Config>::RuntimeEvent::from(e).into())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The largest real VKA (parsing checks its every curve point).
	#[benchmark]
	fn register_vk() -> Result<(), BenchmarkError> {
		let v = vectors::ALL
			.iter()
			.max_by_key(|v| v.vka.len())
			.ok_or(BenchmarkError::Stop("no vectors"))?;
		let owner = funded::<T>("owner");
		let vka = bounded::<T::MaxVkaLen>(v.vka)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), vka);
		assert!(Vks::<T>::contains_key(H256(sp_crypto_hashing::blake2_256(v.vka))));
		Ok(())
	}

	#[benchmark]
	fn unregister_vk() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		let vk = register::<T>(&owner, &vectors::ALL[0])?;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), vk);
		assert!(!Vks::<T>::contains_key(vk));
		Ok(())
	}

	/// Replacing a link (the old VK's count is updated too).
	#[benchmark]
	fn link_model() -> Result<(), BenchmarkError> {
		let v = &vectors::ALL[0];
		let (owner, vk) = linked::<T>(v)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), MODEL, vk, v.input_scale);
		assert_eq!(ModelVks::<T>::get(MODEL).map(|l| l.input_scale), Some(v.input_scale));
		Ok(())
	}

	#[benchmark]
	fn unlink_model() -> Result<(), BenchmarkError> {
		let (owner, _) = linked::<T>(&vectors::ALL[0])?;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), MODEL);
		assert!(!ModelVks::<T>::contains_key(MODEL));
		Ok(())
	}

	/// A valid proof with `n` instances: verified, and its task settled.
	#[benchmark]
	fn submit_proof(n: Linear<1, { T::MaxInstances::get() }>) -> Result<(), BenchmarkError> {
		let v = vectors::at_least(n).ok_or(BenchmarkError::Stop("no vector that large"))?;
		let operator: T::AccountId = account("operator", 0, SEED);
		let task = proof_task::<T>(v, &operator)?;
		let proof = bounded::<T::MaxProofLen>(v.proof)?;
		let instances = instances::<T>(v)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(operator.clone()), task, proof, instances);
		let vk = H256(sp_crypto_hashing::blake2_256(v.vka));
		assert!(is::<T>(Event::ProofAccepted { task, operator, vk }));
		Ok(())
	}

	/// An invalid proof with `n` instances: one evaluation changed, so that it fails only at
	/// the final pairing; rejected, and its operator reported and slashed.
	#[benchmark]
	fn submit_invalid_proof(
		n: Linear<1, { T::MaxInstances::get() }>,
	) -> Result<(), BenchmarkError> {
		let v = vectors::at_least(n).ok_or(BenchmarkError::Stop("no vector that large"))?;
		let operator: T::AccountId = account("operator", 0, SEED);
		let task = proof_task::<T>(v, &operator)?;
		let mut bad = v.proof.to_vec();
		// The low byte of the proof's last evaluation (the two SHPLONK points come after it).
		let at = bad.len().saturating_sub(4 * 32 + 1);
		if let Some(b) = bad.get_mut(at) {
			*b ^= 1;
		}
		let instances = instances::<T>(v)?;
		let vka = aos_zk::Vka::parse(v.vka).map_err(|_| BenchmarkError::Stop("vka"))?;
		let all = v.instances().collect::<Vec<_>>();
		if aos_zk::verify(&vka, &bad, &all, &T::Curve::default())
			!= Err(aos_zk::Error::PairingFailed)
		{
			return Err(BenchmarkError::Stop("the mutated proof must fail at the pairing"));
		}
		let proof = bounded::<T::MaxProofLen>(&bad)?;
		#[extrinsic_call]
		submit_proof(RawOrigin::Signed(operator.clone()), task, proof, instances);
		assert!(is::<T>(Event::ProofRejected { task, operator, reason: Rejection::Invalid }));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
