#!/usr/bin/env bash
# Assembles and builds the rustc fork: upstream tree (rust-web-src) + our crates + the hook
# patch series, then `x.py build`. Every step is cached by a stamp keyed by the hash of its
# inputs (and of the previous step's key), so re-running resumes where it stopped.
#
# Usage: src/bootstrap/build.sh [--wasm-host] [all|tree|build|x ARGS...|env]
#   all (default)  every step, ending with the stage-1 compiler and its std
#                  (--wasm-host: with rustc.wasm, the stage-2 compiler for wasm32-wasip1-threads)
#   tree           every step but the x.py build (deps, layout, crates, patches, bootstrap.toml)
#   x ARGS...      assemble, then run `python3 x.py ARGS...` in the tree
#   env            print the paths other scripts need (FORK_TREE, FORK_RUSTC, FORK_SYSROOT)
#   update-lock    resolve the tree's dependencies afresh from crates.io (newest versions our
#                  crates allow, upstream's pins kept where they fit) and rewrite the profile's
#                  lock fragment, src/bootstrap/locks/{fork,wasm-host}.lock (docs/fork.md)
# --wasm-host builds rustc for the host wasm32-wasip1-threads in a work dir of its own, from
# config.toml's [wasm-host] table, with the extra hook series in patches/wasm-host/ (it needs
# wasi-sysroot/build.sh and build-llvm.sh first; see docs/wasm-host.md).
# Environment: FORK_WORK_DIR overrides the work directory of config.toml; FORK_INCREMENTAL=0|1
# overrides its [rust] incremental.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "${1:-}" = "--wasm-host" ]; then
  shift
  export FORK_PROFILE=wasm-host
fi
PROFILE="${FORK_PROFILE:-}"
REPO="$(cd "$HERE/../.." && pwd)"
TOOL="python3 $HERE/forktool.py"

SRC="$($TOOL get source)"
# FORK_WORK_DIR overrides config.toml's work-dir (e.g. to time a cold build beside a warm one).
WORK="${FORK_WORK_DIR:-$($TOOL get work-dir)}"
TREE="$WORK/rust"
STAMPS="$WORK/stamps"
mkdir -p "$STAMPS"

# Our crates, as "repo path:tree path". They sit under compiler/ in the tree: library/ there is
# the std workspace, which must not claim them.
CRATES=(
  "library/wpm_abi:compiler/wpm_abi"
  "compiler/wpm_host:compiler/wpm_host"
  "compiler/wpm_adapter:compiler/wpm_adapter"
  "compiler/wpm_stub_crate:compiler/wpm_stub_crate"
  "compiler/rustc_wasm_proc_macro:compiler/rustc_wasm_proc_macro"
  "compiler/rustc_wasm_proc_macro/registry:compiler/rustc_wasm_proc_macro_registry"
  "compiler/rustc_lld_in_process:compiler/rustc_lld_in_process"
)
# Path dependencies between them, as seen from compiler/<crate>/.
DEP_MAP="wpm_abi=../wpm_abi,wpm_host=../wpm_host,wpm_adapter=../wpm_adapter"

