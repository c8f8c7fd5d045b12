#!/usr/bin/env bash
# Heavy-tier checks of the wasm32-wasip1-threads sysroot (not run in CI).
#
#   wasi-sysroot/build.sh && wasi-sysroot/build-llvm.sh && wasi-sysroot/test.sh
#
# (a) C++ with std::thread / std::mutex / std::string, built with the
#     sysroot's clang++ wrapper, runs with wasi-threads.
# (b) A Rust program using std::thread, built by Debian's rustc with
#     -Zbuild-std for wasm32-wasip1-threads and linked against the sysroot
#     (not rustc's self-contained crt/libc), runs with wasi-threads.
# (c) tests/llvm_support_check.cpp against the wasm-hosted LLVMSupport and
#     our WASI port (llvm-port/): threads, files, processes, crash recovery.
# (d) tests/llvm_lld_check.cpp, linked against the wasm-hosted LLVM and LLD
#     libraries from build-llvm.sh, compiles an IR module to a wasm32 object
#     and links it with LLD's wasm driver in-process; the linked module then
#     runs (`--invoke fib 20`).
# Everything runs under `wasmtime run -Sthreads=yes` (plus the threads and
# shared-memory wasm features), the wasmtime CLI 46.0.3 that build.sh's
# `wasmtime` step installs (WASMTIME overrides it). Each
# check compares its output exactly. A missing tool, sysroot or library is a
# failure, never a skip. Ends with "N passed, N failed".
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${WASI_SYSROOT_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/wasi-sysroot}"
PREFIX="${WASI_SYSROOT_PREFIX:-$CACHE/prefix}"
TRIPLE=wasm32-wasip1-threads
SYSROOT="$PREFIX/$TRIPLE"
OUT="$CACHE/test-out"
WASMTIME="${WASMTIME:-$CACHE/tools/bin/wasmtime}"
LLVM_SRC="$CACHE/work/llvm-toolchain-22_22.1.8"
LLVM_BUILD="$CACHE/work/build-llvm"
PORT="$PREFIX/llvm-port"
# wasi-threads in wasmtime 46: the WASI import plus shared memory.
THREADS=(-Sthreads=yes -Wthreads=yes,shared-memory=yes)
mkdir -p "$OUT"

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# run_wasm NAME EXPECTED RUN_ARGS...: `wasmtime run RUN_ARGS`, stdout
# compared with EXPECTED; NOTE (if set) is shown after NAME.
run_wasm() {
	local name="$1" expected="$2" got
	shift 2
	if ! got="$(timeout 300 "$WASMTIME" run "$@" 2> "$OUT/$name.stderr")"; then
		fail "$name" "wasmtime exited non-zero: $(tail -n 5 "$OUT/$name.stderr")"
		return 1
	fi
	if [ "$got" = "$expected" ]; then
		pass "$name${NOTE:+ ($NOTE)}: $got"
	else
		fail "$name" "expected '$expected', got '$got'"
		return 1
	fi
}

check_tools() {
	local ok=1
	"$WASMTIME" --version > /dev/null 2>&1 ||
		{ fail tools "no wasmtime CLI at $WASMTIME (run wasi-sysroot/build.sh wasmtime)"; ok=0; }
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
	NOTE="$(stat -c %s "$wasm") bytes" run_wasm cxx-threads \
		"total=10000 main_tls=0 parts=a1000 b1000 c1000 d1000 " "${THREADS[@]}" "$wasm"
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
	local wasm="$target_dir/$TRIPLE/release/rust-threads.wasm"
	NOTE="$(stat -c %s "$wasm") bytes" run_wasm rust-threads \
		"counter=10000 squares=30 names=worker-1,worker-2,worker-3,worker-4" "${THREADS[@]}" "$wasm"
}

