#!/usr/bin/env bash
# Builds what is missing for the browser playground, assembles dist/playground/ and serves it
# at http://127.0.0.1:8000/ with the headers that make it cross-origin isolated:
#
#   bash dist-scripts/playground.sh [--port N]      build, then serve
#   bash dist-scripts/playground.sh --build-only    build and stop
#
# Steps, each resumable: dist/ (dist-scripts/dist.sh, hours the first time), the crate
# bundle (dist-scripts/playground_crates.py: serde, serde_json, thiserror built by rustc.wasm,
# their macros as wasm modules), the page and its packs (dist-scripts/playground.py build).
# See docs/playground.md.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${DIST_DIR:-$REPO/dist}"

step() {
    local name="$1" t0=$SECONDS
    shift
    printf '[playground %s] %s\n' "$(date +%H:%M:%S)" "$name: running" >&2
    "$@"
    printf '[playground %s] %s\n' "$(date +%H:%M:%S)" "$name: done in $((SECONDS - t0)) s" >&2
}

command -v node >/dev/null && command -v npm >/dev/null || bash "$REPO/dist-scripts/apt-install.sh" nodejs npm
[ -f "$DIST/bin/rustc.wasm" ] || step dist bash "$REPO/dist-scripts/dist.sh"
step crates python3 "$REPO/dist-scripts/playground_crates.py"
step page python3 "$REPO/dist-scripts/playground.py" build
if [ "${1:-}" = "--build-only" ]; then
    exit 0
fi
exec python3 "$REPO/dist-scripts/playground.py" serve "$@"
