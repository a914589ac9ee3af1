# Sourced by the other scripts: installs what building and testing AOS needs, idempotently,
# and sets the shared cargo target directory.
#
# - the Rust toolchain pinned in rust-toolchain.toml, with the wasm32v1-none target and
#   rust-src (the runtime is compiled to wasm);
# - protoc (Debian's protobuf-compiler), which the networking stack's build scripts run;
# - a C compiler, for the few C dependencies (OpenSSL for WebRTC, lz4, zstd).

# Builds are shared between the developer's own commands, the scripts and CI, and survive
# between sessions: a clean build takes long on two cores (docs/BUILD.md).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/aos-target}"

aos_repo_root() {
	cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd
}

aos_log() {
	printf '\033[1m==> %s\033[0m\n' "$*" >&2
}

aos_need_apt() {
	local missing=()
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	aos_log "installing Debian packages: ${missing[*]}"
	local sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	$sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
		$sudo apt-get update >/dev/null
		$sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
	}
}

aos_setup_rust() {
	if ! command -v rustup >/dev/null 2>&1; then
		echo "rustup is missing: install it from https://rustup.rs and run this again" >&2
		return 1
	fi
	local toolchain
	toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$(aos_repo_root)/rust-toolchain.toml")
	# Automatic installs may be off (RUSTUP_AUTO_INSTALL=0): ask for each piece explicitly.
	rustup toolchain list | grep -q "^$toolchain" || rustup toolchain install "$toolchain" --profile minimal
	rustup target list --installed --toolchain "$toolchain" | grep -qx wasm32v1-none ||
		rustup target add --toolchain "$toolchain" wasm32v1-none
	# The components rust-toolchain.toml names.
	for component in rust-src rustfmt clippy; do
		rustup component list --installed --toolchain "$toolchain" | grep -q "^$component" ||
			rustup component add --toolchain "$toolchain" "$component"
	done
}

aos_setup() {
	aos_need_apt protobuf-compiler gcc make pkg-config
	aos_setup_rust
}

# What every script builds: all of the workspace's binaries. `cargo build -p aos-node` would
# unify features differently from `cargo test --workspace` (each workspace crate's `default`),
# and switching between the two rebuilt much of the tree; built this way, the tests, the devnet,
# the dev chain and zombienet share one build, and switching rebuilds nothing.
aos_build() {
	aos_log "building the workspace's binaries (release; a first build takes long, see docs/BUILD.md)"
	cargo build --release --locked --workspace --bins "$@"
}
