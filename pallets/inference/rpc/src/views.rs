//! The JSON shapes of tasks and models.

use aos_operators_primitives::decimal_string;
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_inference::{
	BalanceOf, Claim, ModelInfo, ModelStatus, TaskInfo, TaskInput, TaskStatus, VerificationMode,
};
use serde::{Deserialize, Serialize};
use sp_core::H256;

use crate::{ModelId, TaskId};

/// How a task is verified: `redundancy`, `zk`, `tee` or `optimistic`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ModeView {
	Redundancy,
	Zk,
	Tee,
	Optimistic,
}

impl From<VerificationMode> for ModeView {
	fn from(m: VerificationMode) -> Self {
		match m {
			VerificationMode::Redundancy => ModeView::Redundancy,
			VerificationMode::Zk => ModeView::Zk,
			VerificationMode::Tee => ModeView::Tee,
			VerificationMode::Optimistic => ModeView::Optimistic,
		}
	}
}

impl ModeView {
	/// The modes in a model's set of [`VerificationMode::bit`]s.
	fn from_bits(bits: u8) -> Vec<ModeView> {
		[
			VerificationMode::Redundancy,
			VerificationMode::Zk,
			VerificationMode::Tee,
			VerificationMode::Optimistic,
		]
		.into_iter()
		.filter(|m| bits & m.bit() != 0)
		.map(Into::into)
		.collect()
	}
}

/// A task's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InputView {
	/// The int8 values.
	Inline(Vec<i8>),
	/// The BLAKE2b-256 hash of the input's bytes and where to fetch them.
	Remote { hash: H256, uri: String },
}

/// Where a task is in its life. Block numbers are deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "phase")]
pub enum StatusView {
	/// Waiting for the VRF randomness of block `at`.
	AwaitingRandomness { at: u64 },
	/// Selected operators claim until block `until`.
	Claiming { round: u8, tranche: u8, until: u64 },
	/// Claimants commit until block `until`.
	Committing { round: u8, until: u64 },
	/// Redundancy mode: claimants reveal until block `until`, the end of the resolution window.
	Revealing { round: u8, until: u64 },
	/// Zk mode: claimants submit their committed proofs until block `until`, the end of the
	/// resolution window.
	Proving { round: u8, until: u64 },
	/// TEE mode: claimants submit results signed by their enclaves until block `until`, the
	/// end of the resolution window.
	Attesting { round: u8, until: u64 },
	/// Optimistic mode: the assigned operator posts its result to the dispute pallet until
	/// block `until`.
	Posting { round: u8, until: u64 },
	/// Optimistic mode: the result of `round` is posted; the dispute pallet holds it through its
	/// challenge period and disputes (`opml` in the pallet's storage).
	Challenging { round: u8 },
	/// Decided: see `result`.
	Settled,
	/// No result won; the fee was refunded.
	Undecided,
}

impl StatusView {
	/// Whether the task is over.
	pub fn is_final(&self) -> bool {
		matches!(self, StatusView::Settled | StatusView::Undecided)
	}
}

/// The result a task settled on, and the counts the rule decided by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultView {
	/// The kernel's output digest of the logits.
	pub output: H256,
	/// The top classes, largest logit first.
	pub top: Vec<u32>,
	/// n: operators that revealed it.
	pub agreeing: u32,
	/// m: operators that revealed something else.
	pub conflicting: u32,
	/// A: operators assigned (silent ones included).
	pub assigned: u32,
}

/// An operator assigned to a task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimView<AccountId> {
	pub operator: AccountId,
	/// The round it was selected in.
	pub round: u8,
	/// Its commitment, once made.
	pub commitment: Option<H256>,
	/// The key of its revealed result (output digest and top classes), once revealed.
	pub result: Option<H256>,
}

/// A task, as `aos_task` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskView<AccountId> {
	pub id: TaskId,
	pub owner: AccountId,
	pub model: ModelId,
	pub input: InputView,
	/// Held from the owner until the task ends.
	#[serde(with = "decimal_string")]
	pub fee: u128,
	pub mode: ModeView,
	/// k: the operators wanted in the first round.
	pub redundancy: u8,
	/// The sampler's candidates (1: argmax).
	pub top_k: u32,
	/// `2^16 / temperature`.
	pub inv_temperature_q16: u32,
	/// Draws each operator reports.
	pub samples: u8,
	/// Intermediate values each operator reports.
	pub intermediates: u8,
	/// Leading zero bits of a reveal's proof of work.
	pub pow_difficulty: u8,
	/// The model commitment the task was submitted under (kernel spec §4).
	pub model_commitment: H256,
	/// A Zk-mode task's verifying key (the hash of its VKA), fixed at submission.
	pub zk_vk: Option<H256>,
	/// ezkl's fixed-point scale of the circuit's input instances, fixed at submission.
	pub zk_input_scale: Option<u8>,
	pub submitted_at: u64,
	/// The sampling randomness, once fixed.
	pub randomness: Option<H256>,
	/// The block whose VRF output the randomness is.
	pub randomness_from: Option<u64>,
	/// The operators' selection stake when the randomness was fixed: what sampling divides by.
	#[serde(with = "decimal_string")]
	pub selection_stake: u128,
	pub status: StatusView,
	pub result: Option<ResultView>,
	/// Liquidated collateral received: the task's verification reward pool.
	#[serde(with = "decimal_string")]
	pub pool: u128,
	pub ended_at: Option<u64>,
	pub claims: Vec<ClaimView<AccountId>>,
}

