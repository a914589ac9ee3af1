#!/usr/bin/env bash
# Fuzzes aos-nitro's document target for SECONDS (default 60), its corpus seeded from the real
# AWS documents. Needs a nightly toolchain and cargo-fuzz (`cargo +nightly install cargo-fuzz
# --locked`).
# Usage: primitives/nitro/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
mkdir -p corpus/document
cp ../test-vectors/*.cbor corpus/document/
cd ..
cargo +nightly fuzz run document fuzz/corpus/document -- -max_total_time="$secs" -print_final_stats=1
