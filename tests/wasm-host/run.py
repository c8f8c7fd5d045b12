#!/usr/bin/env python3
"""Checks of rustc.wasm from the built dist/ (heavy tier; see docs/wasm-host.md).

Each check compiles with `dist/bin/rustc.wasm` under the wasmtime CLI 46.0.3 (the last with
wasi-threads), runs the output with `wasmtime run`, and compares with the native fork of the
same tree (its x86_64 stage-1 compiler, linking with wasm-ld) compiling the same source:
program output for the programs, stderr for the compile error. The commands are the ones a
user types, from the checkout's root: `wasmtime run -Sthreads=yes ... --dir . dist/bin/rustc.wasm
--sysroot dist SRC --target wasm32-wasip1`.

Usage: run.py [FILTER...]
Environment: DIST (default dist/), WASMTIME (default: wasi-sysroot/build.sh's 46.0.3),
NATIVE_RUSTC (default: the wasm-host work tree's stage-1 compiler). A missing tool or dist/
is a failure of every check, never a skip. The last line is `N passed, N failed`.
"""

import os
import re
import subprocess
import sys
import time

import host_tools

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = host_tools.REPO
CASES = os.path.join(HERE, "cases")
OUT_REL = os.path.join("build", "wasm-host-tests")
OUT = os.path.join(REPO, OUT_REL)
DIST_REL, WASMTIME, NATIVE_RUSTC = host_tools.DIST_REL, host_tools.WASMTIME, host_tools.NATIVE_RUSTC
WASM_LD, TARGET, TIMEOUT = host_tools.WASM_LD, host_tools.TARGET, host_tools.TIMEOUT
Failure, run, rustc_wasm, host_tool = host_tools.Failure, host_tools.run, host_tools.rustc_wasm, host_tools.host_tool


def log(msg):
    print(msg, flush=True)


def rustc_native(args):
    return run([NATIVE_RUSTC, "-C", f"linker={WASM_LD}"] + args)


def src(name):
    return os.path.relpath(os.path.join(CASES, name), REPO)


def out(name):
    return os.path.join(OUT_REL, name)


def expect_ok(p, what):
    if p.returncode != 0:
        raise Failure(f"{what} exited with {p.returncode}:\n{p.stderr[-4000:]}")
    if "panicked" in p.stderr:
        raise Failure(f"{what} panicked:\n{p.stderr[-4000:]}")


def run_program(wasm):
    p = run([WASMTIME, "run", wasm], timeout=120)
    expect_ok(p, f"wasmtime run {wasm}")
    return p.stdout


def same_program_output(case, extra=(), externs=()):
    """Compiles `case` with both compilers and compares what the programs print."""
    name = os.path.splitext(case)[0] + "".join(a.replace("-", "").replace("=", "") for a in extra)
    wasm_out, native_out = out(f"{name}.wasm"), out(f"{name}.native.wasm")
    p = rustc_wasm(["--edition", "2021", "--target", TARGET, *extra, *externs, src(case), "-o", wasm_out])
    expect_ok(p, "rustc.wasm")
    n = rustc_native(["--edition", "2021", "--target", TARGET, *extra, *externs, src(case), "-o", native_out])
    expect_ok(n, "the native fork")
    got, want = run_program(wasm_out), run_program(native_out)
    if got != want:
        raise Failure(f"output differs\n--- rustc.wasm's program:\n{got}\n--- the native fork's:\n{want}")
    if not got.strip():
        raise Failure("the program printed nothing")
    return f"compile {p.seconds:.1f} s (native {n.seconds:.2f} s); prints {got.splitlines()[0]!r}"


def check_hello():
    return same_program_output("hello.rs")


def check_collections():
    return same_program_output("collections.rs")


def check_opt_levels():
    a = same_program_output("collections.rs", ["-O"])
    b = same_program_output("collections.rs", ["-Copt-level=0"])
    return f"-O: {a}; -Copt-level=0: {b}"


