#!/usr/bin/env bash
# Generates a new AOS network: fresh keys for its validators and council, and its raw chain spec
# from the runtime's `testnet` preset (production timing, no sudo) with those keys in place of
# the preset's well-known development keys.
#
#   scripts/gen-network.sh SECRETS_DIR [SPEC] [VALIDATORS] [COUNCIL]
#   scripts/gen-network.sh ~/aos-testnet-secrets chain-specs/testnet.json
#
# SECRETS_DIR (created, mode 700; it must not be inside the repository) receives one JSON file
# per key, with its secret phrase (mode 600; keys already there are reused, so the spec can be
# made again for a new runtime): validator-N.json (its stash account and BABE key,
# sr25519; its GRANDPA key, ed25519, from the same phrase) and council-N.json. Keep them
# offline; a validator puts its session keys into its node with `aos-node key insert`
# (docs/VALIDATORS.md). SPEC (default chain-specs/testnet.json) receives the raw spec, which
# holds public keys only. A new spec is a new network: a new genesis hash.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
root="$(aos_repo_root)"
secrets=${1:?usage: gen-network.sh SECRETS_DIR [SPEC] [VALIDATORS] [COUNCIL]}
spec=${2:-$root/chain-specs/testnet.json}
validators=${3:-3}
council=${4:-3}

mkdir -p "$secrets"
secrets="$(cd "$secrets" && pwd)"
case "$secrets/" in
"$root"/*) echo "gen-network.sh: $secrets is inside the repository; keep secrets out of it" >&2; exit 1 ;;
esac
# Keys already there (validator-N.json, council-N.json) are kept: the spec is made again for
# the same network's keys (for a new runtime before launch). Missing ones are generated.
chmod 700 "$secrets"

aos_setup
aos_need_apt python3
aos_build >&2
node="$CARGO_TARGET_DIR/release/aos-node"

# One key: a fresh sr25519 phrase, and the ed25519 key of the same phrase.
new_key() {
	local file=$1
	local sr ed phrase
	sr=$("$node" key generate --scheme sr25519 --output-type json)
	phrase=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["secretPhrase"])' <<<"$sr")
	ed=$("$node" key inspect --scheme ed25519 --output-type json "$phrase")
	(umask 077 && python3 - "$file" <<PY
import json, sys
sr = json.loads('''$sr''')
ed = json.loads('''$ed''')
json.dump({"secretPhrase": sr["secretPhrase"], "sr25519": sr["ss58Address"], "ed25519": ed["ss58Address"]},
          open(sys.argv[1], "w"), indent=2)
PY
	)
}

for i in $(seq "$validators"); do
	[ -s "$secrets/validator-$i.json" ] || new_key "$secrets/validator-$i.json"
done
for i in $(seq "$council"); do
	[ -s "$secrets/council-$i.json" ] || new_key "$secrets/council-$i.json"
done
aos_log "keys in $secrets (keep them offline)"

plain=$(mktemp)
trap 'rm -f "$plain" "$plain.edited"' EXIT
"$node" export-chain-spec --chain testnet-template >"$plain"
python3 - "$plain" "$secrets" "$validators" "$council" <<'PY'
import json, sys
path, secrets, nv, nc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
spec = json.load(open(path))
patch = spec["genesis"]["runtimeGenesis"]["patch"]
load = lambda name: json.load(open(f"{secrets}/{name}.json"))
vals = [load(f"validator-{i}") for i in range(1, nv + 1)]
members = [load(f"council-{i}") for i in range(1, nc + 1)]
endowment = patch["balances"]["balances"][0][1]
stake = patch["staking"]["stakers"][0][2]
accounts = [v["sr25519"] for v in vals] + [m["sr25519"] for m in members]
patch["balances"]["balances"] = [[a, endowment] for a in accounts]
patch["session"]["keys"] = [[v["sr25519"], v["sr25519"], {"babe": v["sr25519"], "grandpa": v["ed25519"]}] for v in vals]
patch["staking"]["stakers"] = [[v["sr25519"], v["sr25519"], stake, "Validator"] for v in vals]
patch["staking"]["validatorCount"] = nv
patch["staking"]["minimumValidatorCount"] = min(nv, 2)
patch["staking"]["invulnerables"] = []
patch["council"]["members"] = [m["sr25519"] for m in members]
patch.get("sudo", {})["key"] = None
json.dump(spec, open(path + ".edited", "w"), indent=1)
PY
"$node" export-chain-spec --chain "$plain.edited" --raw >"$spec"
aos_log "wrote $spec: $validators validators, a council of $council, no well-known key"
