#!/usr/bin/env bash
# This node (restarted) has caught up with node $1 (alice by default): its best block is within
# two of the other's, and its finalized block too.
#   dave: run ./caught-up.sh with "alice" within 150 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
other=${1:-alice}
caught_up() {
	[ $(($(best_of "$other") - $(best_of "$node"))) -le 2 ] &&
		[ $(($(finalized_of "$other") - $(finalized_of "$node"))) -le 2 ]
}
within 120 "caught up with $other" caught_up
echo "$node: best #$(best_of "$node"), finalized #$(finalized_of "$node"); $other: best #$(best_of "$other")"
