#!/usr/bin/env bash
# Runs README.md's local three-validator network as written, and checks that it works: the
# commands are read from README.md itself (the fenced block after the marker comment), so the
# path a newcomer follows is the tested one. The only substitution is the node binary: when
# README's `node=` path is not the one built here ($CARGO_TARGET_DIR), the built one is used.
#
# Starts the three commands in the background (each in its own process group, its output in a
# log), then waits until every node has both others as peers and has finalized a block beyond
# genesis (JSON-RPC: system_health, chain_getFinalizedHead, chain_getHeader), at most
# README_NET_TIMEOUT seconds (default 120). Stops the nodes on exit, whatever happens.
#
#   scripts/test-readme-network.sh                   # README.md of this repository
#   AOS_README=/tmp/other.md scripts/test-readme-network.sh
#   AOS_NODE=/path/to/aos-node scripts/test-readme-network.sh
set -euo pipefail
source "$(dirname "$0")/setup.sh"
root=$(aos_repo_root)
aos_need_apt curl jq iproute2
readme=${AOS_README:-$root/README.md}
timeout=${README_NET_TIMEOUT:-120}
marker='<!-- scripts/test-readme-network.sh runs this block as written'

fail() {
	echo "test-readme-network: $*" >&2
	exit 1
}

# The block: the first ```sh fence after the marker, up to its closing fence.
block=$(awk -v marker="$marker" '
	index($0, marker) == 1 { found = 1; next }
	found && !inside && /^```sh[[:space:]]*$/ { inside = 1; next }
	inside && /^```[[:space:]]*$/ { exit }
	inside { print }
' "$readme")
[ -n "$block" ] || fail "no \`\`\`sh block after the marker \"$marker …\" in $readme"

node_line=""
commands=()
while IFS= read -r line; do
	case "$line" in
	'' | '#'*) ;;
	node=*) node_line=$line ;;
	'$node '*) commands+=("$line") ;;
	*) fail "README's block has a line this test does not know how to run: $line" ;;
	esac
done <<<"$block"
[ -n "$node_line" ] || fail "README's block does not set \`node=\`"
[ ${#commands[@]} -eq 3 ] || fail "README's block has ${#commands[@]} node commands, not 3"

readme_node=$(bash -c "$node_line"'; printf %s "$node"')
node=${AOS_NODE:-$CARGO_TARGET_DIR/release/aos-node}
[ -x "$node" ] || fail "$node is missing: build it (cargo build --release -p aos-node)"
[ "$readme_node" = "$node" ] || aos_log "README's node is $readme_node; this test runs $node"

# The ports README gives: refuse to start beside something already listening on them.
ports=$(printf '%s\n' "${commands[@]}" | grep -oE -- '--(rpc-)?port [0-9]+' | awk '{print $2}')
rpc_ports=$(printf '%s\n' "${commands[@]}" | grep -oE -- '--rpc-port [0-9]+' | awk '{print $2}')
[ "$(wc -w <<<"$rpc_ports")" -eq 3 ] || fail "each of README's commands needs its own --rpc-port"
for port in $ports; do
	if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
		fail "port $port is in use: stop what listens there (another aos-node?) and run again"
	fi
done

dir=$(mktemp -d /tmp/aos-readme-network.XXXXXX)
pids=()
status=1
cleanup() {
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
	for _ in $(seq 20); do
		alive=0
		for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
		[ "$alive" = 0 ] && break
		sleep 0.5
	done
	for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "$status" = 0 ]; then
		rm -rf "$dir"
	else
		echo "test-readme-network: the nodes' logs are in $dir" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

i=0
for cmd in "${commands[@]}"; do
	i=$((i + 1))
	aos_log "terminal $i: $cmd"
	# setsid: a process group of its own, so that cleanup stops the node and nothing else.
	setsid bash -c "node=$(printf %q "$node"); $cmd" </dev/null >"$dir/node$i.log" 2>&1 &
	pids+=($!)
done

rpc() { # port method params
	curl -sf --max-time 5 -H 'Content-Type: application/json' "http://127.0.0.1:$1" \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" || true
}

deadline=$((SECONDS + timeout))
last=""
while :; do
	i=0
	for pid in "${pids[@]}"; do
		i=$((i + 1))
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 5 "$dir/node$i.log" >&2
			fail "the node of terminal $i exited: ${commands[$((i - 1))]}"
		fi
	done
	ok=1
	report=""
	for port in $rpc_ports; do
		peers=$(rpc "$port" system_health '[]' | jq -r '.result.peers // empty' 2>/dev/null)
		head=$(rpc "$port" chain_getFinalizedHead '[]' | jq -r '.result // empty' 2>/dev/null)
		number=""
		[ -n "$head" ] &&
			number=$(rpc "$port" chain_getHeader "[\"$head\"]" | jq -r '.result.number // empty' 2>/dev/null)
		finalized=$((${number:-0}))
		report+=" :$port peers=${peers:-?} finalized=$finalized"
		[ "${peers:-0}" -ge 2 ] && [ "$finalized" -ge 1 ] || ok=0
	done
	if [ "$report" != "$last" ]; then
		echo "test-readme-network:$report" >&2
		last=$report
	fi
	if [ "$ok" = 1 ]; then
		status=0
		aos_log "README's three-validator network: every node has 2 peers and finalized a block"
		exit 0
	fi
	[ "$SECONDS" -lt "$deadline" ] ||
		fail "after ${timeout}s not every node has 2 peers and a finalized block beyond genesis"
	sleep 2
done
