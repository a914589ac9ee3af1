//! The bridge to Ethereum's chain side (`pallet-checkpoints`): every period a root over the
//! settled task results and applied slashes, with the operator set's changes, signed by the
//! operators' Ethereum keys. [`production_params`] follow the AOS spec's 30-minute
//! checkpoints; [`dev_params`] close one a minute.

use crate::{constants::currency::UNITS, BlockNumber, Runtime, RuntimeEvent};
use aos_checkpoint_primitives::Leaf;
use aos_inference_primitives::settlement::{OnTaskSettled, SettledTask};
use aos_operators_primitives::{OffenceKind, OffenceReference, OnSlashApplied, SlashId};
use frame_support::{parameter_types, traits::ConstU32, weights::Weight};
use pallet_checkpoints::Params;
use sp_runtime::Perbill;

/// A 30-minute period, an hour to sign, two thirds of the operators' weight, and 90 checkpoints
/// (45 hours) kept for proofs and equivocation reports. An equivocation may be reported for
/// `retention × (period + signing_window)` (5.6 days), which must stay shorter than the
/// operators' unbonding period less their slash deferral (7 − 1 days): otherwise the signer's
/// stake could be gone before the report, and pallet-operators refuses every parameter change.
pub fn production_params() -> pallet_checkpoints::ParamsOf<Runtime> {
	use crate::constants::time::{HOURS, MINUTES};
	Params {
		period: 30 * MINUTES,
		signing_window: HOURS,
		quorum: Perbill::from_rational(2u32, 3u32),
		retention: 90,
	}
}

/// A checkpoint a minute, 30 seconds to sign it; 48 kept (reports within 864 blocks, short of
/// the dev operators' unbonding of 1,000 blocks less a deferral of 10).
pub fn dev_params() -> pallet_checkpoints::ParamsOf<Runtime> {
	Params {
		period: 12 as BlockNumber,
		signing_window: 6,
		quorum: Perbill::from_rational(2u32, 3u32),
		retention: 48,
	}
}

parameter_types! {
	/// What a chain gaining the pallet by upgrade starts with: the first its operators' slashing
	/// periods admit (a development chain's operators unbond too soon for the production
	/// report window; `InitParameters`).
	pub UpgradeParams: alloc::vec::Vec<pallet_checkpoints::ParamsOf<Runtime>> =
		alloc::vec![production_params(), dev_params()];
	pub DefaultParams: pallet_checkpoints::ParamsOf<Runtime> = production_params();
}

impl pallet_checkpoints::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = crate::Balance;
	type Operators = crate::Operators;
	type Slashing = crate::Operators;
	type SlashPeriods = super::operators::OperatorSlashPeriods;
	type GovernanceOrigin = crate::GovernanceOrigin;
	// One AOS of stake is one unit of weight on Ethereum: a task's fee share moves it rarely.
	type WeightUnit = frame_support::traits::ConstU128<UNITS>;
	// More than the settlements and slashes a block's weight admits.
	type MaxBatchLeaves = ConstU32<4096>;
	// The production period and signing window are 1,080 blocks: twice that, rounded up.
	type MaxBatches = ConstU32<2304>;
	type MaxUpdates = ConstU32<128>;
	type MaxMembers = ConstU32<1024>;
	type DefaultParams = DefaultParams;
	type WeightInfo = pallet_checkpoints::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// Records each settled task in the checkpoint.
pub struct RecordSettlements;
impl OnTaskSettled for RecordSettlements {
	fn on_task_settled(t: &SettledTask) {
		crate::Checkpoints::record(Leaf::Result {
			task: t.task,
			model: t.model,
			output: t.output,
			result: t.result,
			agreeing: t.agreeing,
			assigned: t.assigned,
		});
	}
	fn on_task_settled_weight() -> Weight {
		crate::Checkpoints::record_weight()
	}
}

/// Records each applied slash in the checkpoint, then routes its funds as pallet-inference
/// does (into the task's reward pool, or burned).
pub struct RecordSlashes;
impl OnSlashApplied<crate::AccountId, pallet_operators::CreditOf<Runtime>> for RecordSlashes {
	fn on_slash_applied(
		id: SlashId,
		offender: &crate::AccountId,
		kind: OffenceKind,
		reference: Option<OffenceReference>,
		credit: pallet_operators::CreditOf<Runtime>,
	) {
		use aos_operators_primitives::OperatorStandings;
		use frame_support::traits::Imbalance;
		let eth = crate::Operators::standing(offender).and_then(|s| s.eth).unwrap_or_default();
		let account: [u8; 32] = *offender.as_ref();
		crate::Checkpoints::record(Leaf::Slash {
			slash: id,
			operator: account.into(),
			eth,
			offence: kind as u8,
			amount: credit.peek(),
			reference,
		});
		crate::Inference::on_slash_applied(id, offender, kind, reference, credit)
	}
	fn on_slash_applied_weight() -> Weight {
		<crate::Inference as OnSlashApplied<_, _>>::on_slash_applied_weight()
			.saturating_add(crate::Checkpoints::record_weight())
			.saturating_add(<Runtime as frame_system::Config>::DbWeight::get().reads(1))
	}
}

/// Operators for the checkpoint pallet's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_checkpoints::benchmarking::BenchmarkHelper<crate::AccountId> for BenchmarkHelper {
	fn make_operator(
		who: &crate::AccountId,
		eth: aos_operators_primitives::EthAddress,
		units: u32,
	) {
		let min = pallet_operators::Parameters::<Runtime>::get().min_collateral;
		let collateral = min.max(UNITS.saturating_mul(units.into()));
		let mut key = [0u8; 32];
		key[..20].copy_from_slice(eth.as_bytes());
		let key = aos_operators_primitives::VrfPublic::from_raw(key);
		if let Err(e) = crate::Operators::benchmark_operator_with_eth(who, key, collateral, eth) {
			panic!("benchmark operator registration failed: {e:?}");
		}
	}
}