def check_two_crates():
    for compiler, suffix in ((rustc_wasm, ""), (rustc_native, ".native")):
        lib = out(f"libtwocrate_lib{suffix}.rlib")
        p = compiler(["--edition", "2021", "--target", TARGET, "--crate-type", "rlib", "--crate-name", "twocrate_lib",
                      src("twocrate_lib.rs"), "-o", lib])
        expect_ok(p, "the rlib build")
    wasm_out, native_out = out("twocrate.wasm"), out("twocrate.native.wasm")
    p = rustc_wasm(["--edition", "2021", "--target", TARGET, "--extern", f"twocrate_lib={out('libtwocrate_lib.rlib')}",
                    src("twocrate_main.rs"), "-o", wasm_out])
    expect_ok(p, "rustc.wasm (binary)")
    n = rustc_native(["--edition", "2021", "--target", TARGET, "--extern",
                      f"twocrate_lib={out('libtwocrate_lib.native.rlib')}", src("twocrate_main.rs"), "-o", native_out])
    expect_ok(n, "the native fork (binary)")
    got, want = run_program(wasm_out), run_program(native_out)
    if got != want:
        raise Failure(f"output differs:\n{got}\nvs\n{want}")
    return f"prints {got.splitlines()[0]!r}"


def check_compile_error():
    args = ["--edition", "2021", "--target", TARGET, src("type_error.rs"), "-o", out("type_error.wasm")]
    p, n = rustc_wasm(args), rustc_native(args)
    if p.returncode != 1:
        raise Failure(f"rustc.wasm exited with {p.returncode}, not 1:\n{p.stderr[-3000:]}")
    if n.returncode != 1:
        raise Failure(f"the native fork exited with {n.returncode}, not 1:\n{n.stderr[-3000:]}")
    if p.stderr != n.stderr:
        raise Failure(f"diagnostics differ\n--- rustc.wasm:\n{p.stderr}\n--- the native fork:\n{n.stderr}")
    if "error[E0308]" not in p.stderr or "type_error.rs:8:" not in p.stderr:
        raise Failure(f"unexpected diagnostic:\n{p.stderr}")
    return "same diagnostic text, exit 1: " + p.stderr.splitlines()[0]


def expect_one_error(p, what, needle):
    if p.returncode != 1:
        raise Failure(f"{what}: exit {p.returncode}, not 1:\n{p.stderr[-3000:]}")
    errors = [line for line in p.stderr.splitlines() if line.startswith("error")]
    if not errors or "panicked" in p.stderr or needle not in p.stderr:
        raise Failure(f"{what}: expected a clear error mentioning {needle!r}:\n{p.stderr[-3000:]}")
    return errors[0]


def check_linker_cc():
    p = rustc_wasm(["--target", TARGET, "-C", "linker=cc", src("hello.rs"), "-o", out("linker_cc.wasm")])
    return expect_one_error(p, "-C linker=cc", "linker")


def check_codegen_backend_path():
    p = rustc_wasm(["--target", TARGET, "-Zcodegen-backend=build/libmy_backend.so", src("hello.rs"), "-o",
                    out("backend.wasm")])
    return expect_one_error(p, "-Zcodegen-backend=PATH", "codegen backend")


def check_self_profile():
    """`-Zself-profile` needs process ids, which WASI lacks: a warning, and the compile goes on."""
    p = rustc_wasm(["--edition", "2021", "--target", TARGET, f"-Zself-profile={out('profile')}", src("hello.rs"),
                    "-o", out("self_profile.wasm")])
    expect_ok(p, "rustc.wasm -Zself-profile")
    needle = "warning: failed to create profiler: rustc running on WASI cannot profile itself"
    if needle not in p.stderr:
        raise Failure(f"expected {needle!r}:\n{p.stderr[-3000:]}")
    if not run_program(out("self_profile.wasm")).strip():
        raise Failure("the program printed nothing")
    return "warning, then a program that runs"


def check_native_proc_macro():
    so = out("libnative_proc_macro.so")
    n = run([NATIVE_RUSTC, "--edition", "2021", "--crate-type", "proc-macro", src("native_proc_macro.rs"), "-o", so])
    expect_ok(n, "the native fork building the proc macro")
    p = rustc_wasm(["--edition", "2021", "--target", TARGET, "--extern", f"native_proc_macro={so}",
                    src("uses_native_proc_macro.rs"), "-o", out("uses_native_proc_macro.wasm")])
    return expect_one_error(p, "--extern x=libx.so", "native_proc_macro")


