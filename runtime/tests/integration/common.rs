//! Shared helpers of the runtime tests: genesis from a preset, and block production as the
//! node does it (BABE pre-digest, timestamp inherent, all hooks).

use aos_runtime::{
	Babe, BlockNumber, Council, Executive, Header, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeGenesisConfig, RuntimeOrigin, System, SLOT_DURATION,
};
use codec::Encode;
use frame_support::genesis_builder_helper::build_state;
use frame_support::{assert_ok, dispatch::GetDispatchInfo};
use sp_consensus_babe::{
	digests::{PreDigest, SecondaryPlainPreDigest},
	Slot, BABE_ENGINE_ID,
};
use sp_keyring::Sr25519Keyring::{self, Alice, Charlie};
use sp_runtime::{traits::Hash, DispatchError};
use sp_runtime::{traits::Header as _, Digest, DigestItem};

/// Slot of block 1 in the tests: far from zero, as on a real chain.
pub const FIRST_SLOT: u64 = 100_000;

/// Merges `patch` into `base` as chain spec builders apply a preset: objects key by key,
/// everything else replaced.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// Externalities holding the genesis state that `preset` builds, as the node builds it: the
/// preset patched over the default genesis config.
pub fn genesis(preset: &str) -> sp_io::TestExternalities {
	let patch = aos_runtime::genesis_config_presets::get_preset(&preset.into())
		.unwrap_or_else(|| panic!("no preset named {preset}"));
	let mut config =
		serde_json::to_value(RuntimeGenesisConfig::default()).expect("default config is JSON");
	merge(&mut config, serde_json::from_slice(&patch).expect("preset is JSON"));
	let json = serde_json::to_vec(&config).expect("JSON");
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(json)
			.unwrap_or_else(|e| panic!("preset {preset} does not build: {e}"))
	});
	ext
}

fn pre_digest(slot: u64) -> Digest {
	let authorities = Babe::authorities().len().max(1) as u64;
	let pre = PreDigest::SecondaryPlain(SecondaryPlainPreDigest {
		authority_index: (slot % authorities) as u32,
		slot: Slot::from(slot),
	});
	Digest { logs: vec![DigestItem::PreRuntime(BABE_ENGINE_ID, pre.encode())] }
}

/// Produces blocks up to `n`, one per slot, running every hook as a block author would.
pub fn run_to_block(n: BlockNumber) {
	let mut parent = System::parent_hash();
	while System::block_number() < n {
		let number = System::block_number() + 1;
		let slot = FIRST_SLOT + u64::from(number);
		let header =
			Header::new(number, Default::default(), Default::default(), parent, pre_digest(slot));
		Executive::initialize_block(&header);
		pallet_timestamp::Pallet::<Runtime>::set_timestamp(slot * SLOT_DURATION);
		let finished = Executive::finalize_block();
		parent = finished.hash();
	}
}

/// Produces blocks until `done` holds, at most `max_blocks` of them; panics if it never does.
pub fn run_until(max_blocks: BlockNumber, what: &str, done: impl Fn() -> bool) {
	aos_test_utils::run_until(max_blocks, what, || run_to_block(System::block_number() + 1), done);
}

/// Proposes `call` with `threshold`; `voters` vote aye and, if the threshold is above one, a
/// council member closes the motion. Returns the motion's hash.
pub fn motion(threshold: u32, voters: &[Sr25519Keyring], call: RuntimeCall) -> sp_core::H256 {
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
	let length = call.encoded_size() as u32;
	let weight = call.get_dispatch_info().call_weight;
	assert_ok!(Council::propose(
		RuntimeOrigin::signed(Alice.to_account_id()),
		threshold,
		Box::new(call),
		length
	));
	if threshold < 2 {
		// A motion with threshold 1 executes at once, with the origin "1 member".
		return hash;
	}
	let index = pallet_collective::ProposalCount::<
		Runtime,
		aos_runtime::configs::governance::CouncilCollective,
	>::get()
		- 1;
	// Proposing does not vote.
	for who in voters {
		assert_ok!(Council::vote(RuntimeOrigin::signed(who.to_account_id()), hash, index, true));
	}
	assert_ok!(Council::close(
		RuntimeOrigin::signed(Charlie.to_account_id()),
		hash,
		index,
		weight,
		length
	));
	hash
}

