//! Test runtime for the chain timing pallet.

use crate as pallet_chain_timing;
use frame_support::{derive_impl, parameter_types};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		ChainTiming: pallet_chain_timing,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

parameter_types! {
	pub const DefaultEpochDuration: u64 = 720;
	pub const DefaultSessionsPerEra: u32 = 6;
}

impl pallet_chain_timing::Config for Test {
	type DefaultEpochDuration = DefaultEpochDuration;
	type DefaultSessionsPerEra = DefaultSessionsPerEra;
}

/// Externalities built from the given genesis config.
pub fn new_test_ext(genesis: pallet_chain_timing::GenesisConfig<Test>) -> sp_io::TestExternalities {
	RuntimeGenesisConfig { system: Default::default(), chain_timing: genesis }
		.build_storage()
		.map(Into::into)
		.unwrap_or_else(|e| panic!("genesis build failed: {e}"))
}
