#!/usr/bin/env bash
# Makes, once, the ezkl circuit an operator proves one of make_models.py's models with (ONNX ->
# settings -> compiled circuit -> test SRS -> keys -> VKA, by ezkl_helper.py setup) in
# $ZK_WORK/<name> (default ~/.cache/aos-zk-artifacts), and prints that directory. Made again
# when the scripts or the pinned ezkl change.
#   offchain-workers/zk-prover/circuit.sh iris
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name=${1:?usage: circuit.sh <model name, e.g. iris>}
py="$("$here/setup-venv.sh")"
work="${ZK_WORK:-$HOME/.cache/aos-zk-artifacts}"
d="$work/$name"
stamp=$(cat "$here/make_models.py" "$here/ezkl_helper.py" "$here/requirements.txt" | sha256sum | cut -d' ' -f1)
if [ ! -s "$d/vka.bin" ] || [ ! -s "$d/pk.key" ] || [ "$(cat "$d/.stamp" 2>/dev/null)" != "$stamp" ]; then
	mkdir -p "$work"
	"$py" "$here/make_models.py" "$work" "$name" >&2
	"$py" "$here/ezkl_helper.py" setup --onnx "$d/model.onnx" --dir "$d" --calibration "$d/calibration.json" >&2
	echo "$stamp" >"$d/.stamp"
fi
echo "$d"
