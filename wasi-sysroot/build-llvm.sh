#!/usr/bin/env bash
# Part 2 of issue 5 (in progress): LLVM and LLD *libraries* built for the host
# wasm32-wasip1-threads, with the sysroot from build.sh (run that first).
#
#   wasi-sysroot/build-llvm.sh [NINJA_TARGET...]   (default: $DEFAULT_TARGETS below)
#
# MinSizeRel, static, WebAssembly target only, LLD's wasm and ELF ports, no
# dlopen/plugins, mmap through wasi-libc's emulation. The POSIX calls LLVM's
# Unix code needs and WASI lacks come from our port (llvm-port/: shim headers
# first on the include path, and libwasi-llvm-port.a), built here first. The build directory
# ($CACHE/work/build-llvm) persists: a re-run reconfigures only when this
# script or the platform file changed, and ninja resumes where it stopped.
set -euo pipefail
# The whole script is one block, read before it runs, so editing this file
# cannot derail a running build.
{

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${WASI_SYSROOT_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/wasi-sysroot}"
PREFIX="${WASI_SYSROOT_PREFIX:-$CACHE/prefix}"
JOBS="${WASI_SYSROOT_JOBS:-2}"
NICE="nice -n ${WASI_SYSROOT_NICE:-15}"
TRIPLE=wasm32-wasip1-threads
SYSROOT="$PREFIX/$TRIPLE"
RESOURCE="$PREFIX/clang-resource"
LLVM_BIN=/usr/lib/llvm-22/bin
SRC="$CACHE/work/llvm-toolchain-22_22.1.8"
BUILD="$CACHE/work/build-llvm"
STAMP="$CACHE/stamps/llvm-configure"
PORT="$PREFIX/llvm-port"
TIMES="$CACHE/step-times.txt"
# Stack of the main thread; placed before every other linker flag.
STACK_SIZE="${LLVM_WASM_STACK_SIZE:-8388608}"
# What rustc_llvm links (compiler/rustc_llvm/build.rs: ipo bitreader
# bitwriter linker asmparser lto coverage instrumentation + the WebAssembly
# target; their dependencies come along), IRReader for .ll input, and LLD.
DEFAULT_TARGETS="LLVMipo LLVMBitReader LLVMBitWriter LLVMLinker LLVMAsmParser LLVMLTO
  LLVMCoverage LLVMInstrumentation LLVMIRReader LLVMWebAssemblyCodeGen LLVMWebAssemblyAsmParser
  LLVMWebAssemblyDisassembler LLVMWebAssemblyDesc LLVMWebAssemblyInfo LLVMWebAssemblyUtils
  lldCommon lldWasm lldELF"

log() { printf '[build-llvm %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# timed NAME START: appends NAME's wall time since START to $TIMES.
timed() { printf '%s %s %ss\n' "$(date -u +%FT%TZ)" "$1" "$(( $(date +%s) - $2 ))" >> "$TIMES"; }

[ -f "$CACHE/stamps/libcxx" ] || { log "error: run wasi-sysroot/build.sh first"; exit 1; }
[ -d "$SRC/llvm" ] && [ -d "$SRC/lld" ] || { log "error: no LLVM sources in $SRC"; exit 1; }

# Our LLVM patches (patches/llvm/*.patch), applied once each to the unpacked
# tree; a marker per patch hash records it (build.sh llvm-src re-unpacks).
for p in "$HERE"/patches/llvm/*.patch; do
	[ -e "$p" ] || continue
	mark="$SRC/.rustc-wasi-applied-$(sha256sum "$p" | cut -c1-16)"
	if [ ! -f "$mark" ]; then
		log "applying $(basename "$p")"
		patch -d "$SRC" -p1 --forward < "$p"
		touch "$mark"
	fi
done

# The port: headers copied only when changed (so ninja's depfiles do not
# rebuild everything), the library rebuilt when a source changed.
start=$(date +%s)
mkdir -p "$PORT/include" "$PORT/lib" "$PORT/obj"
(cd "$HERE/llvm-port/include" && find . -type f) | while read -r h; do
	mkdir -p "$(dirname "$PORT/include/$h")"
	cmp -s "$HERE/llvm-port/include/$h" "$PORT/include/$h" || cp "$HERE/llvm-port/include/$h" "$PORT/include/$h"
done
emul="-D_WASI_EMULATED_MMAN -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_GETPID"
port_key="$(cat "$HERE"/llvm-port/include/*.h "$HERE"/llvm-port/include/sys/*.h "$HERE"/llvm-port/src/*.c | sha256sum | cut -c1-16)"
if [ "$(cat "$PORT/lib/.key" 2>/dev/null)" != "$port_key" ]; then
	log "building libwasi-llvm-port.a"
	rm -f "$PORT/obj"/*.o "$PORT/lib/libwasi-llvm-port.a"
	for c in "$HERE"/llvm-port/src/*.c; do
		# shellcheck disable=SC2086
		"$LLVM_BIN/clang" --target=$TRIPLE -pthread --sysroot="$SYSROOT" -resource-dir="$RESOURCE" \
			$emul -isystem "$PORT/include" -Os -Wall -Wextra -Werror \
			-c "$c" -o "$PORT/obj/$(basename "$c" .c).o"
	done
	"$LLVM_BIN/llvm-ar" rcs "$PORT/lib/libwasi-llvm-port.a" "$PORT/obj"/*.o
	echo "$port_key" > "$PORT/lib/.key"
	timed llvm-port "$start"
fi

cflags="--target=$TRIPLE -pthread -resource-dir=$RESOURCE $emul -isystem $PORT/include"
ldflags="-Wl,-z,stack-size=$STACK_SIZE -Wl,--import-memory,--export-memory,--max-memory=4294967296"
ldflags="$ldflags -L$PORT/lib -lwasi-llvm-port -lwasi-emulated-mman -lwasi-emulated-signal"
ldflags="$ldflags -lwasi-emulated-process-clocks -lwasi-emulated-getpid"

cmake_args=(
	-DCMAKE_MODULE_PATH="$HERE/cmake"
	-DCMAKE_SYSTEM_NAME=WASI -DCMAKE_SYSTEM_PROCESSOR=wasm32
	-DCMAKE_BUILD_TYPE=MinSizeRel
	-DCMAKE_C_COMPILER="$LLVM_BIN/clang" -DCMAKE_CXX_COMPILER="$LLVM_BIN/clang++"
	-DCMAKE_AR="$LLVM_BIN/llvm-ar" -DCMAKE_RANLIB="$LLVM_BIN/llvm-ranlib"
	-DCMAKE_C_COMPILER_TARGET=$TRIPLE -DCMAKE_CXX_COMPILER_TARGET=$TRIPLE
	-DCMAKE_SYSROOT="$SYSROOT"
	"-DCMAKE_C_FLAGS=$cflags" "-DCMAKE_CXX_FLAGS=$cflags -fno-exceptions"
	"-DCMAKE_EXE_LINKER_FLAGS=$ldflags"
	-DLLVM_HOST_TRIPLE=$TRIPLE
	-DLLVM_DEFAULT_TARGET_TRIPLE=wasm32-unknown-unknown
	-DLLVM_TARGETS_TO_BUILD=WebAssembly
	-DLLVM_ENABLE_PROJECTS=lld
	-DLLVM_TABLEGEN="$LLVM_BIN/llvm-tblgen"
	-DLLVM_NATIVE_TOOL_DIR="$LLVM_BIN"
	-DBUILD_SHARED_LIBS=OFF -DLLVM_ENABLE_PIC=OFF
	-DLLVM_ENABLE_PLUGINS=OFF -DLLVM_ENABLE_THREADS=ON
	# The source has no git of its own, so LLVM would take this checkout's HEAD as its
	# revision: every commit rebuilt and relinked LLVMAsmPrinter, LTO and lldCommon, and the
	# libraries differed from build to build.
	-DLLVM_APPEND_VC_REV=OFF
	# WASI cannot load code. Without this, CMake's dlopen check finds the port's
	# failing stub and Unix/Path.inc takes its dladdr (Dl_info) branch.
	-DHAVE_DLOPEN=OFF
	-DLLVM_ENABLE_ZLIB=OFF -DLLVM_ENABLE_ZSTD=OFF -DLLVM_ENABLE_LIBXML2=OFF
	-DLLVM_ENABLE_LIBEDIT=OFF -DLLVM_ENABLE_LIBPFM=OFF
	-DLLVM_ENABLE_BACKTRACES=OFF -DLLVM_ENABLE_CRASH_OVERRIDES=OFF
	-DLLVM_ENABLE_UNWIND_TABLES=OFF
	-DLLVM_INCLUDE_TESTS=OFF -DLLVM_INCLUDE_EXAMPLES=OFF
	-DLLVM_INCLUDE_BENCHMARKS=OFF -DLLVM_INCLUDE_DOCS=OFF
	-DLLVM_INCLUDE_UTILS=OFF -DLLVM_BUILD_TOOLS=OFF -DLLVM_BUILD_UTILS=OFF
)
# Reconfigured only when the cmake arguments or the platform file change.
key="$( { printf '%s\n' "${cmake_args[@]}"; cat "$HERE/cmake/Platform/WASI.cmake"; } | sha256sum | cut -c1-16)"
if [ ! -f "$BUILD/build.ninja" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$key" ]; then
	log "configuring $BUILD"
	start=$(date +%s)
	mkdir -p "$BUILD"
	$NICE cmake -G Ninja -S "$SRC/llvm" -B "$BUILD" "${cmake_args[@]}"
	echo "$key" > "$STAMP"
	timed llvm-configure "$start"
fi

# shellcheck disable=SC2206
targets=(${@:-$DEFAULT_TARGETS})
log "building ${targets[*]} (-k 0: keep going, to list every failure)"
start=$(date +%s)
status=0
$NICE ninja -C "$BUILD" -j"$JOBS" -k 0 "${targets[@]}" || status=$?
timed "llvm-ninja(exit $status)" "$start"
log "ninja exit $status after $(( $(date +%s) - start )) s; libraries so far: $(find "$BUILD/lib" -name '*.a' | wc -l)"
exit "$status"
}
