#!/usr/bin/env bash
# Sets AOS's inference up on the network: scripts/devnet.sh pointed at this node (DEVNET_NODE)
# registers the Iris model and starts three operators (Dave, Eve, Ferdie), left running in the
# background (run.sh stops them); returns once the operators count for task sampling.
#   alice: run ./operators.sh within 600 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
dir="$net/operators"
mkdir -p "$dir"
# Its own session and process group: zombienet waits for this script's output to close, and
# run.sh stops the group at the end.
DEVNET_NODE=$(ws_of) DEVNET_DIR="$dir" DEVNET_DEMO=0 DEVNET_ZK=0 DEVNET_MODEL_PORT=9981 \
	DEVNET_METRICS_PORT=9626 setsid "$AOS_ROOT/scripts/devnet.sh" </dev/null >"$dir/devnet.log" 2>&1 &
echo $! >"$net/operators.pid"
ready() {
	[ -s "$dir/model" ] && return 0
	kill -0 "$(cat "$net/operators.pid")" 2>/dev/null || { tail -20 "$dir/devnet.log" >&2; exit 1; }
	return 1
}
within 540 "the model and three operators ready" ready
echo "model $(cat "$dir/model"); operators' logs in $dir"
