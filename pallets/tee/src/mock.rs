//! A runtime with the pallet, balances and timestamp; accounts 1 to 9 are operators.

use crate as pallet_tee;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, Contains},
};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Timestamp: pallet_timestamp,
		Tee: pallet_tee,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
	// Database weights, so that `on_idle`'s budget is tested.
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ExistentialDeposit = frame_support::traits::ConstU128<1>;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

/// Accounts 1 to 9, and the one a benchmark makes.
pub struct MockOperators;
impl Contains<AccountId> for MockOperators {
	fn contains(who: &AccountId) -> bool {
		(1..10).contains(who) || BenchmarkOperator::get() == Some(*who)
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<AccountId> for MockOperators {
	fn make_operator(who: &AccountId) {
		BenchmarkOperator::set(Some(*who));
	}

	fn set_now(ms: u64) {
		set_now(ms);
	}
}

parameter_types! {
	pub const EnclaveDeposit: Balance = 500;
	pub static MaxCachedCertificates: u32 = 16;
	pub static BenchmarkOperator: Option<AccountId> = None;
}

impl pallet_tee::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Operators = MockOperators;
	type UnixTime = Timestamp;
	type Crypto = aos_nitro::Pure;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type MaxDocumentLen = ConstU32<{ aos_nitro::MAX_DOCUMENT_LEN as u32 }>;
	type MaxModelsPerImage = ConstU32<8>;
	type MaxCachedCertificates = MaxCachedCertificates;
	type EnclaveDeposit = EnclaveDeposit;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockOperators;
}

/// An hour: what the tests' chain allows a document's age to be.
pub const MAX_DOCUMENT_AGE_MS: u64 = 3_600_000;

/// Genesis trusting `roots`; accounts 1 to 10 funded.
pub fn new_test_ext(roots: Vec<[u8; 32]>) -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=10).map(|a| (a, 10_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_tee::GenesisConfig::<Test> {
		trusted_roots: roots,
		max_document_age_ms: MAX_DOCUMENT_AGE_MS,
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	// The benchmark of `check_result` makes an ed25519 key and signs with it.
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Sets chain time (Unix ms).
pub fn set_now(ms: u64) {
	pallet_timestamp::Now::<Test>::put(ms);
}
