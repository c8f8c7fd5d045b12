#!/usr/bin/env bash
# Builds a C/C++ sysroot for wasm32-wasip1-threads from Debian sources, plus
# a pointer to Debian's prebuilt wasm32-wasip1 (no threads) sysroot.
#
#   wasi-sysroot/build.sh [STEP...]      (default: all steps, in order)
#
# Steps: deps fetch wasi-libc llvm-src builtins libcxx wrappers plain wasmtime.
# Each step leaves a stamp keyed by a hash of its inputs and is skipped while
# the stamp matches, so the script resumes where it stopped. Outputs:
#   $WASI_SYSROOT_CACHE   (default build/wasi-sysroot in the checkout): sources, build dirs
#   $WASI_SYSROOT_PREFIX  (default $WASI_SYSROOT_CACHE/prefix):
#     wasm32-wasip1-threads/    the sysroot (wasi-libc + libc++ + libc++abi)
#     clang-resource/           clang resource dir with the threads builtins
#     bin/wasm32-wasip1-threads-clang{,++}   wrappers that use both
#     wasm32-wasip1.env         where Debian's plain wasm32-wasip1 sysroot is
# Checks: wasi-sysroot/test.sh. See docs/wasi-sysroot.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${WASI_SYSROOT_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/wasi-sysroot}"
PREFIX="${WASI_SYSROOT_PREFIX:-$CACHE/prefix}"
JOBS="${WASI_SYSROOT_JOBS:-2}"
NICE="nice -n ${WASI_SYSROOT_NICE:-15}"

TRIPLE=wasm32-wasip1-threads
SYSROOT="$PREFIX/$TRIPLE"
RESOURCE="$PREFIX/clang-resource"
LLVM_VER=22
LLVM_BIN="/usr/lib/llvm-$LLVM_VER/bin"

WASI_LIBC_VERSION=0.0~git20220510.9886d3d-2
WASI_LIBC_UPSTREAM=0.0~git20220510.9886d3d
# The LLVM tarball is pinned by its checksum, not by a Debian revision:
# Debian re-uploads llvm-toolchain-22 (deb12u1, deb13u4, deb13u5, ...) with
# the same orig tarball, and older revisions leave the archive.
LLVM_ORIG=llvm-toolchain-22_22.1.8.orig.tar.xz
LLVM_ORIG_SHA256=b49b9277aef97616320b2da259e1f8174c65b0ce2fbe2e8629644a97693402fe
LLVM_TOP=llvm-toolchain-22_22.1.8
# Only these parts of the 196 MB monorepo tarball are unpacked.
LLVM_PARTS="cmake compiler-rt libcxx libcxxabi libunwind runtimes llvm lld third-party libc"

# The wasmtime CLI for the checks: the last release with wasi-threads.
WASMTIME_CLI_VERSION=46.0.3
# `cache`: `wasmtime run` keeps compiled code (~/.cache/wasmtime), so only the first run of
# the ~100 MB rustc.wasm pays for compiling it; `compile` makes `wasmtime compile` available.
WASMTIME_CLI_FEATURES=run,cranelift,wasi-threads,wat,parallel-compilation,cache,compile
WASMTIME_NICE="${WASI_SYSROOT_WASMTIME_NICE:-10}"

APT_SOURCES=/etc/apt/sources.list.d/rustc-wasi-wasi-sysroot-src.sources
APT_PACKAGES="clang-$LLVM_VER lld-$LLVM_VER llvm-$LLVM_VER cmake ninja-build dpkg-dev xz-utils
  make patch wasi-libc libc++-$LLVM_VER-dev-wasm32 libclang-rt-$LLVM_VER-dev-wasm32"

STAMPS="$CACHE/stamps"
LOGS="$CACHE/logs"
TIMES="$CACHE/step-times.txt"
mkdir -p "$CACHE/src" "$CACHE/work" "$STAMPS" "$LOGS" "$PREFIX"

