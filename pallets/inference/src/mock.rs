//! Test runtime: system, balances, the real pallet-operators and this pallet, with a
//! controllable stand-in for BABE's parent-block randomness.

use crate::{self as pallet_inference, *};
use aos_inference_primitives::{find_pow_nonce, result_commitment, task_hash, vrf_transcript};
use aos_kernel::{golden, Evaluation, TaskSeed};
use codec::Encode;
use frame_support::{
	assert_ok, derive_impl, ord_parameter_types, parameter_types,
	traits::{ConstU32, Hooks, Randomness},
	BoundedVec, PalletId,
};
use frame_system::EnsureSignedBy;
use pallet_operators::{Params as OperatorParams, SlashRule, SlashRules, VRF_KEY_PROOF_PREFIX};
use sp_core::{crypto::VrfSecret, sr25519, Pair, H256};
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
		Inference: pallet_inference,
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
	type ExistentialDeposit = ConstU128<1>;
}

use frame_support::traits::ConstU128;

pub const GOVERNOR: AccountId = 9_999;
ord_parameter_types! {
	pub const Governor: AccountId = GOVERNOR;
}

/// Operators: slashing on from genesis, liquidation takes everything, slashes deferred by
/// [`SLASH_DEFER`] blocks; heartbeats are not a concern in these tests (a long grace).
pub fn operator_params() -> pallet_operators::ParamsOf<Test> {
	let rule = |amount, percent| SlashRule {
		amount,
		max_fraction: Perbill::from_percent(percent),
		enabled_from: 0,
	};
	OperatorParams {
		min_collateral: 1_000,
		min_delegation: 10,
		unbonding_period: 300,
		heartbeat_period: 10,
		offline_grace: 600,
		mass_outage_threshold: Perbill::from_percent(50),
		slash_defer_period: SLASH_DEFER,
		slash_rules: SlashRules {
			offline: rule(10, 10),
			wrong_result: rule(1_000_000, 100),
			zk_proof_invalid: rule(100, 50),
			attestation_invalid: rule(100, 50),
			dispute_lost: rule(1_000, 100),
			checkpoint_equivocation: rule(1_000, 100),
		},
	}
}
pub const SLASH_DEFER: BlockNumber = 5;

/// Short windows, as on a dev chain.
pub fn default_params() -> ParamsOf<Test> {
	Params {
		randomness_delay: 2,
		claim_period: 3,
		max_tranches: 3,
		commit_period: 3,
		resolution_window: 5,
		max_rounds: 2,
		retention: 20,
		pow_difficulty: 4,
		max_redundancy: 8,
		samples: 2,
		intermediates: 4,
		min_fee: MIN_FEE,
		base_fee: BASE_FEE,
	}
}

/// The least fee per assigned operator.
pub const MIN_FEE: Balance = 10;
/// Burned on every submission.
pub const BASE_FEE: Balance = 7;
/// Held per task until it is pruned.
pub const TASK_DEPOSIT: Balance = 50;
/// How long new VRF keys and new stake wait before they count for sampling.
pub const SELECTION_DELAY: BlockNumber = 3;

parameter_types! {
	pub const OperatorsPalletId: PalletId = PalletId(*b"aos/oprs");
	pub const InferencePalletId: PalletId = PalletId(*b"aos/infr");
	pub const MaxPeriod: BlockNumber = 10_000;
	pub DefaultOperatorParams: pallet_operators::ParamsOf<Test> = operator_params();
	pub DefaultParams: ParamsOf<Test> = default_params();
	/// 1, so that a tranche targets exactly k unless a test raises it.
	pub storage MinSelections: u32 = 1;
}

impl pallet_operators::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = EnsureSignedBy<Governor, AccountId>;
	type OnSlash = Inference;
	type OnChange = ();
	type Reporters = Inference;
	type SelectionDelay = frame_support::traits::ConstU64<SELECTION_DELAY>;
	type PalletId = OperatorsPalletId;
	type MaxNameLen = ConstU32<64>;
	type MaxEndpointLen = ConstU32<128>;
	type MaxUnlockingChunks = ConstU32<8>;
	type MaxPeriod = MaxPeriod;
	type MaxLivenessChecksPerBlock = ConstU32<16>;
	type MaxSlashesPerBlock = ConstU32<16>;
	type DefaultParams = DefaultOperatorParams;
	type WeightInfo = ();
}

