//! # AOS inference primitives
//!
//! The rules of task sampling and result submission that both sides must compute identically:
//! the runtime (`pallet-inference`) checks them, the operator service (`aos-operator`) follows
//! them.
//!
//! - [`task_hash`]: the 32-byte name of a task that the kernel's seeds and the VRF use.
//! - [`vrf_transcript`], [`vrf_output`], [`selection_threshold`], [`is_selected`]: VRF task
//!   sampling. An operator evaluates its registered sr25519 VRF key over (task, randomness);
//!   the output, read as a number below 2^128, selects it when it is below a threshold
//!   proportional to its stake. Neither the submitter nor the operators can grind it: the
//!   randomness comes from a block after the task's, and the key was registered before it.
//!   [`verify_sampling_vrf`] is the check a claim passes; [`SamplingVrf`] says where it runs.
//! - [`result_commitment`]: what an operator commits to before anyone reveals.
//! - [`pow_hash`], [`pow_valid`]: the light proof of work that binds a reveal to its operator.
//! - [`zk`]: the traits through which `pallet-inference` and `pallet-zk-verifier` meet;
//!   [`settlement`]: what the runtime hears of a settled task (the bridge's checkpoints).
//! - [`InferenceApi`]: the runtime API that reads tasks, their assignments and models;
//!   [`KernelApi`]: the runtime's own kernel, to check an evaluation against the chain's rules.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests may).
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

extern crate alloc;

pub mod optimistic;
pub mod settlement;
pub mod tee;
pub mod zk;

use alloc::vec::Vec;
use codec::Encode;
use sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding;
use sp_arithmetic::Rounding;
use sp_core::sr25519::{
	vrf::{VrfPreOutput, VrfTranscript},
	Public,
};

/// Tasks are numbered from 0.
pub type TaskId = u64;

/// A model is named by the content hash of its file.
pub type ModelId = sp_core::H256;

/// The most task ids [`InferenceApi::tasks_of`] returns at once.
pub const MAX_TASKS_PAGE: u32 = 1_000;

/// The VRF transcript's label.
pub const VRF_LABEL: &[u8] = b"aos/inference/vrf";
/// The context the VRF output bytes are derived in.
pub const VRF_OUTPUT_CONTEXT: &[u8] = b"aos/inference/vrf-output";

/// The 32-byte name of task `id`.
pub fn task_hash(id: TaskId) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(&(b"aos/inference/task", id).encode())
}

/// The VRF input of task `task` (its [`task_hash`]) under `randomness`.
pub fn vrf_transcript(task: &[u8; 32], randomness: &[u8; 32]) -> VrfTranscript {
	VrfTranscript::new(VRF_LABEL, &[(b"task", &task[..]), (b"randomness", &randomness[..])])
}

/// The VRF output of `key` for `transcript`, given the pre-output the key's owner produced
/// (whose proof must be checked separately), as a number below 2^128.
pub fn vrf_output(
	key: &Public,
	transcript: &VrfTranscript,
	pre_output: &VrfPreOutput,
) -> Option<u128> {
	key.make_bytes::<16>(VRF_OUTPUT_CONTEXT, transcript, pre_output).ok().map(u128::from_le_bytes)
}

/// The threshold below which an operator with `stake` out of `total` is selected when `target`
/// selections are expected: `2^128 · target · stake / total`, saturating at certainty.
pub fn selection_threshold(stake: u128, total: u128, target: u32) -> u128 {
	if total == 0 {
		return 0;
	}
	let weighted = stake.saturating_mul(u128::from(target));
	if weighted >= total {
		return u128::MAX;
	}
	multiply_by_rational_with_rounding(u128::MAX, weighted, total, Rounding::Down)
		.unwrap_or(u128::MAX)
}

/// Checks `key`'s sr25519 VRF signature (`pre_output`, `proof`: the 32- and 64-byte parts of a
/// `VrfSignature`) over task `task`'s sampling transcript under `randomness`, and returns its
/// output ([`vrf_output`]); `None` if the signature is malformed or does not verify. What a
/// claim checks, wherever it runs ([`SamplingVrf`]).
pub fn verify_sampling_vrf(
	key: &Public,
	task: &[u8; 32],
	randomness: &[u8; 32],
	pre_output: &[u8; 32],
	proof: &[u8; 64],
) -> Option<u128> {
	use codec::Decode;
	use sp_core::{
		crypto::VrfPublic as _,
		sr25519::vrf::{VrfProof, VrfSignature},
	};
	let signature = VrfSignature {
		pre_output: VrfPreOutput::decode(&mut &pre_output[..]).ok()?,
		proof: VrfProof::decode(&mut &proof[..]).ok()?,
	};
	let transcript = vrf_transcript(task, randomness);
	if !key.vrf_verify(&transcript.clone().into_sign_data(), &signature) {
		return None;
	}
	vrf_output(key, &transcript, &signature.pre_output)
}

