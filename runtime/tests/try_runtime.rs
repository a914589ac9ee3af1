//! try-runtime: this runtime's upgrade, checked on the state of a live chain that runs the
//! previous release. `scripts/try-runtime.sh` starts that chain, sets AOS up on it and runs this
//! test with the node's RPC in `AOS_TRY_RUNTIME_URI`; it needs the `try-runtime` feature
//! (`cargo test -p aos-runtime --features try-runtime --test try_runtime`).
//!
//! The state is taken at the finalized head over RPC (frame-remote-externalities) and kept in
//! the snapshot file `AOS_TRY_RUNTIME_SNAPSHOT`. On it, natively, `Executive::try_runtime_upgrade`
//! runs every migration with its pre- and post-upgrade checks, checks that each pallet's
//! storage version is the code's, decodes all storage, and runs every pallet's `try_state`.
//! Without `AOS_TRY_RUNTIME_URI` it runs on the snapshot file alone, offline (to look again at a
//! failure: the runtime's log is printed, `RUST_LOG=try-runtime=debug` for more).

use aos_runtime::{Block, Executive, Runtime};
use frame_remote_externalities::{Builder, Mode, OfflineConfig, OnlineConfig, SnapshotConfig};
use frame_try_runtime::UpgradeCheckSelect;

fn var(name: &str) -> String {
	std::env::var(name)
		.unwrap_or_else(|_| panic!("{name} is not set: run this test with scripts/try-runtime.sh"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_upgrade_passes_try_runtime_on_the_previous_release_state() {
	// The checks say which pallet failed only in the log.
	sp_tracing::try_init_simple();
	let snapshot = var("AOS_TRY_RUNTIME_SNAPSHOT");
	let (mode, source) = match std::env::var("AOS_TRY_RUNTIME_URI") {
		Ok(uri) => (
			Mode::Online(OnlineConfig {
				transport_uris: vec![uri.clone()],
				state_snapshot: Some(SnapshotConfig::new(&snapshot)),
				..Default::default()
			}),
			uri,
		),
		Err(_) => (
			Mode::Offline(OfflineConfig { state_snapshot: SnapshotConfig::new(&snapshot) }),
			snapshot.clone(),
		),
	};
	let mut ext = Builder::<Block>::new()
		.mode(mode)
		.build()
		.await
		.unwrap_or_else(|e| panic!("the state of {source}: {e}"));

	ext.execute_with(|| {
		let before = frame_system::LastRuntimeUpgrade::<Runtime>::get()
			.map(|v| v.spec_version.0)
			.unwrap_or_default();
		assert!(
			before < aos_runtime::VERSION.spec_version,
			"the chain runs spec {before}, not older than this runtime's"
		);
		let operators = pallet_operators::Operators::<Runtime>::iter()
			.filter(|(_, op)| {
				op.eth_address.is_some() && op.status == pallet_operators::OperatorStatus::Active
			})
			.count();
		assert!(operators > 0, "the previous release's chain has no operator to carry over");
		let weight = Executive::try_runtime_upgrade(UpgradeCheckSelect::All)
			.unwrap_or_else(|e| panic!("try-runtime: {e:?}"));
		let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		println!(
			"spec {before} -> {}: the upgrade weighs {weight} of a block's {max}",
			aos_runtime::VERSION.spec_version
		);
		assert!(weight.all_lte(max), "the upgrade does not fit in a block: {weight} > {max}");
		// The new pallet's operator set starts with the operators there are.
		assert_eq!(pallet_checkpoints::Dirty::<Runtime>::iter_keys().count(), operators);
	});
}
