//! A runtime with the pallet alone; operators and slashing are tables the tests set.

use crate as pallet_checkpoints;
use aos_checkpoint_primitives::CheckpointMessage;
use aos_operators_primitives::{
	eth_address_of, EthAddress, OffenceKind, OffenceReference, OnOperatorChange, OperatorStandings,
	SlashOutcome, SlashPeriods, Standing,
};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, Hooks},
};
use sp_core::Pair as _;
use sp_runtime::{BuildStorage, DispatchError, Perbill};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;
pub type BlockNumber = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Checkpoints: pallet_checkpoints,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
}

std::thread_local! {
	static STANDINGS: RefCell<BTreeMap<AccountId, Standing<Balance>>> =
		const { RefCell::new(BTreeMap::new()) };
	static REPORTS: RefCell<Vec<(AccountId, OffenceKind, Option<OffenceReference>)>> =
		const { RefCell::new(Vec::new()) };
}

/// Operators as the tests set them.
pub struct MockOperators;
impl OperatorStandings<AccountId, Balance> for MockOperators {
	fn standing(who: &AccountId) -> Option<Standing<Balance>> {
		STANDINGS.with(|s| s.borrow().get(who).copied())
	}
	fn for_each_standing(mut f: impl FnMut(AccountId, Standing<Balance>)) -> u32 {
		let all: Vec<_> = STANDINGS.with(|s| s.borrow().clone().into_iter().collect());
		let count = all.len() as u32;
		all.into_iter().for_each(|(who, st)| f(who, st));
		count
	}
}

/// Makes `who` an operator the pallet is not told of, as one that existed before the pallet
/// was added to a running chain.
pub fn preexisting_operator(who: AccountId, stake: Balance) {
	STANDINGS.with(|s| {
		s.borrow_mut().insert(who, Standing { eth: Some(eth(who)), stake, active: true })
	});
}

/// Records offence reports.
pub struct MockSlashing;
impl aos_operators_primitives::SlashOperator<AccountId> for MockSlashing {
	fn report_offence(
		offender: &AccountId,
		kind: OffenceKind,
		reference: Option<OffenceReference>,
	) -> Result<SlashOutcome, DispatchError> {
		REPORTS.with(|r| r.borrow_mut().push((*offender, kind, reference)));
		Ok(SlashOutcome::Skipped)
	}
	fn report_offence_weight() -> frame_support::weights::Weight {
		Default::default()
	}
}

/// The offences reported so far.
pub fn reports() -> Vec<(AccountId, OffenceKind, Option<OffenceReference>)> {
	REPORTS.with(|r| r.borrow().clone())
}

/// One unit of weight per 100 of stake.
pub const UNIT: Balance = 100;
/// Period, signing window.
pub const PERIOD: BlockNumber = 10;
pub const WINDOW: BlockNumber = 4;

parameter_types! {
	pub DefaultParams: crate::ParamsOf<Test> = crate::Params {
		period: PERIOD,
		signing_window: WINDOW,
		quorum: Perbill::from_percent(67),
		retention: 3,
	};
	// Unbonding long enough for report windows up to 189 blocks ([`DefaultParams`]: 42).
	pub static Periods: SlashPeriods<BlockNumber> = SlashPeriods { defer: 10, unbonding: 200 };
	pub static MaxBatchLeaves: u32 = 8;
	pub static MaxMembers: u32 = 16;
}

impl pallet_checkpoints::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Operators = MockOperators;
	type Slashing = MockSlashing;
	type SlashPeriods = Periods;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type WeightUnit = ConstU128<UNIT>;
	type MaxBatchLeaves = MaxBatchLeaves;
	type MaxBatches = ConstU32<32>;
	type MaxUpdates = ConstU32<8>;
	type MaxMembers = MaxMembers;
	type DefaultParams = DefaultParams;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockOperators;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<AccountId> for MockOperators {
	fn make_operator(who: &AccountId, eth: EthAddress, units: u32) {
		let standing =
			Standing { eth: Some(eth), stake: UNIT * Balance::from(units), active: true };
		set_standing(*who, Some(standing));
	}
}

/// The Ethereum key of operator `who`.
pub fn eth_pair(who: AccountId) -> sp_core::ecdsa::Pair {
	let mut seed = [7u8; 32];
	seed[..8].copy_from_slice(&who.to_le_bytes());
	sp_core::ecdsa::Pair::from_seed(&seed)
}

/// The EIP-191 signature `who`'s Ethereum key makes of `hash` (`v` 27 or 28).
pub fn sign_hash(who: AccountId, hash: &[u8; 32]) -> [u8; 65] {
	let mut signature = [0u8; 65];
	signature.copy_from_slice(eth_pair(who).sign_prehashed(hash).as_ref());
	signature[64] += 27;
	signature
}

/// Operator `who`'s Ethereum address.
pub fn eth(who: AccountId) -> EthAddress {
	let hash = [1u8; 32];
	let mut signature = sign_hash(who, &hash);
	signature[64] -= 27;
	let public = sp_io::crypto::secp256k1_ecdsa_recover(&signature, &hash)
		.unwrap_or_else(|_| panic!("a signature just made recovers"));
	eth_address_of(&public)
}

/// `who`'s signature of `message`.
pub fn sign_message(who: AccountId, message: &CheckpointMessage) -> [u8; 65] {
	sign_hash(who, &message.signing_hash())
}

/// Sets `who`'s standing (`None`: not an operator) and tells the pallet, as pallet-operators
/// does.
pub fn set_standing(who: AccountId, standing: Option<Standing<Balance>>) {
	let before = MockOperators::standing(&who);
	STANDINGS.with(|s| match standing {
		Some(st) => s.borrow_mut().insert(who, st),
		None => s.borrow_mut().remove(&who),
	});
	<Checkpoints as OnOperatorChange<_, _>>::on_operator_change(
		&who,
		before.as_ref(),
		standing.as_ref(),
	);
}

/// Makes `who` an active operator with its own address and `stake`.
pub fn operator(who: AccountId, stake: Balance) {
	set_standing(who, Some(Standing { eth: Some(eth(who)), stake, active: true }));
}

/// Test externalities at block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage =
		RuntimeGenesisConfig::default().build_storage().unwrap_or_else(|e| panic!("genesis: {e}"));
	let mut ext = sp_io::TestExternalities::new(storage);
	// The benchmarks make their Ethereum keys in a keystore.
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| {
		System::set_block_number(1);
		STANDINGS.with(|s| s.borrow_mut().clear());
		REPORTS.with(|r| r.borrow_mut().clear());
	});
	ext
}

/// Runs `test` and then checks the pallet's invariants.
pub fn test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		if let Err(e) = Checkpoints::do_try_state() {
			panic!("invariants broken after the test: {e:?}");
		}
	});
}

/// Finishes the current block and runs blocks up to `n`, each with its hooks.
pub fn run_to_block(n: BlockNumber) {
	while System::block_number() < n {
		Checkpoints::on_finalize(System::block_number());
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Checkpoints::on_initialize(next);
	}
}

/// The pallet's events so far.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Checkpoints(e) => Some(e),
			_ => None,
		})
		.collect()
}
