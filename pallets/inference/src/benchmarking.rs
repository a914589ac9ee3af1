//! Benchmarks of pallet-inference, each at its worst case.
//!
//! Operators come from the runtime's operator pallet through [`BenchmarkHelper`]. VRF claims
//! need a VRF signature, and signing inside the wasm runtime would need system randomness, so
//! the claim benchmark uses one fixed key and one signature made off line for task 0 and the
//! randomness [`BENCH_RANDOMNESS`]; a unit test checks that signature.

use super::*;
use crate::pallet::*;
use alloc::{vec, vec::Vec};
use aos_inference_primitives::zk::ZkModels as _;
use aos_inference_primitives::{
	account_bytes, find_pow_nonce, result_commitment, task_hash, RevealedResult,
};
use aos_operators_primitives::{OffenceKind, OperatorRegistry, VrfPublic};
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Balanced, Inspect, Mutate, MutateHold},
		EnsureOrigin,
	},
};
use frame_system::RawOrigin;
use sp_core::H256;
use sp_runtime::traits::{One, Saturating, Zero};

/// What the benchmarks need from the runtime around the pallet.
pub trait BenchmarkHelper<AccountId, Balance> {
	/// Funds `who` and makes it an eligible operator (registered, active, online) with
	/// `vrf_key` and `collateral` of its own (at least the minimum collateral).
	fn make_operator(who: &AccountId, vrf_key: VrfPublic, collateral: Balance);
	/// The least collateral an operator registers with.
	fn min_collateral() -> Balance;
	/// Turns slashing on for every offence, at a non-zero amount: the costliest way for the
	/// operator pallet to handle a report.
	fn enable_slashing();
	/// Makes the parent block's VRF randomness available to [`Config::Randomness`].
	fn make_randomness_available();
	/// Gives operator `who` a live enclave allowed for `model` (the costliest such lookup
	/// [`Config::Enclaves`] makes), whose ed25519 key is generated in the keystore: returns the
	/// key and its key type, to sign results with.
	fn live_enclave(
		who: &AccountId,
		model: ModelId,
	) -> (sp_core::ed25519::Public, sp_core::crypto::KeyTypeId);
}

/// The task id the fixed VRF signature is for.
pub const BENCH_TASK: TaskId = 0;
/// The sampling randomness the fixed VRF signature is for.
pub const BENCH_RANDOMNESS: [u8; 32] = [7; 32];
/// The public half of the sr25519 key with seed `[42; 32]`.
pub const BENCH_VRF_PUBLIC: [u8; 32] = [
	96, 35, 208, 82, 113, 31, 71, 139, 199, 88, 145, 139, 221, 38, 226, 74, 197, 215, 115, 98, 159,
	201, 2, 223, 176, 157, 226, 88, 139, 164, 171, 8,
];
/// That key's VRF pre-output over (task [`BENCH_TASK`], [`BENCH_RANDOMNESS`]).
pub const BENCH_VRF_PRE_OUTPUT: [u8; 32] = [
	248, 152, 248, 213, 47, 214, 138, 204, 110, 221, 26, 206, 2, 96, 213, 184, 183, 219, 71, 13,
	216, 246, 76, 35, 211, 218, 254, 251, 201, 164, 87, 61,
];
/// That key's VRF proof over (task [`BENCH_TASK`], [`BENCH_RANDOMNESS`]).
pub const BENCH_VRF_PROOF: [u8; 64] = [
	136, 194, 110, 183, 244, 252, 89, 51, 220, 66, 63, 202, 156, 55, 222, 79, 101, 93, 24, 15, 176,
	130, 151, 68, 128, 201, 255, 53, 250, 234, 88, 6, 8, 120, 39, 246, 28, 86, 164, 25, 102, 73,
	145, 206, 145, 151, 10, 178, 50, 136, 115, 66, 142, 3, 249, 209, 52, 221, 89, 83, 129, 41, 240,
	0,
];

/// Registered operators at most in the claim benchmark.
pub const MAX_BENCH_OPERATORS: u32 = crate::CLAIM_WEIGHT_OPERATORS;

const SEED: u32 = 0;

/// A generous amount: enough for any fee, deposit or collateral here.
fn plenty<T: Config>() -> BalanceOf<T> {
	T::ModelDeposit::get()
		.max(T::Currency::minimum_balance())
		.max(One::one())
		.saturating_mul(1_000_000u32.into())
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	T::Currency::set_balance(&who, plenty::<T>());
	who
}

/// A distinct VRF key that no one can sign with (its operators never claim).
fn dummy_key(index: u32) -> VrfPublic {
	VrfPublic::from_raw(sp_crypto_hashing::blake2_256(&(b"bench-vrf", index).encode()))
}

/// `count` eligible operators with the minimum collateral.
fn operators<T: Config>(name: &'static str, count: u32) -> Vec<T::AccountId> {
	(0..count)
		.map(|i| {
			let who: T::AccountId = account(name, i, SEED);
			T::BenchmarkHelper::make_operator(&who, dummy_key(i), Zero::zero());
			who
		})
		.collect()
}

