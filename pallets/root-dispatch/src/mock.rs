//! Test runtime: root dispatch gated by a fixed account, standing in for a council majority.

use crate as pallet_root_dispatch;
use frame_support::{derive_impl, ord_parameter_types};
use frame_system::EnsureSignedBy;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		RootDispatch: pallet_root_dispatch,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// The account allowed to dispatch as root in the tests.
pub const GOVERNOR: u64 = 1;

ord_parameter_types! {
	pub const Governor: u64 = GOVERNOR;
}

impl pallet_root_dispatch::Config for Test {
	type RuntimeCall = RuntimeCall;
	type RootOrigin = EnsureSignedBy<Governor, u64>;
	type WeightInfo = ();
}

/// Empty externalities at block 1 (events are recorded from block 1 on).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap_or_else(|e| panic!("genesis: {e}"));
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