log() { printf '[fork %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
hash_str() { sha256sum | cut -c1-16; }
# Hash of a list of files/directories (contents and relative names).
hash_paths() {
  local p
  for p in "$@"; do
    if [ -d "$p" ]; then
      (cd "$p" && find . -type f ! -path './target/*' -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
    elif [ -e "$p" ]; then
      sha256sum "$p"
    else
      echo "absent $p"
    fi
  done | hash_str
}

PREV_KEY="root"
# step NAME KEY-INPUT FUNCTION: runs FUNCTION unless the stamp for NAME holds the chained key.
step() {
  local name="$1" input="$2" fn="$3"
  local key
  key="$(printf '%s\n%s\n' "$PREV_KEY" "$input" | hash_str)"
  PREV_KEY="$key"
  if [ "$(cat "$STAMPS/$name" 2>/dev/null || true)" = "$key" ]; then
    log "$name: up to date ($key)"
    return 0
  fi
  log "$name: running"
  local t0=$SECONDS
  rm -f "$STAMPS/$name"
  "$fn"
  echo "$key" >"$STAMPS/$name"
  log "$name: done in $((SECONDS - t0)) s"
}

# --- steps ---------------------------------------------------------------------------------

do_deps() {
  # shellcheck disable=SC2046
  bash "$REPO/dist-scripts/apt-install.sh" $($TOOL get packages)
  local stage0
  stage0="$($TOOL get stage0)"
  [ -x "$HOME/.rustup/toolchains/$stage0/bin/rustc" ] || rustup toolchain install "${stage0%%-*}" --profile minimal
  grep -q "^compiler_version=${stage0%%-*}\$" "$SRC/src/stage0" ||
    { log "src/stage0 does not name ${stage0%%-*}"; exit 1; }
}

do_layout() {
  mkdir -p "$TREE"
  # --checksum without -t: only files whose content differs are rewritten, and they get a
  # fresh mtime, so cargo sees every change (restoring an old mtime could hide one).
  rsync -rlp --checksum --delete \
    --exclude=/build/ --exclude=/bootstrap.toml --exclude=/debian/ \
    $(for c in "${CRATES[@]}"; do printf -- '--exclude=/%s/ ' "${c#*:}"; done) \
    "$SRC/" "$TREE/"
  # The tree is a tarball source with a Cargo.lock; no vendor dir, crates come from crates.io.
}

do_crates() {
  local c from to
  for c in "${CRATES[@]}"; do
    from="$REPO/${c%%:*}" to="$TREE/${c#*:}"
    [ -d "$from" ] || { log "missing crate $from"; exit 1; }
    mkdir -p "$to"
    # (`registry/` is a crate of its own nested in rustc_wasm_proc_macro.)
    rsync -rlp --checksum --delete --exclude=/target/ --exclude=/Cargo.toml --exclude=/tests/ --exclude=/registry/ \
      "$from/" "$to/"
    # Fork-only additions (e.g. the adapter's `proc_macro` = rustc_proc_macro) are merged in.
    $TOOL manifest "$from/Cargo.toml" "$to/Cargo.toml.new" "$DEP_MAP" "$HERE/manifests/$(basename "$to").toml"
    if cmp -s "$to/Cargo.toml.new" "$to/Cargo.toml"; then rm "$to/Cargo.toml.new"; else mv "$to/Cargo.toml.new" "$to/Cargo.toml"; fi
  done
}

# The hook series: the common patches, then (--wasm-host) those of the wasm host.
patch_series() {
  local p
  for p in "$HERE"/patches/*.patch; do [ -e "$p" ] && echo "$p"; done
  if [ "$PROFILE" = wasm-host ]; then
    for p in "$HERE"/patches/wasm-host/*.patch; do [ -e "$p" ] && echo "$p"; done
  fi
  return 0
}

patch_files() {
  local p
  for p in $(patch_series); do
    sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"
  done | sort -u
}

do_patches() {
  # Apply the series to pristine copies of the touched files in a scratch dir, then install
  # only the files whose content changed; files a previous series touched but this one does
  # not are restored. Re-running on a patched tree is therefore a no-op.
  local scratch="$WORK/patch-scratch" f p
  rm -rf "$scratch"
  mkdir -p "$scratch"
  local files
  files="$(patch_files)"
  for f in $files; do
    mkdir -p "$scratch/$(dirname "$f")"
    if [ -e "$SRC/$f" ]; then cp "$SRC/$f" "$scratch/$f"; fi
  done
  for p in $(patch_series); do
    log "  applying ${p#"$HERE"/patches/}"
    patch -p1 -s -N -d "$scratch" -i "$p" --no-backup-if-mismatch -r - || { log "patch $(basename "$p") failed"; exit 1; }
  done
  local old
  for old in $(cat "$STAMPS/patched-files" 2>/dev/null || true); do
    if ! grep -qx "$old" <<<"$files"; then
      if [ -e "$SRC/$old" ]; then cmp -s "$SRC/$old" "$TREE/$old" || cp "$SRC/$old" "$TREE/$old"; else rm -f "$TREE/$old"; fi
    fi
  done
  for f in $files; do
    cmp -s "$scratch/$f" "$TREE/$f" || { mkdir -p "$TREE/$(dirname "$f")"; cp "$scratch/$f" "$TREE/$f"; }
  done
  printf '%s\n' $files >"$STAMPS/patched-files"
  rm -rf "$scratch"
}

# The Cargo.lock x.py builds with (`locked-deps = true`): upstream's, with the committed
# fragment of the entries our crates add or change.
LOCK_FRAGMENT="$HERE/locks/${PROFILE:-fork}.lock"
do_lock() {
  [ -f "$LOCK_FRAGMENT" ] || { log "$LOCK_FRAGMENT is missing: run \`build.sh ${PROFILE:+--$PROFILE }update-lock\`"; exit 1; }
  $TOOL lock-merge "$SRC/Cargo.lock" "$LOCK_FRAGMENT" "$TREE/Cargo.lock.new"
  if cmp -s "$TREE/Cargo.lock.new" "$TREE/Cargo.lock"; then rm "$TREE/Cargo.lock.new"; else mv "$TREE/Cargo.lock.new" "$TREE/Cargo.lock"; fi
}

do_config() {
  $TOOL bootstrap-toml "$TREE/bootstrap.toml.new"
  if cmp -s "$TREE/bootstrap.toml.new" "$TREE/bootstrap.toml"; then rm "$TREE/bootstrap.toml.new"; else mv "$TREE/bootstrap.toml.new" "$TREE/bootstrap.toml"; fi
}

X_ARGS=()
X_LOG="$WORK/x.log"
do_x() {
  log "python3 x.py ${X_ARGS[*]}  (full log: $X_LOG)"
  # Without LDFLAGS: Debian's bootstrap turns each of its words into a link argument for every
  # target, the wasm ones included.
  # Created first: the `tail` below could otherwise start before the background job opens
  # it, fail, and leave the run without its progress lines.
  : >"$X_LOG"
  (cd "$TREE" && exec env -u LDFLAGS nice -n 10 python3 x.py "${X_ARGS[@]}") </dev/null >>"$X_LOG" 2>&1 &
  local pid=$! rc=0
  tail -n +1 -f --pid=$pid "$X_LOG" |
    grep --line-buffered -E '^(Building|Assembling|Build completed|error)|^\s+Finished|^\[TIMING' || true &
  wait $pid || rc=$?
  wait || true
  [ "$rc" -eq 0 ] || { log "x.py failed (exit $rc); see $X_LOG"; exit 1; }
}

assemble() {
  local srcver
  srcver="$(dpkg-query -W -f='${Version}' rust-web-src 2>/dev/null || echo none)"
  step deps "$($TOOL get packages) $($TOOL get stage0)" do_deps
  step layout "rust-web-src $srcver" do_layout
  local c
  crate_srcs=()
  for c in "${CRATES[@]}"; do crate_srcs+=("$REPO/${c%%:*}"); done
  step crates "$(hash_paths "${crate_srcs[@]}" "$REPO/Cargo.toml" "$HERE/manifests" "$HERE/forktool.py")" do_crates
  step patches "$PROFILE $(hash_paths $(patch_series))" do_patches
  step lock "$PROFILE $(hash_paths "$LOCK_FRAGMENT" "$HERE/forktool.py")" do_lock
  step config "$PROFILE ${FORK_INCREMENTAL:-} $(hash_paths "$REPO/config.toml" "$HERE/forktool.py")" do_config
  if [ "$PROFILE" = wasm-host ]; then
    step wasm-host-inputs "$(hash_paths "$HERE/wasm-host")" do_wasm_host_inputs
  fi
}

# --wasm-host: the inputs x.py expects beyond bootstrap.toml. Debian's wasi-libc (no threads)
# laid out as a `wasi-root` for wasm32-wasip1; the threads sysroot and the wasm LLVM must exist.
WASIP1_LIBC=/usr/lib/wasm32-wasi
do_wasm_host_inputs() {
  local f root="$WORK/wasi-root-wasip1/lib/wasm32-wasip1"
  bash "$REPO/dist-scripts/apt-install.sh" wasi-libc
  mkdir -p "$root"
  for f in libc.a crt1-command.o crt1-reactor.o; do ln -sfn "$WASIP1_LIBC/$f" "$root/$f"; done
  local cxx llvm_config
  cxx="$($TOOL get-bootstrap target.wasm32-wasip1-threads.cxx)"
  llvm_config="$($TOOL get-bootstrap target.wasm32-wasip1-threads.llvm-config)"
  [ -x "$cxx" ] || { log "$cxx is missing: run wasi-sysroot/build.sh first"; exit 1; }
  "$llvm_config" --version >/dev/null || { log "the wasm host's LLVM is not there: run wasi-sysroot/build-llvm.sh first"; exit 1; }
}

case "${1:-all}" in
  all)
    assemble
    if [ "$PROFILE" = wasm-host ]; then
      # One x.py run per line of x-steps, each timed; x.py's own fingerprints make a finished
      # step quick to repeat.
      mapfile -t STEPS < <($TOOL get x-steps)
      # Step 1 builds the build compiler (x86_64 stage 1) and the shipped std. Step 2 keeps
      # both (--keep-stage 0 --keep-stage-std 1) and builds rustc.wasm from the current tree,
      # our crates and every hook included. So step 1 is redone only when what it makes would
      # differ for rustc.wasm: the configuration, or a hook that touches the standard library
      # (none does today). An edit of our crates or of a compiler hook rebuilds only rustc.wasm,
      # not the 1.5-hour x86_64 compiler; the stage-1 compiler in the wasm work dir can then
      # lag behind the tree, so tests of wpm behaviour use the native fork (build/fork).
      std_hooks=()
      for p in "$HERE"/patches/*.patch; do
        if grep -q '^+++ b/library/' "$p"; then std_hooks+=("$p"); fi
      done
      cross_key="$(hash_paths "$REPO/config.toml" "$SRC/src/version" "${std_hooks[@]}")"
      n=0
      for line in "${STEPS[@]}"; do
        n=$((n + 1))
        if [ "$n" -eq 1 ] && [ "$(cat "$STAMPS/x-step1" 2>/dev/null || true)" = "$cross_key" ]; then
          log "x-step 1/${#STEPS[@]}: up to date ($cross_key)"
          continue
        fi
        read -ra X_ARGS <<<"$line"
        X_LOG="$WORK/x-step$n.log"
        T0=$SECONDS
        do_x
        [ "$n" -ne 1 ] || echo "$cross_key" >"$STAMPS/x-step1"
        log "x-step $n/${#STEPS[@]} ($line): done in $((SECONDS - T0)) s"
      done
    else
      mapfile -t X_ARGS < <($TOOL get build-args)
      # Cargo's own fingerprints make an up-to-date build quick; the stamp records success.
      T0=$SECONDS
      PREV_KEY="$PREV_KEY-build" do_x
      log "build: done in $((SECONDS - T0)) s"
    fi
    ;;
  tree) assemble ;;
  update-lock)
    : >"$LOCK_FRAGMENT"  # (assemble then starts from upstream's lock; git has the old fragment)
    assemble
    cp "$SRC/Cargo.lock" "$TREE/Cargo.lock"
    stage0="$($TOOL get stage0)"
    log "resolving the tree's dependencies (cargo metadata)"
    (cd "$TREE" && RUSTC_BOOTSTRAP=1 "$HOME/.rustup/toolchains/$stage0/bin/cargo" metadata --format-version 1 >/dev/null)
    $TOOL lock-fragment "$SRC/Cargo.lock" "$TREE/Cargo.lock" "$LOCK_FRAGMENT"
    rm -f "$STAMPS/lock"
    log "wrote ${LOCK_FRAGMENT#"$REPO"/}"
    ;;
  x)
    shift
    assemble
    X_ARGS=("$@")
    do_x
    ;;
  env)
    echo "FORK_TREE=$TREE"
    echo "FORK_SYSROOT=$TREE/build/host/stage1"
    echo "FORK_RUSTC=$TREE/build/host/stage1/bin/rustc"
    if [ "$PROFILE" = wasm-host ]; then
      # rustc.wasm and its own sysroot (no target std: dist.sh takes that from stage 1).
      echo "FORK_WASM_SYSROOT=$TREE/build/wasm32-wasip1-threads/stage2"
      echo "FORK_WASM_RUSTC=$TREE/build/wasm32-wasip1-threads/stage2/bin/rustc.wasm"
    fi
    ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
