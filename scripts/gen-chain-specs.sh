#!/usr/bin/env bash
# Regenerates the checked-in chain specs from the runtime's genesis presets:
#   chain-specs/dev.json      plain, from the `development` preset
#   chain-specs/local.json    plain, from the `local_testnet` preset
#   chain-specs/testnet.json  raw, from the `testnet` preset (the AOS test network)
# and rebuilds aos-node, which embeds testnet.json as its default chain.
#
# A new testnet.json is a new network (a new genesis hash): only regenerate it to relaunch.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$(aos_repo_root)"
aos_setup
cargo build --release --locked -p aos-node
node="$CARGO_TARGET_DIR/release/aos-node"
"$node" export-chain-spec --chain dev >chain-specs/dev.json
"$node" export-chain-spec --chain local >chain-specs/local.json
"$node" export-chain-spec --chain testnet-template --raw >chain-specs/testnet.json
aos_log "rebuilding aos-node with the new testnet spec"
cargo build --release --locked -p aos-node
"$CARGO_TARGET_DIR/release/aos-node" export-chain-spec --chain testnet --raw | cmp -s - chain-specs/testnet.json ||
	{ echo "the rebuilt node does not embed the new testnet spec" >&2; exit 1; }
ls -l chain-specs
