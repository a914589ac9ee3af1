#!/usr/bin/env bash
# This node (started with --reserved-only) and the network's other nodes: "join" adds every
# other node to its reserved peers, "cut" removes them all, which disconnects them (a node
# taking reserved peers only accepts no others), i.e. a partition of this node from the rest.
#   dave: run ./peers.sh with "cut" within 60 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
others=$(python3 -c '
import json, sys
print(" ".join(n for n in json.load(open(sys.argv[1]))["nodesByName"] if n != sys.argv[2]))' \
	"$net/zombie.json" "$node")
for other in $others; do
	peer=$(rpc "$other" system_localPeerId | tr -d '"')
	case "$1" in
	join)
		# The other's listen address on this host (zombienet's nodes listen on WebSocket),
		# with its peer id.
		addr=$(rpc "$other" system_localListenAddresses | python3 -c '
import json, sys
addrs = json.load(sys.stdin)
print(next((a for a in addrs if a.startswith("/ip4/127.0.0.1/tcp/")), addrs[0]))')
		rpc "$node" system_addReservedPeer "[\"$addr\"]" >/dev/null
		echo "$node: $other ($addr) is a reserved peer"
		;;
	cut)
		rpc "$node" system_removeReservedPeer "[\"$peer\"]" >/dev/null
		echo "$node: $other ($peer) cut off"
		;;
	*) echo "usage: peers.sh join|cut" >&2; exit 2 ;;
	esac
done
