#!/usr/bin/env bash
# This node runs the same runtime (spec version) as node $1: it followed the upgrade.
#   charlie: run ./runtime-is.sh with "alice" within 60 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
spec_of() { rpc "$1" state_getRuntimeVersion | python3 -c 'import json, sys; print(json.load(sys.stdin)["specVersion"])'; }
ours=$(spec_of "$node")
theirs=$(spec_of "$1")
echo "$node runs spec $ours, $1 spec $theirs"
[ "$ours" = "$theirs" ]
