#!/usr/bin/env bash
# The main job: sets up what is missing, builds aos-node (with the workspace's other binaries,
# one build shared by every script) and starts a local development chain
# (one validator, Alice; 5-second blocks finalized by GRANDPA; JSON-RPC on ws://127.0.0.1:9944).
# Extra arguments go to aos-node, e.g. `./scripts/dev.sh --rpc-port 9955`. Ctrl-C stops it.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$(aos_repo_root)"
aos_setup
aos_build
aos_log "starting the development chain: Ctrl-C stops it"
exec "$CARGO_TARGET_DIR/release/aos-node" --dev "$@"