/// Where the runtime checks a claim's VRF: [`PureVrf`] in the runtime's own wasm, or the node's
/// host function (`aos-vrf-host`), which runs [`verify_sampling_vrf`] natively.
pub trait SamplingVrf {
	/// [`verify_sampling_vrf`].
	fn verify(
		key: &Public,
		task: &[u8; 32],
		randomness: &[u8; 32],
		pre_output: &[u8; 32],
		proof: &[u8; 64],
	) -> Option<u128>;
}

/// [`verify_sampling_vrf`] where it is called: in wasm, in the runtime.
pub struct PureVrf;

impl SamplingVrf for PureVrf {
	fn verify(
		key: &Public,
		task: &[u8; 32],
		randomness: &[u8; 32],
		pre_output: &[u8; 32],
		proof: &[u8; 64],
	) -> Option<u128> {
		verify_sampling_vrf(key, task, randomness, pre_output, proof)
	}
}

/// Whether a VRF output selects an operator with `stake` out of `total` for `target` selections.
pub fn is_selected(output: u128, stake: u128, total: u128, target: u32) -> bool {
	let threshold = selection_threshold(stake, total, target);
	threshold == u128::MAX || output < threshold
}

/// Orders the claims of one tranche by `(VRF output, stake)`: the lower output per unit of
/// stake ranks first (ties: the lower output), so that the operators assigned are those the
/// randomness favours, not those whose claims a block author put first. An operator's chance
/// to rank ahead grows with its stake, as its chance to be selected does.
pub fn selection_rank(a: (u128, u128), b: (u128, u128)) -> core::cmp::Ordering {
	use sp_core::U256;
	let left = U256::from(a.0).saturating_mul(U256::from(b.1));
	let right = U256::from(b.0).saturating_mul(U256::from(a.1));
	left.cmp(&right).then(a.0.cmp(&b.0))
}

/// What an operator reveals: the output digest and top classes every honest operator shares,
/// and its own samples and intermediates.
#[derive(Clone, Copy, Debug)]
pub struct RevealedResult<'a> {
	pub output: &'a [u8; 32],
	pub top: &'a [u32],
	pub samples: &'a [u32],
	pub intermediates: &'a [(u64, i32)],
}

/// What reveals are grouped and compared by: the output digest and the top classes together,
/// so that a reveal with the right digest and wrong classes does not count as the result. The
/// runtime groups reveals by it; the operator service compares its own result with the chain's
/// by it.
pub fn result_key(output: &sp_core::H256, top: &[u32]) -> sp_core::H256 {
	sp_core::H256(sp_crypto_hashing::blake2_256(&codec::Encode::encode(&(
		b"aos/inference/result",
		output,
		top,
	))))
}

/// What an operator commits to: everything it will reveal, under a salt, bound to the task and
/// to the operator (an encoded account id), so that no one else can reveal it and it cannot
/// change its evidence after seeing others'.
pub fn result_commitment(
	task: &[u8; 32],
	operator: &[u8],
	result: RevealedResult,
	salt: &[u8; 32],
) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(
		&(
			b"aos/inference/commit",
			task,
			operator,
			result.output,
			result.top,
			result.samples,
			result.intermediates,
			salt,
		)
			.encode(),
	)
}

/// The proof-of-work hash of a reveal.
pub fn pow_hash(task: &[u8; 32], operator: &[u8], output: &[u8; 32], nonce: u64) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(&(b"aos/inference/pow", task, operator, output, nonce).encode())
}

/// The number of leading zero bits of a hash.
pub fn leading_zero_bits(hash: &[u8; 32]) -> u32 {
	let mut bits = 0;
	for byte in hash {
		if *byte == 0 {
			bits += 8;
		} else {
			return bits + byte.leading_zeros();
		}
	}
	bits
}

/// Whether `nonce` is a proof of work of `difficulty` leading zero bits (0: always).
pub fn pow_valid(
	task: &[u8; 32],
	operator: &[u8],
	output: &[u8; 32],
	nonce: u64,
	difficulty: u8,
) -> bool {
	difficulty == 0
		|| leading_zero_bits(&pow_hash(task, operator, output, nonce)) >= u32::from(difficulty)
}

