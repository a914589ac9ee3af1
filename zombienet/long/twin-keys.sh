#!/usr/bin/env bash
# Puts validator $1's session keys (//$1: BABE sr25519, GRANDPA ed25519, as zombienet derives
# them) into this node's keystore through RPC: it then authors and votes as $1 too.
#   twin: run ./twin-keys.sh with "Dave" within 60 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
seed="//$1"
public_of() {
	"$bin/aos-node" key inspect --scheme "$1" --output-type json "$seed" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["publicKey"])'
}
rpc "$node" author_insertKey "[\"babe\", \"$seed\", \"$(public_of sr25519)\"]" >/dev/null
rpc "$node" author_insertKey "[\"gran\", \"$seed\", \"$(public_of ed25519)\"]" >/dev/null
echo "$node holds $1's session keys"
