#!/usr/bin/env python3
"""UI-style tests of the rustc fork's `--wasm-proc-macro` (see tests/fork/README.md).

Each case is `cases/NAME.rs`; its header comments say how to compile and what to expect:

    //@ run-pass | build-pass | check-fail | build-fail    (exactly one)
    //@ wasm-proc-macro: NAME=MODULE    (repeatable; MODULE is a module key below or a path)
    //@ edition: 2021                   (default 2021)
    //@ compile-flags: -Zfoo ...        (extra rustc flags, shell-split)
    //@ aux: serde serde_json           (libraries built by the fork, passed as --extern)
    //@ aux-crate: auxiliary/FILE.rs    (an rlib compiled first, with the case's
                                         `wasm-proc-macro` flags, in a wpm cache of its own;
                                         passed as --extern; the case gets another fresh cache)

Native-comparison cases (`compare-native` is their mode; nothing expected is stored):

    //@ compare-native: CRATE=KEY       (KEY: a macro crate in tests/fork/KEY, e.g. `fidelity`)
    //@ revisions: human json ...       (optional: compile once per revision)
    //@[json] compile-flags: --error-format=json   (`[REV]` limits any header to one revision)
    //@ exit: 0                         (the exit code the native run must have)
    //@ fresh-cache                     (an empty wpm cache of its own: the stub metadata
                                         is compiled in this run, not found)
    //@ stderr-has: TEXT / stderr-lacks: TEXT / stdout-has: TEXT   (repeatable facts about
                                         the native run; the wasm runs equal it)

For each revision the case is compiled three times by the fork: with the crate built natively
by the fork itself (`rustc --crate-type proc-macro`, loaded with `--extern CRATE=libKEY.so`),
then twice with `--wasm-proc-macro CRATE=<KEY module>` in a fresh wpm cache: once running the
guest (every expansion a cache miss) and once answered from the expansion cache (every
expansion a hit). Exit codes, stderr and, when it compiled, the program's stdout must be the
same in all three after normalization: paths as below, the `wpm: expansion cache` lines of
`WPM_LOG=cache` dropped, and in json output every `def_site_span` outside the case file
(the macro's definition: the native crate's `src/lib.rs`, or the fork's generated stub crate)
replaced by `"$MACRO_DEF_SITE"`. The three outputs are kept in $FORK_TEST_OUT/cases/NAME/REV/.
rustc.wasm cannot load a native proc macro, so tests/wasm-host skips these cases.

Module keys: `demo` and `fidelity` (tests/fork/KEY built with `cargo wpm build`), `serde_derive`
(crates.io serde_derive built with `cargo wpm build`), `not-wasm`, `wrong-abi`, `no-exports`
(generated bad modules), and `wat:NAME`: the adversarial guest `tests/guests/wat/NAME.wat`, assembled
by `src/tools/wat2wasm`. Expected output: `NAME.stderr` (compiler stderr, required for *-fail), and
`NAME.run.stdout` (program output, required for run-pass). Paths are normalized: the case
directory becomes `$DIR`, the module directory `$MODULES`.

Usage: run.py [--bless] [--rustc PATH] [FILTER...]
Environment: FORK_RUSTC (default: the stage-1 compiler of src/bootstrap/build.sh), FORK_TEST_RUNNER
(a command that runs the run-pass programs, e.g. `wasmtime run`; default: none),
FORK_TEST_WASI_ERRNO=1 (the compiler runs on WASI: its errno values are mapped to Linux's),
FORK_TEST_OUT (default build/fork-tests in the checkout), CARGO_WPM (a prebuilt cargo-wpm; default:
build it from the workspace). A missing tool is a failure, never a skip.
"""

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
CASES = os.path.join(HERE, "cases")
OUT = os.environ.get("FORK_TEST_OUT") or os.path.join(REPO, "build", "fork-tests")
MODULES = os.path.join(OUT, "modules")
HOST_CARGO_TARGET = os.path.join(OUT, "host-target")
SERDE_VERSION = "1.0.229"
SERDE_JSON_VERSION = "1.0.149"

