#!/bin/sh
# Builds the echo guest for wasm32-unknown-unknown with the guest toolchain (see the preamble
# in docs/guest.md; WPM_GUEST_RUSTC / WPM_GUEST_CARGO override it, as for cargo wpm). Output: $CARGO_TARGET_DIR/wasm32-unknown-unknown/release/wpm_echo_guest.wasm
set -eu
cd "$(dirname "$0")"
: "${CARGO_TARGET_DIR:=$(cd ../../.. && pwd)/build/guest-target}"
export CARGO_TARGET_DIR
RUSTC="${WPM_GUEST_RUSTC:-/usr/bin/rustc}" RUSTC_BOOTSTRAP=1 "${WPM_GUEST_CARGO:-/usr/bin/cargo}" build --release \
    -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown "$@"
