#!/usr/bin/env bash
# Runs the zombienet tests of aos-node with the native provider: three validator processes on
# this machine. Needs Node.js and npm; installs @zombienet/cli (pinned in package-lock.json)
# into zombienet/node_modules on first use. Uses the release aos-node from CARGO_TARGET_DIR,
# building it if it is missing.
set -euo pipefail
source "$(dirname "$0")/../scripts/setup.sh"
cd "$(aos_repo_root)/zombienet"

export AOS_NODE="$CARGO_TARGET_DIR/release/aos-node"
if [ ! -x "$AOS_NODE" ]; then
	(cd .. && aos_build)
fi

if [ ! -x node_modules/.bin/zombienet ]; then
	command -v npm >/dev/null || aos_need_apt nodejs npm
	aos_log "installing @zombienet/cli"
	npm ci --no-audit --no-fund --loglevel=error
fi

# Zombienet's native provider keeps its files here; start clean every time.
export ZOMBIE_DIR="${ZOMBIE_DIR:-$(mktemp -d /tmp/aos-zombienet.XXXXXX)}"
status=0
for test in ${1:-./*.zndsl}; do
	aos_log "zombienet test $test"
	node_modules/.bin/zombienet --provider native --dir "$ZOMBIE_DIR/$(basename "$test" .zndsl)" \
		test "$test" || status=$?
	[ "$status" -eq 0 ] || break
done
if [ "$status" -eq 0 ]; then
	rm -rf "$ZOMBIE_DIR"
else
	echo "zombienet failed; node logs are in $ZOMBIE_DIR" >&2
fi
exit "$status"
