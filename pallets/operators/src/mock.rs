//! Test runtime: system, balances and the operators pallet, with 5-second blocks and the
//! production parameters expressed in blocks.

use crate::{self as pallet_operators, *};
use codec::Encode;
use frame_support::{
	derive_impl, ord_parameter_types, parameter_types,
	traits::{fungible::Mutate, ConstU64, Hooks},
	PalletId,
};
use frame_system::EnsureSignedBy;
use sp_core::{sr25519, Pair};
use sp_runtime::{traits::IdentityLookup, BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u128;
pub type Balance = u128;
pub type BlockNumber = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Operators: pallet_operators,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ExistentialDeposit = ExistentialDeposit;
}

/// Blocks of 5 seconds, as on the AOS chain.
pub const MINUTES: BlockNumber = 12;
pub const HOURS: BlockNumber = 60 * MINUTES;
pub const DAYS: BlockNumber = 24 * HOURS;

/// The account that stands in for governance (a council majority in the runtime).
pub const GOVERNOR: AccountId = 9_999;
pub const ED: Balance = 1;

ord_parameter_types! {
	pub const Governor: AccountId = GOVERNOR;
}

/// The AOS production parameters, with slashing enabled from genesis unless a test says
/// otherwise.
pub fn default_params() -> ParamsOf<Test> {
	let rule = |amount, percent| SlashRule {
		amount,
		max_fraction: Perbill::from_percent(percent),
		enabled_from: 0,
	};
	Params {
		min_collateral: 1_000,
		min_delegation: 10,
		unbonding_period: 7 * DAYS,
		heartbeat_period: 10 * MINUTES,
		offline_grace: HOURS,
		mass_outage_threshold: Perbill::from_percent(50),
		slash_defer_period: DAYS,
		slash_rules: SlashRules {
			offline: rule(10, 10),
			wrong_result: rule(1_000, 100),
			zk_proof_invalid: rule(100, 50),
			attestation_invalid: rule(100, 50),
			dispute_lost: rule(1_000, 100),
			checkpoint_equivocation: rule(1_000, 100),
		},
	}
}

parameter_types! {
	pub const ExistentialDeposit: Balance = ED;
	pub const OperatorsPalletId: PalletId = PalletId(*b"aos/oprs");
	pub const MaxPeriod: BlockNumber = 365 * DAYS;
	pub DefaultParams: ParamsOf<Test> = default_params();
}

impl pallet_operators::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = EnsureSignedBy<Governor, AccountId>;
	type OnSlash = SlashSink;
	type OnChange = ChangeLog;
	type Reporters = MockReporters;
	type SelectionDelay = ConstU64<SELECTION_DELAY>;
	type PalletId = OperatorsPalletId;
	type MaxNameLen = frame_support::traits::ConstU32<64>;
	type MaxEndpointLen = frame_support::traits::ConstU32<128>;
	type MaxUnlockingChunks = frame_support::traits::ConstU32<8>;
	type MaxPeriod = MaxPeriod;
	type MaxLivenessChecksPerBlock = frame_support::traits::ConstU32<16>;
	type MaxSlashesPerBlock = frame_support::traits::ConstU32<16>;
	type DefaultParams = DefaultParams;
	type WeightInfo = ();
}

/// How long newly bonded stake and new VRF keys wait before they count for sampling.
pub const SELECTION_DELAY: BlockNumber = 10;

std::thread_local! {
	/// The reporters' (task pallets') longest report delay and shortest routing window.
	pub static REPORTER_TIMING: core::cell::Cell<(BlockNumber, BlockNumber)> =
		const { core::cell::Cell::new((0, BlockNumber::MAX)) };
}

/// Stands in for the task pallets' timing.
pub struct MockReporters;
impl OffenceReporting<BlockNumber> for MockReporters {
	fn max_report_delay() -> BlockNumber {
		REPORTER_TIMING.with(|t| t.get().0)
	}
	fn min_routing_window() -> BlockNumber {
		REPORTER_TIMING.with(|t| t.get().1)
	}
}

/// Where slashed funds go in the tests: this account, so that tests can see them arrive.
pub const SLASH_SINK: AccountId = 8_888;

