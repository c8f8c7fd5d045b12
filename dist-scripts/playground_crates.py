#!/usr/bin/env python3
"""The crate bundle of the browser playground: serde (features std, derive), serde_json and
thiserror as wasm32-wasip1 rlibs built by rustc.wasm itself (dist/bin/rustc.wasm), and their
proc macros as wasm modules, so that a user compile in the browser can `use` them.

Usage: dist-scripts/playground_crates.py [--out DIR] [--check]   (default DIR: build/playground/crates)

Steps, each timed; a step is skipped when its outputs exist and its stamp matches its inputs
(versions, the modules' and rustc.wasm's SHA-256, the native fork's size and mtime), and the
crates step also resumes crate by crate:
  macros  `cargo wpm build NAME@VERSION` → DIR/macros/NAME.wasm (serde_derive, thiserror_impl);
  crates  `host_tools.cargo_replay` (tests/wasm-host/host_tools.py): cargo -vv with the native
          fork (build scripts and proc macros run natively), then every target lib crate's
          command line through rustc.wasm, native proc-macro externs turned into
          `--wasm-proc-macro NAME=MODULE`; the rlibs → DIR/lib/;
  bundle  DIR/wpm-cache/ and DIR/crates.json (what to pass to a user compile, paths relative
          to DIR);
  check   (--check) two programs (serde + serde_json derive round trip, a thiserror enum)
          compiled by rustc.wasm from DIR with crates.json's arguments, run by `wasmtime run`;
          exits 1 if either prints the wrong thing.

Why DIR/wpm-cache: a crate built with `--wasm-proc-macro NAME=...` records NAME's stub crate
(its metadata, synthesized by rustc) by crate hash, and a downstream compile reaches NAME as a
transitive dependency, which rustc looks up in the `-L` directories. The bundle ships the
stubs serde and thiserror were built against, and every compile shares that metadata cache
(`WPM_CACHE_DIR`, which rustc.wasm trusts: WASI has no file owners), so the browser's first
compile does not synthesize them again and all compiles of a tab share one expansion cache.
`-L dependency=wpm-cache/rustc-meta/KEY` is needed only by rustc.wasm older than c5978a2,
which neither searched a stub's directory itself nor gave a stub the same hash in another
directory. docs/wasm-host.md, "The playground's crates".
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "wasm-host"))
import host_tools  # noqa: E402
from host_tools import Failure, TARGET  # noqa: E402

# The crates a user compile may name, pinned (the versions self-hosting also uses).
CRATES = [
    ("serde", "1.0.229", '{ version = "=1.0.229", default-features = false, features = ["std", "derive"] }'),
    ("serde_json", "1.0.149", '"=1.0.149"'),
    ("thiserror", "2.0.21", '"=2.0.21"'),
]
# Their proc macros: crate name, package, version (the ones the crates above pin).
MACROS = [
    ("serde_derive", "serde_derive", "1.0.229"),
    ("thiserror_impl", "thiserror-impl", "2.0.21"),
]
# Bumped when the bundle's layout or the way it is built changes.
FORMAT = 2

CHECKS = [
    ("serde_roundtrip", """use serde::{Serialize, Deserialize};
#[derive(Serialize, Deserialize, Debug)] struct P { x: i32 }
fn main() { let s = serde_json::to_string(&P{x:1}).unwrap(); let p: P = serde_json::from_str(&s).unwrap(); println!("{s} {p:?}"); }
""", '{"x":1} P { x: 1 }\n'),
    ("thiserror_enum", """#[derive(thiserror::Error, Debug)] enum E { #[error("bad {0}")] Bad(i32) }
fn main() {
    let e: Box<dyn std::error::Error> = Box::new(E::Bad(7));
    println!("{e} / {e:?}");
}
""", "bad 7 / Bad(7)\n"),
]


def log(msg):
    print(msg, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_id(path):
    st = os.stat(path)
    return f"{st.st_size}:{st.st_mtime_ns}"


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def step(name, fn):
    """Runs `fn` and prints its time and what it returned."""
    started = time.monotonic()
    detail = fn()
    log(f"step {name}: {time.monotonic() - started:.1f} s{': ' + detail if detail else ''}")


def build_macros(out, work):
    """Each proc macro as a wasm module, by `cargo wpm build`; skipped while the module exists
    and was built from the same spec by the same cargo-wpm."""
    cargo_wpm = host_tools.host_tool("cargo-wpm")
    os.makedirs(os.path.join(out, "macros"), exist_ok=True)
    done = []
    for name, package, version in MACROS:
        module = os.path.join(out, "macros", f"{name}.wasm")
        stamp_file = os.path.join(work, f"macro-{name}.stamp")
        stamp = {"spec": f"{package}@{version}", "cargo-wpm": file_id(cargo_wpm), "format": FORMAT}
        if os.path.exists(module) and read_json(stamp_file) == stamp:
            done.append(f"{name} up to date")
            continue
        tmp = module + ".tmp.wasm"
        p = host_tools.run([cargo_wpm, "wpm", "build", f"{package}@{version}", "-o", tmp])
        if p.returncode != 0:
            raise Failure(f"cargo wpm build {package}@{version} failed:\n{p.stderr[-3000:]}")
        os.replace(tmp, module)
        write_json(stamp_file, stamp)
        done.append(f"{name} {p.seconds:.1f} s")
    return ", ".join(done)


def crates_inputs(out):
    return {
        "format": FORMAT,
        "crates": {name: version for name, version, _ in CRATES},
        "macros": {name: [version, sha256(os.path.join(out, "macros", f"{name}.wasm"))]
                   for name, _, version in MACROS},
        "rustc.wasm": sha256(host_tools.RUSTC_WASM),
        "native rustc": file_id(host_tools.NATIVE_RUSTC),
    }


def write_project(proj):
    os.makedirs(os.path.join(proj, "src"), exist_ok=True)
    deps = "".join(f"{name} = {spec}\n" for name, _, spec in CRATES)
    # Pinned here too, so that the modules above are the macros cargo builds for them.
    deps += "".join(f'{package} = "={version}"\n' for _, package, version in MACROS)
    with open(os.path.join(proj, "Cargo.toml"), "w") as f:
        f.write(f"""[package]
