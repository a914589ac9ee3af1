//! NPoS staking: validators are elected from stake every era by an on-chain sequential
//! Phragmén election over the nominators in the voter bags list.
//!
//! pallet-staking, not pallet-staking-async: see `docs/STAKING.md`.

use super::consensus::SessionsPerEra;
use crate::{
	bag_thresholds, constants::currency::*, AccountId, Balance, Balances, GovernanceOrigin,
	Runtime, RuntimeEvent, RuntimeHoldReason, Session, Staking, Timestamp, VoterList,
};
use frame_election_provider_support::{
	bounds::{ElectionBounds, ElectionBoundsBuilder},
	onchain, SequentialPhragmen, VoteWeight,
};
use frame_support::{parameter_types, traits::ConstU32};
use sp_runtime::{curve::PiecewiseLinear, Perbill};

// Yearly inflation paid to stakers, as a function of the share of the issuance staked: 2.5% at
// no stake, rising to 10% at the ideal 50% staked, then falling off (5% falloff) so that stake
// beyond the ideal earns less. What stakers do not get of the maximum is burned
// (`RewardRemainder`).
pallet_staking_reward_curve::build! {
	const REWARD_CURVE: PiecewiseLinear<'static> = curve!(
		min_inflation: 0_025_000,
		max_inflation: 0_100_000,
		ideal_stake: 0_500_000,
		falloff: 0_050_000,
		max_piece_count: 40,
		test_precision: 0_005_000,
	);
}

parameter_types! {
	pub const RewardCurve: &'static PiecewiseLinear<'static> = &REWARD_CURVE;
	/// Eras a stash waits after unbonding before it can withdraw: 28 eras, which is 7 days
	/// with production timing.
	pub const BondingDuration: sp_staking::EraIndex = 28;
	/// Eras a slash waits before it is applied, during which governance can cancel it. One
	/// less than the bonding duration, so that the slashed stake cannot leave first.
	pub const SlashDeferDuration: sp_staking::EraIndex = 27;
	/// Eras of reward and exposure history kept (21 days with production timing).
	pub const HistoryDepth: u32 = 84;
	/// Most validators in the active set.
	pub const MaxActiveValidators: u32 = 100;
	/// Nominators per validator exposure page; rewards are paid per page.
	pub const MaxExposurePageSize: u32 = 512;
	/// Most voters (nominators and validators) one election reads: it runs on chain in one
	/// block, so it must stay well within the block weight.
	pub const MaxElectingVoters: u32 = 10_000;
	pub ElectionBoundsOnChain: ElectionBounds = ElectionBoundsBuilder::default()
		.voters_count(MaxElectingVoters::get().into())
		.build();
	/// Most backers a winner keeps in the election result.
	pub const MaxBackersPerWinner: u32 = 2_048;
	pub const BagThresholds: &'static [u64] = &bag_thresholds::THRESHOLDS;
}

/// The on-chain election: sequential Phragmén, run in one block at the end of an era.
pub struct OnChainSeqPhragmen;
impl onchain::Config for OnChainSeqPhragmen {
	type System = Runtime;
	type Solver = SequentialPhragmen<AccountId, Perbill>;
	type DataProvider = Staking;
	type WeightInfo = frame_election_provider_support::weights::SubstrateWeight<Runtime>;
	type Bounds = ElectionBoundsOnChain;
	type MaxBackersPerWinner = MaxBackersPerWinner;
	type MaxWinnersPerPage = MaxActiveValidators;
	type Sort = frame_support::traits::ConstBool<true>;
}

/// Test and benchmark sizes of the staking benchmarks.
pub struct StakingBenchmarkingConfig;
impl pallet_staking::BenchmarkingConfig for StakingBenchmarkingConfig {
	type MaxNominators = ConstU32<1_000>;
	type MaxValidators = ConstU32<100>;
}

impl pallet_staking::Config for Runtime {
	type OldCurrency = Balances;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type CurrencyBalance = Balance;
	type UnixTime = Timestamp;
	type CurrencyToVote = sp_staking::currency_to_vote::U128CurrencyToVote;
	type ElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type GenesisElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type NominationsQuota = pallet_staking::FixedNominationsQuota<16>;
	type HistoryDepth = HistoryDepth;
	/// The part of the maximum inflation not paid to stakers is burned.
	type RewardRemainder = ();
	type RuntimeEvent = RuntimeEvent;
	/// Slashed stake is burned.
	type Slash = ();
	type Reward = ();
	type SessionsPerEra = SessionsPerEra;
	type BondingDuration = BondingDuration;
	type SlashDeferDuration = SlashDeferDuration;
	/// Cancels deferred slashes and sets the validator count and other staking parameters.
	type AdminOrigin = GovernanceOrigin;
	type SessionInterface = Self;
	type EraPayout = pallet_staking::ConvertCurve<RewardCurve>;
	type NextNewSession = Session;
	type MaxExposurePageSize = MaxExposurePageSize;
	type MaxValidatorSet = MaxActiveValidators;
	type VoterList = VoterList;
	type TargetList = pallet_staking::UseValidatorsMap<Self>;
	type MaxUnlockingChunks = ConstU32<32>;
	type MaxControllersInDeprecationBatch = ConstU32<5_900>;
	type EventListeners = ();
	type Filter = frame_support::traits::Nothing;
	type BenchmarkingConfig = StakingBenchmarkingConfig;
	type WeightInfo = pallet_staking::weights::SubstrateWeight<Runtime>;
}

impl pallet_bags_list::Config<pallet_bags_list::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Staking is the source of truth for voter scores.
	type ScoreProvider = Staking;
	type WeightInfo = pallet_bags_list::weights::SubstrateWeight<Runtime>;
	type BagThresholds = BagThresholds;
	/// Voters are re-bagged by their own `rebag` calls, not automatically.
	type MaxAutoRebagPerBlock = ConstU32<0>;
	type Score = VoteWeight;
}

/// The minimum a validator must bond at genesis in the presets: 10,000 AOS.
pub const MIN_VALIDATOR_BOND: Balance = 10_000 * UNITS;
/// The minimum a nominator must bond at genesis in the presets: 100 AOS.
pub const MIN_NOMINATOR_BOND: Balance = 100 * UNITS;
