//! What the rest of the runtime hears of a settled task (the bridge's checkpoints record it).

use crate::{ModelId, TaskId};
use sp_core::H256;
use sp_weights::Weight;

/// A task settled with a result.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SettledTask {
	/// The task.
	pub task: TaskId,
	/// Its model.
	pub model: ModelId,
	/// The output digest.
	pub output: H256,
	/// The result key ([`crate::result_key`] of the output digest and top classes).
	pub result: H256,
	/// How many operators gave the result.
	pub agreeing: u32,
	/// How many were assigned.
	pub assigned: u32,
}

/// Told of every task that settles with a result.
pub trait OnTaskSettled {
	/// `settled` was settled.
	fn on_task_settled(settled: &SettledTask);
	/// The most weight [`Self::on_task_settled`] takes: every call that may settle a task
	/// charges it.
	fn on_task_settled_weight() -> Weight {
		Weight::zero()
	}
}

impl OnTaskSettled for () {
	fn on_task_settled(_: &SettledTask) {}
}
