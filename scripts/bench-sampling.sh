#!/usr/bin/env bash
# Measures pallet-inference's `claim` (the on-chain half of VRF sampling) with 10, 1,000 and
# 10,000 registered operators, to show that it does not grow with their number.
#   ./scripts/bench-sampling.sh            (REPEAT=50 by default)
# Needs the benchmarking node: `cargo build --release -p aos-node --features runtime-benchmarks`
# (or run ./scripts/bench-pallet.sh once).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
cd "$(aos_repo_root)"
node="$CARGO_TARGET_DIR/release/aos-node"
out=$(mktemp -d)
for n in 10 1000 10000; do
	"$node" benchmark pallet --chain dev --pallet pallet_inference --extrinsic claim \
		--low "$n" --high "$n" --steps 2 --repeat "${REPEAT:-50}" \
		--wasm-execution compiled --heap-pages 4096 \
		--json-file "$out/claim-$n.json" >/dev/null 2>"$out/claim-$n.log"
done
python3 - "$out" <<'PY'
import json, statistics, sys
print("| registered operators | median | mean | std-dev | runs | reads / writes | storage proof |")
print("|---|---|---|---|---|---|---|")
for n in (10, 1000, 10000):
    bench = json.load(open(f"{sys.argv[1]}/claim-{n}.json"))[0]
    times = [r["extrinsic_time"] / 1000 for r in bench["time_results"]]
    db = bench["db_results"][0]
    print(f"| {n:,} | {statistics.median(times):,.0f} µs | {statistics.mean(times):,.0f} µs"
          f" | {statistics.stdev(times):,.0f} µs | {len(times)} | {db['reads']} / {db['writes']}"
          f" | {db['proof_size']:,} bytes |")
PY
