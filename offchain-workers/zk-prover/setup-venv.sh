#!/usr/bin/env bash
# Installs the pinned ezkl (requirements.txt) into a venv, idempotently, and prints its python.
# AOS_EZKL_VENV overrides the place (default: ~/.cache/aos-ezkl-venv).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${AOS_EZKL_VENV:-$HOME/.cache/aos-ezkl-venv}"
stamp="$venv/.aos-requirements"
if [ ! -x "$venv/bin/python" ]; then
	python3 -m venv "$venv" >&2
fi
if ! cmp -s "$here/requirements.txt" "$stamp"; then
	"$venv/bin/pip" install --quiet -r "$here/requirements.txt" >&2
	cp "$here/requirements.txt" "$stamp"
fi
echo "$venv/bin/python"