/// `l` layers of the largest width, last layer's outputs `outputs`.
fn layers<T: Config>(
	l: u32,
	inputs: u32,
	outputs: u32,
) -> BoundedVec<LayerCommitment, T::MaxLayers> {
	let wide = aos_kernel::model::MAX_WIDTH;
	let layers = (0..l)
		.map(|i| LayerCommitment {
			inputs: if i == 0 { inputs } else { wide },
			outputs: if i + 1 == l { outputs } else { wide },
			root: H256::repeat_byte(i as u8),
		})
		.collect::<Vec<_>>();
	BoundedVec::truncate_from(layers)
}

/// Registers a model owned by a fresh account: `inputs` wide, the most layers, and as many
/// outputs as a task may ask top classes of.
fn model<T: Config>(inputs: u32) -> Result<(ModelId, T::AccountId), BenchmarkError> {
	let owner = funded::<T>("owner", 0);
	let id = H256::repeat_byte(0xaa);
	let outputs = T::MaxTopK::get().max(1);
	Pallet::<T>::do_register_model(
		owner.clone(),
		id,
		aos_kernel::KERNEL_VERSION,
		inputs,
		layers::<T>(T::MaxLayers::get(), inputs, outputs),
		BoundedVec::truncate_from(vec![b'u'; T::MaxUriLen::get() as usize]),
		VerificationMode::Redundancy.bit(),
		One::one(),
	)?;
	Ok((id, owner))
}

/// Parameters at their costliest: the most samples and intermediates, a proof of work to
/// check, every round and tranche.
fn costly_params<T: Config>() {
	Parameters::<T>::mutate(|p| {
		p.samples = T::MaxSamples::get().min(u8::MAX.into()) as u8;
		p.intermediates = T::MaxIntermediates::get().min(u8::MAX.into()) as u8;
		p.pow_difficulty = 8;
		p.max_redundancy = T::MaxClaims::get().min(u8::MAX.into()) as u8;
		p.max_rounds = 4;
		p.max_tranches = 8;
	});
}

/// Inserts task `id` of `owner` for `model` directly, its fee held, in `status`, with k as
/// large as the claims allow.
fn task<T: Config>(
	id: TaskId,
	owner: &T::AccountId,
	model: ModelId,
	status: TaskStatus<BlockNumberFor<T>>,
) -> Result<(), BenchmarkError> {
	let params = Parameters::<T>::get();
	let mut info = Models::<T>::get(model).ok_or(BenchmarkError::Stop("no model"))?;
	let fee = plenty::<T>() / 10u32.into();
	T::Currency::hold(&HoldReason::TaskFee.into(), owner, fee)?;
	let deposit = T::TaskDeposit::get();
	T::Currency::hold(&HoldReason::TaskDeposit.into(), owner, deposit)?;
	let top_k = T::MaxTopK::get().min(info.outputs()).max(1);
	let terms = TaskTerms {
		model_commitment: info.commitment,
		positions: info.positions(),
		samples: params.samples,
		intermediates: params.intermediates,
		pow_difficulty: params.pow_difficulty,
		zk: None,
	};
	if !status.is_final() {
		LiveTasks::<T>::mutate(|n| *n = n.saturating_add(1));
		info.live_tasks = info.live_tasks.saturating_add(1);
		Models::<T>::insert(model, info.clone());
	}
	Tasks::<T>::insert(
		id,
		crate::types::TaskInfo {
			owner: owner.clone(),
			model,
			input: TaskInput::Inline(BoundedVec::truncate_from(vec![1i8; info.inputs as usize])),
			fee,
			deposit,
			mode: VerificationMode::Redundancy,
			redundancy: params.max_redundancy,
			sampling: SamplingParams { top_k, inv_temperature_q16: 1 << 16 },
			terms,
			submitted_at: Zero::zero(),
			randomness: Some((H256(BENCH_RANDOMNESS), One::one())),
			selection_stake: T::Operators::total_selection_stake(),
			status,
			result: None,
			pool: Zero::zero(),
			pool_pending: Zero::zero(),
			ended_at: None,
		},
	);
	TasksByOwner::<T>::insert(owner, id, ());
	NextTaskId::<T>::put(id.saturating_add(1));
	Ok(())
}

/// The reveal `who` makes for `task` with output `output`: the task's shape, positions the
/// kernel picks for `who`, a valid proof of work. Returns it with its commitment.
fn reveal_of<T: Config>(
	id: TaskId,
	who: &T::AccountId,
	output: H256,
) -> Result<(RevealOf<T>, [u8; 32], H256), BenchmarkError> {
	let task = Tasks::<T>::get(id).ok_or(BenchmarkError::Stop("no task"))?;
	let terms = task.terms;
	let hash = task_hash(id);
	let operator = account_bytes(who);
	let seed = aos_kernel::intermediates::intermediates_seed(&hash, &operator);
	let positions =
		aos_kernel::intermediates::positions(seed, terms.positions, u32::from(terms.intermediates));
	let reveal = Reveal {
		output,
		top: BoundedVec::truncate_from((0..task.sampling.top_k).collect()),
		samples: BoundedVec::truncate_from(vec![0; usize::from(terms.samples)]),
		intermediates: BoundedVec::truncate_from(positions.into_iter().map(|p| (p, 7)).collect()),
		pow_nonce: find_pow_nonce(&hash, &operator, &output.0, terms.pow_difficulty),
	};
	let salt = [5u8; 32];
	let commitment = result_commitment(
		&hash,
		&operator,
		RevealedResult {
			output: &output.0,
			top: &reveal.top,
			samples: &reveal.samples,
			intermediates: &reveal.intermediates,
		},
		&salt,
	);
	Ok((reveal, salt, H256(commitment)))
}

