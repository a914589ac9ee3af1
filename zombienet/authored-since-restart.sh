#!/usr/bin/env bash
# This node authored a block since it was last started: a "Pre-sealed block" line in its log
# after the last start banner (zombienet appends a restarted node's log to the same file).
#   dave: run ./authored-since-restart.sh within 200 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
log="$net/$node.log"
authored() {
	awk '/AOS Node/ { n = 0 } /Pre-sealed block for proposal/ { n++ } END { exit !(n > 0) }' "$log"
}
within 180 "a block authored since the restart" authored
echo "$node authored again: $(grep -c "Pre-sealed block for proposal" "$log") blocks in all"