def demo_module():
    """tests/fork/demo built with `cargo wpm build` (a derive with a helper, an attribute and a
    function-like macro), as the fork's UI tests use it."""
    module = out("demo.wasm")
    p = run([host_tool("cargo-wpm"), "wpm", "build", os.path.join(REPO, "tests", "fork", "demo"), "-o", module])
    if p.returncode != 0:
        raise Failure(f"cargo wpm build tests/fork/demo failed:\n{p.stderr[-3000:]}")
    return module


def check_wasm_proc_macro():
    """The mission's command line: rustc.wasm expands a wasm proc macro nested (Cranelift
    compiles it to Pulley inside rustc.wasm, Pulley runs it), and the program runs."""
    module = demo_module()
    case = os.path.relpath(os.path.join(REPO, "tests", "fork", "cases", "derive.rs"), REPO)
    with open(os.path.join(REPO, "tests", "fork", "cases", "derive.run.stdout")) as f:
        want = f.read()
    wasm_out = out("derive.wasm")
    p = rustc_wasm(["--edition", "2021", "--wasm-proc-macro", f"Demo={module}", case, "--target", TARGET,
                    "-o", wasm_out])
    expect_ok(p, "rustc.wasm --wasm-proc-macro")
    got = run_program(wasm_out)
    if got != want:
        raise Failure(f"output differs\n--- the program:\n{got}\n--- tests/fork/cases/derive.run.stdout:\n{want}")
    return f"compile {p.seconds:.1f} s; prints {got.splitlines()[0]!r}"


def check_wasm_proc_macro_limits():
    """Hostile guests nested in rustc.wasm: each ends in one clear error at the call site."""
    tool = host_tool("wat2wasm")
    results = []
    # (guest, what the error says, environment): a tenth of the default fuel keeps the endless
    # guest's check short; the time says what a unit of fuel costs here.
    for guest, needle, env in [
        ("infinite_loop", "exceeded its fuel limit", ["WPM_FUEL=1000000000"]),
        ("memory_bomb", "exceeded its memory limit of 256 MiB", []),
        ("recursion", "call stack exhausted", []),
    ]:
        module = out(f"{guest}.wasm")
        p = run([tool, os.path.join(REPO, "tests", "guests", "wat", f"{guest}.wat"), module])
        if p.returncode != 0:
            raise Failure(f"wat2wasm failed:\n{p.stderr}")
        case = os.path.relpath(os.path.join(REPO, "tests", "fork", "cases", f"guest_{guest}.rs"), REPO)
        p = rustc_wasm(["--edition", "2021", "--wasm-proc-macro", f"Bad={module}", case, "--target", TARGET,
                        "--emit", "metadata", "-o", out(f"guest_{guest}.rmeta")], env=env)
        expect_one_error(p, guest, needle)
        results.append(f"{guest} {p.seconds:.1f} s")
    return "; ".join(results)


SERDE_VERSION = "1.0.229"
SERDE_JSON_VERSION = "1.0.149"


