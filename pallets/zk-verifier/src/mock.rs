//! A runtime with the pallet, balances, and a stand-in for pallet-inference's tasks.

use crate as pallet_zk_verifier;
use aos_inference_primitives::{
	account_bytes, task_hash,
	zk::{proof_commitment, proof_hash, ZkLink, ZkModel, ZkTask, ZkTaskError, ZkTasks},
	ModelId, TaskId,
};
use core::cell::RefCell;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use sp_runtime::BuildStorage;
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Zk: pallet_zk_verifier,
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

parameter_types! {
	/// Settable per test (`MaxInstances::set`).
	pub static MaxProofLen: u32 = 65_536;
	pub static MaxInstances: u32 = 512;
	/// The costliest real vector's (mlp508).
	pub static MaxVerifySteps: u32 = 4_243;
	pub static MaxMsmTerms: u32 = 45;
	pub const DepositBase: Balance = 1_000;
	pub const DepositPerByte: Balance = 1;
}

impl pallet_zk_verifier::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Tasks = MockTasks;
	type Curve = aos_zk::Pure;
	type MaxVkaLen = ConstU32<65_536>;
	type MaxProofLen = MaxProofLen;
	type MaxInstances = MaxInstances;
	type DepositBase = DepositBase;
	type DepositPerByte = DepositPerByte;
	type MaxVerifySteps = MaxVerifySteps;
	type MaxMsmTerms = MaxMsmTerms;
	type GovernanceOrigin = frame_system::EnsureRoot<AccountId>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockTasks;
}

/// A task of the stand-in.
#[derive(Clone)]
pub struct MockTask {
	pub model: ModelId,
	/// The VK it was submitted under.
	pub link: ZkLink,
	pub input: Vec<i8>,
	pub zk: bool,
	pub open: bool,
	pub assigned: Vec<AccountId>,
	/// Unspent commitments to proofs.
	pub commitments: Vec<(AccountId, [u8; 32])>,
	pub settled: Option<(AccountId, Vec<i32>)>,
	pub reported: Vec<AccountId>,
}

impl Default for MockTask {
	fn default() -> Self {
		MockTask {
			model: Default::default(),
			link: ZkLink { vk: Default::default(), input_scale: 0 },
			input: Vec::new(),
			zk: false,
			open: false,
			assigned: Vec::new(),
			commitments: Vec::new(),
			settled: None,
			reported: Vec::new(),
		}
	}
}

/// `who`'s commitment to `proof` and `instances` for task `task`.
pub fn commitment(task: TaskId, who: AccountId, proof: &[u8], instances: &[[u8; 32]]) -> [u8; 32] {
	proof_commitment(&task_hash(task), &account_bytes(&who), proof, instances)
}

std::thread_local! {
	pub static MODELS: RefCell<BTreeMap<ModelId, ZkModel<AccountId>>> = const { RefCell::new(BTreeMap::new()) };
	pub static TASKS: RefCell<BTreeMap<TaskId, MockTask>> = const { RefCell::new(BTreeMap::new()) };
}

/// Where the mock remembers that `proof` settled a task: in storage, like pallet-inference's
/// `ProvedProofs`, so that it is rolled back with everything else between benchmark runs.
fn proved_key(proof: &[u8]) -> Vec<u8> {
	[b"mock/proved/".as_slice(), proof_hash(proof).as_bytes()].concat()
}

/// Stands in for pallet-inference.
pub struct MockTasks;
impl ZkTasks<AccountId> for MockTasks {
	fn model(model: &ModelId) -> Option<ZkModel<AccountId>> {
		MODELS.with(|m| m.borrow().get(model).cloned())
	}
	fn proof_task(
		task: TaskId,
		who: &AccountId,
		proof: &[u8],
		instances: &[[u8; 32]],
	) -> Result<ZkTask, ZkTaskError> {
		TASKS.with(|t| {
			let t = t.borrow();
			let t = t.get(&task).ok_or(ZkTaskError::UnknownTask)?;
			if !t.zk {
				return Err(ZkTaskError::NotZkTask);
			}
			if !t.open {
				return Err(ZkTaskError::NotAwaitingProof);
			}
			if !t.assigned.contains(who) {
				return Err(ZkTaskError::NotAssigned);
			}
			let Some((_, c)) = t.commitments.iter().find(|(w, _)| w == who) else {
				return Err(ZkTaskError::NotCommitted);
			};
			if *c != commitment(task, *who, proof, instances) {
				return Err(ZkTaskError::CommitmentMismatch);
			}
			if sp_io::storage::exists(&proved_key(proof)) {
				return Err(ZkTaskError::ProofReplayed);
			}
			Ok(ZkTask { model: t.model, input: t.input.clone(), link: t.link })
		})
	}
	fn settle_proved(task: TaskId, who: &AccountId, logits: &[i32], proof: &[u8]) {
		sp_io::storage::set(&proved_key(proof), &[]);
		TASKS.with(|t| {
			if let Some(t) = t.borrow_mut().get_mut(&task) {
				t.settled = Some((*who, logits.to_vec()));
				t.open = false;
			}
		})
	}
	fn reject_proof(task: TaskId, who: &AccountId) {
		TASKS.with(|t| {
			if let Some(t) = t.borrow_mut().get_mut(&task) {
				t.reported.push(*who);
				t.commitments.retain(|(w, _)| w != who);
			}
		})
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<AccountId> for MockTasks {
	fn zk_model(
		owner: &AccountId,
		id: ModelId,
		inputs: u32,
		outputs: u32,
	) -> Result<(), frame_benchmarking::BenchmarkError> {
		MODELS.with(|m| {
			m.borrow_mut().insert(
				id,
				ZkModel { owner: *owner, inputs, outputs, zk_allowed: true, live_tasks: 0 },
			)
		});
		Ok(())
	}
	fn zk_task(
		model: ModelId,
		link: ZkLink,
		input: Vec<i8>,
		operator: &AccountId,
		proof: &[u8],
		instances: &[[u8; 32]],
	) -> Result<TaskId, frame_benchmarking::BenchmarkError> {
		let id = TASKS.with(|t| t.borrow().len() as TaskId);
		TASKS.with(|t| {
			t.borrow_mut().insert(
				id,
				MockTask {
					model,
					link,
					input,
					zk: true,
					open: true,
					assigned: vec![*operator],
					commitments: vec![(*operator, commitment(id, *operator, proof, instances))],
					..Default::default()
				},
			)
		});
		Ok(id)
	}
}

pub const OWNER: AccountId = 1;
pub const OPERATOR: AccountId = 2;
pub const OTHER: AccountId = 3;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap_or_default();
	let _ = pallet_balances::GenesisConfig::<Test> {
		balances: vec![(OWNER, 1_000_000), (OPERATOR, 1_000_000), (OTHER, 1_000_000)],
		..Default::default()
	}
	.assimilate_storage(&mut t);
	// Every test vector was made with its own test SRS: all are trusted here.
	let _ = pallet_zk_verifier::GenesisConfig::<Test> {
		accepted_srs: aos_zk::vectors::ALL
			.iter()
			.map(|v| aos_zk::Vka::parse(v.vka).map(|k| k.srs_g2().to_vec()).unwrap_or_default())
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t);
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	MODELS.with(|m| m.borrow_mut().clear());
	TASKS.with(|m| m.borrow_mut().clear());
	ext
}

pub fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		if let Err(e) = Zk::do_try_state() {
			panic!("invariants broken: {e:?}");
		}
	});
}