MODES = ("run-pass", "build-pass", "check-fail", "build-fail", "compare-native")
# Headers only `compare-native` cases take.
COMPARE_KEYS = ("revisions", "exit", "stderr-has", "stderr-lacks", "stdout-has")
# Macro crates under tests/fork that cases may name as module keys.
LOCAL_CRATES = ("demo", "fidelity")
# What runs a run-pass program: nothing for native ones; `wasmtime run` when the compiler
# under test targets wasm (tests/wasm-host runs these cases through rustc.wasm).
RUNNER = shlex.split(os.environ.get("FORK_TEST_RUNNER", ""))


class Failure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def fork_rustc(args):
    if args.rustc:
        return args.rustc
    if os.environ.get("FORK_RUSTC"):
        return os.environ["FORK_RUSTC"]
    env = run([os.path.join(REPO, "src/bootstrap/build.sh"), "env"]).stdout
    m = re.search(r"^FORK_RUSTC=(.*)$", env, re.M)
    if not m:
        raise Failure("cannot find the fork's rustc (src/bootstrap/build.sh env)")
    return m.group(1)


# ---- prerequisites -----------------------------------------------------------------------

def cargo_wpm():
    """`$CARGO_WPM` if set, else cargo-wpm built from the workspace; returns its path."""
    if os.environ.get("CARGO_WPM"):
        if not os.path.exists(os.environ["CARGO_WPM"]):
            raise Failure(f"CARGO_WPM={os.environ['CARGO_WPM']} does not exist")
        return os.environ["CARGO_WPM"]
    t0 = time.time()
    r = run(["cargo", "build", "-q", "-p", "cargo-wpm"], cwd=REPO,
            env={**os.environ, "CARGO_TARGET_DIR": HOST_CARGO_TARGET})
    if r.returncode != 0:
        raise Failure("building cargo-wpm failed:\n" + r.stderr[-4000:])
    log(f"  cargo-wpm ready ({time.time() - t0:.1f} s)")
    return os.path.join(HOST_CARGO_TARGET, "debug", "cargo-wpm")


def builder_hash():
    """A short SHA-256 of the cargo-wpm binary, which embeds the builder and the guest library:
    modules it built are kept under MODULES/<this>, so a changed builder rebuilds them."""
    if not hasattr(builder_hash, "value"):
        with open(cargo_wpm.path, "rb") as f:
            builder_hash.value = hashlib.sha256(f.read()).hexdigest()[:16]
    return builder_hash.value


def build_module(key, spec, extra=(), file_name=None):
    """`cargo wpm build SPEC -o MODULES/<builder hash>/FILE_NAME` (default `KEY.wasm`), skipped
    when the output is newer than SPEC (a directory) or exists (a registry SPEC: FILE_NAME
    carries the version)."""
    out_dir = os.path.join(MODULES, builder_hash())
    out = os.path.join(out_dir, file_name or key + ".wasm")
    src_mtime = newest_mtime(spec) if os.path.isdir(spec) else 0
    if os.path.exists(out) and os.path.getmtime(out) >= src_mtime:
        return out
    os.makedirs(out_dir, exist_ok=True)
    t0 = time.time()
    r = run([cargo_wpm.path, "wpm", "build", spec, "-o", out, *extra])
    if r.returncode != 0 or not os.path.exists(out):
        raise Failure(f"cargo wpm build {spec} failed:\n{r.stdout[-2000:]}{r.stderr[-4000:]}")
    log(f"  built module {key} ({os.path.getsize(out)} bytes, {time.time() - t0:.1f} s)")
    return out


def newest_mtime(d):
    newest = 0
    for root, dirs, files in os.walk(d):
        dirs[:] = [x for x in dirs if x != "target"]
        for f in files:
            newest = max(newest, os.path.getmtime(os.path.join(root, f)))
    return newest


def bad_modules():
    """Generated bad modules: not wasm at all, a module built for ABI version 2, an empty module."""
    os.makedirs(MODULES, exist_ok=True)
    paths = {}
    p = os.path.join(MODULES, "not-wasm.wasm")
    with open(p, "wb") as f:
        f.write(b"this is not a wasm module\n")
    paths["not-wasm"] = p
    # (module (type (func)) (import "wpm-2" "x" (func (type 0))))
    name, field = b"wpm-2", b"x"
    imports = bytes([1, len(name)]) + name + bytes([len(field)]) + field + bytes([0, 0])
    wasm = b"\0asm" + bytes([1, 0, 0, 0]) + bytes([1, 4, 1, 0x60, 0, 0]) + bytes([2, len(imports)]) + imports
    p = os.path.join(MODULES, "wrong-abi.wasm")
    with open(p, "wb") as f:
        f.write(wasm)
    paths["wrong-abi"] = p
    # (module): valid, but exports nothing the wpm ABI requires.
    p = os.path.join(MODULES, "no-exports.wasm")
    with open(p, "wb") as f:
        f.write(b"\0asm" + bytes([1, 0, 0, 0]))
    paths["no-exports"] = p
    return paths


