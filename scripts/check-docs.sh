#!/usr/bin/env bash
# Checks that the docs agree with what the code knows, without building anything (seconds):
#
# - docs/ARCHITECTURE.md's pallet table lists exactly the runtime's pallets, indices and order
#   (runtime/src/lib.rs), and every "`Pallet`, index N" in the docs is the runtime's index;
# - every workspace member of Cargo.toml (and every excluded crate) is in README.md's
#   repository table, by path or crate name; every runtime/src/configs/*.rs file is named in
#   docs/ARCHITECTURE.md;
# - every relative link in the repository's Markdown resolves (file and #anchor), and every
#   page under docs/ is linked from README.md or another doc; every repository path the
#   Markdown names exists, and every `cargo … -p crate` names a workspace crate;
# - docs/RPC.md lists exactly the aos_* methods of pallets/*/rpc; docs/KERNEL.md's
#   kernel_version is aos-kernel's; README.md's chain table names every `--chain` the node
#   knows; the Iris model's content hash and commitment quoted in Markdown are models/iris's;
#   a spec or transaction version stated in the docs is the runtime's;
# - README.md's three-validator block carries the marker scripts/test-readme-network.sh runs.
#
# Exits non-zero, naming each disagreement. ROOT=<dir> checks another copy of the repository.
set -euo pipefail
root=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root"
export LC_ALL=C

# Every disagreement is a line here (subshells of pipelines report too).
report=$(mktemp)
trap 'rm -f "$report"' EXIT
fail() {
	echo "check-docs: $*" >&2
	echo "$*" >>"$report"
}
# Markdown of the repository, third-party trees left out.
md_files() {
	find . -name '*.md' -not -path './.git/*' -not -path '*/node_modules/*' -not -path './target/*' |
		sed 's|^\./||' | sort
}
# A file's text on one line, so that phrases broken across lines match.
flat() { tr '\n' ' ' <"$1" | tr -s ' '; }

