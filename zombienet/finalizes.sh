#!/usr/bin/env bash
# This node's finalized block advances by $1 blocks (5 by default) within two minutes.
#   alice: run ./finalizes.sh with "5" within 150 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
start=$(finalized_of "$node")
target=$((start + ${1:-5}))
advanced() { [ "$(finalized_of "$node")" -ge "$target" ]; }
within 120 "finalized #$target (from #$start)" advanced
echo "$node finalized #$(finalized_of "$node") (was #$start)"
