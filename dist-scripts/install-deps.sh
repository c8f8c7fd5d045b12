#!/usr/bin/env bash
# Installs everything the CI tier needs on a fresh Debian bookworm machine, idempotently:
# the wasm-capable guest toolchain (Debian's rustc-web 1.96 with its std sources and
# lld-22 for wasm linking) and binaryen's wasm-opt. The host toolchain is rustup's 1.95.
set -euo pipefail

bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" rustc-web cargo-web rust-web-src lld-22 binaryen
for tool in /usr/bin/rustc /usr/bin/cargo /usr/bin/wasm-opt; do
    [ -x "$tool" ] || { echo "install-deps: $tool missing after install" >&2; exit 1; }
done
[ -d /usr/lib/rustlib/src/rust/library ] || { echo "install-deps: std sources (rust-web-src) missing" >&2; exit 1; }
echo "install-deps: guest toolchain: $(/usr/bin/rustc --version); $(/usr/bin/wasm-opt --version)" >&2

# The host toolchain is rustup's, not pinned by a rust-toolchain.toml: that would make rustup
# fetch a toolchain by name, which machines that reach only package registries cannot. The
# workspace says `rust-version = "1.95"` (cargo refuses older); this warns about newer.
host="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && rustc --version)"
case "$host" in
    "rustc 1.95."*) echo "install-deps: host toolchain: $host" >&2 ;;
    *) echo "install-deps: WARNING: the host rustc is \`$host\`; this repository is built and tested with 1.95 (rustup's)" >&2 ;;
esac
