#!/usr/bin/env bash
# GRANDPA on this node counts $1 voters: the round's total weight is $1 (one per validator)
# and its threshold more than two thirds of it. A new validator's vote counts once the set
# change of the session it was elected for is finalized; this waits up to 120 seconds for it.
#   eve: run ./voters.sh with "5" within 150 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
want=${1:?the number of voters}
weights() { rpc "$node" grandpa_roundState | python3 -c '
import json, sys
best = json.load(sys.stdin)["best"]
print(best["totalWeight"], best["thresholdWeight"])'; }
counted() { [ "$(weights | cut -d" " -f1)" -eq "$want" ]; }
within 120 "$want GRANDPA voters" counted
read -r total threshold < <(weights)
echo "$node: GRANDPA set of $total voters, threshold $threshold"
[ $((3 * threshold)) -gt $((2 * total)) ]