/// Assigns `ops` to task `id` in round 0, each committed; those with `Some(output)` have
/// revealed it.
fn assign<T: Config>(
	id: TaskId,
	ops: &[(T::AccountId, Option<H256>)],
) -> Result<(), BenchmarkError> {
	let mut claims = ClaimsOf::<T>::default();
	for (who, output) in ops {
		let (reveal, _, commitment) = reveal_of::<T>(id, who, output.unwrap_or_default())?;
		let result = output.map(|o| result_key(&o, &reveal.top));
		if output.is_some() {
			Reveals::<T>::insert(id, who, reveal);
		}
		claims
			.try_push(Claim {
				operator: who.clone(),
				round: 0,
				commitment: Some(commitment),
				result,
			})
			.map_err(|_| BenchmarkError::Stop("too many claims"))?;
	}
	Claims::<T>::insert(id, claims);
	Ok(())
}

/// The most conflicting reveals among `c` for which the rule still holds.
fn most_conflicting(c: u32) -> u32 {
	(0..c)
		.rev()
		.find(|m| Tally { result: None, agreeing: c - m, conflicting: *m, assigned: c }.holds())
		.unwrap_or(0)
}

/// A settled task 0 with `c` operators, all of whom revealed its result.
fn settled<T: Config>(c: u32) -> Result<(TaskId, Vec<T::AccountId>), BenchmarkError> {
	costly_params::<T>();
	let (model, _) = model::<T>(16)?;
	let dapp = funded::<T>("dapp", 0);
	let id = BENCH_TASK;
	task::<T>(id, &dapp, model, TaskStatus::Settled)?;
	Expiries::<T>::insert(frame_system::Pallet::<T>::block_number(), id, ());
	let ops = operators::<T>("operator", c);
	let output = H256::repeat_byte(1);
	assign::<T>(id, &ops.iter().map(|o| (o.clone(), Some(output))).collect::<Vec<_>>())?;
	let top = Reveals::<T>::get(id, &ops[0]).map(|r| r.top).unwrap_or_default();
	Tasks::<T>::mutate(id, |t| {
		if let Some(t) = t {
			t.result = Some(TaskResult {
				output,
				top,
				agreeing: c,
				conflicting: 0,
				assigned: c,
				proof: None,
			});
			t.ended_at = Some(frame_system::Pallet::<T>::block_number());
		}
	});
	Ok((id, ops))
}

/// A TEE-mode task 0 taking enclave-signed results from `c` assigned operators (eligible,
/// slashing on), none answered; the last has a live enclave for the model. Returns it with a
/// result and its enclave's signature over it.
fn attesting<T: Config>(
	c: u32,
) -> Result<(T::AccountId, H256, BoundedVec<u32, T::MaxTopK>, [u8; 64]), BenchmarkError> {
	costly_params::<T>();
	T::BenchmarkHelper::enable_slashing();
	let (model, _) = model::<T>(16)?;
	let dapp = funded::<T>("dapp", 0);
	let until: BlockNumberFor<T> = 100u32.into();
	task::<T>(BENCH_TASK, &dapp, model, TaskStatus::Attesting { round: 0, until })?;
	Tasks::<T>::mutate(BENCH_TASK, |t| {
		if let Some(t) = t {
			t.mode = VerificationMode::Tee;
		}
	});
	Agenda::<T>::insert(until, BENCH_TASK, ());
	let ops = operators::<T>("operator", c);
	let mut claims = ClaimsOf::<T>::default();
	for who in &ops {
		let claim = Claim { operator: who.clone(), round: 0, commitment: None, result: None };
		claims.try_push(claim).map_err(|_| BenchmarkError::Stop("too many claims"))?;
	}
	Claims::<T>::insert(BENCH_TASK, claims);
	let caller = ops.last().cloned().ok_or(BenchmarkError::Stop("no claims"))?;
	let (key, key_type) = T::BenchmarkHelper::live_enclave(&caller, model);
	let task = Tasks::<T>::get(BENCH_TASK).ok_or(BenchmarkError::Stop("no task"))?;
	let output = H256::repeat_byte(1);
	let top: BoundedVec<u32, T::MaxTopK> =
		BoundedVec::truncate_from((0..task.sampling.top_k).collect());
	let message = aos_inference_primitives::tee::result_message(
		BENCH_TASK,
		&model,
		&Pallet::<T>::task_input_hash(&task.input),
		&output,
		&top,
	);
	let signature = sp_io::crypto::ed25519_sign(key_type, &key, &message)
		.ok_or(BenchmarkError::Stop("the keystore did not sign"))?;
	Ok((caller, output, top, signature.0))
}

