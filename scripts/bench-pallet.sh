#!/usr/bin/env bash
# Benchmarks one of AOS's pallets on this machine and writes its weights.rs.
#   ./scripts/bench-pallet.sh pallet_root_dispatch pallets/root-dispatch
# Builds aos-node with `--features runtime-benchmarks` if needed (it replaces the release
# binary; `cargo build --release -p aos-node` restores the production one).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$(aos_repo_root)"
pallet=${1:?usage: bench-pallet.sh <pallet_name> <crate dir>}
dir=${2:?usage: bench-pallet.sh <pallet_name> <crate dir>}
aos_setup
cargo build --release --locked -p aos-node --features runtime-benchmarks
"$CARGO_TARGET_DIR/release/aos-node" benchmark pallet \
	--chain dev \
	--pallet "$pallet" \
	--extrinsic '*' \
	--steps "${STEPS:-50}" \
	--repeat "${REPEAT:-20}" \
	--wasm-execution compiled \
	--heap-pages 4096 \
	--template scripts/pallet-weight-template.hbs \
	--output "$dir/src/weights.rs"
