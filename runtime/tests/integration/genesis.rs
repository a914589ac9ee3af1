//! Every genesis preset builds, with the validators, timing and sudo key it promises.

use crate::common;
use aos_runtime::{
	genesis_config_presets::{preset_names, VALIDATOR_STAKE},
	AccountId, Babe, Balances, Grandpa, Runtime, Session, Staking,
};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// The validators of the `local_testnet` and `testnet` presets.
const THREE_VALIDATORS: [(Sr25519Keyring, Ed25519Keyring); 3] = [
	(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
	(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
	(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
];

/// Sets are compared sorted: elections and the council order their members by account.
fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
	v.sort();
	v
}

fn accounts(keys: &[Sr25519Keyring]) -> Vec<AccountId> {
	sorted(keys.iter().map(|k| k.to_account_id()).collect())
}

fn check_validators(expected: &[(Sr25519Keyring, Ed25519Keyring)]) {
	let stashes: Vec<AccountId> = expected.iter().map(|(sr, _)| sr.to_account_id()).collect();
	assert_eq!(sorted(Session::validators()), sorted(stashes.clone()));
	let babe: Vec<_> = Babe::authorities().iter().map(|(id, _)| id.clone()).collect();
	let expected_babe: Vec<sp_consensus_babe::AuthorityId> =
		expected.iter().map(|(sr, _)| sr.public().into()).collect();
	assert_eq!(sorted(babe), sorted(expected_babe));
	let grandpa: Vec<_> = Grandpa::grandpa_authorities().into_iter().map(|(id, _)| id).collect();
	let expected_grandpa: Vec<sp_consensus_grandpa::AuthorityId> =
		expected.iter().map(|(_, ed)| ed.public().into()).collect();
	assert_eq!(sorted(grandpa), sorted(expected_grandpa));
	for stash in &stashes {
		let ledger = pallet_staking::Ledger::<Runtime>::get(stash).expect("validator is bonded");
		assert_eq!(ledger.active, VALIDATOR_STAKE);
		assert!(pallet_staking::Validators::<Runtime>::contains_key(stash));
	}
	assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), expected.len() as u32);
	assert_eq!(Staking::current_era(), Some(0));
}

#[test]
fn there_are_three_presets() {
	let names: Vec<String> = preset_names().into_iter().map(|p| p.to_string()).collect();
	assert_eq!(names, ["development", "local_testnet", "testnet"]);
}

#[test]
fn development_has_one_validator_short_timing_and_sudo() {
	common::genesis("development").execute_with(|| {
		check_validators(&[(Sr25519Keyring::Alice, Ed25519Keyring::Alice)]);
		assert_eq!(pallet_chain_timing::EpochDuration::<Runtime>::get(), 12);
		assert_eq!(pallet_chain_timing::SessionsPerEra::<Runtime>::get(), 2);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
		assert_eq!(
			pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get(),
			accounts(&[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie])
		);
		// Every development account is endowed.
		for k in Sr25519Keyring::iter() {
			assert!(Balances::free_balance(k.to_account_id()) > 0, "{k:?} is endowed");
		}
	});
}

#[test]
fn local_testnet_has_three_validators() {
	common::genesis("local_testnet").execute_with(|| {
		check_validators(&THREE_VALIDATORS);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
	});
}

#[test]
fn testnet_has_production_timing_and_no_sudo() {
	common::genesis("testnet").execute_with(|| {
		check_validators(&THREE_VALIDATORS);
		assert_eq!(pallet_chain_timing::EpochDuration::<Runtime>::get(), 720);
		assert_eq!(pallet_chain_timing::SessionsPerEra::<Runtime>::get(), 6);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		assert!(pallet_staking::Invulnerables::<Runtime>::get().is_empty());
	});
}

#[test]
fn development_chain_produces_blocks_and_rotates_sessions() {
	common::genesis("development").execute_with(|| {
		common::run_to_block(30);
		// 12-slot epochs: two session changes in 30 blocks.
		assert_eq!(Session::current_index(), 2);
		assert_eq!(Babe::epoch_index(), 2);
		assert_eq!(Session::validators(), accounts(&[Sr25519Keyring::Alice]));
	});
}

/// Every AOS pallet declares its storage version (the bound fails to compile otherwise), and a
/// new chain starts at it: no migration is pending at genesis.
#[test]
fn aos_pallets_start_at_their_storage_version() {
	use frame_support::traits::{GetStorageVersion, StorageVersion};
	fn at_version<P: GetStorageVersion<InCodeStorageVersion = StorageVersion>>(name: &str) {
		assert_eq!(P::on_chain_storage_version(), P::in_code_storage_version(), "{name}");
	}
	for preset in ["development", "local_testnet", "testnet"] {
		common::genesis(preset).execute_with(|| {
			at_version::<aos_runtime::ChainTiming>("chain-timing");
			at_version::<aos_runtime::RootDispatch>("root-dispatch");
			at_version::<aos_runtime::Operators>("operators");
			at_version::<aos_runtime::Inference>("inference");
			at_version::<aos_runtime::ZkVerifier>("zk-verifier");
			at_version::<aos_runtime::Tee>("tee");
		});
	}
}

/// Only the development chains trust the simulated NSM's CA (its keys are public); the
/// testnet preset trusts AWS's Nitro root alone.
#[test]
fn only_development_chains_trust_the_simulated_nsm() {
	for (preset, root) in [
		("development", aos_nitro::SIMULATED_DEV_ROOT_FINGERPRINT),
		("local_testnet", aos_nitro::SIMULATED_DEV_ROOT_FINGERPRINT),
		("testnet", aos_nitro::AWS_NITRO_ROOT_G1_FINGERPRINT),
	] {
		common::genesis(preset).execute_with(|| {
			assert_eq!(
				pallet_tee::TrustedRoots::<aos_runtime::Runtime>::get().to_vec(),
				vec![root],
				"{preset}"
			);
		});
	}
}
