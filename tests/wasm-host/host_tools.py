"""The heavy tier's tools and how to run them, for tests/wasm-host/run.py, the benches that run
rustc.wasm (tests/bench/wasm_host.py, tests/bench/nested_macros.py) and
dist-scripts/playground_crates.py: where rustc.wasm, its runner and the reference compiler
are; rustc.wasm run as a user types it; workspace tools built for the build machine; and
cargo's command lines for a package's dependencies replayed through rustc.wasm
(`cargo_replay`). Each path can be overridden by the environment variable of the same name.

DIST_DIR: dist-scripts/dist.sh's output (default dist/; dist.sh reads the same variable);
WASMTIME: the runner, wasmtime-cli 46.0.3 as wasi-sysroot/build.sh installs it; NATIVE_RUSTC:
the reference compiler, the x86_64 stage-1 compiler of the wasm-host work tree (the same source
as rustc.wasm).
"""
import os
import re
import shlex
import shutil
import subprocess
import time

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DIST_REL = os.path.relpath(os.environ.get("DIST_DIR") or os.path.join(REPO, "dist"), REPO)
WASMTIME = os.environ.get("WASMTIME") or os.path.join(REPO, "build", "wasi-sysroot", "tools", "bin", "wasmtime")
NATIVE_RUSTC = os.environ.get("NATIVE_RUSTC") or os.path.join(
    REPO, "build", "fork-wasm", "rust", "build", "x86_64-unknown-linux-gnu", "stage1", "bin", "rustc"
)
RUSTC_WASM = os.path.join(REPO, DIST_REL, "bin", "rustc.wasm")
WASM_LD = "/usr/lib/llvm-22/bin/wasm-ld"
TARGET = "wasm32-wasip1"
# What a run of rustc.wasm may take at most (the first run compiles rustc.wasm itself).
TIMEOUT = int(os.environ.get("WASM_HOST_TIMEOUT", "1800"))
RUN_FLAGS = ["-Sthreads=yes", "-Wthreads=yes,shared-memory=yes"]


class Failure(Exception):
    pass


def run(cmd, timeout=TIMEOUT, cwd=REPO, env=None):
    """`cmd`'s CompletedProcess (text output captured) with its wall time as `.seconds`."""
    started = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise Failure(f"timed out after {timeout} s: {' '.join(cmd)}")
    p.seconds = time.monotonic() - started
    return p


def rustc_wasm(args, env=(), dirs=(), cwd=REPO):
    """rustc.wasm as the README shows it, from the checkout's root; `env`: NAME=VALUE pairs
    passed into it; `dirs`: host directories preopened at their own absolute paths. From
    another `cwd` (preopened as `.`), or with a DIST_DIR outside the checkout, dist/ is
    preopened at its own absolute path."""
    cmd = [WASMTIME, "run", *RUN_FLAGS, "--dir", "."]
    dist = DIST_REL
    if os.path.abspath(cwd) != REPO or DIST_REL.startswith(os.pardir):
        dist = os.path.normpath(os.path.join(REPO, DIST_REL))
        dirs = (*dirs, dist)
    for d in dirs:
        cmd += ["--dir", f"{d}::{d}"]
    for pair in env:
        cmd += ["--env", pair]
    cmd += [os.path.join(dist, "bin", "rustc.wasm"), "--sysroot", dist] + args
    return without_runner_warning(run(cmd, cwd=cwd))


# wasmtime-cli 46 announces on stderr, before rustc writes anything, that `-Sthreads` goes
# away in 47: not rustc's output.
RUNNER_WARNING = re.compile(r"\AWARNING: the `-Sthreads` flag will be a hard error[^\n]*\n(?: *\n)?")


def without_runner_warning(p):
    p.stderr = RUNNER_WARNING.sub("", p.stderr)
    return p


def host_tool(package, binary=None):
    """Builds a workspace tool for the build machine (cargo-wpm, wat2wasm) in the workspace's
    target dir (usually warm already); returns its path."""
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    p = subprocess.run(["cargo", "build", "-q", "-p", package], cwd=REPO, capture_output=True, text=True,
                       env={**os.environ, "CARGO_TARGET_DIR": target})
    if p.returncode != 0:
        raise Failure(f"building {package} failed:\n{p.stderr[-3000:]}")
    return os.path.join(target, "debug", binary or package)


def target_rustc_lines(stderr):
    """The rustc command lines `cargo build -vv --target TARGET` ran for target crates, as
    (environment, arguments) pairs (build scripts and proc macros are host code: cargo ran
    and built them natively; build scripts' outputs stay where they are)."""
    lines = []
    # One command may span lines (a package description with newlines in its environment).
    for m in re.finditer(r"^\s*Running `(.+?)`$", stderr, re.M | re.S):
        line = m.group(1)
        if f"--target {TARGET}" not in line:
            continue
        words = shlex.split(line)
        # Cargo prefixes environment assignments (CARGO_PKG_NAME=... rustc ...).
        env = {}
        while words and "=" in words[0] and not words[0].startswith("-"):
            k, _, v = words.pop(0).partition("=")
            env[k] = v
        lines.append((env, words[1:]))
    return lines


