#!/usr/bin/env bash
# Everything from a clean checkout: builds (or resumes) the fork, builds cargo-wpm in the
# repo's target dir (or $CARGO_TARGET_DIR if set), then runs the UI tests. Arguments are
# passed to run.py (filters, --bless). Exits non-zero on any failure; the last line is
# always `N passed, N failed`.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
NCASES="$(find "$HERE/cases" -maxdepth 1 -name '*.rs' | wc -l)"

# A failure before the cases run counts every case as failed.
setup_failed() {
  echo "run.sh: $1" >&2
  echo "0 passed, $NCASES failed"
  exit 1
}

log() { printf '[fork-tests %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

T0=$SECONDS
log "building the fork (src/bootstrap/build.sh)"
bash "$REPO/src/bootstrap/build.sh" || setup_failed "building the fork failed"
log "fork ready ($((SECONDS - T0)) s)"

T1=$SECONDS
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"  # the repo's target dir unless set
(cd "$REPO" && cargo build -p cargo-wpm) || setup_failed "building cargo-wpm failed"
log "cargo-wpm ready ($((SECONDS - T1)) s)"

eval "$(bash "$REPO/src/bootstrap/build.sh" env | grep '^FORK_RUSTC=')"
[ -x "${FORK_RUSTC:-}" ] || setup_failed "the fork's rustc is missing after the build"
export FORK_RUSTC
export CARGO_WPM="$CARGO_TARGET_DIR/debug/cargo-wpm"
unset CARGO_TARGET_DIR  # run.py's cargo builds (serde, serde_json) use their own dirs

OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
python3 "$HERE/run.py" "$@" | tee "$OUT"
RC=${PIPESTATUS[0]}
SUMMARY="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT" | tail -n 1 | sed -E 's/^([0-9]+ passed, [0-9]+ failed).*/\1/')"
if [ "$RC" -ne 0 ] && [ -z "$SUMMARY" ]; then
  setup_failed "run.py failed before running the cases (exit $RC)"
fi
echo "$SUMMARY"
exit "$RC"