impl<AccountId: Clone> TaskView<AccountId> {
	/// The view of `task`, with its `claims`.
	pub fn new<R>(id: TaskId, task: TaskInfo<R>, claims: Vec<Claim<AccountId>>) -> Self
	where
		R: pallet_inference::Config<AccountId = AccountId>,
		BalanceOf<R>: Into<u128>,
		BlockNumberFor<R>: Into<u64>,
	{
		let input = match task.input {
			TaskInput::Inline(values) => InputView::Inline(values.into_inner()),
			TaskInput::Remote { hash, uri } => {
				InputView::Remote { hash, uri: String::from_utf8_lossy(&uri).into_owned() }
			},
		};
		let status = match task.status {
			TaskStatus::AwaitingRandomness { at } => {
				StatusView::AwaitingRandomness { at: at.into() }
			},
			TaskStatus::Claiming { round, tranche, until } => {
				StatusView::Claiming { round, tranche, until: until.into() }
			},
			TaskStatus::Committing { round, until } => {
				StatusView::Committing { round, until: until.into() }
			},
			TaskStatus::Revealing { round, until } => {
				StatusView::Revealing { round, until: until.into() }
			},
			TaskStatus::Proving { round, until } => {
				StatusView::Proving { round, until: until.into() }
			},
			TaskStatus::Attesting { round, until } => {
				StatusView::Attesting { round, until: until.into() }
			},
			TaskStatus::Posting { round, until } => {
				StatusView::Posting { round, until: until.into() }
			},
			TaskStatus::Challenging { round } => StatusView::Challenging { round },
			TaskStatus::Settled => StatusView::Settled,
			TaskStatus::Undecided => StatusView::Undecided,
		};
		TaskView {
			id,
			owner: task.owner,
			model: task.model,
			input,
			fee: task.fee.into(),
			mode: task.mode.into(),
			redundancy: task.redundancy,
			top_k: task.sampling.top_k,
			inv_temperature_q16: task.sampling.inv_temperature_q16,
			samples: task.terms.samples,
			intermediates: task.terms.intermediates,
			pow_difficulty: task.terms.pow_difficulty,
			model_commitment: task.terms.model_commitment,
			zk_vk: task.terms.zk.map(|l| l.vk),
			zk_input_scale: task.terms.zk.map(|l| l.input_scale),
			submitted_at: task.submitted_at.into(),
			randomness: task.randomness.map(|(r, _)| r),
			randomness_from: task.randomness.map(|(_, b)| b.into()),
			selection_stake: task.selection_stake.into(),
			status,
			result: task.result.map(|r| ResultView {
				output: r.output,
				top: r.top.into_inner(),
				agreeing: r.agreeing,
				conflicting: r.conflicting,
				assigned: r.assigned,
			}),
			pool: task.pool.into(),
			ended_at: task.ended_at.map(Into::into),
			claims: claims
				.into_iter()
				.map(|c| ClaimView {
					operator: c.operator,
					round: c.round,
					commitment: c.commitment,
					result: c.result,
				})
				.collect(),
		}
	}
}

/// One layer of a model: its shape and the Merkle root of its neurons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerView {
	pub inputs: u32,
	pub outputs: u32,
	pub root: H256,
}

/// A model, as `aos_model` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelView<AccountId> {
	/// The content hash of the model file.
	pub id: ModelId,
	pub owner: AccountId,
	pub kernel_version: u16,
	/// The input width.
	pub inputs: u32,
	pub layers: Vec<LayerView>,
	/// The commitment over the layers (kernel spec §4).
	pub commitment: H256,
	/// Where operators fetch the file.
	pub uri: String,
	/// The verification modes tasks may use.
	pub modes: Vec<ModeView>,
	/// The least fee per assigned operator.
	#[serde(with = "decimal_string")]
	pub price: u128,
	/// `false` once governance banned it.
	pub active: bool,
}

impl<AccountId> ModelView<AccountId> {
	/// The view of `model`, registered as `id`.
	pub fn new<R>(id: ModelId, model: ModelInfo<R>) -> Self
	where
		R: pallet_inference::Config<AccountId = AccountId>,
		BalanceOf<R>: Into<u128>,
	{
		ModelView {
			id,
			owner: model.owner,
			kernel_version: model.kernel_version,
			inputs: model.inputs,
			layers: model
				.layers
				.iter()
				.map(|l| LayerView { inputs: l.inputs, outputs: l.outputs, root: l.root })
				.collect(),
			commitment: model.commitment,
			uri: String::from_utf8_lossy(&model.uri).into_owned(),
			modes: ModeView::from_bits(model.modes),
			price: model.price.into(),
			active: model.status == ModelStatus::Active,
		}
	}
}
