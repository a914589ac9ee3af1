//! NPoS: staking elects a new validator set at an era change, and the new set's session keys
//! take over BABE and GRANDPA.

use crate::common;
use aos_runtime::{
	Babe, Grandpa, Runtime, RuntimeOrigin, Session, SessionKeys, Staking, MILLI_UNITS, UNITS,
};
use frame_support::assert_ok;
use sp_core::crypto::KeyTypeId;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_keystore::{testing::MemoryKeystore, KeystoreExt, KeystorePtr};
use std::sync::Arc;

const BABE: KeyTypeId = sp_consensus_babe::KEY_TYPE;
const GRANDPA: KeyTypeId = sp_consensus_grandpa::KEY_TYPE;

/// Registers `who`'s session keys (derived from its dev seed) with an ownership proof signed
/// by those keys, as `author_rotateKeysWithOwner` would produce it.
/// `who`'s session keys, derived from its dev seed into `keystore`, with a proof that they
/// belong to `owner`.
fn session_keys(
	keystore: &KeystorePtr,
	who: Sr25519Keyring,
	owner: Sr25519Keyring,
) -> (SessionKeys, Vec<u8>) {
	let seed = format!("//{who}");
	let babe = keystore.sr25519_generate_new(BABE, Some(&seed)).expect("babe key");
	let grandpa = keystore.ed25519_generate_new(GRANDPA, Some(&seed)).expect("grandpa key");
	let mut keys = SessionKeys { babe: babe.into(), grandpa: grandpa.into() };
	let proof = keys
		.create_ownership_proof(&codec::Encode::encode(&owner.to_account_id()))
		.expect("keystore holds the keys");
	(keys, codec::Encode::encode(&proof))
}

/// Registers `who`'s session keys with an ownership proof signed by those keys, as
/// `author_rotateKeysWithOwner` would produce it.
fn set_session_keys(keystore: &KeystorePtr, who: Sr25519Keyring) {
	let (keys, proof) = session_keys(keystore, who, who);
	assert_ok!(Session::set_keys(RuntimeOrigin::signed(who.to_account_id()), keys, proof));
}

/// `actual` is `expected` up to the rounding of the election's u64 vote weights.
fn assert_rounded(actual: u128, expected: u128) {
	assert!(
		actual <= expected && expected - actual < MILLI_UNITS,
		"{actual} is not {expected} up to rounding"
	);
}

fn bond_and_validate(who: Sr25519Keyring, stake: u128) {
	let origin = RuntimeOrigin::signed(who.to_account_id());
	assert_ok!(Staking::bond(origin.clone(), stake, pallet_staking::RewardDestination::Staked));
	assert_ok!(Staking::validate(origin, Default::default()));
}

#[test]
fn era_change_elects_the_best_backed_validators() {
	let mut ext = common::genesis("local_testnet");
	let keystore: KeystorePtr = Arc::new(MemoryKeystore::new());
	ext.register_extension(KeystoreExt(keystore.clone()));

	ext.execute_with(|| {
		common::run_to_block(1);
		let genesis_set: Vec<_> =
			[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.iter()
				.map(|k| k.to_account_id())
				.collect();
		let mut validators = Session::validators();
		validators.sort();
		let mut genesis_set = genesis_set;
		genesis_set.sort();
		assert_eq!(validators, genesis_set);

		// Two new candidates with more stake than the genesis validators (100,000 AOS each),
		// and a nominator backing Charlie; the validator count stays 3.
		for (who, stake) in [(Sr25519Keyring::Dave, 500_000), (Sr25519Keyring::Eve, 300_000)] {
			set_session_keys(&keystore, who);
			bond_and_validate(who, stake * UNITS);
		}
		let ferdie = RuntimeOrigin::signed(Sr25519Keyring::Ferdie.to_account_id());
		assert_ok!(Staking::bond(
			ferdie.clone(),
			250_000 * UNITS,
			pallet_staking::RewardDestination::Staked
		));
		assert_ok!(Staking::nominate(ferdie, vec![Sr25519Keyring::Charlie.to_account_id().into()]));

		// Era 1 is elected and takes over at the next era boundary.
		common::run_until(200, "era 1 active", || {
			Staking::active_era().map(|e| e.index) == Some(1)
		});

		let mut elected = Session::validators();
		elected.sort();
		let mut expected: Vec<_> =
			[Sr25519Keyring::Charlie, Sr25519Keyring::Dave, Sr25519Keyring::Eve]
				.iter()
				.map(|k| k.to_account_id())
				.collect();
		expected.sort();
		assert_eq!(elected, expected, "Alice and Bob, least backed, lose their seats");

		// Charlie is backed by its own stake and Ferdie's nomination. The election works on
		// u64 vote weights (U128CurrencyToVote), so the exposure is exact only up to that
		// conversion's rounding: well below a milli-AOS here.
		let exposure = pallet_staking::EraInfo::<Runtime>::get_full_exposure(
			1,
			&Sr25519Keyring::Charlie.to_account_id(),
		);
		assert_rounded(exposure.own, 100_000 * UNITS);
		assert_eq!(exposure.others.len(), 1);
		assert_eq!(exposure.others[0].who, Sr25519Keyring::Ferdie.to_account_id());
		assert_rounded(exposure.others[0].value, 250_000 * UNITS);
		assert_rounded(exposure.total, 350_000 * UNITS);

		// The new set's keys drive block production and finality.
		let mut babe: Vec<sp_consensus_babe::AuthorityId> =
			Babe::authorities().iter().map(|(id, _)| id.clone()).collect();
		babe.sort();
		let mut expected_babe: Vec<sp_consensus_babe::AuthorityId> =
			[Sr25519Keyring::Charlie, Sr25519Keyring::Dave, Sr25519Keyring::Eve]
				.iter()
				.map(|k| k.public().into())
				.collect();
		expected_babe.sort();
		assert_eq!(babe, expected_babe);

		let pending = pallet_grandpa::PendingChange::<Runtime>::get();
		let mut grandpa: Vec<sp_consensus_grandpa::AuthorityId> = match pending {
			Some(change) => change.next_authorities.iter().map(|(id, _)| id.clone()).collect(),
			None => Grandpa::grandpa_authorities().into_iter().map(|(id, _)| id).collect(),
		};
		grandpa.sort();
		let mut expected_grandpa: Vec<sp_consensus_grandpa::AuthorityId> =
			[Ed25519Keyring::Charlie, Ed25519Keyring::Dave, Ed25519Keyring::Eve]
				.iter()
				.map(|k| k.public().into())
				.collect();
		expected_grandpa.sort();
		assert_eq!(grandpa, expected_grandpa);
	});
}

#[test]
fn session_keys_need_a_valid_ownership_proof() {
	let mut ext = common::genesis("local_testnet");
	let keystore: KeystorePtr = Arc::new(MemoryKeystore::new());
	ext.register_extension(KeystoreExt(keystore.clone()));
	ext.execute_with(|| {
		common::run_to_block(1);
		// A proof made for Eve does not let Dave register the keys.
		let (keys, proof) = session_keys(&keystore, Sr25519Keyring::Dave, Sr25519Keyring::Eve);
		assert_eq!(
			Session::set_keys(
				RuntimeOrigin::signed(Sr25519Keyring::Dave.to_account_id()),
				keys,
				proof
			),
			Err(pallet_session::Error::<Runtime>::InvalidProof.into())
		);
	});
}
