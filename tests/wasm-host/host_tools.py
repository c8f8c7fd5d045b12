"""Where the heavy tier's tools are, for tests/wasm-host/run.py and the benches that run
rustc.wasm (tests/bench/wasm_host.py, tests/bench/nested_macros.py). Each path can be
overridden by the environment variable of the same name.

DIST: dist-scripts/dist.sh's output (default dist/); WASMTIME: the runner, wasmtime-cli 46.0.3
as wasi-sysroot/build.sh installs it; NATIVE_RUSTC: the reference compiler, the x86_64 stage-1
compiler of the wasm-host work tree (the same source as rustc.wasm).
"""
import os

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DIST_REL = os.path.relpath(os.environ.get("DIST") or os.path.join(REPO, "dist"), REPO)
WASMTIME = os.environ.get("WASMTIME") or os.path.join(REPO, "build", "wasi-sysroot", "tools", "bin", "wasmtime")
NATIVE_RUSTC = os.environ.get("NATIVE_RUSTC") or os.path.join(
    REPO, "build", "fork-wasm", "rust", "build", "x86_64-unknown-linux-gnu", "stage1", "bin", "rustc"
)
