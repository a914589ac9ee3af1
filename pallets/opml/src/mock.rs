//! A runtime with the pallet and balances; the inference pallet's side is [`MockTasks`].

use crate as pallet_opml;
use aos_inference_primitives::{
	optimistic::{OptimisticTasks, OptimisticTerms, PostRefusal},
	TaskId,
};
use aos_operators_primitives::SlashPeriods;
use core::cell::RefCell;
use frame_support::{derive_impl, parameter_types, traits::ConstU32, weights::Weight};
use sp_core::H256;
use sp_runtime::{BuildStorage, Perbill};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Opml: pallet_opml,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ExistentialDeposit = frame_support::traits::ConstU128<1>;
}

/// Where a mock task is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TaskState {
	/// Waiting for the defender's result.
	Posting,
	/// Its result is posted.
	Challenging,
	/// It settled on this result.
	Stood(H256, Vec<u32>),
	/// Its result was overturned: the defender was reported.
	Overturned,
}

/// A mock optimistic task.
#[derive(Clone, Debug)]
pub struct MockTask {
	pub defender: AccountId,
	pub terms: OptimisticTerms,
	pub input: Vec<i8>,
	pub state: TaskState,
}

thread_local! {
	pub static TASKS: RefCell<BTreeMap<TaskId, MockTask>> = const { RefCell::new(BTreeMap::new()) };
}

/// Adds task `id` waiting for `defender`'s result.
pub fn add_task(id: TaskId, defender: AccountId, terms: OptimisticTerms, input: Vec<i8>) {
	TASKS.with(|t| {
		t.borrow_mut().insert(id, MockTask { defender, terms, input, state: TaskState::Posting })
	});
}

/// Task `id`'s state.
pub fn task_state(id: TaskId) -> Option<TaskState> {
	TASKS.with(|t| t.borrow().get(&id).map(|t| t.state.clone()))
}

fn set_state(id: TaskId, state: TaskState) {
	TASKS.with(|t| {
		if let Some(task) = t.borrow_mut().get_mut(&id) {
			task.state = state;
		}
	});
}

/// The inference pallet's side, as the tests see it.
pub struct MockTasks;
impl OptimisticTasks<AccountId> for MockTasks {
	fn awaiting(task: TaskId, who: &AccountId) -> Result<OptimisticTerms, PostRefusal> {
		let t = TASKS.with(|t| t.borrow().get(&task).cloned()).ok_or(PostRefusal::UnknownTask)?;
		if t.state != TaskState::Posting {
			return Err(PostRefusal::NotPosting);
		}
		if t.defender != *who {
			return Err(PostRefusal::NotAssigned);
		}
		Ok(t.terms)
	}
	fn posted(task: TaskId, _: &AccountId) {
		set_state(task, TaskState::Challenging);
	}
	fn input(task: TaskId) -> Option<Vec<i8>> {
		TASKS.with(|t| t.borrow().get(&task).map(|t| t.input.clone()))
	}
	fn stood(task: TaskId, _: &AccountId, output: H256, top: Vec<u32>) {
		set_state(task, TaskState::Stood(output, top));
	}
	fn overturned(task: TaskId, _: &AccountId) -> Weight {
		set_state(task, TaskState::Overturned);
		Weight::zero()
	}
	fn post_weight() -> Weight {
		Weight::zero()
	}
	fn stood_weight() -> Weight {
		Weight::zero()
	}
	fn overturned_weight() -> Weight {
		Weight::zero()
	}
	fn input_weight() -> Weight {
		Weight::zero()
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_task(defender: &AccountId, terms: OptimisticTerms, input: Vec<i8>) -> TaskId {
		let id = TASKS.with(|t| t.borrow().keys().last().map_or(0, |k| k + 1));
		add_task(id, *defender, terms, input);
		id
	}
}

pub const CHALLENGE_PERIOD: u64 = 20;
pub const CLOCK: u64 = 30;
pub const RESULT_BOND: Balance = 1_000;
pub const CHALLENGE_BOND: Balance = 400;
pub const START: Balance = 100_000;

parameter_types! {
	pub const Periods: SlashPeriods<u64> = SlashPeriods { defer: 10, unbonding: 1_000 };
	pub const DefaultParams: crate::Params<u64, Balance> = crate::Params {
		challenge_period: CHALLENGE_PERIOD,
		clock: CLOCK,
		result_bond: RESULT_BOND,
		challenge_bond: CHALLENGE_BOND,
		max_challengers: 3,
		burn: Perbill::from_percent(10),
	};
}

impl pallet_opml::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Tasks = MockTasks;
	type SlashPeriods = Periods;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type MaxLayers = ConstU32<{ aos_kernel::model::MAX_LAYERS as u32 }>;
	type MaxWidth = ConstU32<{ aos_kernel::model::MAX_WIDTH }>;
	type MaxTopK = ConstU32<16>;
	type MaxChallengers = ConstU32<4>;
	type DefaultParams = DefaultParams;
	type WeightInfo = ();
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	TASKS.with(|t| t.borrow_mut().clear());
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=9).map(|a| (a, START)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_opml::GenesisConfig::<Test>::default().assimilate_storage(&mut storage).unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
