#!/usr/bin/env bash
# Checks this tree's runtime upgrade with try-runtime against the state of a chain running the
# previous release (chain-specs/previous-release names its commit). Starts that release's dev
# chain (its chain spec from git) with this aos-node, sets AOS up on it as the devnet does (the
# Iris model and three operators with Ethereum keys: scripts/devnet.sh with DEVNET_NODE), then
# runs runtime/tests/try_runtime.rs: it takes the chain's finalized state over RPC into a
# snapshot file (frame-remote-externalities) and runs the upgrade on it natively, with every
# migration's pre- and post-upgrade checks, the decoding of all storage and every pallet's
# try_state (docs/UPGRADES.md).
#   ./scripts/try-runtime.sh
#   TRY_RUNTIME_DIR=/tmp/aos-try ./scripts/try-runtime.sh   # keep the snapshot and logs there
set -euo pipefail
source "$(dirname "$0")/setup.sh"
root=$(aos_repo_root)
cd "$root"
aos_setup
aos_need_apt curl python3 git
aos_build
bin="$CARGO_TARGET_DIR/release"
dir=${TRY_RUNTIME_DIR:-$(mktemp -d /tmp/aos-try-runtime.XXXXXX)}
mkdir -p "$dir"
previous=$(grep -v '^#' chain-specs/previous-release)
git show "$previous:chain-specs/dev.json" >"$dir/previous-dev.json" || {
	echo "no chain spec of the previous release ($previous) in git: a full clone is needed" >&2
	exit 1
}

pids=()
stop() {
	trap - INT TERM EXIT
	for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	echo "logs and the snapshot are in $dir"
}
trap stop INT TERM EXIT

port=${TRY_RUNTIME_RPC_PORT:-9970}
aos_log "the previous release's dev chain ($previous), log: $dir/node.log"
setsid "$bin/aos-node" --chain "$dir/previous-dev.json" --alice --force-authoring \
	--unsafe-force-node-key-generation \
	--base-path "$dir/node" --rpc-port "$port" --port 0 --prometheus-port 0 --no-mdns \
	>"$dir/node.log" 2>&1 &
pids+=($!)
aos_log "AOS set up on it (the model and three operators), log: $dir/devnet/devnet.log"
mkdir -p "$dir/devnet"
DEVNET_NODE="ws://127.0.0.1:$port" DEVNET_DIR="$dir/devnet" DEVNET_DEMO=0 DEVNET_ZK=0 \
	DEVNET_MODEL_PORT=9985 DEVNET_METRICS_PORT=9636 \
	setsid ./scripts/devnet.sh </dev/null >"$dir/devnet/devnet.log" 2>&1 &
pids+=($!)
# devnet.sh waits until the operators count for sampling (their VRF keys count one epoch after
# registration): minutes on a chain just started.
for _ in $(seq 900); do
	[ -s "$dir/devnet/model" ] && break
	kill -0 "${pids[1]}" 2>/dev/null || { tail -20 "$dir/devnet/devnet.log" >&2; exit 1; }
	sleep 1
done
[ -s "$dir/devnet/model" ] || { echo "the operators did not register; see $dir" >&2; exit 1; }

aos_log "try-runtime: this runtime's upgrade on the chain's state"
AOS_TRY_RUNTIME_URI="ws://127.0.0.1:$port" AOS_TRY_RUNTIME_SNAPSHOT="$dir/snapshot" \
	SKIP_WASM_BUILD=1 cargo test --release --locked -p aos-runtime --features try-runtime \
	--test try_runtime -- --nocapture