/// For `pallet-opml`'s benchmarks: an optimistic-mode task, submitted by a fresh account for a
/// model of commitment `terms.model_commitment` (not registered: the task snapshotted it), that
/// waits for `defender`'s result, slashing on. Returns its id.
pub fn optimistic_task<T: Config>(
	defender: &T::AccountId,
	terms: aos_inference_primitives::optimistic::OptimisticTerms,
	input: Vec<i8>,
) -> TaskId {
	T::BenchmarkHelper::enable_slashing();
	let owner = funded::<T>("optimistic-dapp", 0);
	let fee = plenty::<T>() / 10u32.into();
	let deposit = T::TaskDeposit::get();
	let held = T::Currency::hold(&HoldReason::TaskFee.into(), &owner, fee)
		.and_then(|_| T::Currency::hold(&HoldReason::TaskDeposit.into(), &owner, deposit));
	if let Err(e) = held {
		panic!("benchmark task funds: {e:?}");
	}
	let id = NextTaskId::<T>::get();
	NextTaskId::<T>::put(id.saturating_add(1));
	let until: BlockNumberFor<T> = 100u32.into();
	LiveTasks::<T>::mutate(|n| *n = n.saturating_add(1));
	Tasks::<T>::insert(
		id,
		crate::types::TaskInfo {
			owner: owner.clone(),
			model: H256::repeat_byte(0x0b),
			input: TaskInput::Inline(BoundedVec::truncate_from(input)),
			fee,
			deposit,
			mode: VerificationMode::Optimistic,
			redundancy: 1,
			sampling: SamplingParams { top_k: terms.top_k, inv_temperature_q16: 1 << 16 },
			terms: TaskTerms {
				model_commitment: terms.model_commitment,
				positions: 0,
				samples: 0,
				intermediates: 0,
				pow_difficulty: 0,
				zk: None,
			},
			submitted_at: Zero::zero(),
			randomness: Some((H256(BENCH_RANDOMNESS), One::one())),
			selection_stake: T::Operators::total_selection_stake(),
			status: TaskStatus::Posting { round: 0, until },
			result: None,
			pool: Zero::zero(),
			pool_pending: Zero::zero(),
			ended_at: None,
		},
	);
	Agenda::<T>::insert(until, id, ());
	TasksByOwner::<T>::insert(&owner, id, ());
	let claim = Claim { operator: defender.clone(), round: 0, commitment: None, result: None };
	Claims::<T>::insert(id, ClaimsOf::<T>::truncate_from(vec![claim]));
	id
}

/// For `pallet-zk-verifier`'s benchmarks: registers model `id`, owned by `owner` (funded here),
/// `inputs` wide with `outputs` logits, allowing the Zk mode.
pub fn zk_model<T: Config>(
	owner: &T::AccountId,
	id: ModelId,
	inputs: u32,
	outputs: u32,
) -> Result<(), BenchmarkError> {
	T::Currency::set_balance(owner, plenty::<T>());
	Pallet::<T>::do_register_model(
		owner.clone(),
		id,
		aos_kernel::KERNEL_VERSION,
		inputs,
		layers::<T>(2, inputs, outputs),
		BoundedVec::truncate_from(vec![b'u'; T::MaxUriLen::get() as usize]),
		VerificationMode::Zk.bit(),
		One::one(),
	)?;
	Ok(())
}