def wat_modules(names):
    """Assembles `tests/guests/wat/NAME.wat` for each NAME; returns {"wat:NAME": path}."""
    if not names:
        return {}
    t0 = time.time()
    env = {**os.environ, "CARGO_TARGET_DIR": HOST_CARGO_TARGET}
    r = run(["cargo", "build", "-q", "-p", "wat2wasm"], cwd=REPO, env=env)
    if r.returncode != 0:
        raise Failure("building wat2wasm failed:\n" + r.stderr[-4000:])
    tool = os.path.join(HOST_CARGO_TARGET, "debug", "wat2wasm")
    os.makedirs(MODULES, exist_ok=True)
    paths = {}
    for name in sorted(names):
        src = os.path.join(REPO, "tests", "guests", "wat", f"{name}.wat")
        out = os.path.join(MODULES, f"{name}.wasm")
        r = run([tool, src, out])
        if r.returncode != 0:
            raise Failure(f"assembling {src} failed:\n{r.stderr}")
        paths[f"wat:{name}"] = out
    log(f"  assembled {len(paths)} adversarial guests ({time.time() - t0:.1f} s)")
    return paths


def compiler_stamp(rustc):
    """Size and mtime of the fork's `librustc_driver`: they change with every build of it."""
    lib = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(rustc))), "lib")
    drivers = [f for f in os.listdir(lib) if f.startswith("librustc_driver-")] if os.path.isdir(lib) else []
    if len(drivers) != 1:
        raise Failure(f"expected one librustc_driver-* next to {rustc}, found {drivers}")
    st = os.stat(os.path.join(lib, drivers[0]))
    return f"{st.st_size:x}-{int(st.st_mtime):x}"


def native_macro(rustc, key):
    """tests/fork/KEY built by the fork as a native proc-macro dylib, as Cargo would build it
    (`--crate-type proc-macro --extern proc_macro`, the crate's edition, cwd = the crate);
    rebuilt when the compiler or the sources change. Returns the library's path."""
    crate_dir = os.path.join(HERE, key)
    with open(os.path.join(crate_dir, "Cargo.toml"), "rb") as f:
        edition = tomllib.load(f)["package"].get("edition", "2015")
    out_dir = os.path.join(OUT, "native", compiler_stamp(rustc))
    suffix = ".dylib" if sys.platform == "darwin" else ".so"
    lib = os.path.join(out_dir, f"lib{key}{suffix}")
    if os.path.exists(lib) and os.path.getmtime(lib) >= newest_mtime(crate_dir):
        return lib
    os.makedirs(out_dir, exist_ok=True)
    t0 = time.time()
    r = run([rustc, "--crate-type", "proc-macro", "--crate-name", key, "--edition", edition,
             "--extern", "proc_macro", os.path.join("src", "lib.rs"), "-o", lib], cwd=crate_dir)
    if r.returncode != 0 or not os.path.exists(lib):
        raise Failure(f"building {key} natively with the fork failed:\n{r.stderr[-4000:]}")
    log(f"  built {key} natively ({time.time() - t0:.1f} s)")
    return lib