std::thread_local! {
	/// When false, the parent block has no VRF output (a secondary slot).
	pub static VRF_AVAILABLE: core::cell::Cell<bool> = const { core::cell::Cell::new(true) };
	/// The models with a zk verifying key linked.
	pub static ZK_MODELS: core::cell::RefCell<Vec<(H256, ZkLink)>> = const { core::cell::RefCell::new(Vec::new()) };
	/// The VKs held by live Zk-mode tasks, with how many hold each.
	pub static ZK_HELD: core::cell::RefCell<Vec<(H256, u32)>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// Links `vk` to `model` in the stand-in zk verifier.
pub fn link_zk(model: H256, vk: H256, input_scale: u8) {
	ZK_MODELS.with(|m| {
		let mut m = m.borrow_mut();
		m.retain(|(id, _)| *id != model);
		m.push((model, ZkLink { vk, input_scale }));
	});
}

/// How many live tasks hold `vk`.
pub fn zk_held(vk: H256) -> u32 {
	ZK_HELD.with(|h| h.borrow().iter().find(|(v, _)| *v == vk).map_or(0, |(_, n)| *n))
}

/// Stands in for pallet-zk-verifier's registry of linked verifying keys.
pub struct MockZkModels;
impl aos_inference_primitives::zk::ZkModels for MockZkModels {
	fn link(model: &H256) -> Option<ZkLink> {
		ZK_MODELS.with(|m| m.borrow().iter().find(|(id, _)| id == model).map(|(_, l)| *l))
	}
	fn hold_vk(vk: &H256) {
		ZK_HELD.with(|h| {
			let mut h = h.borrow_mut();
			match h.iter_mut().find(|(v, _)| v == vk) {
				Some((_, n)) => *n += 1,
				None => h.push((*vk, 1)),
			}
		});
	}
	fn release_vk(vk: &H256) {
		ZK_HELD.with(|h| {
			if let Some((_, n)) = h.borrow_mut().iter_mut().find(|(v, _)| v == vk) {
				*n = n.saturating_sub(1);
			}
		});
	}
	fn model_removed(model: &H256) {
		ZK_MODELS.with(|m| m.borrow_mut().retain(|(id, _)| id != model));
	}
}

std::thread_local! {
	/// The operators' live enclaves: their keys and the models each may run.
	pub static ENCLAVES: core::cell::RefCell<Vec<(AccountId, sp_core::ed25519::Public, Vec<H256>)>> =
		const { core::cell::RefCell::new(Vec::new()) };
}

/// Gives `who` a live enclave with `key`, allowed to run `models` (replacing any it had).
pub fn set_enclave(who: AccountId, key: sp_core::ed25519::Public, models: Vec<H256>) {
	ENCLAVES.with(|e| {
		let mut e = e.borrow_mut();
		e.retain(|(a, _, _)| *a != who);
		e.push((who, key, models));
	});
}

/// Takes `who`'s enclave away (expired, revoked).
pub fn drop_enclave(who: AccountId) {
	ENCLAVES.with(|e| e.borrow_mut().retain(|(a, _, _)| *a != who));
}

/// Stands in for pallet-tee: the enclaves of [`ENCLAVES`], results checked with ed25519 as
/// pallet-tee checks them.
pub struct MockEnclaves;
impl aos_inference_primitives::tee::TeeEnclaves<AccountId> for MockEnclaves {
	fn may_run(operator: &AccountId, model: &H256) -> bool {
		ENCLAVES.with(|e| e.borrow().iter().any(|(a, _, m)| a == operator && m.contains(model)))
	}
	fn may_run_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000, 0)
	}
	fn check_result(
		operator: &AccountId,
		model: &H256,
		task: TaskId,
		input_hash: &H256,
		output: &H256,
		top: &[u32],
		signature: &[u8; 64],
	) -> Result<(), aos_inference_primitives::tee::ResultRejection> {
		use aos_inference_primitives::tee::{result_message, ResultRejection};
		let key = ENCLAVES
			.with(|e| {
				e.borrow()
					.iter()
					.find(|(a, _, m)| a == operator && m.contains(model))
					.map(|(_, k, _)| *k)
			})
			.ok_or(ResultRejection::NoEnclave)?;
		let message = result_message(task, model, input_hash, output, top);
		let signature = sp_core::ed25519::Signature::from_raw(*signature);
		if sp_io::crypto::ed25519_verify(&signature, &message, &key) {
			Ok(())
		} else {
			Err(ResultRejection::BadSignature)
		}
	}
}