/// Finds a proof-of-work nonce by counting from 0 (expected `2^difficulty` hashes).
pub fn find_pow_nonce(task: &[u8; 32], operator: &[u8], output: &[u8; 32], difficulty: u8) -> u64 {
	(0u64..).find(|n| pow_valid(task, operator, output, *n, difficulty)).unwrap_or(0)
}

/// The bytes of an encoded account id, as the kernel's seeds and the commitments take it.
pub fn account_bytes<A: Encode>(who: &A) -> Vec<u8> {
	who.encode()
}

/// What [`KernelApi::evaluate`] returns: a run of the kernel for one task and operator
/// (kernel spec §7).
pub type KernelEvaluation = aos_kernel::abi::Run;

/// Runs the kernel (`aos_kernel::evaluate`) on a model file, for `task` and `operator`: what the
/// runtime's [`KernelApi`] does.
pub fn evaluate_file(
	model_file: &[u8],
	input: &[i8],
	task: TaskId,
	operator: &[u8],
	sampling: aos_kernel::SamplingParams,
	samples: u32,
	intermediates: u32,
) -> Result<KernelEvaluation, aos_kernel::ModelError> {
	aos_kernel::abi::run(&aos_kernel::abi::Request {
		model_file: model_file.to_vec(),
		input: input.to_vec(),
		task: task_hash(task),
		operator: operator.to_vec(),
		sampling,
		samples,
		intermediates,
	})
}

