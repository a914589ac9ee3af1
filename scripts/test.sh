#!/usr/bin/env bash
# Sets up what is missing and runs every AOS test: unit and runtime tests, the integration tests
# against the real aos-node binary, and the three-validator network (zombienet).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$(aos_repo_root)"
aos_setup

# One profile for everything: the integration tests need the release node anyway, and a second
# (debug) build of the whole dependency tree would double the build time.
aos_log "cargo test (release)"
cargo test --release --locked --workspace

aos_log "three-validator local network (zombienet)"
./zombienet/run.sh
