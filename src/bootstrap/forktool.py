#!/usr/bin/env python3
"""TOML chores of the fork build, called by build.sh.

Subcommands:
  get KEY                      print a [fork] value of config.toml (lists: one item a line)
  bootstrap-toml OUT           write the bootstrap.toml that x.py reads (all non-[fork] tables)
  get-bootstrap A.B.C          print one value of that bootstrap.toml (dotted path)

FORK_PROFILE=wasm-host selects the rustc.wasm build: [wasm-host] keys override [fork]'s, and
[wasm-host.bootstrap] is merged over the pass-through tables. String values may name
{repo}, {work-dir} and {wasi-prefix}.
FORK_INCREMENTAL=0 or 1 overrides [rust] incremental (CI builds once from cold: without the
incremental caches the fork's build directory is about 3.7 GB smaller).
  manifest SRC_TOML OUT MAP [EXTRA]
                               rewrite one of our crates' Cargo.toml for the rustc tree:
                               resolve `workspace = true` against the repo's root Cargo.toml,
                               move path dependencies per MAP (`name=relative/path,...`) and
                               merge the tables of EXTRA (fork-only additions) into it
  lock-fragment UPSTREAM RESOLVED OUT
                               write the [[package]] entries of the Cargo.lock RESOLVED that
                               UPSTREAM lacks or has otherwise (our crates, their dependencies,
                               upstream crates that now depend on ours), each with the entry it
                               follows; checks that lock-merge gives RESOLVED back
  lock-merge UPSTREAM FRAGMENT OUT
                               UPSTREAM's Cargo.lock with FRAGMENT's entries put in: the lock the
                               fork builds with under `locked-deps = true`
"""

import os
import sys
import tomllib

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CONFIG = os.environ.get("FORK_CONFIG", os.path.join(REPO, "config.toml"))
PROFILE = os.environ.get("FORK_PROFILE", "")
PROFILES = ("wasm-host",)
if PROFILE and PROFILE not in PROFILES:
    sys.exit(f"FORK_PROFILE={PROFILE!r}: expected one of {', '.join(PROFILES)} or nothing")