def aux_libs(rustc):
    """serde (derive feature off) and serde_json, compiled by the fork with cargo."""
    proj = os.path.join(OUT, "aux")
    os.makedirs(os.path.join(proj, "src"), exist_ok=True)
    with open(os.path.join(proj, "Cargo.toml"), "w") as f:
        f.write(f"""[package]
name = "fork_aux"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
serde = {{ version = "={SERDE_VERSION}", default-features = false, features = ["std"] }}
serde_json = "={SERDE_JSON_VERSION}"
""")
    with open(os.path.join(proj, "src", "lib.rs"), "w") as f:
        f.write("")
    t0 = time.time()
    # Cargo cannot tell two builds of the fork apart (same `rustc -vV`), and libraries built
    # by an older one fail to load: one target directory per build of the compiler.
    target = os.path.join(proj, "target-" + compiler_stamp(rustc))
    for old in os.listdir(proj):
        if old.startswith("target") and os.path.join(proj, old) != target:
            shutil.rmtree(os.path.join(proj, old), ignore_errors=True)
    env = {**os.environ, "RUSTC": rustc, "CARGO_TARGET_DIR": target}
    env.pop("RUSTC_WRAPPER", None)
    r = run(["cargo", "build", "-q"], cwd=proj, env=env)
    if r.returncode != 0:
        raise Failure("building serde/serde_json with the fork failed:\n" + r.stderr[-4000:])
    deps = os.path.join(target, "debug", "deps")
    libs = {}
    for name in ("serde", "serde_json"):
        cands = [x for x in os.listdir(deps) if x.startswith(f"lib{name}-") and x.endswith(".rlib")]
        if len(cands) != 1:
            raise Failure(f"expected one lib{name}-*.rlib in {deps}, found {cands}")
        libs[name] = os.path.join(deps, cands[0])
    log(f"  serde + serde_json built by the fork ({time.time() - t0:.1f} s)")
    return deps, libs


# ---- cases -------------------------------------------------------------------------------

def parse_headers(path):
    h = {"mode": None, "wpm": [], "edition": "2021", "flags": [], "aux": [], "native": None,
         "revisions": [], "by_rev": {}, "fresh_cache": False, "aux_crates": []}
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*//@(?:\[([\w-]+)\])?\s*([\w-]+)\s*(?::\s*(.*?))?\s*$", line)
            if not m:
                continue
            rev, key, val = m.group(1), m.group(2), m.group(3)
            if rev is not None:
                # Kept for `headers_for`; checked against `revisions` below.
                h["by_rev"].setdefault(rev, []).append((key, val))
                continue
            if key in MODES:
                if h["mode"]:
                    raise Failure(f"{path}: two modes")
                h["mode"] = key
                if key == "compare-native":
                    crate, _, module = (val or "").partition("=")
                    if not crate or not module:
                        raise Failure(f"{path}: `compare-native` needs CRATE=KEY")
                    h["native"] = (crate, module)
            elif key == "wasm-proc-macro":
                h["wpm"].append(val)
            elif key == "edition":
                h["edition"] = val
            elif key == "compile-flags":
                h["flags"] += shlex.split(val)
            elif key == "aux":
                h["aux"] += val.split()
            elif key == "revisions":
                h["revisions"] += (val or "").split()
            elif key == "fresh-cache":
                h["fresh_cache"] = True
            elif key == "aux-crate":
                h["aux_crates"].append(val)
                # The case's cache must differ from the one the rlib was built with.
                h["fresh_cache"] = True
            elif key in COMPARE_KEYS:
                h["by_rev"].setdefault(None, []).append((key, val))
            else:
                raise Failure(f"{path}: unknown header `{key}`")
    if not h["mode"]:
        raise Failure(f"{path}: no mode header ({', '.join(MODES)})")
    if h["mode"] == "compare-native" and (h["wpm"] or h["aux"]):
        raise Failure(f"{path}: a compare-native case takes no `wasm-proc-macro` or `aux`")
    if h["mode"] != "compare-native" and (h["revisions"] or h["by_rev"]):
        raise Failure(f"{path}: revisions, `[REV]` headers and {', '.join(COMPARE_KEYS[1:])} "
                      "are for compare-native cases")
    for rev, items in h["by_rev"].items():
        if rev is not None and rev not in h["revisions"]:
            raise Failure(f"{path}: `//@[{rev}]` names no revision in `revisions`")
        for key, _ in items:
            if key not in COMPARE_KEYS + ("compile-flags",) or key == "revisions":
                raise Failure(f"{path}: `{key}` cannot be limited to one revision")
    return h


def headers_for(h, rev):
    """The flags and expectations of revision `rev` (None: the case has no revisions): the
    case's own, then those marked `[rev]`; a revision's `exit` overrides the case's."""
    r = {"flags": list(h["flags"]), "exit": None, "stderr-has": [], "stderr-lacks": [], "stdout-has": []}
    items = h["by_rev"].get(None, []) + (h["by_rev"].get(rev, []) if rev is not None else [])
    for key, val in items:
        if key == "compile-flags":
            r["flags"] += shlex.split(val)
        elif key == "exit":
            r["exit"] = int(val)
        else:
            r[key].append(val)
    return r


