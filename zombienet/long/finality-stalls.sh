#!/usr/bin/env bash
# On this node (cut off from the majority) finality stalls for $1 seconds (36 by default: six
# slots) while its best block still advances: it authors its own slots, but no block gets the
# votes of more than two thirds.
#   dave: run ./finality-stalls.sh with "36" within 90 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
finalized=$(finalized_of "$node")
best=$(best_of "$node")
sleep "${1:-36}"
now_finalized=$(finalized_of "$node")
now_best=$(best_of "$node")
echo "$node: finalized #$finalized -> #$now_finalized, best #$best -> #$now_best"
[ "$now_finalized" -eq "$finalized" ] || { echo "$node: finalized while cut off" >&2; exit 1; }
[ "$now_best" -gt "$best" ] || { echo "$node: stopped authoring while cut off" >&2; exit 1; }