# --- the runtime's pallets -------------------------------------------------------------------
runtime=runtime/src/lib.rs
# "index name" in declaration order (the order of their hooks).
runtime_pallets=$(awk '
	match($0, /#\[runtime::pallet_index\(([0-9]+)\)\]/) {
		s = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", s); idx = s; next
	}
	idx != "" && match($0, /pub type [A-Za-z0-9_]+/) {
		s = substr($0, RSTART, RLENGTH); sub(/pub type /, "", s); print idx, s; idx = ""
	}
' "$runtime")
[ -n "$runtime_pallets" ] || fail "$runtime: no #[runtime::pallet_index(N)] found"

# docs/ARCHITECTURE.md's table under "## The runtime": rows "| 4, 5 | Balances, TransactionPayment | …".
doc_pallets=$(awk -F'|' '
	/^## / { in_runtime = ($0 ~ /^## The runtime/) }
	in_runtime && $2 ~ /^ *[0-9][0-9, ]*$/ {
		n = split($2, idx, ","); names = $3
		while (match(names, /\([^)]*\)/)) names = substr(names, 1, RSTART - 1) substr(names, RSTART + RLENGTH)
		m = split(names, name, ",")
		if (n != m) { print "MISMATCH " $0; next }
		for (i = 1; i <= n; i++) { gsub(/ /, "", idx[i]); gsub(/[ `]/, "", name[i]); print idx[i], name[i] }
	}
' docs/ARCHITECTURE.md)
if grep -q '^MISMATCH' <<<"$doc_pallets"; then
	fail "docs/ARCHITECTURE.md: a pallet row has not as many indices as pallets: $(grep '^MISMATCH' <<<"$doc_pallets")"
fi
if [ "$doc_pallets" != "$runtime_pallets" ]; then
	fail "docs/ARCHITECTURE.md's pallet table is not the runtime's ($runtime), in order:"
	diff <(echo "$runtime_pallets") <(echo "$doc_pallets") | sed -n 's/^</  runtime:/p; s/^>/  doc:    /p' >&2 || true
fi

# "`Operators`, index 40", "pallet `inference`, index 41": the runtime's index of that pallet.
for f in $(md_files); do
	{ flat "$f" | grep -oE '`[A-Za-z_]+`, index [0-9]+' || true; } | while IFS= read -r mention; do
		name=$(sed -E 's/^`([A-Za-z_]+)`.*/\1/' <<<"$mention" | tr '[:upper:]' '[:lower:]' | tr -d _)
		index=${mention##* }
		actual=$(awk -v n="$name" '{ p = tolower($2); gsub(/_/, "", p); if (p == n) print $1 }' <<<"$runtime_pallets")
		if [ -z "$actual" ]; then
			fail "$f: \"$mention\": the runtime has no pallet of that name"
		elif [ "$actual" != "$index" ]; then
			fail "$f: \"$mention\": the runtime's index is $actual"
		fi
	done
done

# --- spec and transaction versions, where a doc states them ------------------------------------
for field in spec_version transaction_version; do
	actual=$(grep -oE "^\s*$field: [0-9]+" "$runtime" | grep -oE '[0-9]+$' || true)
	[ -n "$actual" ] || { fail "$runtime: no $field"; continue; }
	words=${field//_/ }
	for f in $(md_files); do
		{ flat "$f" | grep -oiE "($field|$words)( is| =|:)? \`?[0-9]+" || true; } | while IFS= read -r stated; do
			[ "${stated##*[!0-9]}" = "$actual" ] || fail "$f: \"$stated\": the runtime's $field is $actual"
		done
	done
done

# --- workspace members in README.md's repository table ----------------------------------------
repo_table=$(awk '/^## Repository/ { on = 1; next } /^## / { on = 0 } on' README.md)
[ -n "$repo_table" ] || fail "README.md has no \"## Repository\" section"
members=$(awk '/^members *= *\[/ { on = 1; next } on && /^\]/ { on = 0 } on' Cargo.toml | grep -oE '"[^"]+"' | tr -d '"')
excluded=$(grep -E '^exclude *= *\[' Cargo.toml | grep -oE '"[^"]+"' | tr -d '"' || true)
[ -n "$members" ] || fail "Cargo.toml: no workspace members found"
for path in $members $excluded; do
	[ -f "$path/Cargo.toml" ] || { fail "Cargo.toml names $path, which has no Cargo.toml"; continue; }
	crate=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$path/Cargo.toml" | head -n 1)
	if ! grep -qE "(^|[^A-Za-z0-9_/-])$path(/|[^A-Za-z0-9_/-]|$)" <<<"$repo_table" &&
		! grep -qF "\`$crate\`" <<<"$repo_table"; then
		fail "README.md's repository table names neither $path nor \`$crate\` (a crate of Cargo.toml's workspace)"
	fi
done

# --- the lint policy Cargo.toml states: every member takes the workspace's lints -------------
for path in $members; do
	[ -f "$path/Cargo.toml" ] || continue
	awk '/^\[lints\]/ { on = 1; next } /^\[/ { on = 0 } on && /^workspace *= *true/ { found = 1 } END { exit !found }' \
		"$path/Cargo.toml" || fail "$path/Cargo.toml lacks \`[lints] workspace = true\` (Cargo.toml's lint policy)"
done

# --- paths and crates the docs name ------------------------------------------------------------
# Every path under the repository's top directories (globs allowed) exists or is a build output
# .gitignore names, and every `cargo … -p crate` names a crate of the workspace. docs/research/ is left out: its notes quote
# other projects.
crates=$(for path in $members $excluded; do sed -n 's/^name *= *"\(.*\)"/\1/p' "$path/Cargo.toml" | head -n 1; done)
top='scripts|docs|pallets|primitives|runtime|node|offchain-workers|models|examples|zombienet|chain-specs|enclave|contracts'
for f in $(md_files | grep -v '^docs/research/'); do
	for path in $(flat "$f" | grep -oE "(^|[ \`(\[])(\./)?($top)/[A-Za-z0-9_./*-]*" |
		sed -E 's/^[ `(\[]//; s|^\./||; s/[.]+$//' | sort -u || true); do
		# A build output the repository ignores (contracts/out) is made by a command, not kept.
		compgen -G "$path" >/dev/null || git check-ignore -q --no-index "$path" ||
			fail "$f names \`$path\`, which does not exist"
	done
	for crate in $(flat "$f" | grep -oE 'cargo [a-z]+ [^`]*' | grep -oE -- '(-p|--package) [A-Za-z0-9_-]+' | awk '{print $2}' | sort -u || true); do
		grep -qxF "$crate" <<<"$crates" || fail "$f: \`-p $crate\`: no crate of the workspace is named $crate"
	done
done

# --- runtime configuration files named in docs/ARCHITECTURE.md --------------------------------
for f in runtime/src/configs/*.rs; do
	grep -qF "\`$(basename "$f")\`" docs/ARCHITECTURE.md ||
		fail "docs/ARCHITECTURE.md does not name $f (\`$(basename "$f")\`) among the runtime's configs"
done

# --- links ---------------------------------------------------------------------------------------
# GitHub's anchors of a Markdown file: its headings' slugs and explicit <a id="…">.
anchors() {
	awk '
		/^```/ { fence = !fence; next }
		fence { next }
		/^#+ / {
			s = $0; sub(/^#+ /, "", s); s = tolower(s)
			gsub(/[^a-z0-9 _-]/, "", s); gsub(/ /, "-", s); print s
		}
		{ while (match($0, /<a id="[^"]+"/)) { s = substr($0, RSTART + 7, RLENGTH - 8); print s; $0 = substr($0, RSTART + RLENGTH) } }
	' "$1"
}
linked=""
for f in $(md_files); do
	dir=$(dirname "$f")
	# Link targets outside code fences and inline code.
	targets=$(awk '/^```/ { fence = !fence; next } !fence { gsub(/`[^`]*`/, ""); print }' "$f" |
		grep -oE '\]\([^) ]+\)' | sed -E 's/^\]\((.*)\)$/\1/' || true)
	for target in $targets; do
		case "$target" in http://* | https://* | mailto:*) continue ;; esac
		path=${target%%#*}
		anchor=""
		[ "$path" != "$target" ] && anchor=${target#*#}
		if [ -z "$path" ]; then
			file=$f
		else
			file=$(realpath -m --relative-to=. "$dir/$path")
			if [ ! -e "$file" ]; then
				fail "$f: link to $target: $file does not exist"
				continue
			fi
			[ "$file" != "$f" ] && linked+="$file"$'\n'
		fi
		if [ -n "$anchor" ] && [ -f "$file" ] && ! anchors "$file" | grep -qxF "$anchor"; then
			fail "$f: link to $target: $file has no heading or anchor #$anchor"
		fi
	done
done
for f in $(md_files | grep '^docs/'); do
	grep -qxF "$f" <<<"$linked" || fail "$f is linked from no other page (README.md or docs/)"
done

# --- JSON-RPC methods in docs/RPC.md -------------------------------------------------------------
code_methods=$(cat pallets/*/rpc/src/*.rs | awk '
	match($0, /#\[rpc\(.*namespace *= *"[^"]+"/) { ns = substr($0, RSTART, RLENGTH); sub(/.*namespace *= *"/, "", ns); sub(/"$/, "", ns) }
	match($0, /#\[method\(name *= *"[^"]+"/) { m = substr($0, RSTART, RLENGTH); sub(/.*name *= *"/, "", m); sub(/"$/, "", m); print ns "_" m }
' | sort -u)
doc_methods=$(grep -oE '^\| `[a-z]+_[A-Za-z]+`' docs/RPC.md | grep -oE '[a-z]+_[A-Za-z]+' | sort -u)
[ -n "$code_methods" ] || fail "pallets/*/rpc: no #[method(name = …)] found"
if [ "$code_methods" != "$doc_methods" ]; then
	fail "docs/RPC.md's method table is not the methods of pallets/*/rpc:"
	diff <(echo "$code_methods") <(echo "$doc_methods") | sed -n 's/^</  code only:/p; s/^>/  doc only: /p' >&2 || true
fi

# --- the kernel's version ----------------------------------------------------------------------
kernel=$(sed -n 's/^pub const KERNEL_VERSION: u16 = \([0-9]*\);/\1/p' primitives/kernel/src/lib.rs)
doc_kernel=$(head -n 1 docs/KERNEL.md | grep -oE 'kernel_version` [0-9]+' | grep -oE '[0-9]+$' || true)
[ -n "$kernel" ] && [ "$kernel" = "$doc_kernel" ] ||
	fail "docs/KERNEL.md's title says kernel_version ${doc_kernel:-?}; primitives/kernel's KERNEL_VERSION is ${kernel:-?}"

# --- the chains README.md lists ----------------------------------------------------------------
chains=$(awk '/fn load_spec|match id/ { on = 1 } on && /=>/' node/src/chain_spec.rs | grep -oE '"[a-z][a-z-]*"' | tr -d '"' | sort -u)
[ -n "$chains" ] || fail "node/src/chain_spec.rs: no chain ids found"
chain_table=$(awk '/^## Chains/ { on = 1; next } /^## / { on = 0 } on && /^\| `/' README.md)
for chain in $chains; do
	grep -qE "^\| \`$chain\`" <<<"$chain_table" ||
		fail "README.md's chain table has no row for \`--chain $chain\` (node/src/chain_spec.rs)"
done
for chain in $(grep -oE '^\| `[a-z][a-z-]*`' <<<"$chain_table" | grep -oE '[a-z][a-z-]*' || true); do
	grep -qxF "$chain" <<<"$chains" || fail "README.md's chain table lists \`$chain\`, which the node does not know"
done

# --- the Iris model's hashes ---------------------------------------------------------------------
meta=models/iris/model.json
content=$(sed -n 's/.*"content_hash": *"\(0x[0-9a-f]*\)".*/\1/p' "$meta")
commitment=$(sed -n 's/.*"model_commitment": *"\(0x[0-9a-f]*\)".*/\1/p' "$meta")
for f in README.md models/iris/README.md; do
	quoted=$(
		grep -oE -- '--model 0x[0-9a-f]{64}' "$f" | awk '{print $2}' || true
		flat "$f" | grep -oE 'content hash `0x[0-9a-f]{64}' | grep -oE '0x[0-9a-f]+' || true
	)
	for hash in $quoted; do
		[ "$hash" = "$content" ] || fail "$f quotes the Iris model as $hash; $meta's content hash is $content"
	done
	for hash in $(flat "$f" | grep -oE 'model commitment `0x[0-9a-f]{64}' | grep -oE '0x[0-9a-f]+' || true); do
		[ "$hash" = "$commitment" ] || fail "$f quotes the Iris commitment as $hash; $meta's is $commitment"
	done
done

# --- README's tested block ---------------------------------------------------------------------
grep -q '^<!-- scripts/test-readme-network.sh runs this block as written' README.md ||
	fail "README.md lost the marker before its three-validator block (scripts/test-readme-network.sh needs it)"

failures=$(wc -l <"$report")
if [ "$failures" -gt 0 ]; then
	echo "check-docs: $failures disagreement(s) between the docs and the code" >&2
	exit 1
fi
echo "check-docs: the docs agree with the code" >&2
