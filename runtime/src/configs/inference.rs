//! AOS inference tasks (`pallet-inference`): the model registry, VRF-sampled operators and
//! PoS+W resolution.
//!
//! Sampling randomness is BABE's VRF output of the parent block, read `randomness_delay` blocks
//! after a task's block. Liquidated collateral comes back from pallet-operators (its `OnSlash`
//! is this pallet) into the task's verification reward pool; other slashes are burned.
//! [`production_params`] follow the PoS+W paper: a 24-hour resolution window. [`dev_params`]
//! take a task from submission to settlement in about a minute.

use crate::{
	constants::{currency::*, time::*},
	Balances, GovernanceOrigin, Runtime, RuntimeEvent, RuntimeHoldReason,
};
use frame_support::{parameter_types, traits::ConstU32, PalletId};
use pallet_inference::{Params, ParamsOf};

/// The parameters of a production network at genesis.
pub fn production_params() -> ParamsOf<Runtime> {
	Params {
		// Two blocks: the block after the task's supplies the VRF (its author did not choose
		// the task's block).
		randomness_delay: 2,
		// A minute for selected operators to see the randomness and claim, per tranche.
		claim_period: MINUTES,
		max_tranches: 4,
		// Five minutes to fetch the model, run it and commit.
		commit_period: 5 * MINUTES,
		// The PoS+W paper's 24 hours.
		resolution_window: 24 * HOURS,
		max_rounds: 3,
		retention: 7 * DAYS,
		// 2^16 hashes: milliseconds for an operator, a cost for anyone copying reveals.
		pow_difficulty: 16,
		max_redundancy: 16,
		samples: 4,
		intermediates: 16,
		min_fee: MIN_FEE,
		base_fee: BASE_FEE,
	}
}

/// The least fee per assigned operator, whatever a model's price.
pub const MIN_FEE: crate::Balance = 100 * MILLI_UNITS;
/// Burned on every submission: the chain's own work on a task is never free.
pub const BASE_FEE: crate::Balance = 10 * MILLI_UNITS;

/// The parameters of the `development` and `local_testnet` presets: a task settles within a
/// minute or so of blocks.
pub fn dev_params() -> ParamsOf<Runtime> {
	Params {
		randomness_delay: 2,
		claim_period: 4,
		max_tranches: 3,
		commit_period: 4,
		resolution_window: 6,
		max_rounds: 2,
		retention: 10 * MINUTES,
		pow_difficulty: 8,
		max_redundancy: 8,
		samples: 2,
		intermediates: 8,
		min_fee: MIN_FEE,
		base_fee: BASE_FEE,
	}
}

/// Claims' VRF signatures are checked natively by the node's host function (`aos-vrf-host`); a
/// runtime built with `vrf-pure-wasm` checks them in wasm (the baseline its benchmark compares
/// with).
#[cfg(not(feature = "vrf-pure-wasm"))]
pub type SamplingVrf = aos_vrf_host::HostVrf;
#[cfg(feature = "vrf-pure-wasm")]
pub type SamplingVrf = aos_inference_primitives::PureVrf;

parameter_types! {
	/// Derives the escrow account fees pass through.
	pub const InferencePalletId: PalletId = PalletId(*b"aos/infr");
	/// Held from a model's owner while the model is registered.
	pub const ModelDeposit: crate::Balance = 100 * UNITS;
	/// Held from a task's owner until the task is pruned: its record, claims and the owner
	/// index, and about 8 KiB of reveals.
	pub const TaskDeposit: crate::Balance = deposit(3, 8 * 1024);
	/// No inference period may exceed 30 days.
	pub const MaxInferencePeriod: crate::BlockNumber = 30 * DAYS;
	pub InferenceDefaultParams: ParamsOf<Runtime> = production_params();
}

impl pallet_inference::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Operators = crate::Operators;
	// A model takes Zk-mode tasks once a verifying key is linked to it.
	type ZkModels = crate::ZkVerifier;
	type Enclaves = crate::Tee;
	type Disputes = crate::Opml;
	type Randomness = pallet_babe::ParentBlockRandomness<Runtime>;
	type GovernanceOrigin = GovernanceOrigin;
	// Offline slashes, and liquidations of tasks already pruned, are burned.
	type OnUnclaimedSlash = ();
	type PalletId = InferencePalletId;
	type ModelDeposit = ModelDeposit;
	type TaskDeposit = TaskDeposit;
	// With 32 deadlines a block, no deadline is handled more than 64 blocks (5 minutes) late
	// however tasks are submitted; blocks with room (`on_idle`) handle them on time.
	type MaxLiveTasks = ConstU32<2_048>;
	type MaxPeriod = MaxInferencePeriod;
	type MaxLayers = ConstU32<{ aos_kernel::model::MAX_LAYERS as u32 }>;
	type MaxUriLen = ConstU32<256>;
	// The kernel's widest layer.
	type MaxInputLen = ConstU32<{ aos_kernel::model::MAX_WIDTH }>;
	type MaxClaims = ConstU32<32>;
	// A k = 1 task's first tranche selects no one about 5 % of the time among many operators
	// (37 % at a target of 1), and never among three of equal stake, as in the devnet.
	type MinSelections = ConstU32<3>;
	type MaxTopK = ConstU32<16>;
	type MaxSamples = ConstU32<16>;
	type MaxIntermediates = ConstU32<{ aos_kernel::intermediates::MAX_INTERMEDIATES }>;
	// Each entry may resolve a task of up to 32 claims (about 2.5 ms of weight): 32 of them
	// take under 6 % of a block.
	type MaxAgendaPerBlock = ConstU32<32>;
	// An operator's claims, commitments and reveals of a block in one transaction: a reveal
	// item is at most about 0.5 KiB.
	type MaxWorkItems = ConstU32<512>;
	type Vrf = SamplingVrf;
	type OnSettled = crate::configs::checkpoints::RecordSettlements;
	type DefaultParams = InferenceDefaultParams;
	type WeightInfo = pallet_inference::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// Operators, slashing and randomness for the inference benchmarks, from the runtime's own
/// pallets.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_inference::benchmarking::BenchmarkHelper<crate::AccountId, crate::Balance>
	for BenchmarkHelper
{
	fn make_operator(
		who: &crate::AccountId,
		vrf_key: aos_operators_primitives::VrfPublic,
		collateral: crate::Balance,
	) {
		if let Err(e) = crate::Operators::benchmark_operator(who, vrf_key, collateral) {
			panic!("benchmark operator registration failed: {e:?}");
		}
	}
	fn min_collateral() -> crate::Balance {
		pallet_operators::Parameters::<Runtime>::get().min_collateral
	}
	fn enable_slashing() {
		crate::Operators::benchmark_enable_slashing();
	}
	fn make_randomness_available() {
		pallet_babe::AuthorVrfRandomness::<Runtime>::put(Some([7u8; 32]));
	}
	fn live_enclave(
		who: &crate::AccountId,
		model: aos_inference_primitives::ModelId,
	) -> (sp_core::ed25519::Public, sp_core::crypto::KeyTypeId) {
		let key = pallet_tee::benchmarking::live_enclave::<Runtime>(who, model);
		(key, pallet_tee::benchmarking::BENCHMARK_KEY_TYPE)
	}
}
