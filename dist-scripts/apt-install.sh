#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet: `apt-get update`
# first, then `apt-get install`, through sudo when not run as root (say so when there is none).
set -euo pipefail
missing=()
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -gt 0 ] || exit 0
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "apt-install: installing ${missing[*]} needs root (or sudo)" >&2; exit 1; }
    SUDO=(sudo)
fi
echo "apt-install: installing ${missing[*]}" >&2
"${SUDO[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q "${missing[@]}"
