//! The seam between `pallet-inference` (tasks) and `pallet-zk-verifier` (verifying keys and
//! proofs): each pallet implements one side, so neither depends on the other.
//!
//! A Zk-mode task snapshots its model's verifying-key link when it is submitted, and holds the
//! VK until it ends. Its assigned operators commit to their proof
//! ([`proof_commitment`], through `pallet-inference`'s `commit`) before any proof is revealed,
//! so that a proof seen in the transaction pool cannot be submitted by another operator.

use crate::{ModelId, TaskId};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;

/// A model's verifying key, as a task depends on it.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct ZkLink {
	/// The verifying key: the BLAKE2b-256 hash of its VKA bytes.
	pub vk: H256,
	/// ezkl's fixed-point scale (log2) of the circuit's input instances.
	pub input_scale: u8,
}

/// What an assigned operator commits to before it reveals a proof: the proof and its public
/// instances, bound to the task and to the operator (an encoded account id).
pub fn proof_commitment(
	task: &[u8; 32],
	operator: &[u8],
	proof: &[u8],
	instances: &[[u8; 32]],
) -> [u8; 32] {
	sp_crypto_hashing::blake2_256(&(b"aos/zk/proof", task, operator, proof, instances).encode())
}

/// The name of a proof, by which a proof already accepted is refused again.
pub fn proof_hash(proof: &[u8]) -> H256 {
	H256(sp_crypto_hashing::blake2_256(proof))
}

/// What `pallet-inference` asks of the zk verifier.
pub trait ZkModels {
	/// The verifying key linked to `model`, if any: Zk-mode tasks are taken only for models
	/// with one, and snapshot it.
	fn link(model: &ModelId) -> Option<ZkLink>;
	/// A Zk-mode task depends on `vk` until it ends: the VK cannot be unregistered meanwhile.
	fn hold_vk(vk: &H256);
	/// A Zk-mode task that depended on `vk` ended.
	fn release_vk(vk: &H256);
	/// `model` is gone (deregistered or banned): its link is removed and its VK released.
	fn model_removed(model: &ModelId);
}

impl ZkModels for () {
	fn link(_: &ModelId) -> Option<ZkLink> {
		None
	}
	fn hold_vk(_: &H256) {}
	fn release_vk(_: &H256) {}
	fn model_removed(_: &ModelId) {}
}

/// A model as the zk verifier sees it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ZkModel<AccountId> {
	pub owner: AccountId,
	/// Input width (int8 values).
	pub inputs: u32,
	/// Logits.
	pub outputs: u32,
	/// Whether the model allows the Zk verification mode.
	pub zk_allowed: bool,
	/// Tasks of the model that have not ended: its link must not change under them.
	pub live_tasks: u32,
}

/// Why a proof cannot be taken for a task from this caller.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ZkTaskError {
	UnknownTask,
	/// The task's verification mode is not Zk.
	NotZkTask,
	/// The task is not taking proofs (before its proving phase, or ended).
	NotAwaitingProof,
	/// The caller is not assigned to the task in its current round.
	NotAssigned,
	/// The caller has no unspent commitment to a proof for this task.
	NotCommitted,
	/// The proof and instances are not what the caller committed to.
	CommitmentMismatch,
	/// This proof was accepted for a task already.
	ProofReplayed,
}

/// A Zk-mode task waiting for a proof.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ZkTask {
	pub model: ModelId,
	/// The task's inline input, which the proof's public instances must carry.
	pub input: Vec<i8>,
	/// The verifying key the task was submitted under.
	pub link: ZkLink,
}

