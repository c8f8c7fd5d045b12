#!/usr/bin/env bash
# Heavy-tier test of the browser playground (README): builds what is missing
# (dist-scripts/playground.sh --build-only), serves dist/playground/ twice (with and without
# COOP/COEP) and drives Debian's headless Chromium through test.mjs. Screenshots go to
# build/playground-shots/; the last line is `N passed, N failed`.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$REPO/dist-scripts/apt-install.sh" chromium
bash "$REPO/dist-scripts/playground.sh" --build-only

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ISOLATED=$(free_port)
python3 "$REPO/dist-scripts/playground.py" serve --port "$ISOLATED" &
S1=$!
BARE=$(free_port)
python3 "$REPO/dist-scripts/playground.py" serve --port "$BARE" --no-isolation &
S2=$!
trap 'kill $S1 $S2 2>/dev/null' EXIT
for port in "$ISOLATED" "$BARE"; do
    for _ in $(seq 50); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/manifest.json" && break
        sleep 0.2
    done
done
node "$REPO/tests/playground/test.mjs" --url "http://127.0.0.1:$ISOLATED/" --bare-url "http://127.0.0.1:$BARE/" \
    --shots "$REPO/build/playground-shots"
