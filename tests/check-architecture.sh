#!/usr/bin/env bash
# Fails when ARCHITECTURE.md's code map names a path that does not exist, so the doc
# cannot drift from the tree. Code-map entries are lines starting with "- `path`".
set -euo pipefail
cd "$(dirname "$0")/.."
missing=0
count=0
while read -r path; do
    count=$((count + 1))
    if [ ! -e "$path" ]; then
        echo "ARCHITECTURE.md names \`$path\`, which does not exist" >&2
        missing=1
    fi
done < <(sed -n '/^## Code map/,/^## /p' ARCHITECTURE.md | grep -oE '^- `[^`]+`' | sed -E 's/^- `([^`]+)`/\1/')
[ "$count" -gt 0 ] || { echo "ARCHITECTURE.md has no code map entries" >&2; exit 1; }
[ "$missing" -eq 0 ] && echo "ARCHITECTURE.md code map: $count paths, all present" >&2
exit "$missing"
