//! `aos-node benchmark`: pallet, overhead, extrinsic, block, storage and machine benchmarks
//! (node built with `--features runtime-benchmarks`).

use crate::{cli::Cli, service};
use aos_runtime::{
	opaque::Block, AccountId, Balance, BalancesCall, SystemCall, EXISTENTIAL_DEPOSIT,
};
use frame_benchmarking_cli::{
	BenchmarkCmd, ExtrinsicBuilder, ExtrinsicFactory, SUBSTRATE_REFERENCE_HARDWARE,
};
use sc_cli::SubstrateCli;
use sc_client_api::BlockBackend;
use sc_service::PartialComponents;
use sp_keyring::Sr25519Keyring;
use sp_runtime::OpaqueExtrinsic;
use std::sync::Arc;

/// Runs a `benchmark` subcommand.
pub fn run(cli: &Cli, cmd: &BenchmarkCmd) -> sc_cli::Result<()> {
	let runner = cli.create_runner(cmd)?;
	runner.sync_run(|config| match cmd {
		BenchmarkCmd::Pallet(cmd) => cmd
			.run_with_spec::<sp_runtime::traits::HashingFor<Block>, service::HostFunctions>(Some(
				config.chain_spec,
			)),
		BenchmarkCmd::Block(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			cmd.run(client)
		},
		BenchmarkCmd::Storage(cmd) => {
			let PartialComponents { client, backend, .. } = service::new_partial(&config)?;
			let db = backend.expose_db();
			let storage = backend.expose_storage();
			let shared_cache = backend.expose_shared_trie_cache();
			cmd.run(config, client, db, storage, shared_cache)
		},
		BenchmarkCmd::Overhead(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			let remark = RemarkBuilder { client: client.clone() };
			let (inherent_data, digest) = benchmark_block_data()?;
			cmd.run(config.chain_spec.name().into(), client, inherent_data, digest, &remark, false)
		},
		BenchmarkCmd::Extrinsic(cmd) => {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			let factory = ExtrinsicFactory(vec![
				Box::new(RemarkBuilder { client: client.clone() }),
				Box::new(TransferKeepAliveBuilder {
					client: client.clone(),
					dest: Sr25519Keyring::Bob.to_account_id(),
					value: EXISTENTIAL_DEPOSIT,
				}),
			]);
			let (inherent_data, digest) = benchmark_block_data()?;
			cmd.run(client, inherent_data, digest, &factory)
		},
		BenchmarkCmd::Machine(cmd) => cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()),
	})
}

/// Signs `call` as Alice with `nonce`, immortal, against `client`'s genesis.
fn signed(
	client: &service::FullClient,
	call: aos_runtime::RuntimeCall,
	nonce: u32,
) -> Result<OpaqueExtrinsic, &'static str> {
	let genesis =
		client.block_hash(0).ok().flatten().ok_or("the benchmark database has no genesis block")?;
	let xt = aos_runtime::sign_extrinsic(
		call,
		&Sr25519Keyring::Alice.pair(),
		aos_runtime::tx_extension(nonce, 0, 0, 0),
		genesis,
		genesis,
	);
	Ok(xt.into())
}

/// Builds `System::remark` extrinsics, the lightest signed extrinsic.
struct RemarkBuilder {
	client: Arc<service::FullClient>,
}

impl ExtrinsicBuilder for RemarkBuilder {
	fn pallet(&self) -> &str {
		"system"
	}

	fn extrinsic(&self) -> &str {
		"remark"
	}

	fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
		signed(&self.client, SystemCall::remark { remark: vec![] }.into(), nonce)
	}
}

/// Builds `Balances::transfer_keep_alive` extrinsics.
struct TransferKeepAliveBuilder {
	client: Arc<service::FullClient>,
	dest: AccountId,
	value: Balance,
}

impl ExtrinsicBuilder for TransferKeepAliveBuilder {
	fn pallet(&self) -> &str {
		"balances"
	}

	fn extrinsic(&self) -> &str {
		"transfer_keep_alive"
	}

	fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
		let call =
			BalancesCall::transfer_keep_alive { dest: self.dest.clone().into(), value: self.value };
		signed(&self.client, call.into(), nonce)
	}
}

/// Inherent data and digest of benchmark blocks: the current time, and a BABE pre-digest for
/// the slot it falls in (the runtime checks that the two agree).
fn benchmark_block_data(
) -> sc_cli::Result<(sp_inherents::InherentData, Vec<sp_runtime::DigestItem>)> {
	use sp_consensus_babe::digests::{CompatibleDigestItem, PreDigest, SecondaryPlainPreDigest};
	use sp_inherents::InherentDataProvider;

	let mut data = sp_inherents::InherentData::new();
	let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
	futures::executor::block_on(timestamp.provide_inherent_data(&mut data))
		.map_err(|e| format!("creating inherent data: {e:?}"))?;
	let slot = timestamp.as_millis() / aos_runtime::SLOT_DURATION;
	let pre_digest = PreDigest::SecondaryPlain(SecondaryPlainPreDigest {
		authority_index: 0,
		slot: slot.into(),
	});
	Ok((data, vec![sp_runtime::DigestItem::babe_pre_digest(pre_digest)]))
}
