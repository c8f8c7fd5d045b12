#!/usr/bin/env bash
# Heavy-tier checks of the wasm32-wasip1-threads sysroot (not run in CI).
#
#   wasi-sysroot/build.sh && wasi-sysroot/test.sh
#
# (a) C++ with std::thread / std::mutex / std::string, built with the
#     sysroot's clang++ wrapper, runs with wasi-threads.
# (b) A Rust program using std::thread, built by Debian's rustc with
#     -Zbuild-std for wasm32-wasip1-threads and linked against the sysroot
#     (not rustc's self-contained crt/libc), runs with wasi-threads.
# The host is tests/wasi-threads-host.mjs on Node.js: wasmtime-cli 48.0.8
# (the project's wasmtime version) refuses wasi-threads modules ("the
# `-Sthreads` flag is no longer supported"). WASI_THREADS_HOST overrides it
# with any command that takes the module as its last argument.
# Each prints one line that is compared exactly. A missing tool or sysroot
# is a failure, never a skip. Ends with "N passed, N failed".
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${WASI_SYSROOT_CACHE:-/work/build/wasi-sysroot}"
PREFIX="${WASI_SYSROOT_PREFIX:-$CACHE/prefix}"
TRIPLE=wasm32-wasip1-threads
SYSROOT="$PREFIX/$TRIPLE"
OUT="$CACHE/test-out"
NODE="${NODE:-node}"
mkdir -p "$OUT"

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# run_wasm NAME WASM EXPECTED: runs WASM with wasi-threads and compares stdout.
run_wasm() {
	local name="$1" wasm="$2" expected="$3" got
	local host=("$NODE" "$HERE/tests/wasi-threads-host.mjs")
	# shellcheck disable=SC2206
	[ -z "${WASI_THREADS_HOST:-}" ] || host=($WASI_THREADS_HOST)
	if ! got="$(timeout 120 "${host[@]}" "$wasm" 2> "$OUT/$name.stderr")"; then
		fail "$name" "host exited non-zero: $(tail -n 5 "$OUT/$name.stderr")"
		return
	fi
	if [ "$got" = "$expected" ]; then
		pass "$name ($(stat -c %s "$wasm") bytes): $got"
	else
		fail "$name" "expected '$expected', got '$got'"
	fi
}

check_tools() {
	local ok=1
	command -v "$NODE" > /dev/null || [ -n "${WASI_THREADS_HOST:-}" ] ||
		{ fail tools "no Node.js ($NODE) to host wasi-threads (apt-get install nodejs)"; ok=0; }
	[ -f "$SYSROOT/lib/$TRIPLE/libc.a" ] || { fail tools "no sysroot at $SYSROOT (run wasi-sysroot/build.sh)"; ok=0; }
	[ -f "$SYSROOT/lib/$TRIPLE/libc++.a" ] || { fail tools "no libc++ in $SYSROOT"; ok=0; }
	[ -x "$PREFIX/bin/$TRIPLE-clang++" ] || { fail tools "no $PREFIX/bin/$TRIPLE-clang++"; ok=0; }
	[ "$ok" = 1 ]
}

check_cxx() {
	local wasm="$OUT/cxx_threads.wasm"
	if ! "$PREFIX/bin/$TRIPLE-clang++" -O2 -fno-exceptions -std=c++17 \
		"$HERE/tests/cxx_threads.cpp" -o "$wasm" 2> "$OUT/cxx_threads.build"; then
		fail cxx-threads "build failed: $(tail -n 20 "$OUT/cxx_threads.build")"
		return
	fi
	run_wasm cxx-threads "$wasm" "total=10000 main_tls=0 parts=a1000 b1000 c1000 d1000 "
}

check_rust() {
	local target_dir="$OUT/rust-target" libdir="$SYSROOT/lib/$TRIPLE"
	local rustflags="-Clink-self-contained=no -Clink-arg=$libdir/crt1-command.o -Lnative=$libdir"
	if ! (cd "$HERE/tests/rust-threads" &&
		RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$target_dir" \
		CARGO_TARGET_WASM32_WASIP1_THREADS_RUSTFLAGS="$rustflags" \
		nice -n 15 /usr/bin/cargo build --release -Zbuild-std=std,panic_abort \
			--target $TRIPLE) > "$OUT/rust_threads.build" 2>&1; then
		fail rust-threads "build failed: $(tail -n 20 "$OUT/rust_threads.build")"
		return
	fi
	run_wasm rust-threads "$target_dir/$TRIPLE/release/rust-threads.wasm" \
		"counter=10000 squares=30 names=worker-1,worker-2,worker-3,worker-4"
}

if check_tools; then
	check_cxx
	check_rust
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
