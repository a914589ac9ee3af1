//! The zk verifier (`pallet-zk-verifier`): ezkl verifying keys linked to models, and proofs
//! that settle Zk-mode tasks of `pallet-inference`, verified in the runtime.
//!
//! The verifier's MSM and pairing run in the node through `aos-zk-host`'s host functions; a
//! runtime built with the `zk-pure-wasm` feature runs them in wasm instead (the baseline the
//! benchmarks compare against, and what a node without the host functions could execute).

use crate::{constants::currency::*, Balances, Runtime, RuntimeEvent, RuntimeHoldReason};
use frame_support::{parameter_types, traits::ConstU32};

/// The BN254 arithmetic of the verifier: the node's host functions.
#[cfg(not(feature = "zk-pure-wasm"))]
pub type ZkCurve = aos_zk_host::Host;
/// The BN254 arithmetic of the verifier: in wasm.
#[cfg(feature = "zk-pure-wasm")]
pub type ZkCurve = aos_zk::Pure;

parameter_types! {
	/// A VK is stored once for every model that links it: its deposit pays for its storage
	/// like any other item's.
	pub const ZkDepositBase: crate::Balance = deposit(2, 0);
	pub const ZkDepositPerByte: crate::Balance = deposit(0, 1);
}

impl pallet_zk_verifier::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Tasks = crate::Inference;
	type Curve = ZkCurve;
	// The class of circuit the weights were benchmarked on: ezkl 23's layout for models built
	// from dense, convolution and ReLU layers at its default settings is a 157-word VKA and a
	// 3,072-byte proof whatever the model's size (weights become rows, not columns). A larger
	// layout needs its own benchmark vectors before these bounds grow.
	type MaxVkaLen = ConstU32<5_120>;
	type MaxProofLen = ConstU32<3_072>;
	// A model's inputs and logits; the benchmarks prove up to this many.
	type MaxInstances = ConstU32<512>;
	// The costliest benchmark vector's verification (mlp508: 4,243 steps, a 45-term MSM, as
	// every VKA of ezkl's default layout has): a VKA priced above either is not registered.
	type MaxVerifySteps = ConstU32<4_243>;
	type MaxMsmTerms = ConstU32<45>;
	type GovernanceOrigin = crate::GovernanceOrigin;
	type DepositBase = ZkDepositBase;
	type DepositPerByte = ZkDepositPerByte;
	type WeightInfo = pallet_zk_verifier::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// Zk models and tasks for the verifier's benchmarks, from `pallet-inference`.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_zk_verifier::benchmarking::BenchmarkHelper<crate::AccountId> for BenchmarkHelper {
	fn zk_model(
		owner: &crate::AccountId,
		id: aos_inference_primitives::ModelId,
		inputs: u32,
		outputs: u32,
	) -> Result<(), frame_benchmarking::BenchmarkError> {
		pallet_inference::benchmarking::zk_model::<Runtime>(owner, id, inputs, outputs)
	}
	fn zk_task(
		model: aos_inference_primitives::ModelId,
		link: aos_inference_primitives::zk::ZkLink,
		input: alloc::vec::Vec<i8>,
		operator: &crate::AccountId,
		proof: &[u8],
		instances: &[[u8; 32]],
	) -> Result<aos_inference_primitives::TaskId, frame_benchmarking::BenchmarkError> {
		pallet_inference::benchmarking::zk_task::<Runtime>(
			model, link, input, operator, proof, instances,
		)
	}
}
