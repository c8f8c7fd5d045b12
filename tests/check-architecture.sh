#!/usr/bin/env bash
# Fails when ARCHITECTURE.md's code map names a path that does not exist, so the doc
# cannot drift from the tree, and when a workspace member is not on the map. Code-map entries are lines starting with "- `path`".
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
# Every workspace member must be on the map too.
while read -r member; do
    if ! grep -q "^- \`$member\`" ARCHITECTURE.md; then
        echo "workspace member \`$member\` is missing from ARCHITECTURE.md's code map" >&2
        missing=1
    fi
done < <(sed -n '/^members = \[/,/^\]/p' Cargo.toml | grep -oE '"[^"]+"' | tr -d '"')
[ "$count" -gt 0 ] || { echo "ARCHITECTURE.md has no code map entries" >&2; exit 1; }
[ "$missing" -eq 0 ] && echo "ARCHITECTURE.md code map: $count paths, all present" >&2
exit "$missing"