def without_incremental(args):
    """`args` without `-C incremental=DIR` (rustc.wasm need not share cargo's incremental dir)."""
    kept, skip = [], False
    for i, a in enumerate(args):
        if skip:
            skip = False
        elif a == "-C" and i + 1 < len(args) and args[i + 1].startswith("incremental="):
            skip = True
        elif not a.startswith("-Cincremental="):
            kept.append(a)
    return kept


def with_wasm_proc_macros(args, macros):
    """`args` with each `--extern NAME=PATH` of a native proc macro (a `.so` cargo built for
    the host) replaced by `--wasm-proc-macro NAME=MODULE` from `macros` (NAME → module path)."""
    out, i = [], 0
    while i < len(args):
        a = args[i]
        if a == "--extern" and i + 1 < len(args) and args[i + 1].endswith(".so"):
            name = args[i + 1].split("=", 1)[0]
            if name not in macros:
                raise Failure(f"`--extern {args[i + 1]}` is a native proc macro, and no wasm module is given for "
                              f"`{name}` (rustc.wasm cannot load a dylib)")
            out += ["--wasm-proc-macro", f"{name}={macros[name]}"]
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def cargo_replay(proj, deps, macros=None, env=(), dirs=(), done=None, log=None):
    """Builds the dependencies of the cargo package in `proj` for TARGET with rustc.wasm.

    1. `cargo build -vv --target TARGET` with the native fork, in a fresh target dir
       (`proj/target-native`, so that every crate is compiled and printed again): it runs the
       build scripts and builds the proc macros natively, and prints every command line with
       the environment cargo sets (OUT_DIR, CARGO_PKG_*).
    2. Each target crate's command line but the package's own runs again through rustc.wasm,
       outputs into `deps`. `macros` (crate name → wasm module) replaces native proc-macro
       externs (`with_wasm_proc_macros`); `env`: more NAME=VALUE pairs for rustc.wasm;
       `dirs`: more host directories it needs (modules, caches).

    `done(name, args)`, if given, says whether a crate may be skipped (an earlier run built
    it) and is called again with `built=True` after a crate is built. `log` gets a line per
    crate. Returns [(crate name, version, seconds or None if skipped)] in build order.
    """
    log = log or (lambda msg: None)
    native_target = os.path.join(proj, "target-native")
    cargo_env = {**os.environ, "RUSTC": NATIVE_RUSTC, "CARGO_TARGET_DIR": native_target,
                 f"CARGO_TARGET_{TARGET.upper().replace('-', '_')}_LINKER": WASM_LD}
    cargo_env.pop("RUSTC_WRAPPER", None)
    shutil.rmtree(native_target, ignore_errors=True)
    p = run(["cargo", "build", "-vv", "--target", TARGET], cwd=proj, env=cargo_env)
    if p.returncode != 0:
        raise Failure(f"cargo build (native fork) failed:\n{p.stderr[-4000:]}")
    log(f"cargo build -vv with the native fork: {p.seconds:.1f} s")
    deps_native = os.path.join(native_target, TARGET, "debug", "deps")
    os.makedirs(deps, exist_ok=True)
    # Sources come from Cargo's registry, outputs go under the checkout (or `deps`): each
    # preopened at its own path, so cargo's absolute paths work unchanged inside rustc.wasm.
    cargo_home = os.environ.get("CARGO_HOME") or os.path.expanduser("~/.cargo")
    dirs = [REPO, cargo_home] + [d for d in map(os.path.abspath, (proj, deps, *dirs))
                                 if not d.startswith(REPO + os.sep)]
    built = []
    for crate_env, args in target_rustc_lines(p.stderr):
        if crate_env.get("CARGO_PRIMARY_PACKAGE"):
            continue
        args = without_incremental(args)
        args = [a.replace(deps_native, deps) for a in args]
        args = with_wasm_proc_macros(args, macros or {})
        name = args[args.index("--crate-name") + 1]
        version = crate_env.get("CARGO_PKG_VERSION", "")
        if done and done(name, args):
            log(f"{name} {version}: built before")
            built.append((name, version, None))
            continue
        q = rustc_wasm(args, env=[f"{k}={v}" for k, v in crate_env.items()] + list(env), dirs=dirs)
        if q.returncode != 0 or "panicked" in q.stderr:
            raise Failure(f"rustc.wasm building {name} exited with {q.returncode}:\n{q.stderr[-4000:]}")
        if done:
            done(name, args, built=True)
        log(f"{name} {version}: {q.seconds:.1f} s")
        built.append((name, version, q.seconds))
    return built
