#!/usr/bin/env python3
"""Benchmark: serde derive expanded natively vs as wasm (Cranelift, Pulley; expansion cache cold and warm).

Measures, in one run, for
  * one.rs: 200 one-field structs with #[derive(Serialize, Deserialize)] (400 expansions),
  * big.rs: one 1000-field struct with the same derives (2 expansions),
with the native serde_derive proc macro, and with serde_derive.wasm through `wpm-rustc`:
Cranelift (warm compiled-code cache) and Pulley with the expansion cache off, so the guest
runs every time, Cranelift with a cold expansion cache (emptied before every run: each
expansion misses, runs the guest and is stored), and Cranelift with a warm expansion cache
(the guest does not run: the expansions are replayed, and the module is not even
compiled), two times:
  * macro time: the sum of rustc's `expand_proc_macro` self-profile activities, which
    rustc opens around each proc-macro call (token conversion through the bridge both
    ways and the macro itself; not the parse of its output). Read from `-Zself-profile`
    by tests/bench/macro_time (built here);
  * `expand_crate` (from `-Ztime-passes`): all of macro expansion, parsing the outputs
    and resolving included.
Prints medians and ratios to native.

With `--baseline REV`, wpm-rustc is also built at git revision REV (in a worktree under
target/bench) and measured the same way as "cranelift" (guest runs every time), so a
change's cost per expansion is compared with an older build in the same run.
With `--only CFG,...` only those configurations are measured besides native (say `warm`
while working on the expansion cache: a minute instead of ten).
Usage: python3 tests/bench/serde_derive.py [--runs N] [--baseline REV] [--only CFG,...]
"""
import argparse
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERDE = "1.0.229"
WORK = os.path.join(ROOT, "target", "bench")
COLD_ROOT = os.path.join(WORK, "cold-cache")


def default_cache_root():
    """The cache root the tools use by default (wpm_host::cache_root's rule)."""
    if os.environ.get("WPM_CACHE_DIR"):
        return os.environ["WPM_CACHE_DIR"]
    if os.environ.get("XDG_CACHE_HOME"):
        return os.path.join(os.environ["XDG_CACHE_HOME"], "wpm")
    return os.path.join(os.path.expanduser("~"), ".cache", "wpm")


def run(cmd, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode != 0:
        sys.exit(f"bench: `{' '.join(cmd)}` failed:\n{res.stderr[-4000:]}")
    return res


def build_tools():
    print("bench: building cargo-wpm, wpm-rustc and macro-time (release)", file=sys.stderr)
    run(["cargo", "build", "--release", "-q", "-p", "cargo-wpm", "-p", "wpm-rustc"], cwd=ROOT)
    helper = os.path.join(ROOT, "tests", "bench", "macro_time")
    run(["cargo", "build", "--release", "-q", "--target-dir", os.path.join(WORK, "macro-time")], cwd=helper)
    bin_dir = os.path.join(ROOT, "target", "release")
    macro_time = os.path.join(WORK, "macro-time", "release", "macro-time")
    return os.path.join(bin_dir, "cargo-wpm"), os.path.join(bin_dir, "wpm-rustc"), macro_time


def build_baseline(rev):
    """wpm-rustc as of `rev`, built in a worktree of its own."""
    full = run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT).stdout.strip()
    tree = os.path.join(WORK, f"baseline-{full[:12]}")
    if not os.path.isdir(tree):
        run(["git", "worktree", "add", "--detach", tree, full], cwd=ROOT)
    print(f"bench: building wpm-rustc at {full[:12]} (release)", file=sys.stderr)
    target = os.path.join(WORK, "baseline-target")
    run(["cargo", "build", "--release", "-q", "-p", "wpm-rustc", "--target-dir", target], cwd=tree)
    return full[:12], os.path.join(target, "release", "wpm-rustc")


