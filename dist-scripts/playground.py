#!/usr/bin/env python3
"""Assembles the browser playground into dist/playground/ and serves it.

    python3 dist-scripts/playground.py build   # bundle the page, pack rustc.wasm, sysroot, crates
    python3 dist-scripts/playground.py serve   # http://127.0.0.1:8000/ with COOP/COEP

`build` needs dist/ (dist-scripts/dist.sh) and the crate bundle (dist-scripts/playground_crates.py);
dist-scripts/playground.sh runs all of it. Downloads are gzip files that the page inflates with
DecompressionStream (any static host works, and the progress bar counts real bytes); packs are
described in playground/src/pack.js. `manifest.json` names every file with its size and a
content hash, which the page uses as its cache key.
"""
import argparse
import gzip
import hashlib
import http.server
import json
import os
import shutil
import struct
import subprocess
import sys
import time

from playground_crates import sha256  # a sibling script: its directory is on sys.path

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TARGET = "wasm32-wasip1"


def log(msg):
    print(f"[playground] {msg}", flush=True)


def write_pack(files, out):
    """`files`: (path inside the pack, file on disk) pairs; writes the pack gzip'd to `out`."""
    index = [{"path": p, "size": os.path.getsize(f)} for p, f in files]
    head = json.dumps(index).encode()
    tmp = out + ".tmp"
    with gzip.open(tmp, "wb", compresslevel=6) as z:
        z.write(b"WPMPACK1" + struct.pack("<I", len(head)) + head)
        for _, f in files:
            with open(f, "rb") as src:
                shutil.copyfileobj(src, z, 1 << 20)
    os.replace(tmp, out)


def gzip_file(src, out):
    tmp = out + ".tmp"
    with open(src, "rb") as s, gzip.open(tmp, "wb", compresslevel=6) as z:
        shutil.copyfileobj(s, z, 1 << 20)
    os.replace(tmp, out)


STAMPS = os.path.join(REPO, "build", "playground", "stamps")


def stamp_of(out):
    """Where the inputs `out` was made from are recorded (outside dist/, which is published)."""
    return os.path.join(STAMPS, hashlib.sha256(os.path.abspath(out).encode()).hexdigest()[:16])


def remake(out, inputs, make):
    """Runs `make()` (which writes `out`) unless `out` was made from exactly these input files
    as they are now (their list, sizes and times, recorded in its stamp)."""
    key = json.dumps([os.path.abspath(out)] + [[i, os.path.getsize(i), os.path.getmtime(i)] for i in inputs])
    stamp = stamp_of(out)
    if os.path.exists(out) and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read() == key:
                return
    make()
    os.makedirs(STAMPS, exist_ok=True)
    with open(stamp, "w") as f:
        f.write(key)


def sysroot_files(dist):
    """The target's libraries: rlibs with their .rmeta twins (std is built without metadata
    embedded in the rlib, so rustc reads the .rmeta) and the self-contained crt and libc."""
    lib = os.path.join(dist, "lib", "rustlib", TARGET, "lib")
    files = []
    for root, _, names in os.walk(lib):
        for n in sorted(names):
            full = os.path.join(root, n)
            files.append((os.path.relpath(full, dist), full))
    files.sort()
    if not any(p.endswith(".rlib") and "/libstd-" in p for p, _ in files):
        sys.exit(f"error: {lib} has no libstd rlib: run dist-scripts/dist.sh first")
    return files


# Which proc-macro modules a compile needs when the user picks a crate: its own and those of
# its dependencies (a crate compiled with `--wasm-proc-macro` records the macro crate as a
# dependency, so every downstream compile names the module again; docs/fork.md, Limits).
PICKER_MACROS = {"serde": ["serde_derive"], "serde_json": ["serde_derive"], "thiserror": ["thiserror_impl"]}


def picker(bundle):
    """The page's crate picker from playground_crates.py's crates.json. The page lays the
    bundle over the compile's working directory, so its relative paths work as they are."""
    macros = {m["name"]: m["module"] for m in bundle["macros"]}
    entries = []
    for c in bundle["crates"]:
        needs = PICKER_MACROS.get(c["name"], [])
        missing = [m for m in needs if m not in macros]
        if missing:
            sys.exit(f"error: crates.json has {c['name']} but not its macro module(s) {missing}")
        entries.append({"name": c["name"], "version": c["version"], "rlib": c["rlib"], "macros": needs})
    # The search paths (the rlibs' directory, the macro stubs' metadata); the page adds
    # --extern and --wasm-proc-macro for what is picked.
    args, common = bundle["rustc_args"], []
    for flag, value in zip(args[::2], args[1::2]):
        if flag == "-L":
            common += [flag, value]
        elif flag not in ("--extern", "--wasm-proc-macro"):
            sys.exit(f"error: crates.json: unexpected rustc argument {flag} {value}")
    env = [f"{k}={v}" for k, v in bundle.get("rustc_env", {}).items()]
    return {"picker": entries, "common": common, "macros": macros, "env": env}