def load(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def fmt_value(v):
    """Formats a TOML value (the subset our files use)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(fmt_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{fmt_key(k)} = {fmt_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"unsupported TOML value {v!r}")


def fmt_key(k):
    return k if all(c.isalnum() or c in "-_" for c in k) else fmt_value(k)


def dump(doc):
    """Writes a document: top-level scalars first, then one [table] per nested dict level."""
    out = []

    def table(prefix, t):
        scalars = {k: v for k, v in t.items() if not isinstance(v, dict) or inline(prefix, k)}
        subs = {k: v for k, v in t.items() if k not in scalars}
        if prefix and (scalars or not subs):
            out.append(f"\n[{'.'.join(fmt_key(p) for p in prefix)}]")
        for k, v in scalars.items():
            out.append(f"{fmt_key(k)} = {fmt_value(v)}")
        for k, v in subs.items():
            table(prefix + [k], v)

    def inline(prefix, k):
        # Dependency specs are written inline: `name = { path = ".." }`.
        return bool(prefix) and prefix[-1] in ("dependencies", "dev-dependencies", "build-dependencies")

    table([], doc)
    return "\n".join(out).lstrip("\n") + "\n"


def fork_value(cfg, key):
    """A [fork] key, overridden by the selected profile's table."""
    if PROFILE and key in cfg.get(PROFILE, {}) and key != "bootstrap":
        return cfg[PROFILE][key]
    return cfg.get("fork", {}).get(key)


def work_dir(cfg):
    # Relative to the checkout; an absolute path stays as it is.
    return os.path.join(REPO, fork_value(cfg, "work-dir"))


def expand(v, cfg):
    """Replaces the placeholders in every string of `v`."""
    if isinstance(v, str):
        cache = os.environ.get("WASI_SYSROOT_CACHE") or os.path.join(REPO, "build", "wasi-sysroot")
        prefix = os.environ.get("WASI_SYSROOT_PREFIX") or os.path.join(cache, "prefix")
        return v.replace("{repo}", REPO).replace("{work-dir}", work_dir(cfg)).replace("{wasi-prefix}", prefix)
    if isinstance(v, list):
        return [expand(x, cfg) for x in v]
    if isinstance(v, dict):
        return {k: expand(x, cfg) for k, x in v.items()}
    return v


def cmd_get(key):
    cfg = load(CONFIG)
    v = fork_value(cfg, key)
    if v is None:
        sys.exit(f"config.toml: [fork] has no `{key}`")
    v = work_dir(cfg) if key == "work-dir" else expand(v, cfg)
    print("\n".join(v) if isinstance(v, list) else v)


def bootstrap_doc():
    full = load(CONFIG)
    cfg = {k: v for k, v in full.items() if k != "fork" and k not in PROFILES}
    if PROFILE:
        merge(cfg, expand(full.get(PROFILE, {}).get("bootstrap", {}), full))
    incremental = os.environ.get("FORK_INCREMENTAL", "")
    if incremental:
        if incremental not in ("0", "1"):
            sys.exit(f"FORK_INCREMENTAL={incremental!r}: expected 0 or 1")
        cfg.setdefault("rust", {})["incremental"] = incremental == "1"
    stage0 = full["fork"]["stage0"]
    tc = os.path.expanduser(f"~/.rustup/toolchains/{stage0}/bin")
    build = cfg.setdefault("build", {})
    build.setdefault("cargo", os.path.join(tc, "cargo"))
    build.setdefault("rustc", os.path.join(tc, "rustc"))
    return cfg


def cmd_get_bootstrap(path):
    v = bootstrap_doc()
    for part in path.split("."):
        # Table names such as `wasm32-wasip1` contain no dots; keys are matched one by one.
        if not isinstance(v, dict) or part not in v:
            sys.exit(f"bootstrap.toml has no `{path}`")
        v = v[part]
    print("\n".join(v) if isinstance(v, list) else v)


def cmd_bootstrap_toml(out):
    cfg = bootstrap_doc()
    with open(out, "w") as f:
        f.write("# Generated by src/bootstrap/build.sh from config.toml; edits are overwritten.\n")
        f.write(dump(cfg))


def merge(into, extra):
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            merge(into[k], v)
        else:
            into[k] = v


def cmd_manifest(src, out, mapping, extra=None):
    root = load(os.path.join(REPO, "Cargo.toml"))["workspace"]
    ws_pkg, ws_deps = root.get("package", {}), root.get("dependencies", {})
    moves = dict(item.split("=", 1) for item in mapping.split(",") if item)
    m = load(src)
    m.pop("lints", None)
    pkg = m["package"]
    for k, v in list(pkg.items()):
        if isinstance(v, dict) and v.get("workspace"):
            pkg[k] = ws_pkg[k]
    pkg["publish"] = False
    # Dependency tables: the top-level ones and those under `[target.'cfg(..)'.*]`.
    tables = [m] + [t for t in m.get("target", {}).values() if isinstance(t, dict)]
    for table, section in ((t, s) for t in tables for s in ("dependencies", "dev-dependencies", "build-dependencies")):
        deps = table.get(section, {})
        for name, spec in list(deps.items()):
            spec = {"version": spec} if isinstance(spec, str) else dict(spec)
            if spec.pop("workspace", False):
                base = ws_deps[name]
                base = {"version": base} if isinstance(base, str) else dict(base)
                feats = base.get("features", []) + spec.pop("features", [])
                base.update(spec)
                if feats:
                    base["features"] = feats
                spec = base
            if name in moves:
                spec.pop("version", None)
                spec["path"] = moves[name]
            deps[name] = spec
    if extra and os.path.exists(extra):
        merge(m, load(extra))
    for table in tables:
        # Tests of our crates run in our own workspace, not in the rustc tree.
        table.pop("dev-dependencies", None)
    with open(out, "w") as f:
        f.write(dump(m))


def lock_blocks(text):
    """A Cargo.lock as (header, [(key, block)]): key is `name version source`."""
    header, sep, rest = text.partition("[[package]]\n")
    blocks = []
    for chunk in rest.split("\n[[package]]\n") if sep else []:
        block = "[[package]]\n" + chunk.strip("\n") + "\n"
        fields = dict(line.split(" = ", 1) for line in block.splitlines()[1:] if " = " in line and not line.startswith(" "))
        key = " ".join(fields.get(k, "").strip('"') for k in ("name", "version", "source")).strip()
        blocks.append((key, block))
    return header, blocks


def lock_text(header, blocks):
    return header + "\n".join(block for _, block in blocks)


AFTER = "# after: "
REMOVE = "# remove: "


def lock_merge(upstream_text, fragment_text):
    header, blocks = lock_blocks(upstream_text)
    removed = {line[len(REMOVE):] for line in fragment_text.splitlines() if line.startswith(REMOVE)}
    missing = removed - {key for key, _ in blocks}
    if missing:
        raise ValueError(f"no entries {sorted(missing)} to remove")
    blocks = [(key, block) for key, block in blocks if key not in removed]
    index = {key: i for i, (key, _) in enumerate(blocks)}
    for chunk in fragment_text.split(AFTER)[1:]:
        after, _, block = chunk.partition("\n")
        (key, block), = lock_blocks(block)[1]
        if key in index:
            blocks[index[key]] = (key, block)
            continue
        at = 0 if after == "-" else next(i for i, (k, _) in enumerate(blocks) if k == after) + 1
        blocks.insert(at, (key, block))
        index = {k: i for i, (k, _) in enumerate(blocks)}
    return lock_text(header, blocks)


def cmd_lock_fragment(upstream, resolved, out):
    up_text, res_text = open(upstream).read(), open(resolved).read()
    up = dict(lock_blocks(up_text)[1])
    res_header, res = lock_blocks(res_text)
    if res_header != lock_blocks(up_text)[0]:
        sys.exit(f"{resolved}: its header differs from {upstream}'s (another lock format version?)")
    # Upstream versions that the fork's crates need newer (e.g. libc) are replaced.
    gone = sorted(set(up) - {key for key, _ in res})
    parts = ["# The fork's Cargo.lock against upstream's: entries replaced by newer versions, then entries\n"
             "# added or changed, each after the one it follows (forktool.py lock-fragment; docs/fork.md).\n"
             + "".join(f"{REMOVE}{key}\n" for key in gone)]
    for i, (key, block) in enumerate(res):
        if up.get(key) != block:
            parts.append(f"{AFTER}{res[i - 1][0] if i else '-'}\n{block}")
    fragment = "\n".join(parts)
    if lock_merge(up_text, fragment) != res_text:
        sys.exit(f"lock-fragment: merging the fragment into {upstream} does not give {resolved} back")
    with open(out, "w") as f:
        f.write(fragment)


def cmd_lock_merge(upstream, fragment, out):
    try:
        text = lock_merge(open(upstream).read(), open(fragment).read())
    except (StopIteration, ValueError) as e:
        sys.exit(f"{fragment}: does not apply to {upstream} ({e!r}); regenerate it (docs/fork.md)")
    with open(out, "w") as f:
        f.write(text)


def main(argv):
    if len(argv) >= 2 and argv[0] == "get":
        cmd_get(argv[1])
    elif len(argv) >= 2 and argv[0] == "get-bootstrap":
        cmd_get_bootstrap(argv[1])
    elif len(argv) >= 2 and argv[0] == "bootstrap-toml":
        cmd_bootstrap_toml(argv[1])
    elif len(argv) >= 4 and argv[0] == "manifest":
        cmd_manifest(*argv[1:5])
    elif len(argv) == 4 and argv[0] == "lock-fragment":
        cmd_lock_fragment(*argv[1:])
    elif len(argv) == 4 and argv[0] == "lock-merge":
        cmd_lock_merge(*argv[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