def build_native():
    """serde (derive feature off) and native serde_derive, built by the stock toolchain."""
    proj = os.path.join(WORK, "native")
    os.makedirs(os.path.join(proj, "src"), exist_ok=True)
    with open(os.path.join(proj, "Cargo.toml"), "w") as f:
        f.write(f'[package]\nname = "bench-native"\nversion = "0.0.0"\nedition = "2021"\n[workspace]\n'
                f'[dependencies]\nserde = {{ version = "={SERDE}", default-features = false, features = ["std"] }}\n'
                f'serde_derive = "={SERDE}"\n')
    with open(os.path.join(proj, "src", "lib.rs"), "w") as f:
        f.write("pub use serde_derive::*;\n")
    print("bench: building native serde_derive", file=sys.stderr)
    run(["cargo", "build", "--release", "-q"], cwd=proj)
    deps = os.path.join(proj, "target", "release", "deps")
    so = glob.glob(os.path.join(deps, "libserde_derive-*.so"))
    rlib = [p for p in glob.glob(os.path.join(deps, "libserde-*.rlib"))]
    if len(so) != 1 or len(rlib) != 1:
        sys.exit(f"bench: expected one serde_derive .so and one serde .rlib in {deps}, found {so} {rlib}")
    return so[0], rlib[0], deps


def build_wasm(cargo_wpm):
    out = os.path.join(WORK, "serde_derive.wasm")
    if not os.path.exists(out):
        print("bench: building serde_derive.wasm", file=sys.stderr)
        run([cargo_wpm, "wpm", "build", f"serde_derive@{SERDE}", "-o", out])
    return out


def write_inputs():
    one = "use serde_derive::{Serialize, Deserialize};\n" + "".join(
        f"#[derive(Serialize, Deserialize)] pub struct S{i} {{ pub f: u32 }}\n" for i in range(200))
    fields = "".join(f"    pub f{i}: u32,\n" for i in range(1000))
    big = ("use serde_derive::{Serialize, Deserialize};\n"
           f"#[derive(Serialize, Deserialize)]\npub struct Big {{\n{fields}}}\n")
    paths = {}
    for name, text in (("one", one), ("big", big)):
        paths[name] = os.path.join(WORK, f"{name}.rs")
        with open(paths[name], "w") as f:
            f.write(text)
    return paths


TIME_RE = re.compile(r"time:\s+([0-9.]+);.*\sexpand_crate$", re.M)


