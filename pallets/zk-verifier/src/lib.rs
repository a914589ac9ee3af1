//! # Zk verifier pallet
//!
//! Verifies, in the runtime, ezkl's proofs of AOS inference tasks — no EVM, no trusted
//! off-chain `ezkl verify`.
//!
//! - **Verifying keys.** [`Pallet::register_vk`] stores an ezkl verifying artifact (VKA, the
//!   bytes `ezkl.create_evm_vka` writes) under the BLAKE2b-256 hash of its bytes, once it parses
//!   ([`aos_zk::Vka::parse`]: layout, curve points, bounds), and holds a deposit from its
//!   registrant ([`Config::DepositBase`] + [`Config::DepositPerByte`] per byte) until
//!   [`Pallet::unregister_vk`]. A VKA is at most [`Config::MaxVkaLen`] bytes.
//! - **Trusted setups.** A VKA carries the KZG G2 points of the SRS it was made with; whoever
//!   knows that SRS's secret τ can forge a proof of anything for it. Governance keeps the SRSs
//!   the chain trusts ([`AcceptedSrs`], [`Pallet::set_accepted_srs`]): a production network
//!   accepts the points of a public powers-of-tau ceremony, development chains a test SRS. A
//!   VKA with other points is not registered.
//! - **Pricing.** Registering prices a VKA by a dry run of the verifier ([`aos_zk::cost`]):
//!   its steps and MSM terms, which the VKA alone fixes. VKAs costlier than the benchmarked
//!   class ([`Config::MaxVerifySteps`], [`Config::MaxMsmTerms`]) are refused; a proof is
//!   charged for the most steps and refunded down to its VK's.
//! - **Models.** A model's owner links a VK to the model ([`Pallet::link_model`]): from then on
//!   `pallet-inference` takes Zk-mode tasks for it ([`aos_inference_primitives::zk::ZkModels`]).
//!   The VK's circuit must take the model's input as public instances and give its logits as
//!   public instances: `inputs + outputs` instances, inputs first, in ezkl's fixed point with
//!   the link's `input_scale` (an int8 input value q is the field element q·2^input_scale). The
//!   weights are fixed columns of the circuit, so the VK names the model's computation.
//! - **Proofs.** An operator assigned to a Zk-mode task commits to its proof in the task's
//!   commit phase (`pallet-inference`'s `commit`, with
//!   [`aos_inference_primitives::zk::proof_commitment`]) and reveals it here in the reveal phase
//!   ([`Pallet::submit_proof`]): a proof seen in the pool cannot be taken by another operator,
//!   and a proof accepted before is refused. The task's snapshot names the VK, so relinking
//!   the model does not change what its proofs are checked against (and is refused while the
//!   model has live tasks; a VK held by a live task cannot be unregistered). The instances
//!   must carry the task's input; then the
//!   proof is verified ([`aos_zk::verify`], its MSM and pairing through [`Config::Curve`], the
//!   node's host functions in the runtime). A valid proof settles the task on the logits its
//!   instances carry (`pallet-inference` pays the prover). A proof that fails either check is
//!   rejected and, since it comes from an assigned operator, reported as `ZkProofInvalid`
//!   (slashed by pallet-operators' rule for it): the call itself succeeds, so that the report
//!   stands.
//!
//! The verifier and the VKA format are described in `primitives/zk` and
//! `docs/research/ezkl-vka.md`.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests and benchmark setups may).
#![cfg_attr(
	not(feature = "runtime-benchmarks"),
	deny(clippy::unwrap_used, clippy::indexing_slicing)
)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod binding;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use aos_inference_primitives::{
	zk::{ZkLink, ZkModels, ZkTaskError, ZkTasks},
	ModelId, TaskId,
};
use frame_support::traits::fungible;
use sp_core::H256;

type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

