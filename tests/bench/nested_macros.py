#!/usr/bin/env python3
"""Benchmark: serde_derive expanded by wasm proc macros nested in rustc.wasm (Pulley inside
rustc.wasm, under the wasmtime CLI 46.0.3) beside the native fork of the same tree with Pulley
and with Cranelift, in one run; and, for comparison only, the same module in the wasmi
interpreter, itself compiled to wasm and run by the same wasmtime CLI (tests/bench/nested_wasmi).

Inputs (serde_derive 1.0.229 built by `cargo wpm build`, serde for wasm32-wasip1):
  * big.rs: one 1000-field struct with #[derive(Serialize, Deserialize)] (2 expansions);
  * one.rs: 200 one-field structs with the same derives (400 expansions): the per-expansion cost.
Measured: `expand_crate` from `-Ztime-passes` (every macro call with its token conversions,
plus parsing the outputs and resolving), and the wall time of the whole compile
(`--emit metadata`). `-Zself-profile`, which the native bench reads, cannot run in
rustc.wasm (measureme needs a process id, which WASI lacks). The native fork runs with the
expansion cache off (`WPM_EXPANSION_CACHE=0`) and its compiled-code cache warm; rustc.wasm
has no cache (no cache root under `wasmtime run`): it compiles the module to Pulley
in-process on each run, before expansion starts (in the wall time, not in `expand_crate`).
wasmi's figure is its own clock around the guest calls (instantiate, write the input, expand,
read and decode the output), without rustc's token conversions.

rustc.wasm runs with `-W max-wasm-stack=8388608`: type-checking the 1000-field `Serialize`
impl (a 1000-deep `+` chain) needs more than wasmtime's default 512 KiB of stack
(docs/wasm-host.md, known limits).

Prints medians and ratios. Usage: python3 tests/bench/nested_macros.py [--runs N]
Environment: DIST, WASMTIME, NATIVE_RUSTC as for tests/wasm-host/run.py.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK_REL = os.path.join("build", "bench-nested")
WORK = os.path.join(ROOT, WORK_REL)
sys.path.insert(0, os.path.join(ROOT, "tests", "wasm-host"))
import host_tools  # noqa: E402

DIST_REL, WASMTIME, NATIVE_RUSTC = host_tools.DIST_REL, host_tools.WASMTIME, host_tools.NATIVE_RUSTC
TARGET = "wasm32-wasip1"
SERDE = "1.0.229"
RUN_FLAGS = ["-Sthreads=yes", "-Wthreads=yes,shared-memory=yes", "-W", "max-wasm-stack=8388608", "--dir", "."]
CALLS = {"big": 2, "one": 400}
LABELS = {"big": "1 x 1000-field struct (2 derives)", "one": "200 x 1-field struct (400 derives)"}


def run(cmd, env=None, cwd=ROOT):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"bench: `{' '.join(cmd)}` failed:\n{p.stderr[-4000:]}")
    return p


def write_inputs():
    fields = "".join(f"    pub f{i}: u32,\n" for i in range(1000))
    head = "use serde_derive::{Deserialize, Serialize};\n\n"
    with open(os.path.join(WORK, "big.rs"), "w") as f:
        f.write(f"{head}#[derive(Serialize, Deserialize)]\npub struct Big {{\n{fields}}}\n")
    with open(os.path.join(WORK, "one.rs"), "w") as f:
        f.write(head + "".join(f"#[derive(Serialize, Deserialize)]\npub struct S{i} {{ pub f0: u32 }}\n"
                               for i in range(200)))


def merged_sysroot():
    """The native fork's own sysroot for its host, dist/'s std for wasm32-wasip1 (the stage-1
    sysroot holds that target only after dist.sh's assemble step)."""
    stage1 = os.path.dirname(os.path.dirname(NATIVE_RUSTC))
    root = os.path.join(WORK, "sysroot")
    rustlib = os.path.join(root, "lib", "rustlib")
    os.makedirs(rustlib, exist_ok=True)
    for target, base in [("x86_64-unknown-linux-gnu", stage1), (TARGET, os.path.join(ROOT, DIST_REL))]:
        link = os.path.join(rustlib, target)
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(os.path.join(base, "lib", "rustlib", target), link)
    return root


def build_serde(sysroot):
    """serde for wasm32-wasip1, built by the native fork through cargo (only its rlib is used,
    by both compilers: they are the same tree)."""
    proj = os.path.join(WORK, "serde-dep")
    os.makedirs(os.path.join(proj, "src"), exist_ok=True)
    with open(os.path.join(proj, "Cargo.toml"), "w") as f:
        f.write(f'[package]\nname = "bench_serde_dep"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
                f'[workspace]\n\n[dependencies]\nserde = {{ version = "={SERDE}", default-features = false, '
                f'features = ["std"] }}\n')
    open(os.path.join(proj, "src", "lib.rs"), "w").close()
    env = {**os.environ, "RUSTC": NATIVE_RUSTC, "CARGO_TARGET_DIR": os.path.join(WORK, "serde-target"),
           "RUSTFLAGS": f"--sysroot {sysroot}"}
    env.pop("RUSTC_WRAPPER", None)
    run(["cargo", "build", "-q", "--target", TARGET], env=env, cwd=proj)
    deps = os.path.join(WORK, "serde-target", TARGET, "debug", "deps")
    found = [x for x in os.listdir(deps) if x.startswith("libserde-") and x.endswith(".rlib")]
    if len(found) != 1:
        sys.exit(f"bench: expected one libserde-*.rlib in {deps}, found {found}")
    return os.path.relpath(deps, ROOT), os.path.relpath(os.path.join(deps, found[0]), ROOT)


def build_module():
    run(["cargo", "build", "-q", "--release", "-p", "cargo-wpm"])
    module = os.path.join(WORK, f"serde_derive-{SERDE}.wasm")
    if not os.path.exists(module):
        run([os.path.join(ROOT, "target", "release", "cargo-wpm"), "wpm", "build", f"serde_derive@{SERDE}",
             "-o", module])
    return os.path.relpath(module, ROOT)


def build_wasmi(module):
    """tests/bench/nested_wasmi with the module embedded, for wasm32-unknown-unknown (the guest
    toolchain: Debian's rustc with build-std, as guest modules are built)."""
    env = {**os.environ, "NESTED_WASMI_MODULE": os.path.join(ROOT, module), "RUSTC": "/usr/bin/rustc",
           "RUSTC_BOOTSTRAP": "1"}
    for k in ("RUSTFLAGS", "RUSTC_WRAPPER", "CARGO_BUILD_TARGET"):
        env.pop(k, None)
    target_dir = os.path.join(WORK, "wasmi-target")
    run(["/usr/bin/cargo", "build", "-q", "--release", "-Zbuild-std=std,panic_abort", "--target",
         "wasm32-unknown-unknown", "--target-dir", target_dir], env=env,
        cwd=os.path.join(ROOT, "tests", "bench", "nested_wasmi"))
    return os.path.join(target_dir, "wasm32-unknown-unknown", "release", "nested_wasmi.wasm")


def expand_seconds(stderr, what):
    # Natively the line also gives RSS (`time: 8.393; rss: ...\texpand_crate`); on WASI not.
    m = re.search(r"^time:\s+([0-9.]+)(?:;[^\t\n]*)?\s+expand_crate$", stderr, re.M)
    if not m:
        sys.exit(f"bench: no expand_crate time from {what}:\n{stderr[-2000:]}")
    return float(m.group(1))


def measure(cmd, env, what):
    t = time.monotonic()
    p = run(cmd + ["-Ztime-passes"], env=env)
    return expand_seconds(p.stderr, what), time.monotonic() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    for tool in (WASMTIME, NATIVE_RUSTC, host_tools.RUSTC_WASM):
        if not os.path.exists(tool):
            sys.exit(f"bench: {tool} is missing (run dist-scripts/dist.sh)")
    os.makedirs(WORK, exist_ok=True)
    write_inputs()
    print("bench: building serde_derive.wasm, serde for wasm32-wasip1 and the wasmi guest", file=sys.stderr)
    module = build_module()
    sysroot = merged_sysroot()
    deps, serde = build_serde(sysroot)
    wasmi = build_wasmi(module)
    common = ["--edition", "2021", "--crate-type", "lib", "--emit", "metadata", "--target", TARGET,
              "-L", f"dependency={deps}", "--extern", f"serde={serde}",
              "--wasm-proc-macro", f"serde_derive={module}"]
    cache = os.path.join(WORK, "wpm-cache")
    native_env = {**os.environ, "WPM_CACHE_DIR": cache, "WPM_EXPANSION_CACHE": "0"}
    configs = {
        "nested pulley (rustc.wasm)": ([WASMTIME, "run", *RUN_FLAGS, os.path.join(DIST_REL, "bin", "rustc.wasm"),
                                        "--sysroot", DIST_REL], None),
        "native fork, pulley": ([NATIVE_RUSTC, "--sysroot", sysroot, "-Zwasm-proc-macro-backend=pulley"], native_env),
        "native fork, cranelift": ([NATIVE_RUSTC, "--sysroot", sysroot, "-Zwasm-proc-macro-backend=cranelift"],
                                   native_env),
    }
    # Warm the native compiled-code caches (and fail early on a broken setup). The stub
    # metadata is built first by a compile for the host: a native fork older than the stub
    # backend (docs/fork.md) fails when its first stub build is for another target.
    with open(os.path.join(WORK, "warm.rs"), "w") as f:
        f.write("pub fn nothing() {}\n")
    run([NATIVE_RUSTC, "--edition", "2021", "--crate-type", "lib", "-Zunpretty=expanded",
         "--wasm-proc-macro", f"serde_derive={module}", os.path.join(WORK_REL, "warm.rs"),
         "-o", os.path.join(WORK_REL, "warm.expanded.rs")], env=native_env)
    for name, (cmd, env) in configs.items():
        if env is not None:
            run(cmd + common + [os.path.join(WORK_REL, "one.rs"), "-o", os.path.join(WORK_REL, "warm.rmeta")], env=env)
    results = {(c, i): [] for c in configs for i in CALLS}
    wasmi_runs = {i: [] for i in CALLS}
    for r in range(args.runs):
        for inp in CALLS:
            for name, (cmd, env) in configs.items():
                out = os.path.join(WORK_REL, f"{inp}.rmeta")
                results[(name, inp)].append(
                    measure(cmd + common + [os.path.join(WORK_REL, f"{inp}.rs"), "-o", out], env, f"{name} {inp}"))
        p = run([WASMTIME, "run", wasmi])
        for line in p.stdout.splitlines():
            words = line.split()
            if len(words) == 5 and words[1] in CALLS:
                wasmi_runs[words[1]].append(float(words[3]))
        print(f"bench: run {r + 1}/{args.runs} done", file=sys.stderr)
    med = {k: (statistics.median(x for x, _ in v), statistics.median(w for _, w in v)) for k, v in results.items()}
    print(f"serde_derive {SERDE} nested in rustc.wasm vs the native fork; medians of {args.runs} runs; "
          f"expand_crate (-Ztime-passes) and wall time of the compile")
    for inp in CALLS:
        print(f"\n{LABELS[inp]}")
        print(f"  {'':28} {'expand_crate':>12} {'per call':>10} {'wall':>8}")
        for name in configs:
            e, w = med[(name, inp)]
            print(f"  {name:28} {e:11.3f}s {1000 * e / CALLS[inp]:8.2f}ms {w:7.2f}s")
        wm = statistics.median(wasmi_runs[inp]) if wasmi_runs[inp] else float("nan")
        print(f"  {'nested wasmi (guest calls)':28} {wm:11.3f}s {1000 * wm / CALLS[inp]:8.2f}ms")
        nested, pulley, cranelift = (med[(n, inp)][0] for n in configs)
        print(f"  nested pulley / native pulley: {nested / pulley:.2f}x (first-cut goal <= 3x); "
              f"/ native cranelift: {nested / cranelift:.1f}x; nested pulley / nested wasmi: {nested / wm:.2f}x")


if __name__ == "__main__":
    main()