def measure(cmd, env, macro_time, expected):
    """(macro time, expand_crate time) of one run of `cmd`, in seconds."""
    profile_dir = tempfile.mkdtemp(prefix="wpm-bench-")
    try:
        res = run([*cmd, f"-Zself-profile={profile_dir}"], env=env)
        m = TIME_RE.search(res.stderr)
        if not m:
            sys.exit(f"bench: no expand_crate time in output of {' '.join(cmd)}:\n{res.stderr[-2000:]}")
        profiles = glob.glob(os.path.join(profile_dir, "*.mm_profdata"))
        if len(profiles) != 1:
            sys.exit(f"bench: expected one self-profile in {profile_dir}, found {profiles}")
        count, seconds, _ = run([macro_time, profiles[0]]).stdout.split(maxsplit=2)
        if int(count) != expected:
            sys.exit(f"bench: {count} proc-macro calls in {' '.join(cmd)}, expected {expected}")
        return float(seconds), float(m.group(1))
    finally:
        shutil.rmtree(profile_dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--baseline", metavar="REV", help="also measure wpm-rustc built at this git revision")
    ap.add_argument("--only", metavar="CFG,...", help="measure only these of cranelift, pulley, cold, warm (and native)")
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(COLD_ROOT, mode=0o700, exist_ok=True)  # a cache root must be private
    cargo_wpm, wpm_rustc, macro_time = build_tools()
    native_so, serde_rlib, deps = build_native()
    wasm = build_wasm(cargo_wpm)
    inputs = write_inputs()
    # The default cache (WPM_CACHE_DIR or ~/.cache/wpm): it also holds the shims' runtime, which
    # a fresh directory would rebuild (minutes). The warm-up run below fills the code cache.
    base_env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    common = ["--edition", "2021", "--crate-type", "lib", "-Ztime-passes", "-Zunpretty=expanded",
              "-o", os.devnull, "--extern", f"serde={serde_rlib}", "-L", f"dependency={deps}"]
    configs = {
        "native": (["rustc", *common, "--extern", f"serde_derive={native_so}"], {}),
        "cranelift": ([wpm_rustc, "--wasm-proc-macro", f"serde_derive={wasm}", *common],
                      {"WPM_BACKEND": "cranelift", "WPM_EXPANSION_CACHE": "0"}),
        "pulley": ([wpm_rustc, "--wasm-proc-macro", f"serde_derive={wasm}", *common],
                   {"WPM_BACKEND": "pulley", "WPM_EXPANSION_CACHE": "0"}),
        # A private cache root whose expansions/ is deleted before each measured run (the
        # compiled code stays, as on any machine that built before; the shims are the
        # default cache's, which the warm-up run built).
        "cold": ([wpm_rustc, "--wasm-proc-macro", f"serde_derive={wasm}", *common],
                 {"WPM_BACKEND": "cranelift", "WPM_EXPANSION_CACHE": "1", "WPM_CACHE_DIR": COLD_ROOT,
                  "WPM_SHIM_CACHE": os.path.join(default_cache_root(), "shims")}),
        # The warm-up run fills the expansion cache; the measured runs are all hits.
        "warm": ([wpm_rustc, "--wasm-proc-macro", f"serde_derive={wasm}", *common],
                 {"WPM_BACKEND": "cranelift", "WPM_EXPANSION_CACHE": "1"}),
    }
    if args.baseline:
        rev, old_rustc = build_baseline(args.baseline)
        configs[f"cl@{rev}"] = ([old_rustc, "--wasm-proc-macro", f"serde_derive={wasm}", *common],
                                configs["cranelift"][1])
    if args.only:
        wanted = set(args.only.split(",")) | {"native"}
        unknown = wanted - set(configs)
        if unknown:
            sys.exit(f"bench: unknown configuration {', '.join(sorted(unknown))}; known: {', '.join(configs)}")
        configs = {k: v for k, v in configs.items() if k in wanted or k.startswith("cl@")}
    calls = {"one": 400, "big": 2}
    results = {}
    for input_name, path in inputs.items():
        for cfg, (cmd, extra) in configs.items():
            env = dict(base_env, **extra)
            run([*cmd, path], env=env)  # warm-up: builds the shim, fills the caches
            times = []
            for _ in range(args.runs):
                if cfg == "cold":
                    shutil.rmtree(os.path.join(COLD_ROOT, "expansions"), ignore_errors=True)
                times.append(measure([*cmd, path], env, macro_time, calls[input_name]))
            results[(input_name, cfg)] = tuple(statistics.median(t[i] for t in times) for i in (0, 1))
    labels = {"one": "200 x 1-field struct (400 derives)", "big": "1 x 1000-field struct (2 derives)"}
    measured = [c for c in ("native", "cranelift", "pulley", "cold", "warm") if c in configs]
    short = {"cranelift": "cl", "pulley": "pl"}
    for which, title in ((0, "macro time (rustc's expand_proc_macro activities)"), (1, "expand_crate")):
        print(f"\nserde_derive {SERDE}, {title}, median of {args.runs} runs (seconds)")
        print(f"{'input':<34}" + "".join(f"{c:>11}" for c in measured)
              + "".join(f"{short.get(c, c) + '/native':>13}" for c in measured[1:]))
        for input_name in inputs:
            t = {c: results[(input_name, c)][which] for c in measured}
            print(f"{labels[input_name]:<34}" + "".join(f"{t[c]:>11.3f}" for c in measured)
                  + "".join(f"{t[c] / t['native']:>12.2f}x" for c in measured[1:]))
    if "cranelift" in configs and "pulley" in configs:
        n1, c1, p1 = (results[("one", k)][0] for k in ("native", "cranelift", "pulley"))
        print(f"\nper-expansion macro time over native (1-field): cranelift {(c1 - n1) / 400 * 1e6:.0f} us, "
              f"pulley {(p1 - n1) / 400 * 1e6:.0f} us")
    if args.baseline and "cranelift" in configs:
        for input_name in inputs:
            for which, title in ((0, "macro time"), (1, "expand_crate")):
                n, c, b = (results[(input_name, k)][which] for k in ("native", "cranelift", f"cl@{rev}"))
                print(f"{labels[input_name]}, {title}: cranelift {c:.3f} s, at {rev} {b:.3f} s "
                      f"({c / b:.3f}x); over native {(c - n) * 1e3:.1f} ms vs {(b - n) * 1e3:.1f} ms")

if __name__ == "__main__":
    main()
