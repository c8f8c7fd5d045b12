#!/usr/bin/env bash
# Builds what is missing and assembles dist/: rustc for the host wasm32-wasip1-threads
# (dist/bin/rustc.wasm) with the sysroot it needs (dist/lib/rustlib/<target>/ for
# wasm32-wasip1 and wasm32-wasip1-threads: std built by the same fork, self-contained crt and
# libc), so that
#   wasmtime run -Sthreads=yes -Wthreads=yes,shared-memory=yes --dir . \
#       dist/bin/rustc.wasm --sysroot dist hello.rs --target wasm32-wasip1 -o hello.wasm
# works (the runner: wasmtime-cli 46.0.3, the last with wasi-threads; wasi-sysroot/build.sh
# installs it under build/wasi-sysroot/tools/bin).
#
#   dist-scripts/dist.sh [STEP...]   (default: every step, in order)
#
# Steps: sysroot (wasi-sysroot/build.sh), llvm (wasi-sysroot/build-llvm.sh), fork
# (src/bootstrap/build.sh --wasm-host), assemble, report. The first three resume from their
# own stamps; assemble copies only what changed; report prints sizes (raw, zstd -19, brotli).
# Each step's wall time is printed and appended to build/dist-times.txt. DIST_DIR overrides
# dist/. See docs/wasm-host.md.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${DIST_DIR:-$REPO/dist}"
TIMES="$REPO/build/dist-times.txt"
TARGETS=(wasm32-wasip1 wasm32-wasip1-threads)
mkdir -p "$REPO/build"

log() { printf '[dist %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

timed() {
  local name="$1" t0=$SECONDS
  shift
  log "step $name: running"
  "$@"
  local dt=$((SECONDS - t0))
  log "step $name: done in $dt s"
  printf '%s %s %ss\n' "$(date -u +%FT%TZ)" "$name" "$dt" >>"$TIMES"
}

fork_env() {
  eval "$(bash "$REPO/src/bootstrap/build.sh" --wasm-host env)"
}

do_assemble() {
  fork_env
  [ -f "$FORK_WASM_RUSTC" ] || { log "error: $FORK_WASM_RUSTC is missing: run the fork step"; exit 1; }
  local native_sysroot
  native_sysroot="$FORK_TREE/build/x86_64-unknown-linux-gnu/stage1"
  mkdir -p "$DIST/bin" "$DIST/lib/rustlib"
  # The compiler itself; debug info is off in the build (debuginfo-level 0), names stay so
  # that a trap's backtrace is readable.
  rsync -a "$FORK_WASM_RUSTC" "$DIST/bin/rustc.wasm"
  local t
  # x.py re-assembles the stage-1 sysroot with only the targets of its own run; link the
  # shipped targets' std and the build machine's (built by x-step 1, not rebuilt:
  # --keep-stage-std) back into it, so that it also stays a working native compiler (the
  # reference of tests/wasm-host).
  log "linking the std of x86_64-unknown-linux-gnu ${TARGETS[*]} into the stage-1 sysroot"
  bash "$REPO/src/bootstrap/build.sh" --wasm-host x build --stage 1 library --host x86_64-unknown-linux-gnu \
    --target "x86_64-unknown-linux-gnu,$(IFS=,; echo "${TARGETS[*]}")" --keep-stage 0 --keep-stage-std 1
  for t in "${TARGETS[@]}"; do
    local from="$native_sysroot/lib/rustlib/$t/lib"
    [ -d "$from" ] || { log "error: no std for $t in $from"; exit 1; }
    mkdir -p "$DIST/lib/rustlib/$t"
    # -L: the self-contained crt/libc are links into the wasi sysroots; dist/ holds copies.
    rsync -aL --delete "$from/" "$DIST/lib/rustlib/$t/lib/"
  done
  {
    echo "rustc.wasm: rustc $(cat "$FORK_TREE/src/version") built for the host wasm32-wasip1-threads by rustc-wasi"
    echo "runner: wasmtime-cli 46.0.3 (-Sthreads=yes -Wthreads=yes,shared-memory=yes)"
    echo "targets: ${TARGETS[*]}"
  } >"$DIST/lib/rustlib/rustc-wasi.txt"
}

human() { numfmt --to=iec --suffix=B "$1"; }

do_report() {
  local rustc="$DIST/bin/rustc.wasm" tmp
  [ -f "$rustc" ] || { log "error: $rustc is missing"; exit 1; }
  bash "$REPO/dist-scripts/apt-install.sh" zstd brotli
  tmp="$(mktemp -d)"
  tar -C "$DIST" -cf "$tmp/dist.tar" .
  local f
  # brotli -q 9, not 11: 11 took 30 minutes for dist.tar on 2 cores (17 MB vs 19 MB for
  # rustc.wasm at 11; see docs/wasm-host.md).
  printf '%-16s %12s %12s %12s\n' what raw "zstd -19" "brotli -q 9"
  for f in "$rustc" "$tmp/dist.tar"; do
    zstd -q -19 -T0 -f "$f" -o "$tmp/x.zst"
    brotli -q 9 -f "$f" -o "$tmp/x.br"
    printf '%-16s %12s %12s %12s\n' "$(basename "$f")" "$(human "$(stat -c %s "$f")")" \
      "$(human "$(stat -c %s "$tmp/x.zst")")" "$(human "$(stat -c %s "$tmp/x.br")")"
  done
  rm -rf "$tmp"
}

STEPS=("$@")
[ "${#STEPS[@]}" -gt 0 ] || STEPS=(sysroot llvm fork assemble report)
for s in "${STEPS[@]}"; do
  case "$s" in
    sysroot) timed sysroot bash "$REPO/wasi-sysroot/build.sh" ;;
    llvm) timed llvm bash "$REPO/wasi-sysroot/build-llvm.sh" ;;
    fork) timed fork bash "$REPO/src/bootstrap/build.sh" --wasm-host ;;
    assemble) timed assemble do_assemble ;;
    report) timed report do_report ;;
    *) sed -n '2,19p' "$0"; exit 2 ;;
  esac
done
log "dist/ is at $DIST"