/// For `pallet-zk-verifier`'s benchmarks: a Zk-mode task of `model` under `link`, on `input`,
/// waiting for proofs, at its costliest: the most claims, `operator` (made an eligible operator
/// here) among them, committed to `proof` with `instances`, and slashing on (an invalid proof's
/// report slashes).
pub fn zk_task<T: Config>(
	model: ModelId,
	link: ZkLink,
	input: Vec<i8>,
	operator: &T::AccountId,
	proof: &[u8],
	instances: &[[u8; 32]],
) -> Result<TaskId, BenchmarkError> {
	T::BenchmarkHelper::make_operator(operator, dummy_key(u32::MAX), Zero::zero());
	T::BenchmarkHelper::enable_slashing();
	let dapp = funded::<T>("dapp", 0);
	let id = NextTaskId::<T>::get();
	let until = frame_system::Pallet::<T>::block_number().saturating_add(10u32.into());
	task::<T>(id, &dapp, model, TaskStatus::Proving { round: 0, until })?;
	Tasks::<T>::mutate(id, |t| {
		if let Some(t) = t {
			t.mode = VerificationMode::Zk;
			t.terms.zk = Some(link);
			t.input = TaskInput::Inline(BoundedVec::truncate_from(input));
		}
	});
	T::ZkModels::hold_vk(&link.vk);
	Agenda::<T>::insert(until, id, ());
	let commitment = aos_inference_primitives::zk::proof_commitment(
		&task_hash(id),
		&account_bytes(operator),
		proof,
		instances,
	);
	let mut claims = ClaimsOf::<T>::default();
	let others = (1..T::MaxClaims::get()).map(|i| account::<T::AccountId>("claimant", i, SEED));
	for who in others {
		claims
			.try_push(Claim { operator: who, round: 0, commitment: None, result: None })
			.map_err(|_| BenchmarkError::Stop("too many claims"))?;
	}
	claims
		.try_push(Claim {
			operator: operator.clone(),
			round: 0,
			commitment: Some(H256(commitment)),
			result: None,
		})
		.map_err(|_| BenchmarkError::Stop("too many claims"))?;
	Claims::<T>::insert(id, claims);
	Ok(id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `l` layers: the model commitment hashes each layer's shape and root.
	#[benchmark]
	fn register_model(l: Linear<1, { T::MaxLayers::get() }>) -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let id = H256::repeat_byte(0xaa);
		let inputs = aos_kernel::model::MAX_WIDTH;
		let layers = layers::<T>(l, inputs, T::MaxTopK::get().max(1));
		let uri = BoundedVec::truncate_from(vec![b'u'; T::MaxUriLen::get() as usize]);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner),
			id,
			aos_kernel::KERNEL_VERSION,
			inputs,
			layers,
			uri,
			VerificationMode::Redundancy.bit(),
			One::one(),
		);
		assert!(Models::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn deregister_model() -> Result<(), BenchmarkError> {
		let (id, owner) = model::<T>(16)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);
		assert!(!Models::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn ban_model() -> Result<(), BenchmarkError> {
		let (id, _) = model::<T>(16)?;
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert_eq!(Models::<T>::get(id).map(|m| m.status), Some(ModelStatus::Banned));
		Ok(())
	}

	/// An inline input of `i` values.
	#[benchmark]
	fn submit_task(i: Linear<1, { T::MaxInputLen::get() }>) -> Result<(), BenchmarkError> {
		costly_params::<T>();
		let (model, _) = model::<T>(i)?;
		let dapp = funded::<T>("dapp", 0);
		let params = Parameters::<T>::get();
		let input = TaskInput::Inline(BoundedVec::truncate_from(vec![1i8; i as usize]));
		let k = params.max_redundancy;
		let fee = plenty::<T>() / 10u32.into();
		let sampling =
			SamplingParams { top_k: T::MaxTopK::get().max(1), inv_temperature_q16: 1 << 16 };
		#[extrinsic_call]
		_(RawOrigin::Signed(dapp), model, input, fee, VerificationMode::Redundancy, k, sampling);
		assert!(Tasks::<T>::contains_key(0));
		Ok(())
	}

	/// A claim with `n` registered operators: the cost must not depend on `n` (sampling reads
	/// the claimant's record and the task's snapshot of the total, never the operator set).
	/// The tranche holds as many candidates as the task wants, all ranked below the claim, so
	/// that it evicts the worst of them.
	#[benchmark]
	fn claim(n: Linear<10, MAX_BENCH_OPERATORS>) -> Result<(), BenchmarkError> {
		costly_params::<T>();
		frame_system::Pallet::<T>::set_block_number(One::one());
		operators::<T>("operator", n);
		let claimant: T::AccountId = account("claimant", 0, SEED);
		// Two thirds of the stake: with a target of at least 2 selections its threshold is
		// the whole VRF output range, so the fixed signature is selected.
		let collateral = T::BenchmarkHelper::min_collateral().saturating_mul((2 * n).into());
		T::BenchmarkHelper::make_operator(
			&claimant,
			VrfPublic::from_raw(BENCH_VRF_PUBLIC),
			collateral,
		);
		let (model, _) = model::<T>(16)?;
		let dapp = funded::<T>("dapp", 0);
		// Late enough for the claimant's key to be old enough for the randomness.
		let now = T::Operators::selection_delay().saturating_add(5u32.into());
		frame_system::Pallet::<T>::set_block_number(now);
		let until = now.saturating_add(Parameters::<T>::get().claim_period);
		task::<T>(BENCH_TASK, &dapp, model, TaskStatus::Claiming { round: 1, tranche: 0, until })?;
		Tasks::<T>::mutate(BENCH_TASK, |t| {
			if let Some(t) = t {
				t.randomness = Some((H256(BENCH_RANDOMNESS), now.saturating_sub(One::one())));
			}
		});
		let candidates = (0..T::MaxClaims::get())
			.map(|i| Candidate {
				operator: account("candidate", i, SEED),
				output: u128::MAX,
				stake: One::one(),
				commitment: None,
			})
			.collect::<Vec<_>>();
		Candidates::<T>::insert(BENCH_TASK, CandidatesOf::<T>::truncate_from(candidates));
		// As at the start of a block. Otherwise appending the claim's event reads back the
		// setup's n registration events, a cost that grows with n but that no block has.
		frame_system::Pallet::<T>::reset_events();
		#[extrinsic_call]
		_(RawOrigin::Signed(claimant.clone()), BENCH_TASK, BENCH_VRF_PRE_OUTPUT, BENCH_VRF_PROOF);
		assert!(Candidates::<T>::get(BENCH_TASK).iter().any(|c| c.operator == claimant));
		Ok(())
	}

	/// The caller is the last of the most claims, and the last to commit: its commitment opens
	/// the reveal phase.
	#[benchmark]
	fn commit() -> Result<(), BenchmarkError> {
		let (model, _) = model::<T>(16)?;
		let dapp = funded::<T>("dapp", 0);
		let until: BlockNumberFor<T> = 100u32.into();
		task::<T>(BENCH_TASK, &dapp, model, TaskStatus::Committing { round: 0, until })?;
		Agenda::<T>::insert(until, BENCH_TASK, ());
		let ops: Vec<T::AccountId> =
			(0..T::MaxClaims::get()).map(|i| account("operator", i, SEED)).collect();
		let caller = ops.last().cloned().ok_or(BenchmarkError::Stop("no claims"))?;
		let claims = ops
			.iter()
			.map(|o| Claim {
				operator: o.clone(),
				round: 0,
				commitment: (*o != caller).then(|| H256::repeat_byte(2)),
				result: None,
			})
			.collect::<Vec<_>>();
		Claims::<T>::insert(BENCH_TASK, ClaimsOf::<T>::truncate_from(claims));
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), BENCH_TASK, H256::repeat_byte(3));
		assert!(matches!(
			Tasks::<T>::get(BENCH_TASK).map(|t| t.status),
			Some(TaskStatus::Revealing { .. })
		));
		Ok(())
	}

	/// The batch's own cost, by its number of items: `n` items that each fail at their first
	/// read (an unknown task), rolled back and reported. What the items do is charged as their
	/// own calls on top.
	#[benchmark]
	fn work(n: Linear<1, { T::MaxWorkItems::get() }>) -> Result<(), BenchmarkError> {
		let caller: T::AccountId = account("operator", 0, SEED);
		let items = (0..n)
			.map(|i| WorkItem::Commit {
				task: TaskId::from(i).saturating_add(1_000_000),
				commitment: H256::repeat_byte(3),
			})
			.collect::<Vec<_>>();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), BoundedVec::truncate_from(items));
		assert_eq!(frame_system::Pallet::<T>::events().len() as u32, n);
		Ok(())
	}

	/// The caller is the last of the most claims, reveals the most samples and intermediates
	/// with a proof of work, and is not the last to reveal (resolution is `resolve`'s).
	#[benchmark]
	fn reveal() -> Result<(), BenchmarkError> {
		costly_params::<T>();
		let (model, _) = model::<T>(16)?;
		let dapp = funded::<T>("dapp", 0);
		let until: BlockNumberFor<T> = 100u32.into();
		task::<T>(BENCH_TASK, &dapp, model, TaskStatus::Revealing { round: 0, until })?;
		let ops: Vec<(T::AccountId, Option<H256>)> =
			(0..T::MaxClaims::get()).map(|i| (account("operator", i, SEED), None)).collect();
		assign::<T>(BENCH_TASK, &ops)?;
		let caller = ops.last().map(|o| o.0.clone()).ok_or(BenchmarkError::Stop("no claims"))?;
		if ops.len() == 1 {
			// Someone else must still be due, or this reveal would resolve the task.
			Claims::<T>::mutate(BENCH_TASK, |c| {
				let _ = c.try_insert(
					0,
					Claim {
						operator: account("other", 0, SEED),
						round: 0,
						commitment: None,
						result: None,
					},
				);
			});
		}
		let output = H256::repeat_byte(1);
		let (r, salt, commitment) = reveal_of::<T>(BENCH_TASK, &caller, output)?;
		Claims::<T>::mutate(BENCH_TASK, |claims| {
			for entry in claims.iter_mut().filter(|c| c.operator == caller) {
				entry.commitment = Some(commitment);
			}
		});
		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			BENCH_TASK,
			output,
			r.top,
			r.samples,
			r.intermediates,
			salt,
			r.pow_nonce,
		);
		assert!(Reveals::<T>::contains_key(BENCH_TASK, &caller));
		Ok(())
	}

	/// A TEE-mode result that settles its task: `c` claims, the caller's the last; its
	/// enclave looked up and its signature checked (`Config::Enclaves`: the runtime's
	/// pallet-tee), the fee paid to it and the task ended.
	#[benchmark]
	fn submit_attested_result(c: Linear<1, { T::MaxClaims::get() }>) -> Result<(), BenchmarkError> {
		let (caller, output, top, signature) = attesting::<T>(c)?;
		#[extrinsic_call]
		submit_attested_result(
			RawOrigin::Signed(caller.clone()),
			BENCH_TASK,
			output,
			top,
			signature,
		);
		let status = Tasks::<T>::get(BENCH_TASK).map(|t| t.status);
		ensure!(status == Some(TaskStatus::Settled), "the result did not settle the task");
		Ok(())
	}

	/// A TEE-mode result its enclave did not sign, among the most claims, with another claim
	/// still due (the decision it may bring on is charged as `resolve`): checked, refused, and
	/// reported with slashing on.
	#[benchmark]
	fn submit_rejected_result() -> Result<(), BenchmarkError> {
		let claims = T::MaxClaims::get().max(2);
		let (caller, output, top, mut signature) = attesting::<T>(claims)?;
		signature[0] ^= 1;
		#[extrinsic_call]
		submit_attested_result(
			RawOrigin::Signed(caller.clone()),
			BENCH_TASK,
			output,
			top,
			signature,
		);
		let mine = Claims::<T>::get(BENCH_TASK).into_iter().find(|c| c.operator == caller);
		ensure!(mine.and_then(|c| c.result) == Some(REJECTED), "the result was not refused");
		Ok(())
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let mut params = Parameters::<T>::get();
		params.pow_difficulty = 12;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Parameters::<T>::get().pow_difficulty, 12);
		Ok(())
	}

	/// `on_initialize` with nothing due: the cursor walks the most empty blocks it may.
	#[benchmark]
	fn on_initialize_base() {
		let now: BlockNumberFor<T> = 100u32.into();
		frame_system::Pallet::<T>::set_block_number(now);
		AgendaCursor::<T>::put(now.saturating_sub(agenda::MAX_CURSOR_STEPS.into()));
		#[block]
		{
			Pallet::<T>::process_agenda(now);
		}
	}

	/// A task gets its randomness and opens claims.
	#[benchmark]
	fn fix_randomness() -> Result<(), BenchmarkError> {
		let (model, _) = model::<T>(16)?;
		let dapp = funded::<T>("dapp", 0);
		let now: BlockNumberFor<T> = 10u32.into();
		frame_system::Pallet::<T>::set_block_number(now);
		T::BenchmarkHelper::make_randomness_available();
		task::<T>(BENCH_TASK, &dapp, model, TaskStatus::AwaitingRandomness { at: now })?;
		let record = Tasks::<T>::get(BENCH_TASK).ok_or(BenchmarkError::Stop("no task"))?;
		#[block]
		{
			Pallet::<T>::fix_randomness(BENCH_TASK, record, now);
		}
		let status = Tasks::<T>::get(BENCH_TASK).map(|t| t.status);
		assert!(matches!(status, Some(TaskStatus::Claiming { .. })));
		Ok(())
	}

	/// The last tranche closes with `c` candidates, assigned: with some, the commit phase
	/// opens; with none at all the task ends, its fee refunded (the costlier base). One that
	/// comes to a decision adds `resolve`.
	#[benchmark]
	fn close_tranche(c: Linear<0, { T::MaxClaims::get() }>) -> Result<(), BenchmarkError> {
		costly_params::<T>();
		let (model, _) = model::<T>(16)?;
		let dapp = funded::<T>("dapp", 0);
		let now: BlockNumberFor<T> = 10u32.into();
		frame_system::Pallet::<T>::set_block_number(now);
		let last = Parameters::<T>::get().max_tranches.saturating_sub(1);
		let status = TaskStatus::Claiming { round: 0, tranche: last, until: now };
		task::<T>(BENCH_TASK, &dapp, model, status)?;
		let candidates = (0..c)
			.map(|i| Candidate {
				operator: account("candidate", i, SEED),
				output: u128::from(i),
				stake: One::one(),
				commitment: None,
			})
			.collect::<Vec<_>>();
		Candidates::<T>::insert(BENCH_TASK, CandidatesOf::<T>::truncate_from(candidates));
		let record = Tasks::<T>::get(BENCH_TASK).ok_or(BenchmarkError::Stop("no task"))?;
		#[block]
		{
			Pallet::<T>::close_tranche(BENCH_TASK, record, 0, last, now);
		}
		let status = Tasks::<T>::get(BENCH_TASK).map(|t| t.status);
		if c == 0 {
			assert_eq!(status, Some(TaskStatus::Undecided));
		} else {
			assert!(matches!(status, Some(TaskStatus::Committing { .. })));
		}
		Ok(())
	}

	/// Deciding over `c` assigned operators at the costliest outcome: the task settles with as
	/// many liquidations as the rule allows, the others paid through the operator pallet.
	#[benchmark]
	fn resolve(c: Linear<1, { T::MaxClaims::get() }>) -> Result<(), BenchmarkError> {
		costly_params::<T>();
		T::BenchmarkHelper::enable_slashing();
		let (model, _) = model::<T>(16)?;
		let dapp = funded::<T>("dapp", 0);
		let now: BlockNumberFor<T> = 10u32.into();
		frame_system::Pallet::<T>::set_block_number(now);
		task::<T>(BENCH_TASK, &dapp, model, TaskStatus::Revealing { round: 0, until: now })?;
		let ops = operators::<T>("operator", c);
		let m = most_conflicting(c) as usize;
		let assigned: Vec<(T::AccountId, Option<H256>)> = ops
			.iter()
			.enumerate()
			.map(|(i, o)| {
				let output = if i < m { H256::repeat_byte(2) } else { H256::repeat_byte(1) };
				(o.clone(), Some(output))
			})
			.collect();
		assign::<T>(BENCH_TASK, &assigned)?;
		#[block]
		{
			Pallet::<T>::decide(BENCH_TASK);
		}
		let status = Tasks::<T>::get(BENCH_TASK).map(|t| t.status);
		assert_eq!(status, Some(TaskStatus::Settled));
		Ok(())
	}

	/// `c` claims that all agree: every one paid, no one reported (what an honest task's
	/// last reveal does; each claim that did not agree adds a report, `report_offence`).
	#[benchmark]
	fn resolve_agreed(c: Linear<1, { T::MaxClaims::get() }>) -> Result<(), BenchmarkError> {
		costly_params::<T>();
		let (model, _) = model::<T>(16)?;
		let dapp = funded::<T>("dapp", 0);
		let now: BlockNumberFor<T> = 10u32.into();
		frame_system::Pallet::<T>::set_block_number(now);
		task::<T>(BENCH_TASK, &dapp, model, TaskStatus::Revealing { round: 0, until: now })?;
		let ops = operators::<T>("operator", c);
		let output = H256::repeat_byte(1);
		assign::<T>(
			BENCH_TASK,
			&ops.iter().map(|o| (o.clone(), Some(output))).collect::<Vec<_>>(),
		)?;
		#[block]
		{
			Pallet::<T>::decide(BENCH_TASK);
		}
		let task = Tasks::<T>::get(BENCH_TASK).ok_or(BenchmarkError::Stop("no task"))?;
		assert_eq!(task.status, TaskStatus::Settled);
		assert_eq!(task.result.map(|r| r.agreeing), Some(c));
		Ok(())
	}

	/// A settled task's pool is paid to its `c` agreeing operators.
	#[benchmark]
	fn pay_pool(c: Linear<1, { T::MaxClaims::get() }>) -> Result<(), BenchmarkError> {
		let (id, _) = settled::<T>(c)?;
		let pool = plenty::<T>() / 10u32.into();
		T::Currency::set_balance(&Pallet::<T>::escrow_account(), pool);
		Tasks::<T>::mutate(id, |t| {
			if let Some(t) = t {
				t.pool = pool;
				t.pool_pending = pool;
			}
		});
		#[block]
		{
			Pallet::<T>::pay_pool(id);
		}
		assert_eq!(Tasks::<T>::get(id).map(|t| t.pool_pending), Some(Zero::zero()));
		Ok(())
	}

	/// An ended task with `c` claims and reveals is removed.
	#[benchmark]
	fn prune(c: Linear<1, { T::MaxClaims::get() }>) -> Result<(), BenchmarkError> {
		let (id, _) = settled::<T>(c)?;
		#[block]
		{
			Pallet::<T>::prune(id);
		}
		assert!(!Tasks::<T>::contains_key(id));
		assert_eq!(Reveals::<T>::iter_prefix(id).count(), 0);
		Ok(())
	}

	/// A liquidation's funds reach a settled task's reward pool (what `pallet-operators`
	/// charges on top of applying a slash).
	#[benchmark]
	fn route_slash() -> Result<(), BenchmarkError> {
		let (id, ops) = settled::<T>(1)?;
		let offender = ops.first().cloned().ok_or(BenchmarkError::Stop("no operator"))?;
		let credit = T::Currency::issue(T::Currency::minimum_balance().max(One::one()));
		#[block]
		{
			Pallet::<T>::route_slash(0, &offender, OffenceKind::WrongResult, Some(id), credit);
		}
		assert!(!Tasks::<T>::get(id).map_or(Zero::zero(), |t| t.pool_pending).is_zero());
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}

