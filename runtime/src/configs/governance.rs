//! Governance: root and the council.
//!
//! - [`GovernanceOrigin`] — root, or at least two thirds of the council acting through a motion
//!   — is the one origin that AOS's own pallets require for their parameters (slash amounts
//!   first of all), and that staking uses as its admin origin.
//! - [`RootOrigin`] — root, or at least three quarters of the council — may dispatch any call as
//!   root through pallet-root-dispatch: runtime upgrades, staking's validator count, the
//!   council's own membership. Root itself is reached through sudo only on development and
//!   local chains.
//!
//! The council's membership changes only by root: were it a 2/3 motion, two thirds could add
//! members until they are three quarters, and so reach root. Members who do not vote count as
//! voting no when a motion is closed: no motion, least of all a root one, passes by a prime
//! member's default.

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
	/// Members who did not vote count as voting no.
	type DefaultVote = NoDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// Only root changes the council's membership (a 3/4 motion through root-dispatch).
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = GovernanceOrigin;
	type KillOrigin = GovernanceOrigin;
	/// Proposing costs only the transaction fee: only members can propose.
	type Consideration = ();
}

/// Members who did not vote are counted as voting no: a motion passes only on the votes cast.
pub struct NoDefaultVote;
impl pallet_collective::DefaultVote for NoDefaultVote {
	fn default_vote(
		_prime_vote: Option<bool>,
		_yes_votes: pallet_collective::MemberCount,
		_no_votes: pallet_collective::MemberCount,
		_len: pallet_collective::MemberCount,
	) -> bool {
		false
	}
}

impl pallet_root_dispatch::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RootOrigin = RootOrigin;
	type WeightInfo = pallet_root_dispatch::weights::SubstrateWeight<Runtime>;
}