/// Stands in for BABE's `ParentBlockRandomness`: a value derived from the subject and the
/// parent block's number, reported as coming from the parent block.
pub struct ParentBlockRandomness;
impl Randomness<Option<H256>, BlockNumber> for ParentBlockRandomness {
	fn random(subject: &[u8]) -> (Option<H256>, BlockNumber) {
		let parent = System::block_number().saturating_sub(1);
		let value = VRF_AVAILABLE
			.with(|v| v.get())
			.then(|| H256(sp_io::hashing::blake2_256(&(b"parent-vrf", subject, parent).encode())));
		(value, parent)
	}
}

/// Where slashes that are not a task's pool go in the tests.
pub const UNCLAIMED_SINK: AccountId = 7_777;
pub struct UnclaimedSink;
impl aos_operators_primitives::OnSlashApplied<AccountId, CreditOf<Test>> for UnclaimedSink {
	fn on_slash_applied(
		_: aos_operators_primitives::SlashId,
		_: &AccountId,
		_: aos_operators_primitives::OffenceKind,
		_: Option<aos_operators_primitives::OffenceReference>,
		credit: CreditOf<Test>,
	) {
		use frame_support::traits::fungible::Balanced;
		let _ = <Balances as Balanced<AccountId>>::resolve(&UNCLAIMED_SINK, credit);
	}
}

std::thread_local! {
	/// Every settlement [`SettledLog`] was told of.
	static SETTLED: core::cell::RefCell<Vec<aos_inference_primitives::settlement::SettledTask>> =
		const { core::cell::RefCell::new(Vec::new()) };
}

/// Records the settlements the pallet reports (the runtime records them in its checkpoints).
pub struct SettledLog;
impl aos_inference_primitives::settlement::OnTaskSettled for SettledLog {
	fn on_task_settled(settled: &aos_inference_primitives::settlement::SettledTask) {
		SETTLED.with(|s| s.borrow_mut().push(*settled));
	}
}

/// The settlements reported so far.
pub fn settlements() -> Vec<aos_inference_primitives::settlement::SettledTask> {
	SETTLED.with(|s| s.borrow().clone())
}

impl pallet_inference::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Operators = Operators;
	type ZkModels = MockZkModels;
	type Enclaves = MockEnclaves;
	type Disputes = MockDisputes;
	type Randomness = ParentBlockRandomness;
	type GovernanceOrigin = EnsureSignedBy<Governor, AccountId>;
	type OnUnclaimedSlash = UnclaimedSink;
	type PalletId = InferencePalletId;
	type ModelDeposit = ConstU128<500>;
	type TaskDeposit = ConstU128<TASK_DEPOSIT>;
	type MaxLiveTasks = ConstU32<MAX_LIVE_TASKS>;
	type MaxPeriod = MaxPeriod;
	type MaxLayers = ConstU32<16>;
	type MaxUriLen = ConstU32<128>;
	type MaxInputLen = ConstU32<1024>;
	type MaxClaims = ConstU32<16>;
	type MinSelections = MinSelections;
	type MaxTopK = ConstU32<16>;
	type MaxSamples = ConstU32<8>;
	type MaxIntermediates = ConstU32<16>;
	type MaxAgendaPerBlock = ConstU32<8>;
	type MaxWorkItems = ConstU32<16>;
	type Vrf = aos_inference_primitives::PureVrf;
	type OnSettled = SettledLog;
	type DefaultParams = DefaultParams;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// Operators and randomness for the benchmarks, from the real pallet-operators.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<AccountId, Balance> for BenchmarkHelper {
	fn make_operator(who: &AccountId, vrf_key: sr25519::Public, collateral: Balance) {
		assert_ok!(Operators::benchmark_operator(who, vrf_key, collateral));
	}
	fn min_collateral() -> Balance {
		pallet_operators::Parameters::<Test>::get().min_collateral
	}
	fn enable_slashing() {
		Operators::benchmark_enable_slashing();
	}
	fn make_randomness_available() {
		VRF_AVAILABLE.with(|v| v.set(true));
	}
	fn live_enclave(
		who: &AccountId,
		model: H256,
	) -> (sp_core::ed25519::Public, sp_core::crypto::KeyTypeId) {
		let key_type = sp_core::crypto::KeyTypeId(*b"aost");
		let key = sp_io::crypto::ed25519_generate(key_type, None);
		set_enclave(*who, key, vec![model]);
		(key, key_type)
	}
}

