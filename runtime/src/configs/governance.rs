//! Governance: root and the council.
//!
//! - [`GovernanceOrigin`] — root, or at least two thirds of the council acting through a motion
//!   — is the one origin that AOS's own pallets require for their parameters (slash amounts
//!   first of all), and that staking uses as its admin origin.
//! - [`RootOrigin`] — root, or at least three quarters of the council — may dispatch any call as
//!   root through pallet-root-dispatch: runtime upgrades, staking's validator count. Root itself
//!   is reached through sudo only on development and local chains.

use crate::{
	constants::time::DAYS, AccountId, BlockNumber, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeOrigin,
};
use frame_support::{parameter_types, traits::EitherOfDiverse, weights::Weight};
use frame_system::EnsureRoot;
use sp_runtime::Perbill;

/// The council's instance of pallet-collective.
pub type CouncilCollective = pallet_collective::Instance1;

/// Root, or a council motion approved by at least 2/3 of the council's members.
pub type GovernanceOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>,
>;

/// Root, or a council motion approved by at least 3/4 of the council's members: may dispatch
/// calls as root (pallet-root-dispatch).
pub type RootOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 3, 4>,
>;

parameter_types! {
	/// How long a council motion stays open for votes.
	pub const CouncilMotionDuration: BlockNumber = 3 * DAYS;
	/// Most open council motions.
	pub const CouncilMaxProposals: u32 = 100;
	/// Most council members.
	pub const CouncilMaxMembers: u32 = 100;
	/// Heaviest call a motion may dispatch: half a block.
	pub MaxProposalWeight: Weight =
		Perbill::from_percent(50) * super::RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = CouncilMaxProposals;
	type MaxMembers = CouncilMaxMembers;
	/// Members who did not vote count with the prime member's vote.
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// The council can change its own membership by a 2/3 motion, or root can.
	type SetMembersOrigin = GovernanceOrigin;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = GovernanceOrigin;
	type KillOrigin = GovernanceOrigin;
	/// Proposing costs only the transaction fee: only members can propose.
	type Consideration = ();
}

impl pallet_root_dispatch::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RootOrigin = RootOrigin;
	type WeightInfo = pallet_root_dispatch::weights::SubstrateWeight<Runtime>;
}