/// The result of executing motion `hash`, if it was executed.
pub fn executed(hash: sp_core::H256) -> Option<Result<(), DispatchError>> {
	System::events().into_iter().find_map(|r| match r.event {
		RuntimeEvent::Council(pallet_collective::Event::Executed { proposal_hash, result })
			if proposal_hash == hash =>
		{
			Some(result)
		},
		_ => None,
	})
}

/// A BABE pre-digest for `slot` that carries a VRF output, signed by the slot's authority (a
/// development keyring key), as a secondary-VRF block author makes it; `None` when the block
/// would start a new epoch (the signature would need the next epoch's randomness).
fn vrf_pre_digest(slot: u64) -> Option<Digest> {
	use sp_consensus_babe::digests::SecondaryVRFPreDigest;
	use sp_core::crypto::VrfSecret;
	let genesis_slot = u64::from(pallet_babe::GenesisSlot::<Runtime>::get());
	let duration =
		<aos_runtime::configs::consensus::EpochDuration as frame_support::traits::Get<u64>>::get();
	let epoch = pallet_babe::EpochIndex::<Runtime>::get();
	if genesis_slot == 0 || duration == 0 || (slot - genesis_slot) / duration != epoch {
		return None;
	}
	let authorities = Babe::authorities();
	let index = (slot % authorities.len().max(1) as u64) as u32;
	let public = authorities.get(index as usize)?.0.clone();
	let keyring = Sr25519Keyring::from_public(&public.into())?;
	let data = sp_consensus_babe::make_vrf_sign_data(
		&pallet_babe::Randomness::<Runtime>::get(),
		Slot::from(slot),
		epoch,
	);
	let pre = PreDigest::SecondaryVRF(SecondaryVRFPreDigest {
		authority_index: index,
		slot: Slot::from(slot),
		vrf_signature: keyring.pair().vrf_sign(&data),
	});
	Some(Digest { logs: vec![DigestItem::PreRuntime(BABE_ENGINE_ID, pre.encode())] })
}

/// As [`run_to_block`], but blocks carry BABE VRF outputs (secondary-VRF slots), as on a live
/// chain, so that `ParentBlockRandomness` has a value.
pub fn run_to_block_with_vrf(n: BlockNumber) {
	let mut parent = System::parent_hash();
	while System::block_number() < n {
		let number = System::block_number() + 1;
		let slot = FIRST_SLOT + u64::from(number);
		let digest = vrf_pre_digest(slot).unwrap_or_else(|| pre_digest(slot));
		let header = Header::new(number, Default::default(), Default::default(), parent, digest);
		Executive::initialize_block(&header);
		pallet_timestamp::Pallet::<Runtime>::set_timestamp(slot * SLOT_DURATION);
		let finished = Executive::finalize_block();
		parent = finished.hash();
	}
}

/// Registers `who` as an operator with 1,000 AOS of collateral and its VRF key
/// ([`aos_test_utils::dev_vrf_pair`]).
pub fn register_operator(who: Sr25519Keyring) {
	use sp_core::Pair;
	let account = who.to_account_id();
	let vrf = aos_test_utils::dev_vrf_pair(who);
	let mut message = pallet_operators::VRF_KEY_PROOF_PREFIX.to_vec();
	account.encode_to(&mut message);
	assert_ok!(aos_runtime::Operators::register(
		RuntimeOrigin::signed(account),
		format!("{who:?}").into_bytes(),
		b"https://operator.example".to_vec(),
		vrf.public(),
		vrf.sign(&message),
		None,
		sp_runtime::Perbill::from_percent(5),
		1_000 * aos_runtime::constants::currency::UNITS,
	));
}
