#!/usr/bin/env bash
# Heavy-tier test command of rustc.wasm (README): the checks of run.py against the built dist/
# (dist-scripts/dist.sh builds it). Ends with `N passed, N failed`.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$HERE/run.py" "$@"
