//! # The AOS runtime
//!
//! AOS is an app-specific chain that makes AI inference verifiable. This crate is its runtime:
//! a proof-of-stake chain with
//!
//! - BABE block production in 5-second slots (its per-block VRF output later seeds inference task
//!   sampling) and GRANDPA finality;
//! - NPoS staking (pallet-staking) electing validators every era, with sessions (+ historical),
//!   offences and an on-chain sequential-Phragmén election;
//! - the native token AOS (pallet-balances), transaction payment, utility and multisig;
//! - governance by root or at least 2/3 of the council ([`GovernanceOrigin`]), and root
//!   itself reachable by 3/4 of the council (pallet-root-dispatch) where there is no sudo.
//!
//! The runtime configuration is split per concern in [`configs`]; runtime APIs are in `apis.rs`
//! and the genesis presets (`development`, `local_testnet`, `testnet`) in
//! [`genesis_config_presets`].

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests and benchmark setups may).
#![cfg_attr(
	not(feature = "runtime-benchmarks"),
	deny(clippy::unwrap_used, clippy::indexing_slicing)
)]
// `construct_runtime`'s expansion is deeply recursive.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

mod apis;
mod bag_thresholds;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod constants;
pub mod genesis_config_presets;
pub mod weights;

use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::{runtime_version, RuntimeVersion};

pub use apis::RuntimeApi;
pub use configs::governance::{GovernanceOrigin, RootOrigin};
pub use constants::{currency::*, time::*};
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Block number.
pub type BlockNumber = u32;
/// Transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// An account: the public key of the transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A balance, in planck (10^-18 AOS).
pub type Balance = u128;
/// Transaction index of an account.
pub type Nonce = u32;
/// Block and state hash.
pub type Hash = sp_core::H256;

/// Types the client needs without knowing the runtime's call and event types.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Block.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Block identifier.
	pub type BlockId = generic::BlockId<Block>;
}

impl_opaque_keys! {
	/// The session keys of a validator: BABE for block production, GRANDPA for finality.
	pub struct SessionKeys {
		pub babe: Babe,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version.
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("aos"),
	impl_name: alloc::borrow::Cow::Borrowed("aos-node"),
	authoring_version: 1,
	// Bump on every change of runtime logic; the on-chain runtime is only replaced by a
	// higher spec version.
	spec_version: 114,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	// Bump when the encoding of calls or of the transaction extensions changes.
	transaction_version: 3,
	system_version: 1,
};

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	// Before BABE and staking: both read the lengths it fixes at genesis.
	#[runtime::pallet_index(1)]
	pub type ChainTiming = pallet_chain_timing;

	// BABE must come before Timestamp: it reads the slot before Timestamp checks it.
	#[runtime::pallet_index(2)]
	pub type Babe = pallet_babe;

	#[runtime::pallet_index(3)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	// Authorship must come before Session: it notes the author before a session may end.
	#[runtime::pallet_index(6)]
	pub type Authorship = pallet_authorship;

	// Staking must come before Session: it plans the next validator set.
	#[runtime::pallet_index(7)]
	pub type Staking = pallet_staking;

	#[runtime::pallet_index(8)]
	pub type Offences = pallet_offences;

	#[runtime::pallet_index(9)]
	pub type Historical = pallet_session::historical;

	#[runtime::pallet_index(10)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(11)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(12)]
	pub type VoterList = pallet_bags_list<Instance1>;

	#[runtime::pallet_index(20)]
	pub type Council = pallet_collective<Instance1>;

	#[runtime::pallet_index(21)]
	pub type RootDispatch = pallet_root_dispatch;

	#[runtime::pallet_index(30)]
	pub type Utility = pallet_utility;

	#[runtime::pallet_index(31)]
	pub type Multisig = pallet_multisig;

	#[runtime::pallet_index(40)]
	pub type Operators = pallet_operators;

	#[runtime::pallet_index(41)]
	pub type Inference = pallet_inference;

	#[runtime::pallet_index(42)]
	pub type ZkVerifier = pallet_zk_verifier;

	#[runtime::pallet_index(43)]
	pub type Tee = pallet_tee;

	#[runtime::pallet_index(44)]
	pub type Opml = pallet_opml;

	#[runtime::pallet_index(45)]
	pub type Checkpoints = pallet_checkpoints;

	// Present in every runtime, but only the development and local genesis presets set a key:
	// on other networks it is inert.
	#[runtime::pallet_index(99)]
	pub type Sudo = pallet_sudo;
}

/// The address format of extrinsics.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// The transaction extensions, checked for every signed transaction, in this order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);
/// Unchecked extrinsic.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload a transaction signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on the next runtime upgrade, besides the pallets' own.
type Migrations = (
	pallet_inference::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_operators::migrations::v1::MigrateV0ToV1<Runtime>,
	// Spec 113 added pallet-checkpoints: its parameters fit the operators' slashing periods
	// and its operator set starts with the operators there are.
	pallet_checkpoints::migrations::InitParameters<Runtime, configs::checkpoints::UpgradeParams>,
	pallet_checkpoints::migrations::SeedOperatorSet<Runtime>,
);

/// Dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The transaction extensions a client attaches to a transaction signed now, for tools and
/// tests that build transactions from Rust (the node's benchmarks, the integration tests).
///
/// `nonce` is the sender's next nonce, `period` the mortality in blocks (0 for immortal) and
/// `current_block` the number of the block the mortality counts from.
pub fn tx_extension(nonce: Nonce, tip: Balance, period: u64, current_block: u64) -> TxExtension {
	let era = if period == 0 {
		generic::Era::Immortal
	} else {
		generic::Era::mortal(period, current_block)
	};
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(era),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(tip),
		frame_system::WeightReclaim::new(),
	)
}

/// Signs `call` with `signer` into an extrinsic for the chain with genesis hash `genesis`;
/// `checkpoint` is the hash of block `current_block` when the transaction is mortal (the
/// genesis hash when it is immortal). Signs for this runtime's own versions.
#[cfg(feature = "std")]
pub fn sign_extrinsic(
	call: RuntimeCall,
	signer: &sp_core::sr25519::Pair,
	extension: TxExtension,
	genesis: Hash,
	checkpoint: Hash,
) -> UncheckedExtrinsic {
	let versions = (VERSION.spec_version, VERSION.transaction_version);
	sign_extrinsic_for(call, signer, extension, genesis, checkpoint, versions)
}

/// [`sign_extrinsic`] for a chain that runs `(spec_version, transaction_version)`: clients
/// built with this runtime sign for a later runtime as long as its transaction version (the
/// encoding of calls and extensions) is this one's.
#[cfg(feature = "std")]
pub fn sign_extrinsic_for(
	call: RuntimeCall,
	signer: &sp_core::sr25519::Pair,
	extension: TxExtension,
	genesis: Hash,
	checkpoint: Hash,
	(spec_version, transaction_version): (u32, u32),
) -> UncheckedExtrinsic {
	use codec::Encode;
	use sp_core::Pair;
	let implicit = ((), spec_version, transaction_version, genesis, checkpoint, (), (), (), ());
	let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(AccountId::from(signer.public())),
		Signature::Sr25519(signature),
		extension,
	)
}