#[cfg(test)]
mod tests {
	use super::*;
	use aos_inference_primitives::vrf_transcript;
	use sp_core::{
		crypto::{VrfPublic as _, VrfSecret},
		sr25519::{
			vrf::{VrfPreOutput, VrfProof, VrfSignature},
			Pair,
		},
		Pair as _,
	};

	/// The fixed claim of the benchmark is a valid VRF signature by the key with seed
	/// `[42; 32]`, over task 0 and the benchmark randomness.
	#[test]
	fn fixed_vrf_signature_verifies() {
		let pair = Pair::from_seed(&[42; 32]);
		assert_eq!(pair.public().0, BENCH_VRF_PUBLIC);
		let data = vrf_transcript(&task_hash(BENCH_TASK), &BENCH_RANDOMNESS).into_sign_data();
		let signature = VrfSignature {
			pre_output: VrfPreOutput::decode(&mut &BENCH_VRF_PRE_OUTPUT[..]).expect("pre-output"),
			proof: VrfProof::decode(&mut &BENCH_VRF_PROOF[..]).expect("proof"),
		};
		assert!(pair.public().vrf_verify(&data, &signature));
		// The pre-output is deterministic: signing again gives the same one.
		assert_eq!(pair.vrf_sign(&data).pre_output, signature.pre_output);
		// And it is bound to the task: not valid for task 1.
		let other = vrf_transcript(&task_hash(1), &BENCH_RANDOMNESS).into_sign_data();
		assert!(!pair.public().vrf_verify(&other, &signature));
	}
}
