#!/usr/bin/env bash
# Fuzzes each aos-zk target for SECONDS (default 60), each corpus seeded from the real vectors.
# Needs a nightly toolchain and cargo-fuzz (`cargo +nightly install cargo-fuzz --locked`).
# Usage: primitives/zk/fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(vka_parse proof_json verify)

mkdir -p corpus/vka_parse corpus/proof_json corpus/verify
for v in ../test-vectors/*/; do
	name=$(basename "$v")
	cp "$v/vka.bin" "corpus/vka_parse/$name"
	cp "$v/proof.json" "corpus/proof_json/$name"
	# The verify target takes the raw proof bytes (hex_proof without its 0x).
	sed -n 's/.*"hex_proof": *"0x\([0-9a-fA-F]*\)".*/\1/p' "$v/proof.json" | xxd -r -p \
		>"corpus/verify/$name"
done

cd ..
for t in "${targets[@]}"; do
	echo "== $t (${secs}s)"
	cargo +nightly fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$secs" -print_final_stats=1
done