def build(args):
    dist = os.path.abspath(args.dist)
    out = os.path.join(dist, "playground")
    rustc = os.path.join(dist, "bin", "rustc.wasm")
    if not os.path.exists(rustc):
        sys.exit(f"error: {rustc} is missing: run dist-scripts/dist.sh first")
    crates = os.path.abspath(args.crates)
    if not os.path.exists(os.path.join(crates, "crates.json")):
        sys.exit(f"error: {crates}/crates.json is missing: run dist-scripts/playground_crates.py first")
    os.makedirs(out, exist_ok=True)
    pg = os.path.join(REPO, "playground")

    t = time.time()
    remake(os.path.join(pg, "node_modules", ".package-lock.json"), [os.path.join(pg, "package-lock.json")],
           lambda: subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=pg, check=True))
    subprocess.run(["node", "build.mjs", out], cwd=pg, check=True)
    log(f"page bundled: {time.time() - t:.1f} s")

    steps = []
    t = time.time()
    target = os.path.join(out, "rustc.wasm.gz")
    remake(target, [rustc], lambda: gzip_file(rustc, target))
    steps.append(("rustc", target, os.path.getsize(rustc)))
    log(f"rustc.wasm.gz: {time.time() - t:.1f} s")

    t = time.time()
    files = sysroot_files(dist)
    target = os.path.join(out, "sysroot.pack.gz")
    remake(target, [f for _, f in files], lambda: write_pack(files, target))
    steps.append(("sysroot", target, sum(os.path.getsize(f) for _, f in files)))
    log(f"sysroot.pack.gz ({len(files)} files): {time.time() - t:.1f} s")

    t = time.time()
    with open(os.path.join(crates, "crates.json")) as f:
        bundle = json.load(f)
    files = []
    for root, _, names in os.walk(crates):
        for n in sorted(names):
            full = os.path.join(root, n)
            rel = os.path.relpath(full, crates)
            if rel.startswith(("lib/", "macros/", "wpm-cache/")):
                files.append((rel, full))
    files.sort()
    target = os.path.join(out, "crates.pack.gz")
    remake(target, [f for _, f in files], lambda: write_pack(files, target))
    steps.append(("crates", target, sum(os.path.getsize(f) for _, f in files)))
    log(f"crates.pack.gz ({len(files)} files): {time.time() - t:.1f} s")

    manifest = {
        "files": {
            name: {"url": os.path.basename(path), "bytes": os.path.getsize(path), "inflated": inflated,
                   "sha256": sha256(path)}
            for name, path, inflated in steps
        },
        "crates": picker(bundle),
        "target": TARGET,
        "initialPages": 1024,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    for name, path, inflated in steps:
        log(f"{name}: {os.path.getsize(path) / 1e6:.1f} MB download, {inflated / 1e6:.1f} MB inflated")
    log(f"assembled {out}")


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, with the headers that make the page cross-origin isolated."""

    isolation = True

    def end_headers(self):
        if self.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, fmt, *a):
        if os.environ.get("PLAYGROUND_SERVER_LOG"):
            super().log_message(fmt, *a)


def serve(args):
    root = os.path.join(os.path.abspath(args.dist), "playground")
    if not os.path.exists(os.path.join(root, "manifest.json")):
        sys.exit(f"error: {root} is not assembled: run `python3 dist-scripts/playground.py build`")
    Handler.isolation = not args.no_isolation
    Handler.extensions_map = {**Handler.extensions_map, ".js": "text/javascript", ".wasm": "application/wasm"}
    handler = lambda *a, **k: Handler(*a, directory=root, **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer((args.host, args.port), handler)
    note = " (no COOP/COEP: the page must explain why it cannot run)" if args.no_isolation else ""
    log(f"serving {root} at http://{args.host}:{server.server_address[1]}/{note}")
    server.serve_forever()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dist", default=os.environ.get("DIST_DIR") or os.path.join(REPO, "dist"))
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--crates", default=os.path.join(REPO, "build", "playground", "crates"))
    s = sub.add_parser("serve")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--no-isolation", action="store_true", help="omit COOP/COEP (to see the page's explanation)")
    args = p.parse_args()
    build(args) if args.cmd == "build" else serve(args)


if __name__ == "__main__":
    main()
