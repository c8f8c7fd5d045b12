#!/usr/bin/env python3
"""Adversarial guests through a real compiler: each must end quickly, with exit code 1 and a
clear error (warnings: a bounded number plus one suppression note), while the compiler's peak
RSS and stderr stay bounded (issue "Hostile guests cannot exhaust rustc").

Each case compiles a one-line crate that calls one macro of `tests/guests/wat/hostile.wat`
(or loads `hostile_manifest.wat`), with `--emit metadata`, through one host:

    run.py --host shim    wpm-rustc (stock rustc with a generated shim; the stock-toolchain path)
    run.py --host fork    the rustc fork's --wasm-proc-macro

and asserts, from the child's own rusage: wall time < 30 s, peak RSS < 1 GiB, stderr < 1 MiB,
the exit code, and the message; beside a failing macro, the crate's own type error must be
reported too. Environment: WPM_RUSTC (default target/debug/wpm-rustc),
FORK_RUSTC (default: src/bootstrap/build.sh env), HOSTILE_TEST_OUT (default
build/hostile-tests). A missing compiler is a failure, never a skip. The last line is always
`N passed, N failed`.
"""

import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.environ.get("HOSTILE_TEST_OUT") or os.path.join(REPO, "build", "hostile-tests")

MAX_SECONDS = 30
MAX_RSS_BYTES = 1 << 30
MAX_STDERR_BYTES = 1 << 20

# (name, module, macro call, expected exit code, regexes stderr must match,
#  {host: {regex: (least, most) matches}}). rustc shows identical diagnostics at one span
#  once, so the error flood's 100 errors may print as fewer lines. On the shim path guest
#  errors are `compile_error!("<macro>: ...")` and warnings are printed by the adapter, one
#  line each; in the fork both are rustc diagnostics with the guest's own message, which
#  rustc deduplicates too (the last one differs: the suppression note is its child).
CASES = [
    ("warning flood", "hostile", "warn_flood", 0,
     [r"99900 more diagnostics from this macro suppressed"],
     {"shim": {r"(?m)^warning: warn_flood: flood x{994}": (100, 100)},
      "fork": {r"(?m)^warning: flood x{994}": (1, 100)}}),
    ("error flood", "hostile", "error_flood", 1,
     [r"99900 more diagnostics from this macro suppressed"],
     {"shim": {r"(?m)^error: error_flood: flood x{994}": (1, 100)},
      "fork": {r"(?m)^error: flood x{994}": (1, 100)}}),
    ("host-call loop", "hostile", "host_call_loop", 1,
     [r"host_call_loop: proc macro exceeded its fuel limit"], {}),
    ("span-handle flood", "hostile", "span_flood", 1,
     [r"span_flood: proc macro exceeded its limit of 100000 new span handles "
      r"\(set by the WPM_MAX_SPAN_HANDLES environment variable\)"], {}),
    ("deep output", "hostile", "deep_output", 1, [r"(?m)^error"], {}),
    ("wide output", "hostile", "wide_output", 1, [r"(?m)^error"], {}),
    ("amplifying manifest", "hostile_manifest", None, 1,
     [r"has a bad manifest: derive macro `D` has a helper attribute with an empty name"], {}),
]


# Written beside each failing macro call: a failing macro must not hide the crate's own errors
# (the shim path turns the failure into `compile_error!`, the fork into a diagnostic; either
# way rustc goes on to type-check the crate).
OWN_ERROR = 'const _: u32 = "not a number";\n'
OWN_ERROR_MESSAGE = "mismatched types"


class Failure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def assemble(names):
    """Builds wat2wasm and assembles tests/guests/wat/NAME.wat; returns {NAME: path}."""
    target = os.path.join(OUT, "host-target")
    r = subprocess.run(["cargo", "build", "-q", "-p", "wat2wasm"], cwd=REPO, capture_output=True, text=True,
                       env={**os.environ, "CARGO_TARGET_DIR": target})
    if r.returncode != 0:
        raise Failure("building wat2wasm failed:\n" + r.stderr[-4000:])
    paths = {}
    for name in names:
        out = os.path.join(OUT, f"{name}.wasm")
        src = os.path.join(REPO, "tests", "guests", "wat", f"{name}.wat")
        r = subprocess.run([os.path.join(target, "debug", "wat2wasm"), src, out], capture_output=True, text=True)
        if r.returncode != 0:
            raise Failure(f"assembling {src} failed:\n{r.stderr}")
        paths[name] = out
    return paths


