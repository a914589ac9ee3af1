#!/usr/bin/env bash
# On this node (cut off from the majority) finality stalls for $1 seconds (36 by default: six
# slots): no block gets the votes of more than two thirds. Its best block is printed, not
# checked: a node with no peers at all does not author (BABE waits for the network) unless
# started with --force-authoring; one cut off with a few peers goes on authoring its slots.
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
