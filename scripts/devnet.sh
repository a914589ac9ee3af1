#!/usr/bin/env bash
# The main job: a local AOS devnet doing what AOS is for. Sets up what is missing, builds the
# workspace's binaries (aos-node, aos-operator, aos-cli, ...), starts `aos-node --dev` (Alice
# validating), registers the Iris classifier (models/iris: an ONNX model imported with
# aos-model-import), starts three operators (Dave, Eve, Ferdie), submits a demo task with k = 3
# and prints its result once PoS+W verified it. Then Zk mode: Alice registers the ezkl verifying
# key of the Iris circuit and links it to the model, a Zk-mode task is proved by an operator
# with the real ezkl and settled on chain by the native verifier. Then TEE mode: each operator
# runs a simulated Nitro enclave (aos-enclave serve --simulated-nsm: AWS's document format from
# a local CA that only dev and local chains trust) and registers it; governance (sudo, here)
# allows the enclave image for the model; a TEE-mode task runs in an enclave and settles on
# its signature. Last, optimistic mode: one operator posts a result with its trace commitment
# and the others, as challengers, re-execute it. Every operator here is configured to lie in
# the first round of an optimistic task (testing.wrong_activation: one activation of the hidden
# layer changed, the rest computed from it), so the first result is disputed, bisected down to
# one neuron, checked in the runtime and overturned; the task goes to another operator, whose
# honest result stands after its challenge period. The devnet prints the dispute's moves.
# The network keeps running (ws://127.0.0.1:9944) until Ctrl-C.
#
#   DEVNET_ZK=0 ./scripts/devnet.sh     # without the Zk demo (no ezkl venv, no circuit)
#   ./scripts/devnet.sh                 # everything in a fresh temporary directory
#   DEVNET_DIR=/tmp/aos-devnet ./scripts/devnet.sh
#   DEVNET_EXIT=1 ./scripts/devnet.sh   # stop after the demo task (for scripts and CI)
#   DEVNET_BRIDGE=1 ./scripts/devnet.sh # and the bridge to Ethereum: a local anvil, the AVS
#                                       # deployed with the chain's first checkpoint, aos-relayer
#                                       # recording checkpoints on it (prints the first it relays
#                                       # with its Ethereum transaction; docs/BRIDGE.md)
#   DEVNET_DEMO=0 ./scripts/devnet.sh   # no demo tasks: the network, ready for load
#                                       # (scripts/load.sh); writes the model id to
#                                       # $DEVNET_DIR/model once the operators count
#   DEVNET_NODE=ws://127.0.0.1:9950 DEVNET_DEMO=0 ./scripts/devnet.sh
#                                       # the model and operators on a running dev or local
#                                       # chain (zombienet's networks use this)
# Operators serve Prometheus metrics on 127.0.0.1:9616-9618 (DEVNET_METRICS_PORT: the first).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
root=$(aos_repo_root)
cd "$root"
aos_setup
aos_need_apt curl python3
aos_build
bin="$CARGO_TARGET_DIR/release"
dir=${DEVNET_DIR:-$(mktemp -d /tmp/aos-devnet.XXXXXX)}
mkdir -p "$dir"
port=${DEVNET_RPC_PORT:-9944}
# DEVNET_NODE: a running chain's node (dev or local) to set up instead of a new `--dev` node.
url=${DEVNET_NODE:-ws://127.0.0.1:$port}
http_url="http${url#ws}"
cli() { "$bin/aos-cli" --url "$url" "$@"; }

pids=()
stop() {
	trap - INT TERM EXIT
	aos_log "stopping the devnet"
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	echo "logs and data are in $dir"
}
trap stop INT TERM EXIT

if [ -z "${DEVNET_NODE:-}" ]; then
	aos_log "starting aos-node --dev (log: $dir/node.log)"
	"$bin/aos-node" --dev --base-path "$dir/node" --rpc-port "$port" --prometheus-port 0 \
		>"$dir/node.log" 2>&1 &
	pids+=($!)
fi
for _ in $(seq 120); do
	cli task show 0 >/dev/null 2>"$dir/probe.err" || true
	grep -q "there is no task 0" "$dir/probe.err" 2>/dev/null && break
	sleep 1
done
grep -q "there is no task 0" "$dir/probe.err" || { echo "no AOS node at $url; see $dir/node.log" >&2; exit 1; }

model_file="$root/models/iris/iris.aosm"
zk=${DEVNET_ZK:-1}
modes=redundancy,tee,optimistic
if [ "$zk" = 1 ]; then
	modes=redundancy,tee,optimistic,zk
	aos_log "ezkl: the pinned venv and the Iris circuit (made once, cached; see docs/ZK.md)"
	python=$(offchain-workers/zk-prover/setup-venv.sh)
	circuit=$(offchain-workers/zk-prover/circuit.sh iris)
fi
# Operators fetch models from where the chain says, over http(s) only (a location in chain
# data is never read as a local path): a local web server stands in for the model's host.
mkdir -p "$dir/www"
cp "$model_file" "$dir/www/iris.aosm"
model_port=${DEVNET_MODEL_PORT:-9980}
python3 -m http.server --bind 127.0.0.1 --directory "$dir/www" "$model_port" >"$dir/www.log" 2>&1 &
pids+=($!)
aos_log "Alice registers the Iris model (modes: $modes), served at http://127.0.0.1:$model_port/iris.aosm"
model=$(cli --suri //Alice model register "$model_file" --uri "http://127.0.0.1:$model_port/iris.aosm" \
	--price 1 --modes "$modes")
echo "model $model"
zk_section=""
if [ "$zk" = 1 ]; then
	mkdir -p "$dir/circuits"
	ln -sfn "$circuit" "$dir/circuits/$model"
	zk_section=$(printf 'zk:\n  python: %s\n  helper: %s\n  circuits: %s\n' "$python" \
		"$root/offchain-workers/zk-prover/ezkl_helper.py" "$dir/circuits")
fi

# TEE mode: governance allows the simulated enclave image (its PCRs measured from the
# aos-enclave binary) to run the model; each operator gets its own simulated enclave.
pcrs=$("$bin/aos-enclave" measure --simulated)
pcr() { sed -n "s/^$1 //p" <<<"$pcrs"; }
pcr0=$(pcr pcr0) pcr1=$(pcr pcr1) pcr2=$(pcr pcr2)
aos_log "governance allows the simulated enclave image for the model"
image=$(cli --suri //Alice tee allow-image --pcr0 "$pcr0" --pcr1 "$pcr1" --pcr2 "$pcr2" --model "$model")
echo "image $image"

# Three operators. Their Ethereum keys are well-known test keys (anvil's accounts 1-3),
# signed for locally; point `signer_key` at a Web3Signer URL to sign there instead.
eth_keys=(
	59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
	5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a
	7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6
)
eth_addrs=(
	0x70997970C51812dc3A010C7d01b50e0d17dc79C8
	0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC
	0x90F79bf6EB2c4f870365E785982E1f101E93b906
)
names=(dave eve ferdie)
for i in 0 1 2; do
	name=${names[$i]}
	seed="//${name^}"
	"$bin/aos-enclave" serve --simulated-nsm --tcp 127.0.0.1:0 >"$dir/$name-enclave.out" \
		2>"$dir/$name-enclave.log" &
	pids+=($!)
	for _ in $(seq 30); do grep -q "listening on" "$dir/$name-enclave.out" && break; sleep 0.5; done
	enclave=$(sed -n 's/^listening on //p' "$dir/$name-enclave.out")
	[ -n "$enclave" ] || { echo "the $name enclave did not start; see $dir/$name-enclave.log" >&2; exit 1; }
	printf 'account: "%s"\nvrf: "%s//vrf"\n' "$seed" "$seed" >"$dir/$name-keys.yaml"
	chmod 600 "$dir/$name-keys.yaml"
	cat >"$dir/$name.yaml" <<EOF
node_id: "${eth_addrs[$i]}"
signer_key: "0x${eth_keys[$i]}"
node_url: $url
keystore: $name-keys.yaml
data_dir: $name-data
metrics: 127.0.0.1:$((${DEVNET_METRICS_PORT:-9616} + i))
register:
  name: $name
  collateral: "1000"
  commission_percent: 5
enclave:
  tcp: $enclave
challenger: true
testing:
  wrong_activation: { layer: 1, rounds: 1 }
$zk_section
EOF
	aos_log "starting operator $name (log: $dir/$name.log)"
	"$bin/aos-operator" -c "$dir/$name.yaml" >"$dir/$name.log" 2>&1 &
	pids+=($!)
done
for name in "${names[@]}"; do
	for _ in $(seq 120); do
		grep -q "registered\|connected" "$dir/$name.log" && break
		sleep 1
	done
done
# The operators register in their first blocks.
for _ in $(seq 60); do
	[ "$(grep -l "registered" "$dir"/{dave,eve,ferdie}.log 2>/dev/null | wc -l)" -eq 3 ] && break
	sleep 1
done
[ "$(grep -l "registered" "$dir"/{dave,eve,ferdie}.log | wc -l)" -eq 3 ] ||
	{ echo "the operators did not register; see $dir/*.log" >&2; exit 1; }
# A new VRF key counts for task sampling one epoch (12 blocks here) after its registration,
# so that no one can choose a key knowing the randomness it will meet.
registered=$(sed -n 's/.*registered block=\([0-9]*\).*/\1/p' "$dir"/{dave,eve,ferdie}.log | sort -n | tail -1)
ready=$((registered + 13))
aos_log "waiting for block $ready: the operators' VRF keys count one epoch after their registration"
best() {
	curl -s -H 'Content-Type: application/json' \
		-d '{"jsonrpc":"2.0","id":1,"method":"chain_getHeader","params":[]}' "$http_url" |
		sed -n 's/.*"number":"0x\([0-9a-f]*\)".*/\1/p'
}
for _ in $(seq 120); do
	n=$(best)
	[ -n "$n" ] && [ $((16#$n)) -ge "$ready" ] && break
	sleep 1
done

if [ "${DEVNET_DEMO:-1}" = 0 ]; then
	echo "$model" >"$dir/model"
	aos_log "the devnet runs on $url with model $model, no demo tasks. Ctrl-C stops it."
	wait
	exit 0
fi

# Alice's demo task in MODE with k = K: the setosa flower (the model's input scale is
# 0.0622 cm per step, models/iris/README.md); its result goes to FILE; it must settle (the
# redundancy task may also end undecided, as before: its output says so).
demo_task() {
	local mode=$1 k=$2 file=$dir/$3
	cli --suri //Alice task submit --model "$model" --input 82,56,23,3 --fee 3 --mode "$mode" \
		--redundancy "$k" --wait | tee "$file"
	if [ "$mode" != redundancy ]; then
		grep -q "settled" "$file" || { echo "the $mode task did not settle; see $dir/*.log" >&2; exit 1; }
	fi
	local class
	class=$(sed -n 's/.*top classes: \[\([0-9]*\).*/\1/p' "$file")
	[ -n "$class" ] && echo "  class $class = $(sed -n "$((class + 1))p" "$root/models/iris/labels.txt")"
	return 0
}

aos_log "Alice submits a task: classify an Iris flower of 5.1 × 3.5 cm sepals, 1.4 × 0.2 cm petals"
demo_task redundancy 3 result.txt

if [ "$zk" = 1 ]; then
	aos_log "Alice registers the ezkl verifying key of the Iris circuit and links it to the model"
	vk=$(cli --suri //Alice zk register-vk "$circuit/vka.bin")
	cli --suri //Alice zk link --model "$model" --vk "$vk" --input-scale 7
	aos_log "Alice submits the same flower in Zk mode: one operator proves it with ezkl"
	demo_task zk 1 zk-result.txt
	grep -h "proved task=\|proof accepted task=" "$dir"/{dave,eve,ferdie}.log || true
fi

aos_log "Alice submits the same flower in TEE mode: one operator's simulated enclave runs it"
for _ in $(seq 60); do
	[ "$(grep -l "enclave registered" "$dir"/{dave,eve,ferdie}.log 2>/dev/null | wc -l)" -eq 3 ] && break
	sleep 1
done
demo_task tee 1 tee-result.txt
grep -h "computed in the enclave\|result attested" "$dir"/{dave,eve,ferdie}.log || true

aos_log "Alice submits the same flower in optimistic mode: one operator posts, the others may dispute"
demo_task optimistic 1 optimistic-result.txt
aos_log "the dispute, as the operators played it:"
# The three operators' lines in the order they were logged, each named by its operator.
for op in dave eve ferdie; do
	grep "dispute:\|posted the optimistic result\|optimistic result was overturned" "$dir/$op.log" |
		sed "s/^\([^ ]*\) */\1 $op: /" || true
done | sort | sed 's/^[^ ]* //'

if [ "${DEVNET_BRIDGE:-0}" = 1 ]; then
	aos_log "the bridge: a local anvil, the AVS contracts (forge, solc from npm), aos-relayer"
	(
		cd contracts
		[ -x node_modules/.bin/anvil ] && [ -d node_modules/solc ] ||
			npm ci --no-audit --no-fund --loglevel=error
		NODE_PATH="$PWD/node_modules" node_modules/.bin/forge build --use ./tools/solc >/dev/null
	)
	eth_port=${DEVNET_ETH_PORT:-8545}
	eth="http://127.0.0.1:$eth_port"
	contracts/node_modules/.bin/anvil --port "$eth_port" >"$dir/anvil.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 60); do curl -s "$eth" -H 'Content-Type: application/json' \
		--data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' >/dev/null && break; sleep 0.5; done
	# anvil's accounts 0 and 4 (well-known test keys): the deployer and the relayer.
	(umask 077
	echo ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 >"$dir/deployer.key"
	echo 47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a >"$dir/relayer.key")
	aos_log "waiting for the chain's first checkpoint (the operator set) to be final"
	deployed=""
	for _ in $(seq 120); do
		deployed=$("$bin/aos-relayer" deploy --node "$url" --eth "$eth" \
			--key-file "$dir/deployer.key" --artifacts contracts/out 2>"$dir/deploy.err") && break
		deployed=""
		sleep 2
	done
	[ -n "$deployed" ] || { cat "$dir/deploy.err" >&2; exit 1; }
	avs=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["avs"])' <<<"$deployed")
	aos_log "AVS deployed at $avs on $eth: $deployed"
	"$bin/aos-relayer" run --node "$url" --eth "$eth" --contract "$avs" \
		--key-file "$dir/relayer.key" --state "$dir/relayer.json" --metrics 127.0.0.1:9619 \
		>"$dir/relayer.log" 2>&1 &
	pids+=($!)
	aos_log "waiting for aos-relayer to record a checkpoint on Ethereum (log: $dir/relayer.log)"
	for _ in $(seq 300); do grep -q "checkpoint recorded on Ethereum" "$dir/relayer.log" && break; sleep 1; done
	line=$(grep -m1 "checkpoint recorded on Ethereum" "$dir/relayer.log") ||
		{ tail -20 "$dir/relayer.log" >&2; exit 1; }
	checkpoint=$(sed -n 's/.*checkpoint=\([0-9]*\).*/\1/p' <<<"$line")
	tx=$(sed -n 's/.*tx=\(0x[0-9a-f]*\).*/\1/p' <<<"$line")
	echo "checkpoint $checkpoint relayed to the AVS at $avs in Ethereum transaction $tx"
fi

if [ "${DEVNET_EXIT:-0}" = 1 ]; then
	exit 0
fi
aos_log "the devnet runs on $url; submit more with $bin/aos-cli (see README.md). Ctrl-C stops it."
wait