def compiler(host):
    if host == "shim":
        path = os.environ.get("WPM_RUSTC") or os.path.join(REPO, "target", "debug", "wpm-rustc")
        if not os.access(path, os.X_OK):
            raise Failure(f"{path} is missing: build it with `cargo build -p wpm-rustc` or set WPM_RUSTC")
        return path
    path = os.environ.get("FORK_RUSTC")
    if not path:
        env = subprocess.run(["bash", os.path.join(REPO, "src/bootstrap/build.sh"), "env"],
                             capture_output=True, text=True).stdout
        m = re.search(r"^FORK_RUSTC=(.*)$", env, re.M)
        path = m.group(1) if m else ""
    if not os.access(path, os.X_OK):
        raise Failure(f"the fork's rustc `{path}` is missing: run src/bootstrap/build.sh or set FORK_RUSTC")
    return path


def measured(cmd, cwd, stderr_path):
    """Runs `cmd`, killing it after 2 x MAX_SECONDS; returns (exit code, seconds, peak RSS bytes)."""
    with open(stderr_path, "wb") as err:
        t0 = time.time()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        killer = threading.Timer(2 * MAX_SECONDS, p.kill)
        killer.start()
        try:
            # wait4 reaps the child and reports its own peak RSS (KiB on Linux).
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        return p.returncode, time.time() - t0, usage.ru_maxrss * 1024


def run_case(rustc, modules, case, host):
    name, module, call, want_code, patterns, counts = case
    counts = counts.get(host, {})
    slug = re.sub(r"\W+", "_", name)
    src = os.path.join(OUT, f"{slug}.rs")
    with open(src, "w") as f:
        f.write(f"Hostile::{call}!();\n" if call else "")
        if call and want_code == 1:
            f.write(OWN_ERROR)
        f.write("fn main() {}\n")
    cmd = [rustc, "--edition", "2021", "--crate-type", "lib", "--emit", "metadata", "--out-dir", OUT,
           "--wasm-proc-macro", f"Hostile={modules[module]}", src]
    stderr_path = os.path.join(OUT, f"{slug}.stderr")
    code, seconds, rss = measured(cmd, OUT, stderr_path)
    size = os.path.getsize(stderr_path)
    with open(stderr_path, "rb") as f:
        stderr = f.read(MAX_STDERR_BYTES + 1).decode("utf-8", "replace")
    tail = stderr[-2000:]
    if "internal compiler error" in stderr or code == 101:
        raise Failure(f"ICE (exit {code}):\n{tail}")
    if code != want_code:
        raise Failure(f"exit code {code}, expected {want_code}:\n{tail}")
    if call and want_code == 1 and OWN_ERROR_MESSAGE not in stderr:
        raise Failure(f"the crate's own type error was not reported beside the macro's:\n{tail}")
    if seconds > MAX_SECONDS:
        raise Failure(f"took {seconds:.1f} s, more than {MAX_SECONDS} s")
    if rss > MAX_RSS_BYTES:
        raise Failure(f"peak RSS {rss >> 20} MiB, more than {MAX_RSS_BYTES >> 20} MiB")
    if size > MAX_STDERR_BYTES:
        raise Failure(f"stderr is {size} bytes, more than {MAX_STDERR_BYTES}")
    for pattern in patterns:
        if not re.search(pattern, stderr):
            raise Failure(f"stderr does not match /{pattern}/:\n{tail}")
    for pattern, (least, most) in counts.items():
        got = len(re.findall(pattern, stderr))
        if not least <= got <= most:
            raise Failure(f"{got} lines match /{pattern}/, expected {least} to {most}:\n{tail}")
    return f"exit {code}, {seconds:.1f} s, peak RSS {rss >> 20} MiB, stderr {size} bytes"


def main(argv):
    if len(argv) != 2 or argv[0] != "--host" or argv[1] not in ("shim", "fork"):
        print("usage: run.py --host shim|fork", file=sys.stderr)
        return 2
    host = argv[1]
    os.makedirs(OUT, exist_ok=True)
    passed = failed = 0
    try:
        rustc = compiler(host)
        modules = assemble(sorted({c[1] for c in CASES}))
    except Failure as e:
        log(f"setup failed: {e}")
        log(f"0 passed, {len(CASES)} failed")
        return 1
    log(f"hostile guests through {host} ({rustc})")
    # Unmeasured warm-up: wpm-rustc builds the module's shim on first use (the fork, its
    # metadata), which is not what the cases measure.
    warm = os.path.join(OUT, "warm_up.rs")
    with open(warm, "w") as f:
        f.write("fn main() {}\n")
    r = subprocess.run([rustc, "--edition", "2021", "--crate-type", "lib", "--emit", "metadata", "--out-dir", OUT,
                        "--wasm-proc-macro", f"Hostile={modules['hostile']}", warm], capture_output=True, text=True)
    if r.returncode != 0:
        log(f"setup failed: the warm-up compile failed:\n{r.stderr[-3000:]}")
        log(f"0 passed, {len(CASES)} failed")
        return 1
    for case in CASES:
        try:
            log(f"  ok    {case[0]}: {run_case(rustc, modules, case, host)}")
            passed += 1
        except Failure as e:
            log(f"  FAIL  {case[0]}: {e}")
            failed += 1
    log(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