# WASI numbers errno values its own way; a compiler running on WASI (rustc.wasm, via
# tests/wasm-host) reports them as Linux would, for the codes the expected outputs contain.
WASI_ERRNO = {"44": "2"} if os.environ.get("FORK_TEST_WASI_ERRNO") else {}


def normalize(text, case_dir):
    built = getattr(builder_hash, "value", None)
    if built:
        text = text.replace(os.path.join(MODULES, built), "$MODULES")
    text = text.replace(MODULES, "$MODULES").replace(case_dir, "$DIR").replace(OUT, "$OUT")
    text = re.sub(r"\(os error (\d+)\)", lambda m: f"(os error {WASI_ERRNO.get(m[1], m[1])})", text)
    # Thread ids and the like would make panic output unstable.
    text = re.sub(r"thread '([^']*)' \(\d+\)", r"thread '\1'", text)
    return text


def check_expected(path, actual, bless):
    if bless:
        if actual:
            with open(path, "w") as f:
                f.write(actual)
        elif os.path.exists(path):
            os.remove(path)
        return
    expected = open(path).read() if os.path.exists(path) else ""
    if expected != actual:
        import difflib
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            os.path.basename(path), "actual"))
        raise Failure(f"output differs from {os.path.basename(path)}:\n{diff}")


# `WPM_LOG=cache` lines: "wpm: expansion cache hit: ..." / "... miss: ...".
CACHE_LOG = re.compile(r"^wpm: expansion cache (hit|miss)\b.*\n?", re.M)