name = "playground_crates"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

# No debug info: the browser has no use for it (the rlibs are a fifth smaller without).
[profile.dev]
debug = false

[dependencies]
{deps}""")
    with open(os.path.join(proj, "src", "lib.rs"), "w") as f:
        f.write("")


def build_crates(out, work, inputs):
    """The rlibs, built by rustc.wasm from cargo's command lines into WORK/deps (resumed
    crate by crate while the inputs are the same), with one metadata cache WORK/wpm-cache."""
    deps, cache = os.path.join(work, "deps"), os.path.join(work, "wpm-cache")
    inputs_file = os.path.join(work, "crates-inputs.json")
    if read_json(inputs_file) != inputs:
        shutil.rmtree(deps, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        write_json(inputs_file, inputs)
    proj = os.path.join(work, "project")
    write_project(proj)
    macros = {name: os.path.abspath(os.path.join(out, "macros", f"{name}.wasm")) for name, _, _ in MACROS}

    def done(name, args, built=False):
        marker = os.path.join(deps, f".done-{name}{extra_filename(args)}")
        if built:
            open(marker, "w").close()
        return os.path.exists(marker)

    return host_tools.cargo_replay(proj, deps, macros=macros, env=[f"WPM_CACHE_DIR={os.path.abspath(cache)}"],
                                   dirs=(out, work), done=done, log=lambda msg: log(f"  {msg}"))


def extra_filename(args):
    for i, a in enumerate(args):
        if a == "-C" and i + 1 < len(args) and args[i + 1].startswith("extra-filename="):
            return args[i + 1].split("=", 1)[1]
    return ""


def assemble(out, work, inputs, built):
    """DIR/lib (the rlibs), DIR/wpm-cache (the macros' stub metadata) and DIR/crates.json."""
    deps, cache = os.path.join(work, "deps"), os.path.join(work, "wpm-cache")
    lib = os.path.join(out, "lib")
    shutil.rmtree(lib, ignore_errors=True)
    os.makedirs(lib)
    rlibs = {}
    for name, version, _ in built:
        found = [f for f in os.listdir(deps) if f.startswith(f"lib{name}-") and f.endswith(".rlib")]
        if len(found) != 1:
            raise Failure(f"expected one lib{name}-*.rlib in {deps}, found {found}")
        shutil.copy2(os.path.join(deps, found[0]), lib)
        rlibs[name] = (version, f"lib/{found[0]}")
    # The stubs: one `rustc-meta/KEY/libNAME.rmeta` per macro (KEY hashes the module, the
    # stub's source and rustc's version), only those (not the expansion cache).
    shutil.rmtree(os.path.join(out, "wpm-cache"), ignore_errors=True)
    meta_root = os.path.join(cache, "rustc-meta")
    stubs = {}
    for name, _, _ in MACROS:
        found = [k for k in sorted(os.listdir(meta_root)) if os.path.isfile(os.path.join(meta_root, k, f"lib{name}.rmeta"))]
        if len(found) != 1:
            raise Failure(f"expected one stub of {name} in {meta_root}, found {found}")
        rel = f"wpm-cache/rustc-meta/{found[0]}"
        os.makedirs(os.path.join(out, rel))
        shutil.copy2(os.path.join(meta_root, found[0], f"lib{name}.rmeta"), os.path.join(out, rel))
        stubs[name] = rel
    args = ["-L", "dependency=lib"]
    for name, _, _ in CRATES:
        args += ["--extern", f"{name}={rlibs[name][1]}"]
    for name, _, _ in MACROS:
        args += ["--wasm-proc-macro", f"{name}=macros/{name}.wasm", "-L", f"dependency={stubs[name]}"]
    files = []
    for root, _, names in os.walk(out):
        for n in sorted(names):
            path = os.path.join(root, n)
            rel = os.path.relpath(path, out)
            if rel != "crates.json" and not rel.endswith(".tmp.wasm"):
                files.append({"path": rel, "size": os.path.getsize(path)})
    manifest = {
        "target": TARGET,
        "crates": [{"name": name, "version": rlibs[name][0], "rlib": rlibs[name][1]} for name, _, _ in CRATES],
        "macros": [{"name": name, "version": version, "module": f"macros/{name}.wasm",
                    "metadata": f"{stubs[name]}/lib{name}.rmeta"} for name, _, version in MACROS],
        "libs": [{"name": name, "version": version, "rlib": rlib} for name, (version, rlib) in rlibs.items()],
        "rustc_args": args,
        "rustc_env": {"WPM_CACHE_DIR": "wpm-cache"},
        "files": sorted(files, key=lambda f: f["path"]),
        "inputs": inputs,
    }
    write_json(os.path.join(out, "crates.json"), manifest)
    lib_mb = sum(f["size"] for f in files if f["path"].startswith("lib/")) / 1e6
    macros_mb = sum(f["size"] for f in files if f["path"].startswith("macros/")) / 1e6
    return f"{len(rlibs)} rlibs ({lib_mb:.1f} MB), macros {macros_mb:.1f} MB"


def bundle_current(out, inputs):
    """crates.json from the same inputs, and every file it lists still there."""
    manifest = read_json(os.path.join(out, "crates.json"))
    return bool(manifest) and manifest.get("inputs") == inputs and all(
        os.path.isfile(os.path.join(out, f["path"])) for f in manifest["files"])


def check(out, work):
    """Compiles each program of CHECKS with rustc.wasm as a user compile in the playground
    would (cwd DIR, crates.json's arguments and environment), runs it, compares its output."""
    manifest = read_json(os.path.join(out, "crates.json"))
    check_dir = os.path.abspath(os.path.join(work, "check"))
    os.makedirs(check_dir, exist_ok=True)
    env = [f"{k}={v}" for k, v in manifest["rustc_env"].items()]
    before = set(os.listdir(os.path.join(out, "wpm-cache")))
    results, failed = [], False
    try:
        for name, source, want in CHECKS:
            src, program = os.path.join(check_dir, f"{name}.rs"), os.path.join(check_dir, f"{name}.wasm")
            with open(src, "w") as f:
                f.write(source)
            if os.path.exists(program):
                os.remove(program)
            p = host_tools.rustc_wasm(["--edition", "2021", "--target", TARGET, *manifest["rustc_args"], src,
                                       "-o", program], env=env, dirs=(check_dir,), cwd=out)
            if p.returncode != 0 or "panicked" in p.stderr:
                raise Failure(f"rustc.wasm compiling {name} exited with {p.returncode}:\n{p.stderr[-4000:]}")
            r = host_tools.run([host_tools.WASMTIME, "run", program], timeout=120)
            log(f"  {name}: compile {p.seconds:.1f} s; prints: {r.stdout.rstrip()}")
            if r.returncode != 0 or r.stdout != want:
                log(f"  {name}: expected {want!r}, got {r.stdout!r} (exit {r.returncode}){r.stderr[-2000:]}")
                failed = True
            results.append(f"{name} {p.seconds:.1f} s")
    finally:
        # The compiles' expansion cache (wpm-cache/expansions) is not part of the bundle.
        for extra in set(os.listdir(os.path.join(out, "wpm-cache"))) - before:
            shutil.rmtree(os.path.join(out, "wpm-cache", extra), ignore_errors=True)
    if failed:
        raise Failure("a program printed the wrong output")
    return ", ".join(results)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(REPO, "build", "playground", "crates"))
    ap.add_argument("--check", action="store_true", help="compile and run two programs with the bundle")
    opts = ap.parse_args(argv)
    out = os.path.abspath(opts.out)
    work = out.rstrip(os.sep) + "-work"
    os.makedirs(out, exist_ok=True)
    os.makedirs(work, exist_ok=True)
    for tool in (host_tools.WASMTIME, host_tools.NATIVE_RUSTC, host_tools.RUSTC_WASM):
        if not os.path.exists(tool):
            log(f"missing {tool} (run dist-scripts/dist.sh)")
            return 1
    try:
        step("macros", lambda: build_macros(out, work))
        inputs = crates_inputs(out)
        if bundle_current(out, inputs):
            log("step crates: up to date")
        else:
            built = []

            def crates():
                built.extend(build_crates(out, work, inputs))
                return ", ".join(f"{name} {version}" for name, version, _ in built)

            step("crates", crates)
            step("bundle", lambda: assemble(out, work, inputs, built))
        if opts.check:
            step("check", lambda: check(out, work))
    except Failure as e:
        log(f"error: {e}")
        return 1
    manifest = read_json(os.path.join(out, "crates.json"))
    log(f"bundle {out}: rustc_args {' '.join(manifest['rustc_args'])}")
    log(f"  env {' '.join(f'{k}={v}' for k, v in manifest['rustc_env'].items())} (paths relative to the bundle)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
