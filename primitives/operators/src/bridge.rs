//! What the bridge to Ethereum sees of an operator: its bound Ethereum address and its stake,
//! and when either may have changed.

use crate::EthAddress;
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::Weight;

/// An operator's standing as the bridge weighs it.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct Standing<Balance> {
	/// Its bound Ethereum address, if any: without one it cannot sign checkpoints.
	pub eth: Option<EthAddress>,
	/// Its active stake, own and delegated.
	pub stake: Balance,
	/// Whether it is active (not chilled, not leaving).
	pub active: bool,
}

/// Told when an operator's record changes (`None`: it does not exist). Called on every write of
/// an operator record, so it must be cheap when nothing it cares about changed.
pub trait OnOperatorChange<AccountId, Balance> {
	/// `who`'s standing went from `before` to `after`.
	fn on_operator_change(
		who: &AccountId,
		before: Option<&Standing<Balance>>,
		after: Option<&Standing<Balance>>,
	);
	/// The most weight [`Self::on_operator_change`] takes: charged by the operator set's
	/// calls and hooks with every record they write.
	fn on_operator_change_weight() -> Weight {
		Weight::zero()
	}
}

impl<AccountId, Balance> OnOperatorChange<AccountId, Balance> for () {
	fn on_operator_change(
		_: &AccountId,
		_: Option<&Standing<Balance>>,
		_: Option<&Standing<Balance>>,
	) {
	}
}

/// Reads an operator's current standing.
pub trait OperatorStandings<AccountId, Balance> {
	/// `who`'s standing, if it is an operator.
	fn standing(who: &AccountId) -> Option<Standing<Balance>>;
	/// Calls `f` with every operator and its standing, in storage order, and returns how many
	/// there were. Reads every operator record: for migrations, not for blocks.
	fn for_each_standing(f: impl FnMut(AccountId, Standing<Balance>)) -> u32;
}