def normalize_def_sites(stderr, case_file):
    """In json output, every `def_site_span` outside the case file becomes "$MACRO_DEF_SITE":
    a proc macro's definition is the native crate's source or, under `--wasm-proc-macro`,
    the fork's generated stub crate. Other lines are kept as they are."""
    def walk(v):
        if isinstance(v, dict):
            return {k: ("$MACRO_DEF_SITE" if k == "def_site_span" and isinstance(x, dict)
                        and x.get("file_name") != case_file else walk(x)) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    out = []
    for line in stderr.splitlines(True):
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                out.append(line)
                continue
            line = json.dumps(walk(obj), ensure_ascii=False, separators=(",", ":")) + "\n"
        out.append(line)
    return "".join(out)


def compare_native(path, h, ctx):
    """A `compare-native` case (see the docstring): per revision, the native run and the two
    wasm runs (guest, then expansion cache) must agree, and the native run must show the
    case's facts. Returns the compile time of all runs."""
    name = os.path.splitext(os.path.basename(path))[0]
    crate, key = h["native"]
    native_lib = ctx["native"][key]
    module = ctx["modules"][key]
    total = 0.0
    for rev in h["revisions"] or [None]:
        r = headers_for(h, rev)
        label = f"[{rev}] " if rev else ""
        work = os.path.join(OUT, "cases", name, rev or "default")
        shutil.rmtree(work, ignore_errors=True)
        cache = os.path.join(work, "wpm-cache")
        os.makedirs(cache, mode=0o700)
        base = [ctx["rustc"], "--edition", h["edition"], os.path.basename(path), *r["flags"]]
        runs = {}
        for kind, extra, env in (
                ("native", ["--extern", f"{crate}={native_lib}"], {}),
                ("guest", ["--wasm-proc-macro", f"{crate}={module}"], {"WPM_CACHE_DIR": cache, "WPM_LOG": "cache"}),
                ("cached", ["--wasm-proc-macro", f"{crate}={module}"], {"WPM_CACHE_DIR": cache, "WPM_LOG": "cache"})):
            os.makedirs(os.path.join(work, kind))
            exe = os.path.join(work, kind, name)
            t0 = time.time()
            p = run([*base, *extra, "-o", exe], cwd=CASES, env={**os.environ, **env})
            total += time.time() - t0
            if p.returncode == 101 or "internal compiler error" in p.stderr:
                raise Failure(f"{label}{kind}: ICE (exit {p.returncode}):\n{p.stderr[-4000:]}")
            log_lines = CACHE_LOG.findall(p.stderr)
            stderr = normalize_def_sites(normalize(CACHE_LOG.sub("", p.stderr), CASES), os.path.basename(path))
            stdout = None
            if p.returncode == 0:
                q = run([*RUNNER, exe], cwd=work)
                if q.returncode != 0:
                    raise Failure(f"{label}{kind}: the program exited with {q.returncode}:\n{q.stdout}{q.stderr}")
                stdout = q.stdout
            for suffix, text in (("stderr", stderr), ("stdout", stdout)):
                if text is not None:
                    with open(os.path.join(work, f"{kind}.{suffix}"), "w") as f:
                        f.write(text)
            runs[kind] = (p.returncode, stderr, stdout, log_lines.count("hit"), log_lines.count("miss"))
        code, stderr, stdout, _, _ = runs["native"]
        # The case's facts, checked on the native run: they keep the comparison from passing
        # on two equally wrong outputs (say, no diagnostics at all).
        if r["exit"] is not None and code != r["exit"]:
            raise Failure(f"{label}native: exit code {code}, the case says {r['exit']}:\n{stderr[-3000:]}")
        for text in r["stderr-has"]:
            if text not in stderr:
                raise Failure(f"{label}native: stderr lacks {text!r}:\n{stderr[-3000:]}")
        for text in r["stderr-lacks"]:
            if text in stderr:
                raise Failure(f"{label}native: stderr has {text!r}:\n{stderr[-3000:]}")
        for text in r["stdout-has"]:
            if text not in (stdout or ""):
                raise Failure(f"{label}native: stdout lacks {text!r}:\n{stdout}")
        import difflib
        for kind in ("guest", "cached"):
            k_code, k_stderr, k_stdout, _, _ = runs[kind]
            if k_code != code:
                raise Failure(f"{label}{kind}: exit code {k_code}, native {code}:\n{k_stderr[-3000:]}")
            for what, mine, theirs in (("stderr", k_stderr, stderr), ("stdout", k_stdout or "", stdout or "")):
                if mine != theirs:
                    diff = "".join(difflib.unified_diff(theirs.splitlines(True), mine.splitlines(True),
                                                        f"native.{what}", f"{kind}.{what}"))
                    raise Failure(f"{label}{kind}: {what} differs from the native run ({work}):\n{diff}")
        hits, misses = runs["guest"][3:]
        if misses == 0:
            raise Failure(f"{label}guest: no expansion-cache miss logged in a fresh cache ({hits} hits): "
                          f"is the expansion cache off, or {cache} not trusted?")
        hits, misses = runs["cached"][3:]
        if misses or not hits:
            raise Failure(f"{label}cached: expected every expansion from the cache, got {hits} hits, {misses} misses")
    return total


def wasm_proc_macro_flags(h, ctx):
    """The case's `wasm-proc-macro: NAME=MODULE` headers as rustc flags (MODULE a module key or
    a path)."""
    flags = []
    for spec in h["wpm"]:
        crate, _, module = spec.partition("=")
        flags += ["--wasm-proc-macro", f"{crate}={ctx['modules'].get(module) or module}"]
    return flags


def build_aux_crate(file, h, ctx, work):
    """Compiles `cases/FILE` as an rlib with the case's `--wasm-proc-macro` flags and a wpm
    cache of its own; returns (crate name, rlib path)."""
    name = os.path.splitext(os.path.basename(file))[0]
    rlib = os.path.join(work, f"lib{name}.rlib")
    cmd = [ctx["rustc"], "--edition", h["edition"], "--crate-type", "rlib", "--crate-name", name, file, "-o", rlib,
           *wasm_proc_macro_flags(h, ctx)]
    r = run(cmd, cwd=CASES, env={**os.environ, "WPM_CACHE_DIR": os.path.join(work, "aux-wpm-cache")})
    if r.returncode != 0:
        raise Failure(f"aux crate {file} failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    return name, rlib


def run_case(path, ctx, bless):
    h = parse_headers(path)
    if h["mode"] == "compare-native":
        return compare_native(path, h, ctx)
    name = os.path.splitext(os.path.basename(path))[0]
    work = os.path.join(OUT, "cases", name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    cmd = [ctx["rustc"], "--edition", h["edition"], os.path.basename(path), "-o", os.path.join(work, name),
           *wasm_proc_macro_flags(h, ctx)]
    for lib in h["aux"]:
        cmd += ["-L", f"dependency={ctx['aux_deps']}", "--extern", f"{lib}={ctx['aux_libs'][lib]}"]
    for aux in h["aux_crates"]:
        cmd += ["--extern", "=".join(build_aux_crate(aux, h, ctx, work))]
    if h["mode"] == "check-fail":
        cmd += ["--emit", "metadata"]
    cmd += h["flags"]
    env = dict(os.environ)
    if h["fresh_cache"]:
        env["WPM_CACHE_DIR"] = os.path.join(work, "wpm-cache")
    t0 = time.time()
    r = run(cmd, cwd=CASES, env=env)
    compile_s = time.time() - t0
    stderr = normalize(r.stderr, CASES)
    if r.returncode == 101 or "internal compiler error" in r.stderr:
        raise Failure(f"ICE (exit {r.returncode}):\n{r.stderr[-4000:]}")
    if h["mode"].endswith("-fail"):
        if r.returncode != 1:
            raise Failure(f"expected exit code 1, got {r.returncode}:\n{r.stderr[-3000:]}")
        if not bless and not os.path.exists(os.path.join(CASES, name + ".stderr")):
            raise Failure(f"{name}.stderr is missing (run with --bless)")
    elif r.returncode != 0:
        raise Failure(f"compilation failed (exit {r.returncode}):\n{r.stderr[-4000:]}")
    check_expected(os.path.join(CASES, name + ".stderr"), stderr, bless)
    if h["mode"] == "run-pass":
        p = run([*RUNNER, os.path.join(work, name)], cwd=work)
        if p.returncode != 0:
            raise Failure(f"program exited with {p.returncode}:\n{p.stdout}{p.stderr}")
        check_expected(os.path.join(CASES, name + ".run.stdout"), p.stdout, bless)
    return compile_s


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="tests of the rustc fork's --wasm-proc-macro")
    ap.add_argument("--bless", action="store_true", help="write the expected outputs")
    ap.add_argument("--rustc", help="the fork's rustc")
    ap.add_argument("filters", nargs="*")
    args = ap.parse_args(argv)
    t_all = time.time()
    rustc = fork_rustc(args)
    if not os.path.exists(rustc):
        raise Failure(f"the fork's rustc `{rustc}` does not exist (build it: src/bootstrap/build.sh)")
    log(f"rustc: {rustc}")
    cases = sorted(f for f in os.listdir(CASES) if f.endswith(".rs"))
    if args.filters:
        cases = [c for c in cases if any(x in c for x in args.filters)]
    headers = {c: parse_headers(os.path.join(CASES, c)) for c in cases}
    wanted = {spec.partition("=")[2] for h in headers.values() for spec in h["wpm"]}
    natives = {h["native"][1] for h in headers.values() if h["native"]}
    for key in natives - set(LOCAL_CRATES):
        raise Failure(f"compare-native: `{key}` is not a macro crate of tests/fork ({', '.join(LOCAL_CRATES)})")
    wanted |= natives
    ctx = {"rustc": rustc, "modules": bad_modules(), "native": {}}
    log("preparing:")
    if wanted & {*LOCAL_CRATES, "serde_derive"}:
        cargo_wpm.path = cargo_wpm()
    for key in sorted(wanted & set(LOCAL_CRATES)):
        ctx["modules"][key] = build_module(key, os.path.join(HERE, key))
    for key in sorted(natives):
        ctx["native"][key] = native_macro(rustc, key)
    if "serde_derive" in wanted:
        ctx["modules"]["serde_derive"] = build_module(
            "serde_derive", f"serde_derive@{SERDE_VERSION}", file_name=f"serde_derive-{SERDE_VERSION}.wasm")
    ctx["modules"].update(wat_modules({w[len("wat:"):] for w in wanted if w.startswith("wat:")}))
    if any(h["aux"] for h in headers.values()):
        ctx["aux_deps"], ctx["aux_libs"] = aux_libs(rustc)
    failed = []
    for c in cases:
        try:
            secs = run_case(os.path.join(CASES, c), ctx, args.bless)
            log(f"ok     {c} ({secs:.2f} s)")
        except Failure as e:
            failed.append(c)
            log(f"FAILED {c}\n{e}\n")
    log(f"\n{len(cases) - len(failed)} passed, {len(failed)} failed ({time.time() - t_all:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Failure as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
