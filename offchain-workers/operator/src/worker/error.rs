//! Why the operator's loop stops or skips something: a session with the node that ends (then
//! it reconnects), one task's step that fails (retried at the next block), or a task given up
//! on (recorded, never retried).

use aos_client::runtime::AccountId;
use aos_inference_primitives::TaskId;
use sp_core::{sr25519, H256};
use std::time::Duration;

use crate::{
	keys::SignerError, models::FetchError, prover::ProveError, sandbox::SandboxError,
	store::StoreError,
};

/// A read from the node that failed, named by what was read where that helps.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
	/// Connecting, or a read whose error says enough.
	#[error(transparent)]
	Client(#[from] aos_client::Error),
	#[error("aos_operator: {0}")]
	Operator(aos_client::Error),
	#[error("aos_task {id}: {source}")]
	Task { id: TaskId, source: aos_client::Error },
	#[error("aos_model: {0}")]
	Model(aos_client::Error),
	#[error("block subscription: {0}")]
	Subscription(serde_json::Error),
	#[error("no new block for {} s", .0.as_secs())]
	NoNewBlock(Duration),
}

/// Why a session with the node ended: the operator logs it and reconnects with backoff.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
	#[error(transparent)]
	Chain(#[from] ChainError),
	#[error(transparent)]
	Store(#[from] StoreError),
	#[error(
		"the node serves another chain (genesis {node:?}) than this operator's (genesis \
		 {ours:?}): restart the operator to follow it"
	)]
	OtherChain { node: H256, ours: H256 },
	#[error(
		"the chain has VRF key {chain} for {account}, the keystore has {keystore}: rotate the \
		 keys on chain or fix the keystore"
	)]
	VrfKeyMismatch { account: AccountId, chain: sr25519::Public, keystore: sr25519::Public },
	#[error("{0} is not a registered operator, and the config has no `register` section")]
	NotRegistered(AccountId),
	#[error(transparent)]
	Signer(#[from] SignerError),
	#[error("registering: {0}")]
	Register(aos_client::Error),
}

/// Why one step of one task failed: logged and counted, and tried again at a later block; the
/// other tasks go on.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
	#[error(transparent)]
	Chain(#[from] ChainError),
	#[error(transparent)]
	Store(#[from] StoreError),
	#[error("model {0:?} is not registered")]
	ModelNotRegistered(H256),
	#[error("the VRF output cannot be derived")]
	VrfOutput,
	#[error("VRF pre-output: not 32 bytes")]
	VrfPreOutput,
	#[error("VRF proof: not 64 bytes")]
	VrfProof,
	/// A thread panicked holding the preparations' lock.
	#[error("the preparations' lock is poisoned")]
	Poisoned,
	#[error("no proof in the database")]
	NoProof,
	#[error("no evidence in the database")]
	NoEvidence,
	#[error("the kernel's thread: {0}")]
	KernelThread(tokio::task::JoinError),
	/// The enclave could not be reached: tried again at the next block.
	#[error("the enclave: {0}")]
	Enclave(String),
}

/// Why a task's model or input is not fit to claim the task with.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
	#[error("input: {0}")]
	Input(FetchError),
	#[error("the input has {len} values, the model takes {inputs}")]
	InputLength { len: usize, inputs: u32 },
	#[error("model: {0}")]
	Model(FetchError),
	#[error("model: {0:?}")]
	ModelFile(aos_kernel::ModelError),
	#[error("the model file takes {file} inputs, its registration {registered}")]
	ModelWidth { file: u32, registered: u32 },
	/// The background fetch panicked or was cancelled.
	#[error("the preparation: {0}")]
	Aborted(tokio::task::JoinError),
	/// A Zk-mode task's proof (made while preparing).
	#[error("cannot prove: {0}")]
	Prove(ProveError),
	#[error("the operator is shutting down")]
	Closed,
}

/// Why this operator gives a task up: recorded in the database with the task, never retried.
#[derive(Debug, thiserror::Error)]
pub enum GiveUp {
	#[error("a Zk-mode remote input")]
	ZkRemoteInput,
	#[error("model {0:?} is not registered")]
	ModelNotRegistered(H256),
	#[error(transparent)]
	Prepare(#[from] PrepareError),
	#[error("the kernel: {0}")]
	Kernel(SandboxError),
	#[error("the model refused the input: {0:?}")]
	ModelRefused(aos_kernel::ModelError),
	#[error("claimed a Zk-mode task it cannot prove any more")]
	CannotProveAnyMore,
	/// Not retried every block: a proof takes seconds, and the failure is logged.
	#[error("cannot prove: {0}")]
	Prove(ProveError),
	/// The enclave refused the model or the input: it would refuse them again.
	#[error("the enclave refused the task: {0}")]
	EnclaveRefused(String),
}

/// Why this operator does not claim a Zk-mode task.
#[derive(Debug, thiserror::Error)]
pub enum CannotProve {
	#[error("the config has no `zk` section")]
	NoZkSection,
	#[error("no verifying key on chain for model {0:?}")]
	NoVk(H256),
	#[error(transparent)]
	Circuit(#[from] ProveError),
}