# build_llvm_program NAME SOURCE LIB...: links SOURCE against LIBs and the
# port with build-llvm.sh's flags (emulations, 8 MiB stack, 4 GiB ceiling).
# --no-wasm-opt: clang would otherwise run binaryen's wasm-opt (when on PATH)
# over the linked module, over ten minutes for the 50 MB LLVM+LLD program.
build_llvm_program() {
	local name="$1" src="$2"
	shift 2
	if [ ! -f "$PORT/lib/libwasi-llvm-port.a" ]; then
		fail "$name" "no $PORT/lib/libwasi-llvm-port.a (run wasi-sysroot/build-llvm.sh)"
		return 1
	fi
	local lib
	for lib in "$@"; do
		[ -f "$lib" ] || { fail "$name" "$lib not built (run wasi-sysroot/build-llvm.sh)"; return 1; }
	done
	if ! nice -n 15 "$PREFIX/bin/$TRIPLE-clang++" -std=c++17 -Os --no-wasm-opt -fno-exceptions -fno-rtti \
		-D_WASI_EMULATED_MMAN -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS \
		-D_WASI_EMULATED_GETPID -isystem "$PORT/include" \
		-I"$LLVM_SRC/llvm/include" -I"$LLVM_BUILD/include" \
		-I"$LLVM_SRC/lld/include" -I"$LLVM_BUILD/tools/lld/include" \
		-Wl,-z,stack-size=8388608 -Wl,--max-memory=4294967296 \
		"$src" "$@" -L"$PORT/lib" -lwasi-llvm-port \
		-lwasi-emulated-mman -lwasi-emulated-signal -lwasi-emulated-process-clocks \
		-lwasi-emulated-getpid -o "$OUT/$name.wasm" > "$OUT/$name.build" 2>&1; then
		fail "$name" "build failed: $(grep -v 'linker. input unused' "$OUT/$name.build" | tail -n 20)"
		return 1
	fi
}

check_llvm_support() {
	local dir="$OUT/llvm-support"
	build_llvm_program llvm-support "$HERE/tests/llvm_support_check.cpp" \
		"$LLVM_BUILD/lib/libLLVMSupport.a" "$LLVM_BUILD/lib/libLLVMDemangle.a" || return
	rm -rf "$dir" && mkdir -p "$dir"
	NOTE="$(stat -c %s "$OUT/llvm-support.wasm") bytes" run_wasm llvm-support \
		"threads=5050 real=/out write=ok read=100000 exec=-1 (Couldn't fork: Function not implemented) exe=argv0 crc=1,42" \
		"${THREADS[@]}" --dir "$dir::/out" "$OUT/llvm-support.wasm" /out
}

check_llvm_lld() {
	local dir="$OUT/llvm-lld" wasm="$OUT/llvm-lld.wasm" got
	local libs=("$LLVM_BUILD/lib/liblldWasm.a" "$LLVM_BUILD/lib/liblldCommon.a"
		"$LLVM_BUILD/lib/libLLVMWebAssemblyCodeGen.a")
	# shellcheck disable=SC2207
	libs+=($(ls "$LLVM_BUILD"/lib/libLLVM*.a 2>/dev/null))
	build_llvm_program llvm-lld "$HERE/tests/llvm_lld_check.cpp" "${libs[@]}" || return
	rm -rf "$dir" && mkdir -p "$dir"
	if ! got="$(timeout 600 "$WASMTIME" run "${THREADS[@]}" --dir "$dir::/out" "$wasm" /out \
		2> "$OUT/llvm-lld.stderr")"; then
		fail llvm-lld "wasmtime exited non-zero: $(tail -n 5 "$OUT/llvm-lld.stderr")"
		return
	fi
	if ! [[ "$got" =~ ^ir=ok\ opt=ok\ object=[0-9]+\ bytes\ linked=[0-9]+\ bytes$ ]]; then
		fail llvm-lld "unexpected output '$got'"
		return
	fi
	pass "llvm-lld ($(stat -c %s "$wasm") bytes): $got"
	# The module that LLD linked inside wasm runs: fib(20) = 6765.
	NOTE="$(stat -c %s "$dir/fib.wasm") bytes" run_wasm llvm-lld-output 6765 --invoke fib "$dir/fib.wasm" 20
}

if check_tools; then
	check_cxx
	check_rust
	check_llvm_support
	check_llvm_lld
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