def check_self_hosting():
    """serde and serde_json built for wasm32-wasip1 by rustc.wasm, from the command lines cargo
    gives for them (no cargo runs inside), then a program deriving Serialize/Deserialize through
    `--wasm-proc-macro serde_derive=serde_derive.wasm`: it runs and round-trips through JSON."""
    proj = os.path.join(OUT, "selfhost")
    os.makedirs(os.path.join(proj, "src"), exist_ok=True)
    with open(os.path.join(proj, "Cargo.toml"), "w") as f:
        f.write(f"""[package]
name = "selfhost_deps"
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
    # cargo with the native fork says what to run (and runs the build scripts natively);
    # its command lines run again through rustc.wasm, into a directory of its own.
    deps = os.path.join(OUT, "selfhost-deps")
    deps_rel = os.path.relpath(deps, REPO)
    crates = [f"{name} {seconds:.0f} s" for name, _, seconds in host_tools.cargo_replay(proj, deps)]
    rlib = {}
    for name in ("serde", "serde_json"):
        found = [x for x in os.listdir(deps) if x.startswith(f"lib{name}-") and x.endswith(".rlib")]
        if len(found) != 1:
            raise Failure(f"expected one lib{name}-*.rlib in {deps}, found {found}")
        rlib[name] = os.path.join(deps_rel, found[0])
    # The program, its derives expanded by the serde_derive module nested in rustc.wasm.
    module = out(f"serde_derive-{SERDE_VERSION}.wasm")
    if not os.path.exists(module):
        q = run([host_tool("cargo-wpm"), "wpm", "build", f"serde_derive@{SERDE_VERSION}", "-o", module])
        if q.returncode != 0:
            raise Failure(f"cargo wpm build serde_derive failed:\n{q.stderr[-3000:]}")
    case = os.path.relpath(os.path.join(REPO, "tests", "fork", "cases", "serde_json_roundtrip.rs"), REPO)
    program = out("serde_json_roundtrip.wasm")
    q = rustc_wasm(["--edition", "2021", "--target", TARGET, "-L", f"dependency={deps_rel}",
                    "--extern", f"serde={rlib['serde']}", "--extern", f"serde_json={rlib['serde_json']}",
                    "--wasm-proc-macro", f"serde_derive={module}", case, "-o", program])
    expect_ok(q, "rustc.wasm building the serde program")
    with open(os.path.join(REPO, "tests", "fork", "cases", "serde_json_roundtrip.run.stdout")) as f:
        want = f.read()
    got = run_program(program)
    if got != want:
        raise Failure(f"output differs\n--- the program:\n{got}\n--- expected:\n{want}")
    return f"built {', '.join(crates)}; program {q.seconds:.0f} s; prints {got.splitlines()[0][:60]!r}..."


def check_playground_crates():
    """The browser playground's crate bundle (dist-scripts/playground_crates.py, built if
    missing or stale, else reused): a serde derive round trip and a thiserror enum compiled
    by rustc.wasm with only the bundle's arguments, from the bundle's directory, then run."""
    p = run([sys.executable, os.path.join(REPO, "dist-scripts", "playground_crates.py"), "--check"],
            timeout=TIMEOUT * 2)
    if p.returncode != 0:
        raise Failure(f"dist-scripts/playground_crates.py --check:\n{p.stdout[-6000:]}{p.stderr[-2000:]}")
    steps = [line.removeprefix("step ") for line in p.stdout.splitlines() if line.startswith("step ")]
    return "; ".join(steps)


# Fork UI cases run by other checks here: `aux` ones need serde built for this target (the
# self-hosting check's job); the memory bomb's limit is 256 MiB on a wasm host, not 1 GiB, and
# the endless guest runs with less fuel (both in `wasm-proc-macro-limits`). Not run here:
# `cross_target_fresh_cache` names its own `--target` (the native fork cross-compiling), which
# the wrapper below already gives; every rustc.wasm run is its case anyway (a stub compiled
# in-process for the wasm host, then the user's session for wasm32-wasip1).
FORK_CASES_SKIPPED = ("serde_json_roundtrip", "guest_memory_bomb", "guest_infinite_loop", "cross_target_fresh_cache")


def is_compare_native(path):
    """A `compare-native` case loads the macro crate natively too (`--extern` of a proc-macro
    dylib), which rustc.wasm cannot do: it has no dlopen. Those cases run with the native fork."""
    with open(path) as f:
        return any(line.startswith("//@ compare-native") for line in f)


def check_fork_cases():
    """The fork's UI cases (tests/fork/cases) with rustc.wasm as the compiler: the same
    diagnostics, and run-pass programs printing the expected output under `wasmtime run`."""
    case_dir = os.path.join(REPO, "tests", "fork", "cases")
    cases = sorted(f[:-3] for f in os.listdir(case_dir)
                   if f.endswith(".rs") and f[:-3] not in FORK_CASES_SKIPPED
                   and not is_compare_native(os.path.join(case_dir, f)))
    tmp = os.path.join(OUT, "tmp")
    os.makedirs(tmp, exist_ok=True)
    wrapper = os.path.join(OUT, "rustc-wasm")
    # The cases run with their directory as cwd (preopened as `.`); every other path the
    # fork's runner passes is absolute under the checkout, preopened at the same path. The
    # wrapper drops the runner's own warning from stderr, as `rustc_wasm` does.
    cmd = [WASMTIME, "run", "-Sthreads=yes", "-Wthreads=yes,shared-memory=yes", "--dir", ".", "--dir",
           f"{REPO}::{REPO}", "--env", f"TMPDIR={tmp}", host_tools.RUSTC_WASM,
           "--sysroot", os.path.join(REPO, DIST_REL), "--target", TARGET]
    with open(wrapper, "w") as f:
        f.write(f"""#!/usr/bin/env python3