/// Pays slashed funds into [`SLASH_SINK`] and records which slashes were applied.
pub struct SlashSink;
impl OnSlashApplied<AccountId, CreditOf<Test>> for SlashSink {
	fn on_slash_applied(
		id: SlashId,
		_: &AccountId,
		kind: OffenceKind,
		reference: Option<OffenceReference>,
		credit: CreditOf<Test>,
	) {
		use frame_support::traits::{fungible::Balanced, Imbalance};
		let amount = credit.peek();
		if let Err(left) = <Balances as Balanced<AccountId>>::resolve(&SLASH_SINK, credit) {
			panic!("slash sink refused {:?}", left.peek());
		}
		APPLIED.with(|a| a.borrow_mut().push((id, kind, reference, amount)));
	}
}

/// A slash [`SlashSink`] received: (slash id, kind, reference, amount).
pub type AppliedSlash = (SlashId, OffenceKind, Option<OffenceReference>, Balance);

std::thread_local! {
	/// Every slash [`SlashSink`] received.
	pub static APPLIED: core::cell::RefCell<Vec<AppliedSlash>> =
		const { core::cell::RefCell::new(Vec::new()) };
}

/// The slashes applied so far.
pub fn applied_slashes() -> Vec<AppliedSlash> {
	APPLIED.with(|a| a.borrow().clone())
}

/// A standing change [`ChangeLog`] was told of: (operator, before, after).
pub type StandingChange = (
	AccountId,
	Option<aos_operators_primitives::Standing<Balance>>,
	Option<aos_operators_primitives::Standing<Balance>>,
);

std::thread_local! {
	/// Every standing change [`ChangeLog`] was told of.
	pub static CHANGES: core::cell::RefCell<Vec<StandingChange>> =
		const { core::cell::RefCell::new(Vec::new()) };
}

/// Records the standing changes pallet-operators reports.
pub struct ChangeLog;
impl aos_operators_primitives::OnOperatorChange<AccountId, Balance> for ChangeLog {
	fn on_operator_change(
		who: &AccountId,
		before: Option<&aos_operators_primitives::Standing<Balance>>,
		after: Option<&aos_operators_primitives::Standing<Balance>>,
	) {
		CHANGES.with(|c| c.borrow_mut().push((*who, before.copied(), after.copied())));
	}
}

/// The standing changes reported so far, emptying the log.
pub fn take_standing_changes() -> Vec<StandingChange> {
	CHANGES.with(|c| core::mem::take(&mut *c.borrow_mut()))
}

/// Operators of the tests; each starts with [`START_BALANCE`].
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const DAVE: AccountId = 4;
/// Delegators.
pub const DELEGATOR: AccountId = 100;
pub const DELEGATOR_2: AccountId = 101;
pub const START_BALANCE: Balance = 1_000_000;

/// Test externalities at block 1, with funded accounts and the given parameters.
pub fn new_test_ext_with(params: ParamsOf<Test>) -> sp_io::TestExternalities {
	let funded = [ALICE, BOB, CHARLIE, DAVE, DELEGATOR, DELEGATOR_2, GOVERNOR];
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		balances: pallet_balances::GenesisConfig {
			balances: funded.iter().map(|a| (*a, START_BALANCE)).collect(),
			..Default::default()
		},
		operators: pallet_operators::GenesisConfig { params: Some(params) },
	}
	.build_storage()
	.unwrap_or_else(|e| panic!("genesis: {e}"));
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| {
		// Block 1 as on a chain: its hooks run before its extrinsics.
		System::set_block_number(1);
		<Operators as frame_support::traits::Hooks<BlockNumber>>::on_initialize(1);
		APPLIED.with(|a| a.borrow_mut().clear());
	});
	ext
}

/// Test externalities with the default parameters.
pub fn new_test_ext() -> sp_io::TestExternalities {
	new_test_ext_with(default_params())
}

/// Runs `test` and then checks the pallet's invariants.
pub fn test(params: ParamsOf<Test>, test: impl FnOnce()) {
	new_test_ext_with(params).execute_with(|| {
		test();
		if let Err(e) = Operators::do_try_state() {
			panic!("invariants broken after the test: {e:?}");
		}
	});
}

