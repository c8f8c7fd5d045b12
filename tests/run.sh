#!/usr/bin/env bash
# The project's test command (README.md): installs what the CI tier needs, then runs every
# CI-tier test (our crates, guest builds of crates.io macros, end to end with stock rustc, the
# native rustc fork and its UI tests). Exits non-zero on the first failure. Heavy-tier tests are not run here.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# Each step's header also shows the free disk space: a cold run writes about 8 GB (the fork's
# build directory the most), and a full disk fails far from its cause.
free_gb() { df -Pk . | awk 'NR == 2 { printf "%.1f", $4 / 1048576 }'; }
step() { printf '\n==> %s (%ds, %s GB free)\n' "$*" "$(( $(date +%s) - start ))" "$(free_gb)" >&2; }

# One cache for every test that builds wasm modules (cargo-wpm's integration tests, tests/e2e,
# tests/fork): the guest std and the wasm builds of syn & co. are then built once.
export WPM_CACHE_DIR="${WPM_CACHE_DIR:-$HOME/.cache/wpm}"

step "installing dependencies"
bash dist-scripts/install-deps.sh
mkdir -p target

step "checking ARCHITECTURE.md against the tree"
bash tests/check-architecture.sh

step "checking that -p builds share the workspace's dependency builds"
python3 tests/check-features.py

step "cargo fmt --check (rustfmt.toml)"
cargo fmt --check

step "cargo test --workspace"
cargo test --workspace --no-fail-fast 2>&1 | tee target/test-workspace.log
step "end to end with stock rustc: wasm macros through shims and wpm-rustc (tests/e2e)"
# (--nocapture: the log then shows how long each build and expansion inside the tests took.)
cargo test -p wpm-rustc --test e2e -- --test-threads 1 --nocapture 2>&1 | tee target/test-e2e.log
step "hostile guests through wpm-rustc (stock rustc with a shim): time, peak RSS, stderr"
python3 tests/hostile/run.py --host shim
step "the rustc fork: build (resumable) and UI tests"
bash tests/fork/run.sh
step "hostile guests through the fork's --wasm-proc-macro: time, peak RSS, stderr"
python3 tests/hostile/run.py --host fork
step "done"
