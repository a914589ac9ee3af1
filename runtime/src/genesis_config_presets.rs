//! Genesis presets of the AOS runtime.
//!
//! - `development`: one validator (Alice), short epochs and eras, sudo key Alice.
//! - `local_testnet`: three validators (Alice, Bob, Charlie), short epochs and eras, sudo key
//!   Alice.
//! - `testnet`: a template for a public test network: three validators, production epoch and
//!   era lengths, no sudo key (governance is the council's). Its accounts are the well-known
//!   development keys; a real launch replaces the validators' stash accounts and session keys
//!   with its own (see `docs/VALIDATORS.md`).
//!
//! Every preset endows the development accounts, makes Alice, Bob and Charlie the council, and
//! bonds each validator's stash with [`VALIDATOR_STAKE`]. The development presets' validators
//! are staking invulnerables; the testnet's are not. [`aos_genesis`] builds a preset from a
//! [`NetworkGenesis`].

use crate::{
	configs::{
		inference::{dev_params as inference_dev_params, production_params as inference_params},
		operators::{dev_params, production_params},
		staking::{MIN_NOMINATOR_BOND, MIN_VALIDATOR_BOND},
	},
	constants::{currency::UNITS, time::*},
	AccountId, BabeConfig, Balance, BalancesConfig, ChainTimingConfig, CheckpointsConfig,
	CouncilConfig, InferenceConfig, OperatorsConfig, OpmlConfig, Runtime, RuntimeGenesisConfig,
	SessionConfig, SessionKeys, StakingConfig, SudoConfig, TeeConfig, ZkVerifierConfig,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Name of the public testnet template preset.
pub const TESTNET_RUNTIME_PRESET: &str = "testnet";

/// Free balance of every endowed account: 1,000,000 AOS.
pub const ENDOWMENT: Balance = 1_000_000 * UNITS;
/// Stake each genesis validator bonds: 100,000 AOS.
pub const VALIDATOR_STAKE: Balance = 100_000 * UNITS;

/// How old an enclave's attestation document may be when it is registered: ten minutes, for
/// the registration to reach a block.
pub const MAX_ATTESTATION_AGE_MS: u64 = 10 * 60 * 1000;

/// A genesis validator: its stash account and session keys.
pub struct GenesisValidator {
	/// The stash account, which is also its validator id.
	pub stash: AccountId,
	/// BABE block-production key.
	pub babe: BabeId,
	/// GRANDPA finality key.
	pub grandpa: GrandpaId,
}

impl GenesisValidator {
	/// The validator whose stash and keys derive from a development seed (`//Alice`, ...), as
	/// `aos-node --alice` puts them into its keystore.
	pub fn from_keyring(sr: Sr25519Keyring, ed: Ed25519Keyring) -> Self {
		Self { stash: sr.to_account_id(), babe: sr.public().into(), grandpa: ed.public().into() }
	}
}

/// Epoch and era lengths, and the operator set's periods, that a preset fixes at genesis.
pub struct Timing {
	/// Epoch (= session) length in slots.
	pub epoch_duration: u64,
	/// Sessions per era.
	pub sessions_per_era: u32,
	/// The operators pallet's parameters (periods, amounts, `slashing_enabled_from`).
	pub operators: pallet_operators::ParamsOf<Runtime>,
	/// The inference pallet's parameters (claim, commit and resolution windows, retention).
	pub inference: pallet_inference::ParamsOf<Runtime>,
	/// The dispute pallet's parameters (challenge period, clocks, bonds).
	pub opml: pallet_opml::ParamsOf<Runtime>,
	/// The bridge's checkpoint period, signing window, quorum and retention.
	pub checkpoints: pallet_checkpoints::ParamsOf<Runtime>,
	/// The SRSs whose ezkl VKAs the chain registers, by their G2 points.
	pub accepted_srs: Vec<Vec<u8>>,
	/// The Nitro roots enclave attestations must chain to, by SHA-256 fingerprint.
	pub nitro_roots: Vec<[u8; 32]>,
}

/// Short timing for development and local test networks: 1-minute epochs, 2-minute eras,
/// operator periods of seconds to minutes, slashing from genesis and inference windows of a
/// few blocks.
pub fn dev_timing() -> Timing {
	Timing {
		epoch_duration: DEV_EPOCH_DURATION_IN_SLOTS,
		sessions_per_era: DEV_SESSIONS_PER_ERA,
		operators: dev_params(),
		inference: inference_dev_params(),
		opml: crate::configs::opml::dev_params(),
		checkpoints: crate::configs::checkpoints::dev_params(),
		// The devnet's test SRS (`aos-zk-cli test-srs`), whose secret is public: development
		// only.
		accepted_srs: vec![aos_zk::test_srs::srs_g2(aos_zk::test_srs::DEVNET_SEED).to_vec()],
		// The simulated NSM's dev CA, whose keys are public: development only.
		nitro_roots: vec![aos_nitro::SIMULATED_DEV_ROOT_FINGERPRINT],
	}
}

/// Production timing: 1-hour epochs, 6-hour eras, the AOS spec's operator periods, no
/// offline slashing in the first year, the 24-hour PoS+W resolution window, and no trusted
/// SRS until governance adds one.
pub fn production_timing() -> Timing {
	Timing {
		epoch_duration: EPOCH_DURATION_IN_SLOTS,
		sessions_per_era: SESSIONS_PER_ERA,
		operators: production_params(),
		inference: inference_params(),
		opml: crate::configs::opml::production_params(),
		checkpoints: crate::configs::checkpoints::production_params(),
		// None until governance adds a public ceremony's (docs/ZK.md).
		accepted_srs: vec![],
		// AWS's Nitro Enclaves Root-G1 only.
		nitro_roots: vec![aos_nitro::AWS_NITRO_ROOT_G1_FINGERPRINT],
	}
}

/// Which validators staking never slashes nor chills (its invulnerables).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Invulnerables {
	/// The genesis validators: development networks, whose few validators must not be slashed
	/// out of the set.
	GenesisValidators,
	/// None: every validator answers for its stake, as on a public network.
	Nobody,
}