sp_api::decl_runtime_apis! {
	/// Reads inference tasks and models. `Task`, `Claim` and `Model` are the inference pallet's
	/// stored types, as the runtime instantiates them.
	pub trait InferenceApi<AccountId, Task, Claim, Model>
	where
		AccountId: codec::Codec,
		Task: codec::Codec,
		Claim: codec::Codec,
		Model: codec::Codec,
	{
		/// A task: its input, fee, status, randomness and result; `None` if there is no such
		/// task or it was pruned.
		fn task(id: TaskId) -> Option<Task>;
		/// The operators assigned to a task, with their commitments and revealed results.
		fn claims(id: TaskId) -> Vec<Claim>;
		/// The id the next submitted task gets: every lower id was issued.
		fn next_task_id() -> TaskId;
		/// Up to `limit` (at most [`MAX_TASKS_PAGE`]) ids of `owner`'s tasks that are not pruned, in storage
		/// order, starting after `after` (a page's last id).
		fn tasks_of(owner: AccountId, after: Option<TaskId>, limit: u32) -> Vec<TaskId>;
		/// A registered (or banned) model.
		fn model(id: ModelId) -> Option<Model>;
	}

	/// The runtime's own inference kernel.
	pub trait KernelApi {
		/// The kernel spec version the runtime runs (`docs/KERNEL.md`).
		fn kernel_version() -> u16;
		/// Runs `model_file` (an `AOSM` file) on `input` for `task` and `operator` (an encoded
		/// account id): the logits, output digest, top classes, draws and intermediates the
		/// chain expects of that operator.
		#[allow(
			clippy::too_many_arguments,
			reason = "the client side of a runtime API adds the block hash and context to these seven"
		)]
		fn evaluate(
			model_file: Vec<u8>,
			input: Vec<i8>,
			task: TaskId,
			operator: Vec<u8>,
			sampling: aos_kernel::SamplingParams,
			samples: u32,
			intermediates: u32,
		) -> Result<KernelEvaluation, aos_kernel::ModelError>;
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{crypto::VrfSecret, sr25519, Pair};

	#[test]
	fn thresholds_are_proportional_to_stake_and_saturate() {
		assert_eq!(selection_threshold(0, 100, 3), 0);
		assert_eq!(selection_threshold(10, 0, 3), 0);
		assert_eq!(selection_threshold(50, 100, 2), u128::MAX);
		let third = selection_threshold(1, 3, 1);
		assert!(third.abs_diff(u128::MAX / 3) <= 1);
		assert_eq!(selection_threshold(1, 3, 2), selection_threshold(2, 3, 1));
		// Balances of 18 decimals keep their precision.
		let unit = 10u128.pow(18);
		let t = selection_threshold(1_000 * unit, 1_000_000 * unit, 3);
		assert!(t.abs_diff(u128::MAX / 1000 * 3) < u128::MAX / 1_000_000_000);
		assert!(is_selected(u128::MAX, 50, 100, 2));
		assert!(!is_selected(third, 1, 3, 1));
		assert!(is_selected(third - 1, 1, 3, 1));
	}

	#[test]
	fn a_vrf_output_is_bound_to_key_task_and_randomness() {
		let pair = sr25519::Pair::from_seed(&[7; 32]);
		let other = sr25519::Pair::from_seed(&[8; 32]);
		let (t0, t1) = (task_hash(0), task_hash(1));
		let r = [3u8; 32];
		let sign =
			|p: &sr25519::Pair, t: &[u8; 32]| p.vrf_sign(&vrf_transcript(t, &r).into_sign_data());
		let sig = sign(&pair, &t0);
		use sp_core::crypto::VrfPublic;
		assert!(pair.public().vrf_verify(&vrf_transcript(&t0, &r).into_sign_data(), &sig));
		assert!(!pair.public().vrf_verify(&vrf_transcript(&t1, &r).into_sign_data(), &sig));
		assert!(!other.public().vrf_verify(&vrf_transcript(&t0, &r).into_sign_data(), &sig));
		assert!(!pair.public().vrf_verify(&vrf_transcript(&t0, &[4; 32]).into_sign_data(), &sig));
		let out = vrf_output(&pair.public(), &vrf_transcript(&t0, &r), &sig.pre_output).unwrap();
		assert_eq!(
			out,
			u128::from_le_bytes(
				pair.make_bytes::<16>(VRF_OUTPUT_CONTEXT, &vrf_transcript(&t0, &r))
			)
		);
		assert_ne!(
			out,
			vrf_output(&pair.public(), &vrf_transcript(&t1, &r), &sign(&pair, &t1).pre_output)
				.unwrap()
		);
	}

	#[test]
	fn proof_of_work_has_the_difficulty_it_claims() {
		let (task, output) = (task_hash(9), [5u8; 32]);
		assert!(pow_valid(&task, b"op", &output, 12345, 0));
		for difficulty in [1u8, 4, 8, 12] {
			let nonce = find_pow_nonce(&task, b"op", &output, difficulty);
			assert!(pow_valid(&task, b"op", &output, nonce, difficulty));
			assert!(
				leading_zero_bits(&pow_hash(&task, b"op", &output, nonce)) >= u32::from(difficulty)
			);
		}
		// The nonce of one operator does not serve another.
		let nonce = find_pow_nonce(&task, b"op", &output, 12);
		assert!(!pow_valid(&task, b"other", &output, nonce, 12));
		assert_eq!(leading_zero_bits(&[0; 32]), 256);
		let mut h = [0u8; 32];
		h[1] = 0b0001_0000;
		assert_eq!(leading_zero_bits(&h), 11);
	}

	#[test]
	fn commitments_bind_every_field() {
		let r = |output: &'static [u8; 32],
		         top: &'static [u32],
		         samples: &'static [u32],
		         inter: &'static [(u64, i32)]| {
			RevealedResult { output, top, samples, intermediates: inter }
		};
		let c = |task: &[u8; 32], op: &[u8], res: RevealedResult, salt: &[u8; 32]| {
			result_commitment(task, op, res, salt)
		};
		let base = c(&[1; 32], b"op", r(&[2; 32], &[3, 4], &[1], &[(5, 6)]), &[5; 32]);
		assert_ne!(base, c(&[9; 32], b"op", r(&[2; 32], &[3, 4], &[1], &[(5, 6)]), &[5; 32]));
		assert_ne!(base, c(&[1; 32], b"oq", r(&[2; 32], &[3, 4], &[1], &[(5, 6)]), &[5; 32]));
		assert_ne!(base, c(&[1; 32], b"op", r(&[9; 32], &[3, 4], &[1], &[(5, 6)]), &[5; 32]));
		assert_ne!(base, c(&[1; 32], b"op", r(&[2; 32], &[4, 3], &[1], &[(5, 6)]), &[5; 32]));
		assert_ne!(base, c(&[1; 32], b"op", r(&[2; 32], &[3, 4], &[2], &[(5, 6)]), &[5; 32]));
		assert_ne!(base, c(&[1; 32], b"op", r(&[2; 32], &[3, 4], &[1], &[(5, 7)]), &[5; 32]));
		assert_ne!(base, c(&[1; 32], b"op", r(&[2; 32], &[3, 4], &[1], &[(5, 6)]), &[9; 32]));
	}
}
