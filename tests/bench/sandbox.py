#!/usr/bin/env python3
"""Benchmark: `cargo wpm sandbox build` against `cargo build` on the sandbox fixture
(src/tools/cargo-wpm/tests/fixtures/sandbox_workspace: serde, thiserror, clap, tokio,
async-trait and a local proc-macro member), in one run: a clean build of each (empty target
directory) and a no-op build of each (nothing changed). Modules, shims and the shims'
runtime come from the cache, warmed by a first sandboxed build that is not measured (the
issue's "once the runtime is built"); the cache is `$WPM_CACHE_DIR` or the default root.
Prints medians and ratios. Usage: python3 tests/bench/sandbox.py [--runs N]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "src", "tools", "cargo-wpm", "tests", "fixtures", "sandbox_workspace")
WORK = os.path.join(ROOT, "build", "bench-sandbox")


def run(cmd, target):
    env = {**os.environ, "CARGO_TARGET_DIR": target}
    for var in ("RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER"):
        env.pop(var, None)
    t = time.monotonic()
    p = subprocess.run(cmd, cwd=FIXTURE, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"bench: `{' '.join(cmd)}` failed:\n{p.stderr[-4000:]}")
    return time.monotonic() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print("bench: building cargo-wpm (release)", file=sys.stderr)
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "cargo-wpm"], cwd=ROOT, check=True)
    cargo_wpm = os.path.join(ROOT, "target", "release", "cargo-wpm")
    builds = {
        "native": (["cargo", "build"], os.path.join(WORK, "target-native")),
        "sandbox": ([cargo_wpm, "wpm", "sandbox", "build"], os.path.join(WORK, "target-sandbox")),
    }
    print("bench: warming the module and shim caches", file=sys.stderr)
    run(builds["sandbox"][0], builds["sandbox"][1])
    times = {(b, kind): [] for b in builds for kind in ("clean", "no-op")}
    for r in range(args.runs):
        for name, (cmd, target) in builds.items():
            shutil.rmtree(target, ignore_errors=True)
            times[(name, "clean")].append(run(cmd, target))
            times[(name, "no-op")].append(run(cmd, target))
        print(f"bench: run {r + 1}/{args.runs} done", file=sys.stderr)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"the sandbox fixture (6 proc-macro crates); medians of {args.runs} runs")
    print(f"  {'':8} {'native':>9} {'sandbox':>9} {'ratio':>7}")
    for kind, goal in (("clean", " (goal <= 1.5x)"), ("no-op", "")):
        n, s = med[("native", kind)], med[("sandbox", kind)]
        print(f"  {kind:8} {n:8.2f}s {s:8.2f}s {s / n:6.2f}x{goal}")


if __name__ == "__main__":
    main()
