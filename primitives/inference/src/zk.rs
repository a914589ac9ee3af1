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
	/// Reports `who`, assigned to `task`, for revealing a proof that does not verify; its
	/// commitment is spent, so it is reported once.
	fn reject_proof(task: TaskId, who: &AccountId);
}
