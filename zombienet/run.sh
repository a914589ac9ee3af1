#!/usr/bin/env bash
# Runs zombienet tests of aos-node with the native provider (validator processes on this
# machine): the short suite (./*.zndsl, what CI runs) by default, or the tests named, e.g.
# `./zombienet/run.sh long/*.zndsl` for the long suite (docs/VALIDATORS.md). Needs Node.js
# and npm; installs @zombienet/cli (pinned in package-lock.json) into zombienet/node_modules on
# first use. Uses the release binaries from CARGO_TARGET_DIR, building them if aos-node is
# missing. The tests' scripts (operators.sh, task.sh, ...) find the repository in AOS_ROOT.
set -euo pipefail
source "$(dirname "$0")/../scripts/setup.sh"
AOS_ROOT=$(aos_repo_root)
export AOS_ROOT
cd "$AOS_ROOT/zombienet"

export AOS_NODE="$CARGO_TARGET_DIR/release/aos-node"
if [ ! -x "$AOS_NODE" ]; then
	(cd .. && aos_build)
fi

if [ ! -x node_modules/.bin/zombienet ]; then
	command -v npm >/dev/null || aos_need_apt nodejs npm
	aos_log "installing @zombienet/cli"
	npm ci --no-audit --no-fund --loglevel=error
fi

# The nodes start with this tree's runtime, except in the upgrade test
# (long/0102-runtime-upgrade.zndsl): it starts from the previous release's `local` chain spec
# (chain-specs/previous-release names its commit), taken from git, and upgrades to this tree's.
export AOS_RUNTIME_WASM="$CARGO_TARGET_DIR/release/wbuild/aos-runtime/aos_runtime.compact.compressed.wasm"
AOS_PREVIOUS_RELEASE=${AOS_PREVIOUS_RELEASE:-$(grep -v '^#' "$AOS_ROOT/chain-specs/previous-release")}

# Zombienet's native provider keeps its files here; start clean every time. They are removed
# when every test passes, unless ZOMBIE_KEEP is set (to read the nodes' logs).
export ZOMBIE_DIR="${ZOMBIE_DIR:-$(mktemp -d /tmp/aos-zombienet.XXXXXX)}"
mkdir -p "$ZOMBIE_DIR"
export AOS_PREVIOUS_SPEC="$ZOMBIE_DIR/previous-local.json"
git -C "$AOS_ROOT" show "$AOS_PREVIOUS_RELEASE:chain-specs/local.json" >"$AOS_PREVIOUS_SPEC" 2>/dev/null ||
	echo "no chain spec of the previous release ($AOS_PREVIOUS_RELEASE) in git: the upgrade test cannot run" >&2
status=0
# What a test started beside the network (operators.sh: a devnet.sh process group) stops with it.
stop_extras() {
	local pidfile
	for pidfile in "$ZOMBIE_DIR"/*/operators.pid; do
		[ -f "$pidfile" ] || continue
		kill -TERM -- "-$(cat "$pidfile")" 2>/dev/null || true
		rm -f "$pidfile"
	done
}
trap stop_extras EXIT
# Tests are named relative to zombienet/; a pattern the caller's shell could not expand there
# (`./zombienet/run.sh long/*.zndsl` from the repository's root) is expanded here.
tests=()
for pattern in "$@"; do
	# shellcheck disable=SC2206 # the pattern is meant to be expanded
	tests+=($pattern)
done
[ ${#tests[@]} -gt 0 ] || tests=(./*.zndsl)
for test in "${tests[@]}"; do
	aos_log "zombienet test $test"
	node_modules/.bin/zombienet --provider native --dir "$ZOMBIE_DIR/$(basename "$test" .zndsl)" \
		test "$test" || status=$?
	stop_extras
	[ "$status" -eq 0 ] || break
done
if [ "$status" -eq 0 ] && [ -z "${ZOMBIE_KEEP:-}" ]; then
	rm -rf "$ZOMBIE_DIR"
elif [ "$status" -eq 0 ]; then
	echo "node logs are in $ZOMBIE_DIR" >&2
else
	echo "zombienet failed; node logs are in $ZOMBIE_DIR" >&2
fi
exit "$status"