/// What the zk verifier asks of `pallet-inference`.
pub trait ZkTasks<AccountId> {
	/// The model, if registered.
	fn model(model: &ModelId) -> Option<ZkModel<AccountId>>;
	/// The task, if `who` may reveal this proof for it now: assigned in the task's round, with
	/// an unspent commitment to exactly this proof and instances, and the proof not accepted
	/// before.
	fn proof_task(
		task: TaskId,
		who: &AccountId,
		proof: &[u8],
		instances: &[[u8; 32]],
	) -> Result<ZkTask, ZkTaskError>;
	/// Settles the task with the logits `who` proved with `proof`; pays `who` the fee.
	fn settle_proved(task: TaskId, who: &AccountId, logits: &[i32], proof: &[u8]);
	/// What [`Self::settle_proved`] costs beyond the verifier's benchmark: what the runtime
	/// does with a settled task ([`crate::settlement::OnTaskSettled`]).
	fn settle_weight() -> sp_weights::Weight {
		sp_weights::Weight::zero()
	}
	/// Reports `who`, assigned to `task`, for revealing a proof that does not verify; its
	/// commitment is spent, so it is reported once.
	fn reject_proof(task: TaskId, who: &AccountId);
}

/// How a proof's public instances bind it to a task: the first instances are the task's int8
/// input in ezkl's fixed point, the rest are the logits. The runtime checks a proof's instances
/// with it; the operator service reads its own proof's logits with it.
///
/// ezkl maps a real value x at scale s to the field element round(x·2^s), negative values to
/// r − |v|. An int8 input q at the link's scale is therefore q·2^s exactly; a logit instance is
/// read back as the signed integer it encodes (at the circuit's output scale, which is the
/// model's business: the chain compares and ranks logits, it does not rescale them).
pub mod binding {
	use alloc::vec::Vec;

	pub use aos_zk::word::felt;

	/// Why instances do not bind a proof to a task.
	#[derive(Clone, Copy, PartialEq, Eq, Debug)]
	pub enum BindingError {
		/// The first instances are not the task's input at the link's scale.
		InputMismatch,
		/// An output instance is not an integer within i32.
		OutputOutOfRange,
	}

	/// The integer a field element encodes, if it is within i32.
	pub fn int(b: &[u8; 32]) -> Option<i32> {
		aos_zk::word::felt_to_int(b).and_then(|v| i32::try_from(v).ok())
	}

	/// The logits the instances carry, if their first part is `input` at `scale`.
	pub fn logits(
		input: &[i8],
		scale: u8,
		instances: &[[u8; 32]],
	) -> Result<Vec<i32>, BindingError> {
		if instances.len() < input.len() || scale > 32 {
			return Err(BindingError::InputMismatch);
		}
		let (ins, outs) = instances.split_at(input.len());
		let factor = 1i64 << scale;
		if !input.iter().zip(ins).all(|(q, i)| felt(i64::from(*q) * factor) == *i) {
			return Err(BindingError::InputMismatch);
		}
		outs.iter().map(|o| int(o).ok_or(BindingError::OutputOutOfRange)).collect()
	}

	#[cfg(test)]
	mod tests {
		use super::*;
		use aos_zk::word::FR_MODULUS;

		#[test]
		fn felts_round_trip_and_bind() {
			for v in [0i64, 1, -1, 127 * 128, -128 * 128, i32::MAX as i64, i32::MIN as i64] {
				assert_eq!(int(&felt(v)), Some(v as i32));
			}
			assert_eq!(int(&felt(i64::from(i32::MAX) + 1)), None);
			assert_eq!(int(&FR_MODULUS.to_be()), None);
			let ins = [felt(82 * 128), felt(-3 * 128), felt(1057), felt(-195)];
			assert_eq!(logits(&[82, -3], 7, &ins), Ok(alloc::vec![1057, -195]));
			assert_eq!(logits(&[82, -2], 7, &ins), Err(BindingError::InputMismatch));
			assert_eq!(logits(&[82, -3], 6, &ins), Err(BindingError::InputMismatch));
			assert_eq!(logits(&[82, -3, 1, 1, 1], 7, &ins), Err(BindingError::InputMismatch));
		}
	}
}

sp_api::decl_runtime_apis! {
	/// Reads the zk verifier's registered verifying keys.
	pub trait ZkVerifierApi {
		/// The VKA bytes of verifying key `vk` (the BLAKE2b-256 hash of those bytes), if
		/// registered.
		fn verifying_key(vk: H256) -> Option<Vec<u8>>;
	}
}
