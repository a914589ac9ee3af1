#!/usr/bin/env bash
# Regenerates the ezkl test vectors of primitives/zk with the real, pinned ezkl, offline:
# ONNX model -> settings -> compiled circuit -> test SRS (gen_srs) -> keys -> witness -> proof ->
# VKA, for each model make_models.py makes (iris: a 4-16-16-3 MLP; conv: a 3x3 convolution and a
# dense layer; mlp16/64/256/508: the pallet's benchmark vectors). Besides proof.json, the proof
# and its instances are committed as raw bytes (proof.bin; instances.bin: 32-byte big-endian
# field elements) for no_std readers: the runtime's benchmarks. Pass model names to remake only
# those. The committed vectors are the VKA, the proof and the settings; the keys (the
# proving key is ~140 MB) stay in the work dir, ZK_WORK (default ~/.cache/aos-zk-artifacts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$("$here/setup-venv.sh")"
work="${ZK_WORK:-$HOME/.cache/aos-zk-artifacts}"
out="$root/primitives/zk/test-vectors"
mkdir -p "$work" "$out"
models="${*:-iris conv mlp16 mlp64 mlp256 mlp508}"
"$py" "$here/make_models.py" "$work" $models
for m in $models; do
	d="$work/$m"
	"$py" "$here/ezkl_helper.py" setup --onnx "$d/model.onnx" --dir "$d" --calibration "$d/calibration.json"
	"$py" "$here/ezkl_helper.py" prove --dir "$d" --input "$d/input.json" --proof "$d/proof.json"
	# ezkl's own verify must accept what we commit.
	"$py" "$here/ezkl_helper.py" verify --dir "$d" --proof "$d/proof.json"
	mkdir -p "$out/$m"
	cp "$d/vka.bin" "$d/proof.json" "$d/settings.json" "$d/input.json" "$out/$m/"
	"$py" "$here/ezkl_helper.py" raw --proof "$d/proof.json" --out "$out/$m"
done
echo "test vectors in $out"