/// Most tasks in flight.
pub const MAX_LIVE_TASKS: u32 = 64;

pub const OWNER: AccountId = 500;
pub const DAPP: AccountId = 600;
pub const START_BALANCE: Balance = 100_000_000;
pub const COLLATERAL: Balance = 10_000;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut funded: Vec<AccountId> = (1..=20).collect();
	funded.extend([OWNER, DAPP, GOVERNOR]);
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		balances: pallet_balances::GenesisConfig {
			balances: funded.iter().map(|a| (*a, START_BALANCE)).collect(),
			..Default::default()
		},
		operators: pallet_operators::GenesisConfig { params: Some(operator_params()) },
		inference: pallet_inference::GenesisConfig { params: Some(default_params()) },
	}
	.build_storage()
	.unwrap_or_else(|e| panic!("genesis: {e}"));
	let mut ext = sp_io::TestExternalities::new(storage);
	// Enclave keys for the benchmarks' TEE-mode results.
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| {
		VRF_AVAILABLE.with(|v| v.set(true));
		ZK_MODELS.with(|m| m.borrow_mut().clear());
		ZK_HELD.with(|h| h.borrow_mut().clear());
		ENCLAVES.with(|e| e.borrow_mut().clear());
		IDLE.with(|i| i.set(true));
		System::set_block_number(1);
		Operators::on_initialize(1);
		Inference::on_initialize(1);
	});
	ext
}

/// Runs `test`, then checks the pallet's invariants. (pallet-operators' own invariants are
/// checked by its tests; enabling them here would turn on `try-runtime` for the workspace.)
pub fn test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		if let Err(e) = Inference::do_try_state() {
			panic!("inference invariants broken after the test: {e:?}");
		}
	});
}

pub fn run_to_block(n: BlockNumber) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Operators::on_initialize(next);
		Inference::on_initialize(next);
		if IDLE.with(|i| i.get()) {
			Inference::on_idle(next, frame_support::weights::Weight::MAX);
		}
	}
}

std::thread_local! {
	/// Whether blocks leave room for `on_idle` (they do unless a test fills them).
	pub static IDLE: core::cell::Cell<bool> = const { core::cell::Cell::new(true) };
}

/// Runs blocks until `done` holds (at most 200).
pub fn run_until(done: impl Fn() -> bool) {
	aos_test_utils::run_until(200, "condition", || run_to_block(System::block_number() + 1), done);
}

/// Operator `who`'s VRF key pair (deterministic; `version` gives another key).
pub use aos_test_utils::vrf_pair;

/// Registers `who` as an operator with [`COLLATERAL`].
pub fn register_operator(who: AccountId) {
	register_operator_with(who, COLLATERAL);
}

pub fn register_operator_with(who: AccountId, collateral: Balance) {
	let pair = vrf_pair(who, 0);
	let mut message = VRF_KEY_PROOF_PREFIX.to_vec();
	who.encode_to(&mut message);
	assert_ok!(Operators::register(
		RuntimeOrigin::signed(who),
		b"op".to_vec(),
		b"https://op".to_vec(),
		pair.public(),
		pair.sign(&message),
		None,
		Perbill::zero(),
		collateral,
	));
}

