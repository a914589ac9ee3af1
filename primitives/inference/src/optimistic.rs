//! What the inference pallet and the OPML dispute pallet (`pallet-opml`) tell each other about
//! optimistic-mode tasks.
//!
//! The inference pallet samples the task's one operator (the defender) and gives it the
//! resolution window to post its result; `pallet-opml` holds the result through its challenge
//! period and its disputes, then tells the inference pallet whether it stood.

use alloc::vec::Vec;
use sp_core::H256;
use sp_weights::Weight;

/// What an optimistic result is checked against: the task's snapshotted terms.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OptimisticTerms {
	/// The model commitment (kernel spec §4) the task was submitted for.
	pub model_commitment: H256,
	/// The model's input width.
	pub inputs: u32,
	/// The top classes the task asks for.
	pub top_k: u32,
}

/// Why the inference pallet refused a posted result.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PostRefusal {
	/// No such task.
	UnknownTask,
	/// The task is not an optimistic-mode task.
	NotOptimistic,
	/// The task is not waiting for a result now.
	NotPosting,
	/// The caller is not the operator the task waits for.
	NotAssigned,
}

/// Optimistic-mode tasks as the dispute pallet sees them (implemented by `pallet-inference`).
pub trait OptimisticTasks<AccountId> {
	/// The terms of task `task`, if it waits for `who`'s result now.
	fn awaiting(task: crate::TaskId, who: &AccountId) -> Result<OptimisticTerms, PostRefusal>;
	/// `who` posted its result: the task waits for the dispute pallet, with no deadline of its
	/// own, until [`Self::stood`] or [`Self::overturned`].
	fn posted(task: crate::TaskId, who: &AccountId);
	/// The task's inline input (the first layer's input in a one-step check).
	fn input(task: crate::TaskId) -> Option<Vec<i8>>;
	/// The result survived its challenge period and every dispute: the task settles on it and
	/// `who` is paid the fee.
	fn stood(task: crate::TaskId, who: &AccountId, output: H256, top: Vec<u32>);
	/// `who` lost a dispute over its result: it is reported (`DisputeLost`) and the task goes
	/// to a further operator, or ends undecided after its last round. Returns the weight it
	/// took (at most [`Self::overturned_weight`]).
	fn overturned(task: crate::TaskId, who: &AccountId) -> Weight;
	/// The most weight [`Self::awaiting`] and [`Self::posted`] take together.
	fn post_weight() -> Weight;
	/// The most weight [`Self::stood`] takes.
	fn stood_weight() -> Weight;
	/// The most weight [`Self::overturned`] takes.
	fn overturned_weight() -> Weight;
	/// The weight of [`Self::input`].
	fn input_weight() -> Weight;
	/// Makes a task that waits for `defender`'s result, for the dispute pallet's benchmarks:
	/// its input and terms. Returns its id.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_task(
		defender: &AccountId,
		terms: OptimisticTerms,
		input: Vec<i8>,
	) -> crate::TaskId;
}

/// The disputes as the inference pallet sees them (implemented by `pallet-opml`; `()` refuses
/// optimistic tasks).
pub trait OptimisticDisputes<BlockNumber> {
	/// Whether optimistic-mode tasks are taken.
	fn enabled() -> bool;
	/// The longest time from a posted result to the report of its defender's loss: its
	/// challenge period and the longest dispute (both players' clocks).
	fn max_report_delay() -> BlockNumber;
}

impl<BlockNumber: Default> OptimisticDisputes<BlockNumber> for () {
	fn enabled() -> bool {
		false
	}
	fn max_report_delay() -> BlockNumber {
		BlockNumber::default()
	}
}