import re, subprocess, sys
p = subprocess.run({cmd!r} + sys.argv[1:], stderr=subprocess.PIPE)
sys.stderr.buffer.write(re.sub({host_tools.RUNNER_WARNING.pattern.encode()!r}, b"", p.stderr))
sys.exit(p.returncode)
""")
    os.chmod(wrapper, 0o755)
    env = {**os.environ, "FORK_TEST_RUNNER": f"{WASMTIME} run", "FORK_TEST_WASI_ERRNO": "1",
           "CARGO_WPM": host_tool("cargo-wpm")}
    p = subprocess.run([sys.executable, os.path.join(REPO, "tests", "fork", "run.py"), "--rustc", wrapper, *cases],
                       cwd=REPO, capture_output=True, text=True, env=env, timeout=TIMEOUT * 4)
    summary = [line for line in p.stdout.splitlines() if " passed, " in line]
    if p.returncode != 0 or not summary:
        raise Failure(f"tests/fork/run.py through rustc.wasm:\n{p.stdout[-6000:]}{p.stderr[-2000:]}")
    return (f"{summary[-1].strip()} ({len(cases)} cases; skipped: {', '.join(FORK_CASES_SKIPPED)} "
            "and the compare-native cases)")


CHECKS = [
    ("hello", check_hello),
    ("collections", check_collections),
    ("opt-levels", check_opt_levels),
    ("two-crates", check_two_crates),
    ("compile-error", check_compile_error),
    ("linker-cc", check_linker_cc),
    ("codegen-backend-path", check_codegen_backend_path),
    ("self-profile", check_self_profile),
    ("native-proc-macro", check_native_proc_macro),
    ("wasm-proc-macro", check_wasm_proc_macro),
    ("wasm-proc-macro-limits", check_wasm_proc_macro_limits),
    ("fork-cases", check_fork_cases),
    ("self-hosting", check_self_hosting),
    ("playground-crates", check_playground_crates),
]


# rustc's own temporary directories (tempfile names: a prefix and 6 random characters), made
# beside the output when there is no usable TMPDIR: the link's and the metadata's.
RUSTC_TEMP_DIR = re.compile(r"^(rustc|rmeta)[A-Za-z0-9]{6}$")


def leftover_places():
    """What is in the checkout's root (the cwd of every check), in the fork cases' TMPDIR, and
    rustc's temporary directories beside the checks' outputs: a check must leave them as it
    found them."""
    places = {os.path.join(".", name) for name in os.listdir(REPO)}
    tmp = os.path.join(OUT, "tmp")
    if os.path.isdir(tmp):
        places |= {os.path.join(OUT_REL, "tmp", name) for name in os.listdir(tmp)}
    if os.path.isdir(OUT):
        places |= {os.path.join(OUT_REL, name) for name in os.listdir(OUT) if RUSTC_TEMP_DIR.match(name)}
    return places


def main(filters):
    checks = [(n, f) for n, f in CHECKS if not filters or any(x in n for x in filters)]
    os.makedirs(OUT, exist_ok=True)
    missing = [p for p in (WASMTIME, NATIVE_RUSTC, host_tools.RUSTC_WASM) if not os.path.exists(p)]
    if missing:
        for name, _ in checks:
            log(f"FAIL {name}: missing {', '.join(missing)} (run dist-scripts/dist.sh)")
        log(f"0 passed, {len(checks)} failed")
        return 1
    v = run([WASMTIME, "--version"], timeout=30).stdout.strip()
    if "46.0.3" not in v:
        log(f"warning: {WASMTIME} is {v!r}, not wasmtime-cli 46.0.3")
    passed = failed = 0
    for name, fn in checks:
        started = time.monotonic()
        try:
            before = leftover_places()
            detail = fn()
            left = sorted(leftover_places() - before)
            if left:
                raise Failure(f"left behind (rustc.wasm must remove its scratch files, also when it fails): "
                              f"{', '.join(left)}")
            passed += 1
            log(f"PASS {name} ({time.monotonic() - started:.1f} s): {detail}")
        except Failure as e:
            failed += 1
            log(f"FAIL {name} ({time.monotonic() - started:.1f} s): {e}")
    log(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
