#!/usr/bin/env bash
# Sustained load on this machine, measured: the devnet without its demo tasks (aos-node --dev
# and three operators, all on this machine's cores) and aos-loadgen submitting LOAD_PER_BLOCK
# k = 3 tasks at every block for LOAD_BLOCKS blocks from 64 accounts. Prints aos-loadgen's
# summary and writes its report (every block's figures, JSON) to $LOAD_DIR/load.json.
#
#   ./scripts/load.sh                                      # 20 tasks a block, 60 blocks
#   LOAD_PER_BLOCK=100 LOAD_BLOCKS=120 ./scripts/load.sh   # 10 minutes at 100 a block
set -euo pipefail
source "$(dirname "$0")/setup.sh"
root=$(aos_repo_root)
cd "$root"
aos_setup
aos_build
bin="$CARGO_TARGET_DIR/release"
dir=${LOAD_DIR:-$(mktemp -d /tmp/aos-load.XXXXXX)}
mkdir -p "$dir"
per_block=${LOAD_PER_BLOCK:-20}
blocks=${LOAD_BLOCKS:-60}

DEVNET_DIR="$dir" DEVNET_ZK=0 DEVNET_DEMO=0 ./scripts/devnet.sh >"$dir/devnet.out" 2>&1 &
devnet=$!
trap 'kill "$devnet" 2>/dev/null || true; wait "$devnet" 2>/dev/null || true; echo "logs in $dir"' EXIT
aos_log "starting the devnet without demo tasks (log: $dir/devnet.out)"
for _ in $(seq 600); do
	[ -s "$dir/model" ] && break
	kill -0 "$devnet" 2>/dev/null || { cat "$dir/devnet.out" >&2; exit 1; }
	sleep 1
done
[ -s "$dir/model" ] || { echo "the devnet did not get ready; see $dir/devnet.out" >&2; exit 1; }
# Enough for every task's fee (3 AOS), base fee and deposit until it is pruned.
fund=$(((per_block * blocks / 64 + 1) * 5))
aos_log "aos-loadgen: $per_block tasks a block for $blocks blocks"
"$bin/aos-loadgen" --url ws://127.0.0.1:9944 --model "$(cat "$dir/model")" --fee 3 \
	--per-block "$per_block" --blocks "$blocks" --warmup 10 --drain 30 --accounts 64 \
	--fund "$fund" --operator-metrics 127.0.0.1:9616,127.0.0.1:9617,127.0.0.1:9618 \
	--report "$dir/load.json" 2>"$dir/loadgen.log"