pub(crate) const LOG_TARGET: &str = "runtime::zk-verifier";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*, traits::fungible::MutateHold, traits::tokens::Precision,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Saturating;
	#[cfg(any(test, feature = "try-runtime"))]
	use sp_runtime::traits::Zero;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Holds VK deposits.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::Mutate<Self::AccountId>;

		/// The inference tasks and models (`pallet-inference`).
		type Tasks: ZkTasks<Self::AccountId>;

		/// Runs the verifier's MSM and pairing: the node's host functions
		/// (`aos_zk_host::Host`), or `aos_zk::Pure` for wasm-only arithmetic.
		type Curve: aos_zk::Bn254Ops + Default;

		/// Longest VKA, in bytes. With [`Config::MaxProofLen`] it bounds the circuits the chain
		/// verifies to the class the weights were benchmarked on.
		#[pallet::constant]
		type MaxVkaLen: Get<u32>;

		/// Longest proof, in bytes. A VKA whose proofs are longer is not registered.
		#[pallet::constant]
		type MaxProofLen: Get<u32>;

		/// Most public instances of a proof. A VKA with more is not registered.
		#[pallet::constant]
		type MaxInstances: Get<u32>;

		/// Most verifier steps a VKA may take (its dry run's): the costliest benchmarked VKA's.
		/// A costlier VKA is not registered.
		#[pallet::constant]
		type MaxVerifySteps: Get<u32>;

		/// Most terms of a VKA's final MSM: the benchmarked VKAs'. A VKA with more is not
		/// registered.
		#[pallet::constant]
		type MaxMsmTerms: Get<u32>;

		/// Sets the SRSs the chain trusts.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Held for every registered VK.
		#[pallet::constant]
		type DepositBase: Get<BalanceOf<Self>>;

		/// Held per byte of a registered VK.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Makes models and Zk-mode tasks for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A registered verifying key's deposit.
		VkDeposit,
	}

	/// Registered verifying keys, by the BLAKE2b-256 hash of their bytes.
	#[pallet::storage]
	pub type Vks<T: Config> = StorageMap<_, Identity, H256, VkInfo<T>>;

	/// Their bytes (apart from [`Vks`], whose reads stay small).
	#[pallet::storage]
	pub type VkBytes<T: Config> = StorageMap<_, Identity, H256, BoundedVec<u8, T::MaxVkaLen>>;

	/// Each model's verifying key.
	#[pallet::storage]
	pub type ModelVks<T: Config> = StorageMap<_, Identity, ModelId, ModelVk>;

	/// The SRSs whose VKAs the chain registers, by their G2 points.
	#[pallet::storage]
	pub type AcceptedSrs<T: Config> =
		StorageValue<_, BoundedVec<SrsG2, ConstU32<MAX_ACCEPTED_SRS>>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The SRSs trusted from genesis, by their G2 points (256 bytes each).
		pub accepted_srs: Vec<Vec<u8>>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let points: Vec<SrsG2> = self
				.accepted_srs
				.iter()
				.map(|p| {
					SrsG2::try_from(p.as_slice())
						.unwrap_or_else(|_| panic!("an accepted SRS is 256 bytes, not {}", p.len()))
				})
				.collect();
			let bounded = BoundedVec::try_from(points)
				.unwrap_or_else(|_| panic!("at most {MAX_ACCEPTED_SRS} accepted SRSs"));
			AcceptedSrs::<T>::put(bounded);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A verifying key was registered.
		VkRegistered { vk: H256, owner: T::AccountId, num_instances: u32, k: u8, len: u32 },
		/// A verifying key was removed; its deposit was released.
		VkUnregistered { vk: H256 },
		/// A model's owner linked a verifying key to it.
		ModelLinked { model: ModelId, vk: H256, input_scale: u8 },
		/// A model's link was removed.
		ModelUnlinked { model: ModelId },
		/// A proof verified and settled its task.
		ProofAccepted { task: TaskId, operator: T::AccountId, vk: H256 },
		/// A proof was rejected; its submitter, assigned to the task, was reported.
		ProofRejected { task: TaskId, operator: T::AccountId, reason: Rejection },
		/// Governance set the trusted SRSs: `count` of them.
		AcceptedSrsSet { count: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The bytes are not a VKA this verifier reads.
		MalformedVka,
		/// This VKA is registered already.
		VkExists,
		/// No such verifying key.
		UnknownVk,
		/// Only the VK's registrant may do this.
		NotVkOwner,
		/// The VK is linked to models.
		VkInUse,
		/// No such model.
		UnknownModel,
		/// Only the model's owner may do this.
		NotModelOwner,
		/// The model does not allow the Zk verification mode.
		ZkNotAllowed,
		/// The VK's public instances are not the model's inputs and outputs.
		ShapeMismatch,
		/// The input scale is above 32.
		InputScaleTooLarge,
		/// The model has no verifying key linked.
		NoVerifyingKey,
		/// No such task.
		UnknownTask,
		/// The task is not in Zk mode.
		NotZkTask,
		/// The task is not in its proving phase.
		NotAwaitingProof,
		/// The caller is not assigned to the task.
		NotAssigned,
		/// Not enough free funds for the deposit.
		InsufficientFunds,
		/// The VKA's proofs have more public instances than [`Config::MaxInstances`].
		TooManyInstances,
		/// The VKA's proofs are longer than [`Config::MaxProofLen`].
		ProofTooLong,
		/// The VKA was made with an SRS the chain does not trust: its G2 points are not in
		/// [`AcceptedSrs`].
		UntrustedSrs,
		/// Verifying the VKA's proofs takes more steps or MSM terms than the weights were
		/// benchmarked for.
		TooCostly,
		/// The model has tasks that have not ended: its link cannot change under them.
		ModelInUse,
		/// The caller has no unspent commitment to a proof for this task.
		NotCommitted,
		/// The proof and instances are not what the caller committed to.
		CommitmentMismatch,
		/// This proof was accepted for a task already.
		ProofReplayed,
		/// An accepted SRS is listed twice.
		DuplicateSrs,
	}

	impl<T> From<ZkTaskError> for Error<T> {
		fn from(e: ZkTaskError) -> Self {
			match e {
				ZkTaskError::UnknownTask => Error::UnknownTask,
				ZkTaskError::NotZkTask => Error::NotZkTask,
				ZkTaskError::NotAwaitingProof => Error::NotAwaitingProof,
				ZkTaskError::NotAssigned => Error::NotAssigned,
				ZkTaskError::NotCommitted => Error::NotCommitted,
				ZkTaskError::CommitmentMismatch => Error::CommitmentMismatch,
				ZkTaskError::ProofReplayed => Error::ProofReplayed,
			}
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a verifying key: ezkl's VKA bytes, made with an SRS the chain trusts.
		/// Prices it by a dry run of the verifier. Holds the deposit.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_vk())]
		pub fn register_vk(
			origin: OriginFor<T>,
			vka: BoundedVec<u8, T::MaxVkaLen>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let parsed = aos_zk::Vka::parse(&vka).map_err(|_| Error::<T>::MalformedVka)?;
			// A VK no submittable proof could match would only hold a deposit.
			ensure!(parsed.num_instances() <= T::MaxInstances::get(), Error::<T>::TooManyInstances);
			ensure!(
				parsed.proof_len() <= u64::from(T::MaxProofLen::get()),
				Error::<T>::ProofTooLong
			);
			ensure!(AcceptedSrs::<T>::get().contains(&parsed.srs_g2()), Error::<T>::UntrustedSrs);
			let cost = aos_zk::cost(&parsed, u64::from(T::MaxVerifySteps::get())).map_err(|e| {
				if e == aos_zk::Error::Budget {
					Error::<T>::TooCostly
				} else {
					Error::<T>::MalformedVka
				}
			})?;
			ensure!(cost.msm_terms <= T::MaxMsmTerms::get(), Error::<T>::TooCostly);
			let vk = H256(sp_crypto_hashing::blake2_256(&vka));
			ensure!(!Vks::<T>::contains_key(vk), Error::<T>::VkExists);
			let len = vka.len() as u32;
			let deposit = T::DepositBase::get()
				.saturating_add(T::DepositPerByte::get().saturating_mul(len.into()));
			T::Currency::hold(&HoldReason::VkDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientFunds)?;
			let (num_instances, k) = (parsed.num_instances(), parsed.k() as u8);
			Vks::<T>::insert(
				vk,
				VkInfo {
					owner: who.clone(),
					deposit,
					num_instances,
					k,
					len,
					links: 0,
					tasks: 0,
					steps: cost.steps as u32,
					msm_terms: cost.msm_terms,
				},
			);
			VkBytes::<T>::insert(vk, vka);
			Self::deposit_event(Event::VkRegistered { vk, owner: who, num_instances, k, len });
			Ok(())
		}

		/// Removes a verifying key no model links and no live task holds, and releases its
		/// deposit. Its registrant only.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::unregister_vk())]
		pub fn unregister_vk(origin: OriginFor<T>, vk: H256) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Vks::<T>::get(vk).ok_or(Error::<T>::UnknownVk)?;
			ensure!(info.owner == who, Error::<T>::NotVkOwner);
			ensure!(info.links == 0 && info.tasks == 0, Error::<T>::VkInUse);
			T::Currency::release(
				&HoldReason::VkDeposit.into(),
				&who,
				info.deposit,
				Precision::BestEffort,
			)?;
			Vks::<T>::remove(vk);
			VkBytes::<T>::remove(vk);
			Self::deposit_event(Event::VkUnregistered { vk });
			Ok(())
		}

		/// Links verifying key `vk` to `model` (replacing any earlier link). The model's owner
		/// only, while the model has no live tasks; the VK must have the model's inputs plus
		/// outputs as public instances.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::link_model())]
		pub fn link_model(
			origin: OriginFor<T>,
			model: ModelId,
			vk: H256,
			input_scale: u8,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let m = T::Tasks::model(&model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(m.owner == who, Error::<T>::NotModelOwner);
			ensure!(m.zk_allowed, Error::<T>::ZkNotAllowed);
			ensure!(m.live_tasks == 0, Error::<T>::ModelInUse);
			ensure!(input_scale <= 32, Error::<T>::InputScaleTooLarge);
			let mut info = Vks::<T>::get(vk).ok_or(Error::<T>::UnknownVk)?;
			ensure!(
				u64::from(info.num_instances) == u64::from(m.inputs) + u64::from(m.outputs),
				Error::<T>::ShapeMismatch
			);
			if let Some(old) = ModelVks::<T>::get(model) {
				Vks::<T>::mutate(old.vk, |i| {
					if let Some(i) = i {
						i.links = i.links.saturating_sub(1);
					}
				});
				if old.vk == vk {
					info.links = info.links.saturating_sub(1);
				}
			}
			info.links = info.links.saturating_add(1);
			Vks::<T>::insert(vk, info);
			ModelVks::<T>::insert(model, ModelVk { vk, input_scale });
			Self::deposit_event(Event::ModelLinked { model, vk, input_scale });
			Ok(())
		}

		/// Removes a model's link: it takes no Zk-mode tasks until linked again. Its owner only,
		/// while the model has no live tasks.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unlink_model())]
		pub fn unlink_model(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let m = T::Tasks::model(&model).ok_or(Error::<T>::UnknownModel)?;
			ensure!(m.owner == who, Error::<T>::NotModelOwner);
			ensure!(m.live_tasks == 0, Error::<T>::ModelInUse);
			ensure!(Self::unlink(&model), Error::<T>::NoVerifyingKey);
			Ok(())
		}

		/// Reveals a proof for Zk-mode task `task`, from an operator assigned to it that
		/// committed to it: ezkl's proof bytes and its public instances (32-byte big-endian
		/// field elements, inputs then logits). Valid: the task settles on the logits. Not:
		/// rejected and reported (once: the commitment is spent). Charged for the most verifier
		/// steps and refunded down to the task's VK's.
		#[pallet::call_index(4)]
		#[pallet::weight(Pallet::<T>::proof_weight(T::MaxVerifySteps::get()))]
		pub fn submit_proof(
			origin: OriginFor<T>,
			task: TaskId,
			proof: BoundedVec<u8, T::MaxProofLen>,
			instances: BoundedVec<[u8; 32], T::MaxInstances>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let t =
				T::Tasks::proof_task(task, &who, &proof, &instances).map_err(Error::<T>::from)?;
			let vk = t.link.vk;
			let info = Vks::<T>::get(vk).ok_or(Error::<T>::UnknownVk)?;
			let bytes = VkBytes::<T>::get(vk).ok_or(Error::<T>::UnknownVk)?;
			// Registered bytes passed the full parse; the subgroup checks need not run again.
			let vka =
				aos_zk::Vka::parse_registered(&bytes).map_err(|_| Error::<T>::MalformedVka)?;
			let outcome = binding::logits(&t.input, t.link.input_scale, &instances)
				.map_err(Rejection::from)
				.and_then(|logits| {
					aos_zk::verify(&vka, &proof, &instances, &T::Curve::default())
						.map(|_| logits)
						.map_err(|e| {
							// The event says only `Invalid`; the verifier's reason helps the
							// prover's operator find what is wrong.
							log::debug!(
								target: LOG_TARGET,
								"proof of {who:?} for task {task} does not verify: {e}"
							);
							Rejection::Invalid
						})
				});
			match outcome {
				Ok(logits) => {
					T::Tasks::settle_proved(task, &who, &logits, &proof);
					Self::deposit_event(Event::ProofAccepted { task, operator: who, vk });
				},
				Err(reason) => {
					T::Tasks::reject_proof(task, &who);
					Self::deposit_event(Event::ProofRejected { task, operator: who, reason });
				},
			}
			Ok(Some(Self::proof_weight(info.steps)).into())
		}

		/// Sets the SRSs the chain trusts, by their G2 points (governance). VKAs registered
		/// already stay; new ones must match one of these.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_accepted_srs())]
		pub fn set_accepted_srs(
			origin: OriginFor<T>,
			srs: BoundedVec<SrsG2, ConstU32<MAX_ACCEPTED_SRS>>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			for (i, a) in srs.iter().enumerate() {
				ensure!(!srs.iter().skip(i + 1).any(|b| a == b), Error::<T>::DuplicateSrs);
			}
			let count = srs.len() as u32;
			AcceptedSrs::<T>::put(srs);
			Self::deposit_event(Event::AcceptedSrsSet { count });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// What a proof for a VK of `steps` steps costs: the costlier outcome, valid (settles
		/// the task) or invalid (reports and slashes).
		pub fn proof_weight(steps: u32) -> Weight {
			T::WeightInfo::submit_proof(steps)
				.saturating_add(T::Tasks::settle_weight())
				.max(T::WeightInfo::submit_invalid_proof(steps))
		}

		/// Removes `model`'s link, if any, releasing its VK. Returns whether there was one.
		pub(crate) fn unlink(model: &ModelId) -> bool {
			let Some(link) = ModelVks::<T>::take(model) else { return false };
			Vks::<T>::mutate(link.vk, |i| {
				if let Some(i) = i {
					i.links = i.links.saturating_sub(1);
				}
			});
			Self::deposit_event(Event::ModelUnlinked { model: *model });
			true
		}
	}

	impl<T: Config> Pallet<T> {
		/// The VKA linked to `model`, for readers (the operator checks it has the right keys).
		pub fn model_vk(model: &ModelId) -> Option<(ModelVk, Vec<u8>)> {
			let link = ModelVks::<T>::get(model)?;
			Some((link, VkBytes::<T>::get(link.vk)?.into_inner()))
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> Pallet<T> {
		/// Invariants: every VK has its bytes, hashing to its key, and a deposit no smaller
		/// than its rule; link counts match the links; every link names a registered VK.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let mut links = alloc::collections::BTreeMap::<H256, u32>::new();
			for (_, l) in ModelVks::<T>::iter() {
				ensure!(Vks::<T>::contains_key(l.vk), "a link to an unknown VK");
				*links.entry(l.vk).or_default() += 1;
			}
			for (vk, info) in Vks::<T>::iter() {
				let bytes = VkBytes::<T>::get(vk).ok_or("a VK without its bytes")?;
				ensure!(
					H256(sp_crypto_hashing::blake2_256(&bytes)) == vk,
					"a VK under a wrong hash"
				);
				ensure!(bytes.len() as u32 == info.len, "a VK's length");
				ensure!(
					!info.deposit.is_zero() || T::DepositBase::get().is_zero(),
					"a VK without deposit"
				);
				ensure!(links.get(&vk).copied().unwrap_or(0) == info.links, "a VK's link count");
				ensure!(
					info.steps <= T::MaxVerifySteps::get()
						&& info.msm_terms <= T::MaxMsmTerms::get(),
					"a VK costlier than the benchmarked class"
				);
			}
			let srs = AcceptedSrs::<T>::get();
			for (i, a) in srs.iter().enumerate() {
				ensure!(!srs.iter().skip(i + 1).any(|b| a == b), "an accepted SRS twice");
			}
			ensure!(VkBytes::<T>::iter_keys().all(Vks::<T>::contains_key), "bytes without a VK");
			Ok(())
		}
	}
}

impl<T: Config> ZkModels for Pallet<T> {
	fn link(model: &ModelId) -> Option<ZkLink> {
		ModelVks::<T>::get(model).map(|l| ZkLink { vk: l.vk, input_scale: l.input_scale })
	}

	fn hold_vk(vk: &H256) {
		Vks::<T>::mutate(vk, |i| {
			if let Some(i) = i {
				i.tasks = i.tasks.saturating_add(1);
			}
		});
	}

	fn release_vk(vk: &H256) {
		Vks::<T>::mutate(vk, |i| {
			if let Some(i) = i {
				i.tasks = i.tasks.saturating_sub(1);
			}
		});
	}

	fn model_removed(model: &ModelId) {
		Pallet::<T>::unlink(model);
	}
}