/// The golden model's id and layer commitments.
pub fn golden_model() -> (ModelId, BoundedVec<LayerCommitment, ConstU32<16>>) {
	let model = golden::model();
	let layers = LayerCommitment::of_model(&model);
	(H256(aos_kernel::model::content_hash(&model.to_file())), BoundedVec::truncate_from(layers))
}

pub const PRICE: Balance = 100;

/// Registers the golden model for the redundancy mode.
pub fn register_golden() -> ModelId {
	register_golden_with(VerificationMode::Redundancy.bit(), PRICE)
}

/// Registers the golden model for the `modes` at `price`.
pub fn register_golden_with(modes: u8, price: Balance) -> ModelId {
	let (id, layers) = golden_model();
	assert_ok!(Inference::register_model(
		RuntimeOrigin::signed(OWNER),
		id,
		aos_kernel::KERNEL_VERSION,
		32,
		layers,
		BoundedVec::truncate_from(b"https://models/golden.aosm".to_vec()),
		modes,
		price,
	));
	id
}

pub fn golden_input() -> TaskInputOf<Test> {
	TaskInput::Inline(BoundedVec::truncate_from(golden::input()))
}

/// Submits a task for the golden model with k = `k` and fee `fee`; returns its id.
pub fn submit(model: ModelId, k: u8, fee: Balance) -> TaskId {
	let id = NextTaskId::<Test>::get();
	assert_ok!(try_submit(DAPP, model, VerificationMode::Redundancy, k, fee));
	id
}

/// `who` submits a task for `model` on the golden input in `mode`, with k = `k` and `fee`.
pub fn try_submit(
	who: AccountId,
	model: ModelId,
	mode: VerificationMode,
	k: u8,
	fee: Balance,
) -> sp_runtime::DispatchResult {
	Inference::submit_task(
		RuntimeOrigin::signed(who),
		model,
		golden_input(),
		fee,
		mode,
		k,
		golden::sampling(),
	)
}

pub fn task(id: TaskId) -> TaskInfo<Test> {
	Tasks::<Test>::get(id).unwrap_or_else(|| panic!("no task {id}"))
}

/// Runs until the task takes claims.
pub fn until_claiming(id: TaskId) {
	run_until(|| matches!(task(id).status, TaskStatus::Claiming { .. }));
}

/// `who`'s VRF signature for task `id`, with `pair`: (pre-output, proof).
pub fn vrf_sign_with(pair: &sr25519::Pair, id: TaskId) -> ([u8; 32], [u8; 64]) {
	let (randomness, _) =
		task(id).randomness.unwrap_or_else(|| panic!("task {id} has no randomness"));
	let sig = pair.vrf_sign(&vrf_transcript(&task_hash(id), &randomness.0).into_sign_data());
	let pre: [u8; 32] = sig.pre_output.encode().try_into().unwrap_or_else(|_| panic!("pre-output"));
	let proof: [u8; 64] = sig.proof.encode().try_into().unwrap_or_else(|_| panic!("proof"));
	(pre, proof)
}

pub fn claim(who: AccountId, id: TaskId) -> sp_runtime::DispatchResult {
	let (pre, proof) = vrf_sign_with(&vrf_pair(who, 0), id);
	Inference::claim(RuntimeOrigin::signed(who), id, pre, proof).map(|_| ()).map_err(|e| e.error)
}

/// The honest evaluation of the golden task `id` by `who`.
pub fn honest(who: AccountId, id: TaskId) -> Evaluation {
	let hash = task_hash(id);
	let op = who.encode();
	let t = task(id);
	aos_kernel::evaluate(
		&golden::model(),
		&golden::input(),
		TaskSeed { task: &hash, operator: &op },
		golden::sampling(),
		u32::from(t.terms.samples),
		u32::from(t.terms.intermediates),
	)
	.unwrap_or_else(|e| panic!("evaluation: {e:?}"))
}

/// A result an operator reveals: output digest, top classes, samples, intermediates.
#[derive(Clone)]
pub struct Answer {
	pub output: H256,
	pub top: Vec<u32>,
	pub samples: Vec<u32>,
	pub intermediates: Vec<(u64, i32)>,
}

