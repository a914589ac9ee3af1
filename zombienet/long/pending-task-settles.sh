#!/usr/bin/env bash
# The task upgrade-by-council.js submitted with the upgrade settles: submitted in a block the
# previous runtime executed, ended in one the new runtime executed.
#   bob: run ./pending-task-settles.sh within 300 seconds
# zombienet runs a copy of this script in the node's directory: the helpers are in the repository.
source "$AOS_ROOT/zombienet/lib/node.sh"
id=$(cat "$net/pending-task")
out=$("$bin/aos-cli" --url "$(ws_of)" task wait "$id" --timeout 240 2>&1) || true
echo "$out"
grep -q "settled" <<<"$out" || { echo "$node: task $id did not settle" >&2; exit 1; }
read -r submitted ended < <(sed -n 's/.*submitted in block \([0-9]*\), ended in block \([0-9]*\).*/\1 \2/p' <<<"$out")
# The runtime that executed block n is the one in the state of its parent.
spec_executing() {
	local parent
	parent=$(rpc "$node" chain_getBlockHash "[$(($1 - 1))]")
	rpc "$node" state_getRuntimeVersion "[$parent]" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["specVersion"])'
}
old=$(spec_executing "$submitted")
new=$(spec_executing "$ended")
echo "task $id: submitted in #$submitted under spec $old, ended in #$ended under spec $new"
[ "$old" -lt "$new" ] || { echo "$node: task $id did not span the upgrade" >&2; exit 1; }
