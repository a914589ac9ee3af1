#!/usr/bin/env bash
# Sets up what is missing and runs every AOS check and test: format, the docs check, the AVS
# contracts under forge, clippy with warnings denied, unit and runtime tests, the integration
# tests against the real aos-node binary, the end-to-end tests (node, operators, dApps),
# README's three-validator network as written, and zombienet's short suite.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$(aos_repo_root)"
aos_setup

# Format first: seconds, and the most common slip. The crates outside the workspace too.
aos_log "cargo fmt --check"
cargo fmt --all --check
cargo fmt --check --manifest-path offchain-workers/kernel-wasm/Cargo.toml
cargo fmt --check --manifest-path primitives/zk/fuzz/Cargo.toml
cargo fmt --check --manifest-path primitives/nitro/fuzz/Cargo.toml

# Docs that restate what the code knows (pallet indices, workspace crates, links, …): seconds.
aos_log "docs against the code"
./scripts/check-docs.sh

# The TypeScript dApp example, which an end-to-end test runs against the node.
aos_log "TypeScript example: npm ci, type check"
(
	cd examples/dapp-ts
	command -v npm >/dev/null || aos_need_apt nodejs npm
	[ -x node_modules/.bin/tsx ] || npm ci --no-audit --no-fund --loglevel=error
	npx tsc --noEmit
)

# The AVS contracts (forge, solc from npm), and the vector they share with the Rust side.
aos_log "AVS contracts (forge test)"
./scripts/test-contracts.sh

# Zk mode: the pinned ezkl in its venv and the Iris circuit the end-to-end Zk test proves with
# (both cached in ~/.cache; the tests would make them too, this says where the time goes).
aos_log "ezkl venv and the Iris circuit"
command -v python3 >/dev/null && python3 -c "import venv, ensurepip" 2>/dev/null ||
	aos_need_apt python3 python3-venv
offchain-workers/zk-prover/circuit.sh iris

# One profile for everything: the integration tests need the release node anyway, and a second
# (debug) build of the whole dependency tree would double the build time.
# The binaries first, as every script builds them (one feature set: nothing is rebuilt when
# the devnet or zombienet runs after the tests, or the other way round).
aos_build

# Lints with warnings denied, on every target (the criterion benches included); what is allowed,
# and why, is in Cargo.toml's [workspace.lints]. In release, after the build: clippy checks the
# dependencies anew (metadata only) but reuses their build scripts and proc macros.
aos_log "cargo clippy (warnings denied)"
cargo clippy --release --locked --workspace --all-targets \
	--features aos-zk/bench,aos-operator/bench -- -D warnings

aos_log "cargo test (release)"
cargo test --release --locked --workspace

# README's devnet, the main job, as written, stopped after its demo tasks (redundancy, Zk, TEE).
aos_log "README's devnet with the bridge (DEVNET_EXIT=1: stops after the demo tasks and the first relayed checkpoint)"
DEVNET_EXIT=1 DEVNET_BRIDGE=1 ./scripts/devnet.sh

# README's three-terminal network, run from README.md as written: a newcomer's path is tested.
aos_log "README's local three-validator network"
./scripts/test-readme-network.sh

aos_log "zombienet's short suite: four validators, three operators, a validator down and back"
./zombienet/run.sh
