# Helpers for the scripts zombienet's tests run (`<node>: run ./<script>.sh`): zombienet runs
# them in the node's own directory under the network's, with run.sh's environment (AOS_ROOT,
# CARGO_TARGET_DIR). Sourced, not run.
set -euo pipefail
# The network's directory (zombienet writes zombie.json and <node>.log there).
net=$(cd .. && pwd)
# The node this script runs for.
node=$(basename "$PWD")
bin="$CARGO_TARGET_DIR/release"

# The WebSocket JSON-RPC URL of node $1 (this node by default), from zombie.json.
ws_of() {
	python3 - "$net/zombie.json" "${1:-$node}" <<'PY'
import json, sys
network = json.load(open(sys.argv[1]))
print(network["nodesByName"][sys.argv[2]]["wsUri"])
PY
}

# A JSON-RPC call to node $1: method $2 with params $3 (a JSON array, [] by default); its
# result as JSON.
rpc() {
	local url
	url=$(ws_of "$1")
	curl -s --max-time 10 -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":${3:-[]}}" "http${url#ws}" |
		python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["result"]))'
}

# The number of the header JSON on standard input.
header_number() {
	python3 -c 'import json, sys; print(int(json.load(sys.stdin)["number"], 16))'
}

# Node $1's best block number.
best_of() {
	rpc "$1" chain_getHeader | header_number
}

# Node $1's finalized block number.
finalized_of() {
	rpc "$1" chain_getHeader "[$(rpc "$1" chain_getFinalizedHead)]" | header_number
}

# Waits up to $1 seconds for the command that follows to succeed; fails with $2 otherwise.
within() {
	local seconds=$1 what=$2
	shift 2
	local end=$((SECONDS + seconds))
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || { echo "$node: $what: not within ${seconds}s" >&2; return 1; }
		sleep 2
	done
}
