#!/usr/bin/env bash
# Measures the runtime's per-block and per-extrinsic base weights on this machine and writes
# runtime/src/weights/{block_weights,extrinsic_weights}.rs. They set the base cost of every
# block and transaction (and so the fees), so rerun after runtime changes that touch every block
# or transaction (hooks, transaction extensions), on the reference machine.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$(aos_repo_root)"
aos_setup
cargo build --release --locked -p aos-node --features runtime-benchmarks
out=runtime/src/weights
"$CARGO_TARGET_DIR/release/aos-node" benchmark overhead \
	--chain dev --weight-path "$out" --warmup 10 --repeat "${REPEAT:-100}"
# The runtime reaches these crates through frame-support.
sed -i -e 's/^use sp_core::parameter_types;/use frame_support::parameter_types;/' \
	-e 's/sp_weights::/frame_support::weights::/g' \
	-e 's/use sp_weights::/use frame_support::weights::/g' -e '1{/^$/d}' \
	"$out/block_weights.rs" "$out/extrinsic_weights.rs"