impl Answer {
	pub fn honest(who: AccountId, id: TaskId) -> Self {
		let e = honest(who, id);
		Answer {
			output: H256(e.output),
			top: e.top,
			samples: e.samples,
			intermediates: e.intermediates,
		}
	}
	/// A wrong answer with the right shape (the logits changed, the positions right).
	pub fn wrong(who: AccountId, id: TaskId, variant: u8) -> Self {
		let mut a = Self::honest(who, id);
		a.output = H256(sp_io::hashing::blake2_256(&[variant; 4]));
		a
	}
}

pub fn salt(who: AccountId) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(b"salt", who).encode())
}

/// `who`'s commitment to `answer` for task `id`.
pub fn commitment_to(who: AccountId, id: TaskId, answer: &Answer) -> H256 {
	let revealed = aos_inference_primitives::RevealedResult {
		output: &answer.output.0,
		top: &answer.top,
		samples: &answer.samples,
		intermediates: &answer.intermediates,
	};
	H256(result_commitment(&task_hash(id), &who.encode(), revealed, &salt(who)))
}

pub fn commit_answer(who: AccountId, id: TaskId, answer: &Answer) -> sp_runtime::DispatchResult {
	Inference::commit(RuntimeOrigin::signed(who), id, commitment_to(who, id, answer))
		.map(|_| ())
		.map_err(|e| e.error)
}

/// `who`'s claim of task `id` as a [`WorkItem`], with `commitment`.
pub fn claim_item(who: AccountId, id: TaskId, commitment: Option<H256>) -> WorkItemOf<Test> {
	let (pre_output, proof) = vrf_sign_with(&vrf_pair(who, 0), id);
	WorkItem::Claim { task: id, pre_output, proof, commitment }
}

/// `who`'s reveal of `answer` for task `id` as a [`WorkItem`].
pub fn reveal_item(who: AccountId, id: TaskId, answer: &Answer) -> WorkItemOf<Test> {
	let difficulty = task(id).terms.pow_difficulty;
	let pow_nonce = find_pow_nonce(&task_hash(id), &who.encode(), &answer.output.0, difficulty);
	WorkItem::Reveal {
		task: id,
		reveal: Reveal {
			output: answer.output,
			top: BoundedVec::truncate_from(answer.top.clone()),
			samples: BoundedVec::truncate_from(answer.samples.clone()),
			intermediates: BoundedVec::truncate_from(answer.intermediates.clone()),
			pow_nonce,
		},
		salt: salt(who),
		claims: crate::Claims::<Test>::decode_len(id).unwrap_or_default() as u32,
	}
}

/// `who` does `items` in one [`Inference::work`] call.
pub fn work(
	who: AccountId,
	items: Vec<WorkItemOf<Test>>,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Inference::work(RuntimeOrigin::signed(who), BoundedVec::truncate_from(items))
}

pub fn reveal_answer(who: AccountId, id: TaskId, answer: &Answer) -> sp_runtime::DispatchResult {
	// The difficulty the task was submitted under.
	let difficulty = task(id).terms.pow_difficulty;
	let nonce = find_pow_nonce(&task_hash(id), &who.encode(), &answer.output.0, difficulty);
	reveal_with_nonce(who, id, answer, nonce)
}

pub fn reveal_with_nonce(
	who: AccountId,
	id: TaskId,
	answer: &Answer,
	nonce: u64,
) -> sp_runtime::DispatchResult {
	Inference::reveal(
		RuntimeOrigin::signed(who),
		id,
		answer.output,
		BoundedVec::truncate_from(answer.top.clone()),
		BoundedVec::truncate_from(answer.samples.clone()),
		BoundedVec::truncate_from(answer.intermediates.clone()),
		salt(who),
		nonce,
	)
	.map(|_| ())
	.map_err(|e| e.error)
}

pub fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Inference(e) = r.event { Some(e) } else { None })
		.collect()
}

/// Optimistic tasks are taken; the tests play `pallet-opml`'s part through
/// [`aos_inference_primitives::optimistic::OptimisticTasks`].
pub struct MockDisputes;
impl aos_inference_primitives::optimistic::OptimisticDisputes<u64> for MockDisputes {
	fn enabled() -> bool {
		true
	}
	fn max_report_delay() -> u64 {
		0
	}
}
