#!/usr/bin/env bash
# Regenerates the checked-in development chain specs from the runtime's genesis presets:
#   chain-specs/dev.json      plain, from the `development` preset
#   chain-specs/local.json    plain, from the `local_testnet` preset
# The AOS test network's spec, chain-specs/testnet.json (the node's default chain), is made by
# scripts/gen-network.sh with fresh keys whose secrets stay out of the repository; this script
# never writes it (a new testnet.json is a new network: a new genesis hash).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$(aos_repo_root)"
aos_setup
aos_build
node="$CARGO_TARGET_DIR/release/aos-node"
"$node" export-chain-spec --chain dev >chain-specs/dev.json
"$node" export-chain-spec --chain local >chain-specs/local.json
ls -l chain-specs
