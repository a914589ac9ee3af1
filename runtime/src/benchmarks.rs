//! The pallets benchmarked by `aos-node benchmark pallet` (node built with
//! `--features runtime-benchmarks`).

use crate::*;
use alloc::{string::String, vec::Vec};
use frame_benchmarking::{BenchmarkBatch, BenchmarkConfig, BenchmarkList};
use frame_support::traits::StorageInfo;

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_babe, Babe]
	[pallet_grandpa, Grandpa]
	[pallet_staking, Staking]
	[pallet_bags_list, VoterList]
	[pallet_collective, Council]
	[pallet_root_dispatch, RootDispatch]
	[pallet_operators, Operators]
	[pallet_inference, Inference]
	[pallet_zk_verifier, ZkVerifier]
	[pallet_tee, Tee]
	[pallet_checkpoints, Checkpoints]
	[pallet_opml, Opml]
	[pallet_utility, Utility]
	[pallet_multisig, Multisig]
	[pallet_sudo, Sudo]
);

use frame_benchmarking::baseline::Pallet as BaselineBench;
use frame_system_benchmarking::Pallet as SystemBench;

impl frame_benchmarking::baseline::Config for Runtime {}
impl frame_system_benchmarking::Config for Runtime {}

/// The benchmarks the runtime has, and the storage they may touch.
pub fn metadata(extra: bool) -> (Vec<BenchmarkList>, Vec<StorageInfo>) {
	use frame_support::traits::StorageInfoTrait;

	let mut list = Vec::<BenchmarkList>::new();
	list_benchmarks!(list, extra);
	(list, AllPalletsWithSystem::storage_info())
}

/// Runs the benchmarks `config` selects.
pub fn dispatch(config: BenchmarkConfig) -> Result<Vec<BenchmarkBatch>, String> {
	use frame_support::traits::WhitelistedStorageKeys;

	let whitelist = AllPalletsWithSystem::whitelisted_storage_keys();
	let mut batches = Vec::<BenchmarkBatch>::new();
	let params = (&config, &whitelist);
	add_benchmarks!(params, batches);
	Ok(batches)
}
