#!/usr/bin/env bash
# Builds and tests the AVS contracts (contracts/) with forge, compiling with the npm solc
# (solcjs) through contracts/tools/solc, as forge cannot download solc here. Installs forge,
# anvil and solc (pinned in contracts/package-lock.json) into contracts/node_modules on first
# use. Extra arguments go to `forge test` (e.g. `--match-test Gas -vv` prints the gas figures).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$(aos_repo_root)/contracts"
if [ ! -x node_modules/.bin/forge ] || [ ! -d node_modules/solc ]; then
	command -v npm >/dev/null || aos_need_apt nodejs npm
	aos_log "installing forge, anvil and solc (npm)"
	npm ci --no-audit --no-fund --loglevel=error
fi
export NODE_PATH="$PWD/node_modules"
node_modules/.bin/forge test --use ./tools/solc "$@"