/// The VRF key pair of account `who` (deterministic; `version` gives another key).
pub use aos_test_utils::vrf_pair;

/// `pair`'s proof that `who` owns it.
pub fn vrf_proof(who: AccountId, pair: &sr25519::Pair) -> sr25519::Signature {
	let mut message = VRF_KEY_PROOF_PREFIX.to_vec();
	who.encode_to(&mut message);
	pair.sign(&message)
}

/// Registers `who` as an operator with `collateral`, no commission.
pub fn register(who: AccountId, collateral: Balance) {
	register_with(who, collateral, Perbill::zero());
}

/// Registers `who` as an operator with `collateral` and `commission`.
pub fn register_with(who: AccountId, collateral: Balance, commission: Perbill) {
	let pair = vrf_pair(who, 0);
	if let Err(e) = Operators::register(
		RuntimeOrigin::signed(who),
		b"operator".to_vec(),
		b"https://op.example".to_vec(),
		pair.public(),
		vrf_proof(who, &pair),
		None,
		commission,
		collateral,
	) {
		panic!("register {who}: {e:?}");
	}
}

/// The Ethereum address of secp256k1 key `seed`, with its proof for `who`: the EIP-191
/// signature an Ethereum wallet or Web3Signer's `eth_sign` would make, `v` as 27/28.
pub fn eth_binding(who: AccountId, seed: u8) -> aos_operators_primitives::EthBinding {
	use aos_operators_primitives::{eip191_hash, eth_address_message, eth_address_of};
	let pair = sp_core::ecdsa::Pair::from_seed(&[seed; 32]);
	let hash = eip191_hash(&eth_address_message(&who));
	let mut signature = [0u8; 65];
	signature.copy_from_slice(pair.sign_prehashed(&hash).as_ref());
	let public = sp_io::crypto::secp256k1_ecdsa_recover(&signature, &hash)
		.unwrap_or_else(|_| panic!("a signature just made recovers"));
	signature[64] += 27;
	aos_operators_primitives::EthBinding { address: eth_address_of(&public), signature }
}

/// Gives `who` `amount` more funds.
pub fn fund(who: AccountId, amount: Balance) {
	if let Err(e) = <Balances as Mutate<AccountId>>::mint_into(&who, amount) {
		panic!("mint: {e:?}");
	}
}

/// Runs blocks up to `n` (inclusive), with the pallet's `on_initialize` at each.
pub fn run_to_block(n: BlockNumber) {
	run_to_block_with(n, &[]);
}

/// Runs blocks up to `n`, each of `alive` heartbeating at the start of every heartbeat period.
pub fn run_to_block_with(n: BlockNumber, alive: &[AccountId]) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Operators::on_initialize(next);
		let period = Parameters::<Test>::get().heartbeat_period;
		if next.is_multiple_of(period) {
			for who in alive {
				if let Err(e) = Operators::heartbeat(RuntimeOrigin::signed(*who)) {
					panic!("heartbeat of {who}: {e:?}");
				}
			}
		}
	}
}

/// The pallet's events so far.
pub fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Operators(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// The funds on hold for `who`'s collateral.
pub fn held_collateral(who: AccountId) -> Balance {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&HoldReason::Collateral.into(), &who)
}

/// The funds on hold in `operator`'s delegation pool.
pub fn held_delegations(operator: AccountId) -> Balance {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&HoldReason::Delegation.into(), &Operators::pool_account(&operator))
}

/// `who`'s free balance.
pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

/// `staker`'s stake with `operator`: (active, unbonding total).
pub fn stake(operator: AccountId, staker: AccountId) -> (Balance, Balance) {
	Operators::stake_state(&operator, &staker)
		.map(|s| (s.active, s.unbonding.iter().map(|(_, v)| v).sum()))
		.unwrap_or_default()
}

/// Governance sets parameters.
pub fn govern(changes: Vec<ParameterOf<Test>>) -> sp_runtime::DispatchResult {
	let changes = changes.try_into().unwrap_or_else(|_| panic!("too many changes"));
	Operators::set_parameters(RuntimeOrigin::signed(GOVERNOR), changes)
}