/// What a network's genesis is made of: the input of [`aos_genesis`].
pub struct NetworkGenesis {
	/// The genesis validators, each bonding [`VALIDATOR_STAKE`].
	pub validators: Vec<GenesisValidator>,
	/// The accounts endowed with [`ENDOWMENT`]. Validators' stashes are endowed too, listed
	/// or not.
	pub endowed: Vec<AccountId>,
	/// The council's members.
	pub council: Vec<AccountId>,
	/// The sudo key; `None` for a network governed by its council alone.
	pub sudo: Option<AccountId>,
	/// Epoch and era lengths, the operators' and inference parameters, the trusted SRSs.
	pub timing: Timing,
	/// Which validators staking never slashes.
	pub invulnerables: Invulnerables,
}

/// Builds the genesis config patch of a network.
pub fn aos_genesis(network: NetworkGenesis) -> Value {
	let NetworkGenesis { validators, endowed, council, sudo, timing, invulnerables } = network;
	let mut balances: Vec<(AccountId, Balance)> =
		endowed.iter().cloned().map(|a| (a, ENDOWMENT)).collect();
	// Validators' stashes need funds to bond even when they are not in the endowed list.
	for v in &validators {
		if !endowed.contains(&v.stash) {
			balances.push((v.stash.clone(), ENDOWMENT));
		}
	}
	let validator_count = validators.len() as u32;
	let stashes: Vec<AccountId> = validators.iter().map(|v| v.stash.clone()).collect();
	let invulnerable_stashes = match invulnerables {
		Invulnerables::GenesisValidators => stashes.clone(),
		Invulnerables::Nobody => vec![],
	};

	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances },
		chain_timing: ChainTimingConfig {
			epoch_duration: Some(timing.epoch_duration),
			sessions_per_era: Some(timing.sessions_per_era),
		},
		babe: BabeConfig { epoch_config: BABE_GENESIS_EPOCH_CONFIG },
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|v| {
					(
						v.stash.clone(),
						v.stash.clone(),
						SessionKeys { babe: v.babe.clone(), grandpa: v.grandpa.clone() },
					)
				})
				.collect::<Vec<_>>(),
		},
		staking: StakingConfig {
			validator_count,
			minimum_validator_count: validator_count.clamp(1, 2),
			invulnerables: invulnerable_stashes,
			stakers: stashes
				.iter()
				.map(|s| {
					(s.clone(), s.clone(), VALIDATOR_STAKE, pallet_staking::StakerStatus::Validator)
				})
				.collect::<Vec<_>>(),
			min_validator_bond: MIN_VALIDATOR_BOND,
			min_nominator_bond: MIN_NOMINATOR_BOND,
		},
		council: CouncilConfig { members: council },
		sudo: SudoConfig { key: sudo },
		operators: OperatorsConfig { params: Some(timing.operators) },
		inference: InferenceConfig { params: Some(timing.inference) },
		opml: OpmlConfig { params: Some(timing.opml) },
		checkpoints: CheckpointsConfig { params: Some(timing.checkpoints) },
		zk_verifier: ZkVerifierConfig { accepted_srs: timing.accepted_srs },
		tee: TeeConfig {
			trusted_roots: timing.nitro_roots,
			max_document_age_ms: MAX_ATTESTATION_AGE_MS,
		},
	})
}

fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter().map(|k| k.to_account_id()).collect()
}

fn council() -> Vec<AccountId> {
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		.into_iter()
		.map(|k| k.to_account_id())
		.collect()
}

fn keyring_validators(n: usize) -> Vec<GenesisValidator> {
	[
		(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
	]
	.into_iter()
	.take(n)
	.map(|(sr, ed)| GenesisValidator::from_keyring(sr, ed))
	.collect()
}

/// The `development` preset.
pub fn development() -> Value {
	aos_genesis(NetworkGenesis {
		validators: keyring_validators(1),
		endowed: dev_accounts(),
		council: council(),
		sudo: Some(Sr25519Keyring::Alice.to_account_id()),
		timing: dev_timing(),
		invulnerables: Invulnerables::GenesisValidators,
	})
}

/// The `local_testnet` preset.
pub fn local_testnet() -> Value {
	aos_genesis(NetworkGenesis {
		validators: keyring_validators(3),
		endowed: dev_accounts(),
		council: council(),
		sudo: Some(Sr25519Keyring::Alice.to_account_id()),
		timing: dev_timing(),
		invulnerables: Invulnerables::GenesisValidators,
	})
}

/// The `testnet` template preset.
pub fn testnet() -> Value {
	aos_genesis(NetworkGenesis {
		validators: keyring_validators(3),
		endowed: dev_accounts(),
		council: council(),
		sudo: None,
		timing: production_timing(),
		invulnerables: Invulnerables::Nobody,
	})
}

/// The JSON of the preset `id`, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet(),
		TESTNET_RUNTIME_PRESET => testnet(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(TESTNET_RUNTIME_PRESET),
	]
}
