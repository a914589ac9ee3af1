#!/usr/bin/env bash
# Peers cut and joined on a network whose nodes all take peers only from their reserved sets
# (--reserved-only): "mesh" makes every node a reserved peer of every other; "cut" removes this
# node from every other's set and every other from this node's, on both sides, so nobody dials
# across the cut (a partition of this node from the rest); "join" adds them again.
#   alice: run ./peers.sh with "mesh" within 60 seconds
#   dave: run ./peers.sh with "cut" within 60 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
nodes=$(python3 -c '
import json, sys
print(" ".join(json.load(open(sys.argv[1]))["nodesByName"]))' "$net/zombie.json")

# Node $1's address on this host (zombienet's nodes listen on WebSocket), with its peer id.
address_of() {
	rpc "$1" system_localListenAddresses | python3 -c '
import json, sys
addrs = json.load(sys.stdin)
print(next((a for a in addrs if a.startswith("/ip4/127.0.0.1/tcp/")), addrs[0]))'
}

# Node $1 takes node $2 as a reserved peer.
add() {
	rpc "$1" system_addReservedPeer "[\"$(address_of "$2")\"]" >/dev/null
	echo "$1: $2 is a reserved peer"
}

# Node $1 drops node $2 from its reserved peers, which disconnects it.
remove() {
	rpc "$1" system_removeReservedPeer "[$(rpc "$2" system_localPeerId)]" >/dev/null
	echo "$1: $2 cut off"
}

case "${1:-}" in
mesh)
	for a in $nodes; do
		for b in $nodes; do [ "$a" = "$b" ] || add "$a" "$b"; done
	done
	;;
join | cut)
	for other in $nodes; do
		[ "$other" != "$node" ] || continue
		if [ "$1" = join ]; then
			add "$node" "$other"
			add "$other" "$node"
		else
			remove "$node" "$other"
			remove "$other" "$node"
		fi
	done
	;;
*)
	echo "usage: peers.sh mesh|join|cut" >&2
	exit 2
	;;
esac
