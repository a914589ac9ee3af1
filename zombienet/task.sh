#!/usr/bin/env bash
# Alice submits an inference task (the Iris model, k = 3) through this node's RPC and waits
# until it settles; fails if it does not.
#   bob: run ./task.sh within 300 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
model=$(cat "$net/operators/model")
out=$("$bin/aos-cli" --url "$(ws_of)" --suri //Alice task submit --model "$model" \
	--input 82,56,23,3 --fee 3 --mode redundancy --redundancy 3 --wait 2>&1) || true
echo "$out"
grep -q "settled" <<<"$out" || { echo "$node: the task did not settle" >&2; exit 1; }
