#!/usr/bin/env bash
# Makes, once, the ezkl circuit an operator proves one of make_models.py's models with (ONNX ->
# settings -> compiled circuit -> test SRS -> keys -> VKA, by ezkl_helper.py setup) in
# $ZK_WORK/<name> (default ~/.cache/aos-zk-artifacts), and prints that directory. Made again
# when the scripts, the pinned ezkl or the test SRS change. The SRS is the devnet's fixed test
# SRS (`aos-zk-cli test-srs`, built here), which the development chains trust: its secret is
# public, so no real network may.
#   offchain-workers/zk-prover/circuit.sh iris
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name=${1:?usage: circuit.sh <model name, e.g. iris>}
py="$("$here/setup-venv.sh")"
work="${ZK_WORK:-$HOME/.cache/aos-zk-artifacts}"
d="$work/$name"
repo="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/aos-target}"
(cd "$repo" && cargo build --release --locked --quiet -p aos-zk-cli) >&2
aos_zk="$CARGO_TARGET_DIR/release/aos-zk-cli"
stamp=$(cat "$here/make_models.py" "$here/ezkl_helper.py" "$here/requirements.txt" "$repo/primitives/zk/src/test_srs.rs" | sha256sum | cut -d' ' -f1)
if [ ! -s "$d/vka.bin" ] || [ ! -s "$d/pk.key" ] || [ "$(cat "$d/.stamp" 2>/dev/null)" != "$stamp" ]; then
	mkdir -p "$work"
	"$py" "$here/make_models.py" "$work" "$name" >&2
	"$py" "$here/ezkl_helper.py" setup --onnx "$d/model.onnx" --dir "$d" --calibration "$d/calibration.json" --test-srs "$aos_zk" >&2
	echo "$stamp" >"$d/.stamp"
fi
echo "$d"
