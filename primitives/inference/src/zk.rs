//! The seam between `pallet-inference` (tasks) and `pallet-zk-verifier` (verifying keys and
//! proofs): each pallet implements one side, so neither depends on the other.

use crate::{ModelId, TaskId};
use alloc::vec::Vec;

/// What `pallet-inference` asks of the zk verifier.
pub trait ZkModels {
	/// Whether a verifying key is linked to `model`, so that Zk-mode tasks can be proved.
	fn has_vk(model: &ModelId) -> bool;
}

impl ZkModels for () {
	fn has_vk(_: &ModelId) -> bool {
		false
	}
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
}

/// Why a proof cannot be taken for a task from this caller.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ZkTaskError {
	UnknownTask,
	/// The task's verification mode is not Zk.
	NotZkTask,
	/// The task is not waiting for a proof (not yet claimed, or ended).
	NotAwaitingProof,
	/// The caller is not assigned to the task.
	NotAssigned,
}

/// A Zk-mode task waiting for a proof.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ZkTask {
	pub model: ModelId,
	/// The task's inline input, which the proof's public instances must carry.
	pub input: Vec<i8>,
}

/// What the zk verifier asks of `pallet-inference`.
pub trait ZkTasks<AccountId> {
	/// The model, if registered.
	fn model(model: &ModelId) -> Option<ZkModel<AccountId>>;
	/// The task, if `who` may prove it now.
	fn proof_task(task: TaskId, who: &AccountId) -> Result<ZkTask, ZkTaskError>;
	/// Settles the task with the logits `who` proved; pays `who` the fee.
	fn settle_proved(task: TaskId, who: &AccountId, logits: &[i32]);
	/// Reports `who`, assigned to `task`, for submitting a proof that does not verify.
	fn report_invalid_proof(task: TaskId, who: &AccountId);
}