log() { printf '[wasi-sysroot %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Hash of a step's inputs: the given strings and files under the given paths.
inputs_hash() {
	local item
	for item in "$@"; do
		if [ -e "$item" ]; then
			find "$item" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
		else
			printf '%s\n' "$item"
		fi
	done | sha256sum | cut -c1-16
}

# run_step NAME FUNCTION INPUT...: runs FUNCTION unless NAME's stamp holds the
# same inputs hash; logs wall time to $TIMES and output to $LOGS/NAME.log.
run_step() {
	local name="$1" fn="$2"; shift 2
	local key stamp="$STAMPS/$name"
	key="$(inputs_hash "$@")"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
		log "step $name: up to date ($key)"
		return 0
	fi
	log "step $name: running (log $LOGS/$name.log)"
	local start end
	start=$(date +%s)
	# In the background so that `set -e` holds inside the step function.
	"$fn" > "$LOGS/$name.log" 2>&1 &
	if ! wait $!; then
		tail -n 30 "$LOGS/$name.log" >&2
		die "step $name failed after $(( $(date +%s) - start )) s"
	fi
	end=$(date +%s)
	echo "$key" > "$stamp"
	printf '%s %s %ss\n' "$(date -u +%FT%TZ)" "$name" "$((end - start))" >> "$TIMES"
	log "step $name: done in $((end - start)) s"
}

step_deps() {
	local want
	want=$(cat <<-'EOF'
	Types: deb-src
	URIs: http://deb.debian.org/debian
	Suites: bookworm trixie
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb-src
	URIs: http://deb.debian.org/debian-security
	Suites: bookworm-security
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	)
	if [ ! -f "$APT_SOURCES" ] || [ "$(cat "$APT_SOURCES")" != "$want" ]; then
		printf '%s\n' "$want" > "$APT_SOURCES"
		apt-get update
	elif ! apt-cache showsrc wasi-libc 2>/dev/null | grep -q "^Version: $WASI_LIBC_VERSION\$"; then
		apt-get update
	fi
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $APT_PACKAGES
}

# verify_orig PACKAGE VERSION FILE: checks FILE's sha256 against the .dsc data.
verify_orig() {
	local pkg="$1" ver="$2" file="$3" want got
	want=$(apt-cache showsrc "$pkg" | awk -v v="$ver" -v f="$(basename "$file")" '
		/^Package:/ { inpkg = 0 } /^Version:/ { inpkg = ($2 == v) }
		/^Checksums-Sha256:/ { sha = inpkg; next } /^[A-Z]/ { sha = 0 }
		sha && $3 == f { print $1; exit }')
	[ -n "$want" ] || die "no sha256 for $file in apt-cache showsrc $pkg=$ver"
	got=$(sha256sum "$file" | cut -d' ' -f1)
	[ "$want" = "$got" ] || die "$file: sha256 $got, expected $want"
}

step_fetch() {
	cd "$CACHE/src"
	[ -f "wasi-libc_$WASI_LIBC_UPSTREAM.orig.tar.xz" ] ||
		apt-get source --download-only "wasi-libc=$WASI_LIBC_VERSION"
	verify_orig wasi-libc "$WASI_LIBC_VERSION" "wasi-libc_$WASI_LIBC_UPSTREAM.orig.tar.xz"
	# Some llvm-toolchain-22 .dsc files answer 404 while the orig tarball
	# downloads: try every revision apt knows that ships our tarball.
	local versions ver
	versions=$(apt-cache showsrc llvm-toolchain-22 | awk -v sha="$LLVM_ORIG_SHA256" '
		/^Version:/ { v = $2 } $1 == sha { print v }' | sort -u)
	[ -n "$versions" ] || die "apt-cache showsrc llvm-toolchain-22 lists no revision with $LLVM_ORIG (sha256 $LLVM_ORIG_SHA256); is the deb-src entry for trixie there?"
	for ver in $versions; do
		[ -f "$LLVM_ORIG" ] && break
		log "fetching $LLVM_ORIG through llvm-toolchain-22=$ver"
		apt-get source --download-only "llvm-toolchain-22=$ver" || true
	done
	[ -f "$LLVM_ORIG" ] || die "could not download $LLVM_ORIG (tried llvm-toolchain-22 $versions)"
	[ "$(sha256sum "$LLVM_ORIG" | cut -d' ' -f1)" = "$LLVM_ORIG_SHA256" ] ||
		die "$CACHE/src/$LLVM_ORIG: sha256 differs from $LLVM_ORIG_SHA256"
	ls -l "$CACHE/src"
}

step_wasi_libc() {
	local tree="$CACHE/work/wasi-libc" stage="$CACHE/work/wasi-libc-sysroot"
	rm -rf "$tree" "$stage"
	mkdir -p "$tree"
	tar -xJf "$CACHE/src/wasi-libc_$WASI_LIBC_UPSTREAM.orig.tar.xz" -C "$tree" --strip-components=1
	local p
	for p in "$HERE"/patches/wasi-libc/*.patch; do
		patch -d "$tree" -p1 --forward < "$p"
	done
	# Our wasi-threads layer: musl arch headers and new sources.
	cp "$HERE"/threads/arch/*.h "$tree/libc-top-half/musl/arch/wasm32/"
	mkdir -p "$tree/libc-top-half/sources/wasi-threads"
	cp "$HERE"/threads/sources/* "$tree/libc-top-half/sources/wasi-threads/"
	$NICE make -C "$tree" -j"$JOBS" \
		CC="$LLVM_BIN/clang" AR="$LLVM_BIN/llvm-ar" NM="$LLVM_BIN/llvm-nm" \
		THREAD_MODEL=posix SYSROOT="$stage" finish
	# Copied over the sysroot, leaving libc++ (installed there later) alone.
	mkdir -p "$SYSROOT"
	cp -a "$stage/." "$SYSROOT/"
}

step_llvm_src() {
	rm -rf "$CACHE/work/$LLVM_TOP"
	local parts="" part
	for part in $LLVM_PARTS; do parts="$parts $LLVM_TOP/$part"; done
	# shellcheck disable=SC2086
	$NICE tar -xJf "$CACHE/src/$LLVM_ORIG" -C "$CACHE/work" $parts
}

# Sets CMAKE_COMMON: the cmake arguments shared by compiler-rt and libc++;
# extra compile flags (beyond target, -pthread, -O2) come as arguments.
cmake_common() {
	local flags="--target=$TRIPLE -pthread -O2 -DNDEBUG $*"
	CMAKE_COMMON=(-G Ninja
		-DCMAKE_BUILD_TYPE=Release
		-DCMAKE_SYSTEM_NAME=Generic -DCMAKE_SYSTEM_PROCESSOR=wasm32
		-DCMAKE_C_COMPILER="$LLVM_BIN/clang" -DCMAKE_CXX_COMPILER="$LLVM_BIN/clang++"
		-DCMAKE_ASM_COMPILER="$LLVM_BIN/clang"
		-DCMAKE_AR="$LLVM_BIN/llvm-ar" -DCMAKE_RANLIB="$LLVM_BIN/llvm-ranlib"
		-DCMAKE_NM="$LLVM_BIN/llvm-nm"
		-DCMAKE_C_COMPILER_TARGET=$TRIPLE -DCMAKE_CXX_COMPILER_TARGET=$TRIPLE
		-DCMAKE_ASM_COMPILER_TARGET=$TRIPLE
		-DCMAKE_SYSROOT="$SYSROOT"
		-DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY
		"-DCMAKE_C_FLAGS=$flags" "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_ASM_FLAGS=$flags")
}

step_builtins() {
	local src="$CACHE/work/$LLVM_TOP" build="$CACHE/work/build-builtins"
	rm -rf "$build"
	cmake_common
	$NICE cmake -S "$src/compiler-rt/lib/builtins" -B "$build" "${CMAKE_COMMON[@]}" \
		-DCOMPILER_RT_BAREMETAL_BUILD=ON \
		-DCOMPILER_RT_DEFAULT_TARGET_ONLY=ON \
		-DCOMPILER_RT_BUILD_CRT=OFF \
		-DCOMPILER_RT_EXCLUDE_ATOMIC_BUILTIN=OFF \
		-DLLVM_ENABLE_PER_TARGET_RUNTIME_DIR=ON \
		-DCMAKE_INSTALL_PREFIX="$RESOURCE"
	$NICE ninja -C "$build" -j"$JOBS"
	$NICE ninja -C "$build" install
	# Everything but lib/ comes from the system's clang resource dir.
	local sys entry
	sys="$("$LLVM_BIN/clang" -print-resource-dir)"
	for entry in "$sys"/*; do
		[ "$(basename "$entry")" = lib ] || ln -sfn "$entry" "$RESOURCE/"
	done
	# clang looks for lib/<normalised triple>/libclang_rt.builtins.a.
	local want built
	want="$("$LLVM_BIN/clang" --target=$TRIPLE -resource-dir="$RESOURCE" -print-libgcc-file-name)"
	if [ ! -f "$want" ]; then
		built="$(find "$RESOURCE/lib" -name 'libclang_rt.builtins*.a' | head -n 1)"
		[ -n "$built" ] || die "no libclang_rt.builtins*.a under $RESOURCE/lib"
		mkdir -p "$(dirname "$want")"
		ln -sfn "$built" "$want"
	fi
	ls -l "$want"
}

step_libcxx() {
	local src="$CACHE/work/$LLVM_TOP" build="$CACHE/work/build-libcxx"
	rm -rf "$build"
	cmake_common "-resource-dir=$RESOURCE"
	$NICE cmake -S "$src/runtimes" -B "$build" "${CMAKE_COMMON[@]}" \
		-DLLVM_ENABLE_RUNTIMES="libcxx;libcxxabi" \
		-DLLVM_ENABLE_PER_TARGET_RUNTIME_DIR=OFF \
		-DCMAKE_INSTALL_PREFIX="$SYSROOT" \
		-DLIBCXX_INSTALL_LIBRARY_DIR="lib/$TRIPLE" \
		-DLIBCXXABI_INSTALL_LIBRARY_DIR="lib/$TRIPLE" \
		-DLIBCXX_ENABLE_SHARED=OFF -DLIBCXXABI_ENABLE_SHARED=OFF \
		-DLIBCXX_SHARED_OUTPUT_NAME=c++-shared-unused \
		-DLIBCXXABI_SHARED_OUTPUT_NAME=c++abi-shared-unused \
		-DLIBCXX_ENABLE_EXCEPTIONS=OFF -DLIBCXXABI_ENABLE_EXCEPTIONS=OFF \
		-DLIBCXX_ENABLE_THREADS=ON -DLIBCXXABI_ENABLE_THREADS=ON \
		-DLIBCXX_HAS_PTHREAD_API=ON -DLIBCXXABI_HAS_PTHREAD_API=ON \
		-DLIBCXX_ENABLE_FILESYSTEM=OFF \
		-DLIBCXX_ENABLE_TIME_ZONE_DATABASE=OFF \
		-DLIBCXX_ENABLE_MONOTONIC_CLOCK=ON \
		-DLIBCXX_CXX_ABI=libcxxabi \
		-DLIBCXX_USE_COMPILER_RT=ON -DLIBCXXABI_USE_COMPILER_RT=ON \
		-DLIBCXXABI_USE_LLVM_UNWINDER=OFF \
		-DLIBCXX_INCLUDE_TESTS=OFF -DLIBCXX_INCLUDE_BENCHMARKS=OFF \
		-DLIBCXXABI_INCLUDE_TESTS=OFF \
		-DLIBCXX_ENABLE_STATIC_ABI_LIBRARY=ON
	$NICE ninja -C "$build" -j"$JOBS" cxx cxxabi
	$NICE ninja -C "$build" install-cxx install-cxxabi
}

step_wrappers() {
	mkdir -p "$PREFIX/bin"
	local lang drv
	for lang in clang clang++; do
		drv="$PREFIX/bin/$TRIPLE-$lang"
		cat > "$drv" <<-EOF
		#!/bin/sh
		# Generated by wasi-sysroot/build.sh: $lang for $TRIPLE with our sysroot.
		# Links a shared, imported memory as wasi-threads hosts expect.
		exec "$LLVM_BIN/$lang" --target=$TRIPLE -pthread --sysroot="$SYSROOT" \\
		  -resource-dir="$RESOURCE" \\
		  -Wl,--import-memory,--export-memory,--max-memory=\${WASI_MAX_MEMORY:-1073741824} "\$@"
		EOF
		chmod +x "$drv"
	done
}

step_plain() {
	# Debian's prebuilt, single-threaded wasm32-wasip1 pieces: nothing to build.
	local pkg
	for pkg in wasi-libc "libc++-$LLVM_VER-dev-wasm32" "libclang-rt-$LLVM_VER-dev-wasm32"; do
		dpkg -s "$pkg" > /dev/null || die "$pkg is not installed"
	done
	[ -f /usr/lib/wasm32-wasi/libc.a ] || die "no /usr/lib/wasm32-wasi/libc.a"
	cat > "$PREFIX/wasm32-wasip1.env" <<-EOF
	# Debian's prebuilt wasm32-wasip1 sysroot (no threads); source this file.
	WASM32_WASIP1_SYSROOT=/usr
	WASM32_WASIP1_LIBDIR=/usr/lib/wasm32-wasi
	WASM32_WASIP1_CC="$LLVM_BIN/clang --target=wasm32-wasip1 --sysroot=/usr"
	WASM32_WASIP1_CXX="$LLVM_BIN/clang++ --target=wasm32-wasip1 --sysroot=/usr"
	EOF
	cat "$PREFIX/wasm32-wasip1.env"
}

step_wasmtime() {
	# The CLI the checks run under. Not the project's embedded wasmtime
	# (48.0.8): 46.x is the last release whose CLI hosts wasi-threads
	# (`run -Sthreads=yes`); see docs/wasi-sysroot.md. Only the features
	# `run -Sthreads=yes` needs, to keep the build short.
	local bin="$CACHE/tools/bin/wasmtime" features="$CACHE/tools/wasmtime-features"
	if [ -x "$bin" ] && "$bin" --version | grep -q "^wasmtime $WASMTIME_CLI_VERSION\b" &&
		[ "$(cat "$features" 2>/dev/null)" = "$WASMTIME_CLI_FEATURES" ]; then
		"$bin" --version
		return 0
	fi
	CARGO_TARGET_DIR="$CACHE/wasmtime-cli-target" nice -n "$WASMTIME_NICE" cargo install wasmtime-cli \
		--version "$WASMTIME_CLI_VERSION" --locked --root "$CACHE/tools" -j"$JOBS" --force \
		--no-default-features --features "$WASMTIME_CLI_FEATURES"
	echo "$WASMTIME_CLI_FEATURES" >"$features"
	"$bin" --version
}

ALL_STEPS="deps fetch wasi-libc llvm-src builtins libcxx wrappers plain wasmtime"

main() {
	local step
	for step in ${*:-$ALL_STEPS}; do
		case "$step" in
		deps) run_step deps step_deps "$APT_PACKAGES" "$WASI_LIBC_VERSION" ;;
		fetch) run_step fetch step_fetch "$WASI_LIBC_VERSION" "$LLVM_ORIG_SHA256" ;;
		wasi-libc) run_step wasi-libc step_wasi_libc "$WASI_LIBC_VERSION" "$HERE/patches/wasi-libc" \
			"$HERE/threads" "sysroot=$SYSROOT" "$(declare -f step_wasi_libc)" ;;
		llvm-src) run_step llvm-src step_llvm_src "$LLVM_ORIG_SHA256" "$LLVM_PARTS" ;;
		builtins) run_step builtins step_builtins "$LLVM_ORIG_SHA256" "$CACHE/work/wasi-libc-sysroot/include" \
			"resource=$RESOURCE" "$(declare -f step_builtins cmake_common)" ;;
		libcxx) run_step libcxx step_libcxx "$LLVM_ORIG_SHA256" "$CACHE/work/wasi-libc-sysroot/include" \
			"$(declare -f step_libcxx cmake_common)" ;;
		wrappers) run_step wrappers step_wrappers "prefix=$PREFIX" "$(declare -f step_wrappers)" ;;
		plain) run_step plain step_plain "$(declare -f step_plain)" ;;
		wasmtime) run_step wasmtime step_wasmtime "$WASMTIME_CLI_VERSION" "$WASMTIME_CLI_FEATURES" \
			"$(declare -f step_wasmtime)" ;;
		*) die "unknown step '$step' (steps: $ALL_STEPS)" ;;
		esac
	done
	log "sysroot: $SYSROOT ($(du -sh "$SYSROOT" 2>/dev/null | cut -f1))"
}

# Parsed whole before it runs, so editing this file cannot derail a running build.
main "$@"; exit $?
