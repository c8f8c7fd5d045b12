#!/usr/bin/env python3
"""Fails when a package that the tests build on its own (`cargo build -p NAME`) would
resolve a shared dependency with other features than `cargo test --workspace` does.

Cargo keeps one build per dependency in target/, so such a difference rebuilds that
dependency and everything above it on each switch (minutes in CI). The fix is to ask
for the missing features in src/tools/workspace-hack/Cargo.toml.
Usage: python3 tests/check-features.py
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Packages built with `-p` by the tests: e2e and the fork tests build cargo-wpm, the fork
# tests build wat2wasm, the e2e test is a test of wpm-rustc.
SOLO = ["cargo-wpm", "wpm-rustc", "wat2wasm"]


def features(*selection):
    """{ "name vX.Y.Z": "[f1,f2]" } for every package the selection builds, with the
    features Cargo resolves for it (dev-dependencies included, as for `cargo test`)."""
    out = subprocess.run(
        ["cargo", "tree", *selection, "-e", "normal,build,dev", "--prefix", "none",
         "--no-dedupe", "-f", "{p}|{f}"],
        cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"check-features: cargo tree {' '.join(selection)} failed:\n{out.stderr}")
    found = {}
    for line in out.stdout.splitlines():
        if "|" not in line:
            continue
        pkg, feats = line.split("|", 1)
        pkg = pkg.split(" (")[0].strip()
        found.setdefault(pkg, set()).add(feats.strip())
    return found


def main():
    workspace = features("--workspace")
    bad = []
    for name in SOLO:
        for pkg, feats in sorted(features("-p", name).items()):
            # A package can appear twice (as a build-time and as a run-time dependency,
            # which resolver 2 resolves apart); each of its feature sets must be one the
            # workspace builds too.
            if pkg in workspace and not feats <= workspace[pkg]:
                bad.append(f"  -p {name}: {pkg} gets [{' | '.join(sorted(feats))}], "
                           f"the workspace [{' | '.join(sorted(workspace[pkg]))}]")
    if bad:
        print("check-features: these dependencies would be rebuilt when the tests switch "
              "between `cargo test --workspace` and `cargo build -p`; add the workspace's "
              "features to src/tools/workspace-hack/Cargo.toml:\n" + "\n".join(bad), file=sys.stderr)
        sys.exit(1)
    print(f"check-features: {', '.join(SOLO)} resolve every shared dependency as the workspace does")


if __name__ == "__main__":
    main()
