#!/usr/bin/env bash
# Nobody equivocated: no node logged an equivocation (sc-consensus-babe's "is equivocating",
# aos-node's "equivocation report", GRANDPA's "equivocation"), and the chain holds no offence
# report (Offences::Reports is empty).
#   alice: run ./no-offences.sh within 60 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
if grep -il "equivocat" "$net"/*.log; then
	echo "equivocation logged (above)" >&2
	exit 1
fi
# twox128("Offences") ++ twox128("Reports")
prefix=0xd5c41b52a371aa36c9254ce34324f2a5b262e9238fa402540c250bc3f5d6188d
keys=$(rpc "$node" state_getKeysPaged "[\"$prefix\", 10]")
echo "offence reports: $keys"
[ "$keys" = "[]" ]
