//! Benchmarks of pallet-zk-verifier, on real ezkl 23.0.5 proofs (`aos_zk::vectors`).
//!
//! A proof's verification cost grows with the verifier's steps, which its VKA fixes (the
//! instances are hashed into the transcript and evaluated step by step); the final MSM has as
//! many terms for every VKA of ezkl's default layout, and the runtime bounds both
//! ([`Config::MaxVerifySteps`], [`Config::MaxMsmTerms`]) to the vectors' class.
//! `submit_proof` at `s` steps verifies the vector with the fewest steps no fewer than `s`, so
//! the fitted weight is never below the cost of a real proof of `s` steps.
//! An invalid proof costs as much to verify (it fails only at the final pairing) and its report
//! slashes, so it has its own benchmark; the call is charged the larger.

use super::*;
use crate::pallet::*;
use alloc::vec::Vec;
use aos_zk::vectors::{self, Vector};
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin,
	},
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
	/// A Zk-mode task of `model` under `link` on `input` waiting for proofs, `operator` (an
	/// eligible operator whose slash is the costliest) assigned to it and committed to `proof`
	/// with `instances`.
	fn zk_task(
		model: ModelId,
		link: aos_inference_primitives::zk::ZkLink,
		input: Vec<i8>,
		operator: &AccountId,
		proof: &[u8],
		instances: &[[u8; 32]],
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

/// Trusts the SRS vector `v` was made with, and registers its VK.
fn register<T: Config>(owner: &T::AccountId, v: &Vector) -> Result<H256, BenchmarkError> {
	trust::<T>(v)?;
	Pallet::<T>::register_vk(RawOrigin::Signed(owner.clone()).into(), bounded(v.vka)?)?;
	Ok(H256(sp_crypto_hashing::blake2_256(v.vka)))
}

/// Adds the SRS vector `v` was made with to the trusted ones.
fn trust<T: Config>(v: &Vector) -> Result<(), BenchmarkError> {
	let vka = aos_zk::Vka::parse(v.vka).map_err(|_| BenchmarkError::Stop("vka"))?;
	AcceptedSrs::<T>::try_mutate(|srs| {
		srs.try_push(vka.srs_g2()).map_err(|_| BenchmarkError::Stop("too many trusted SRSs"))
	})
}

/// The verifier's steps for a proof of vector `v`.
fn steps(v: &Vector) -> u64 {
	aos_zk::Vka::parse(v.vka)
		.ok()
		.and_then(|vka| aos_zk::cost(&vka, u64::MAX).ok())
		.map_or(u64::MAX, |c| c.steps)
}

/// The vector with the fewest verifier steps no fewer than `s`.
fn by_steps(s: u32) -> Result<&'static Vector, BenchmarkError> {
	vectors::ALL
		.iter()
		.filter(|v| steps(v) >= u64::from(s))
		.min_by_key(|v| steps(v))
		.ok_or(BenchmarkError::Stop("no vector that costly"))
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

/// [`linked`], and a Zk-mode task on the vector's input with `operator` assigned and
/// committed to `proof` with the vector's instances.
fn proof_task<T: Config>(
	v: &Vector,
	operator: &T::AccountId,
	proof: &[u8],
) -> Result<TaskId, BenchmarkError> {
	let (_, vk) = linked::<T>(v)?;
	let input = v.input().ok_or(BenchmarkError::Stop("a vector's input instances"))?;
	let link = aos_inference_primitives::zk::ZkLink { vk, input_scale: v.input_scale };
	let all = v.instances().collect::<Vec<_>>();
	T::BenchmarkHelper::zk_task(MODEL, link, input, operator, proof, &all)
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

	/// The costliest real VKA: parsing checks its every curve point, pricing runs the
	/// verifier through all its steps (a costlier VKA is refused at `MaxVerifySteps`).
	#[benchmark]
	fn register_vk() -> Result<(), BenchmarkError> {
		let v = vectors::ALL.iter().max_by_key(|v| steps(v)).ok_or(BenchmarkError::Stop("none"))?;
		let owner = funded::<T>("owner");
		trust::<T>(v)?;
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

	/// A valid proof of `s` verifier steps: verified, and its task settled.
	#[benchmark]
	fn submit_proof(s: Linear<0, { T::MaxVerifySteps::get() }>) -> Result<(), BenchmarkError> {
		let v = by_steps(s)?;
		let operator: T::AccountId = account("operator", 0, SEED);
		let task = proof_task::<T>(v, &operator, v.proof)?;
		let proof = bounded::<T::MaxProofLen>(v.proof)?;
		let instances = instances::<T>(v)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(operator.clone()), task, proof, instances);
		let vk = H256(sp_crypto_hashing::blake2_256(v.vka));
		assert!(is::<T>(Event::ProofAccepted { task, operator, vk }));
		Ok(())
	}

	/// An invalid proof of `s` verifier steps: one evaluation changed, so that it fails only
	/// at the final pairing; rejected, and its operator reported and slashed.
	#[benchmark]
	fn submit_invalid_proof(
		s: Linear<0, { T::MaxVerifySteps::get() }>,
	) -> Result<(), BenchmarkError> {
		let v = by_steps(s)?;
		let operator: T::AccountId = account("operator", 0, SEED);
		let mut bad = v.proof.to_vec();
		// The low byte of the proof's last evaluation (the two SHPLONK points come after it).
		let at = bad.len().saturating_sub(4 * 32 + 1);
		if let Some(b) = bad.get_mut(at) {
			*b ^= 1;
		}
		let task = proof_task::<T>(v, &operator, &bad)?;
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

	/// The most trusted SRSs, each checked against the others.
	#[benchmark]
	fn set_accepted_srs() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let srs = (0..MAX_ACCEPTED_SRS).map(|i| [i as u8; 256]).collect::<Vec<_>>();
		let srs = BoundedVec::truncate_from(srs);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, srs);
		assert_eq!(AcceptedSrs::<T>::get().len() as u32, MAX_ACCEPTED_SRS);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
