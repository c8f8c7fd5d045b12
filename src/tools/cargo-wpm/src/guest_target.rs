//! The guest platform: wasm32 code for a host where `proc_macro` exists.
//!
//! Crates decide from the target whether `proc_macro` is usable. syn 1.x compiles its
//! `proc_macro` glue (`syn::parse`, `parse_macro_input!`...) out when
//! `target_arch = "wasm32"` and `target_os` is `"unknown"` or `"wasi"`, and older proc-macro2
//! 1.0 releases did the same from their build script when `TARGET` contains `wasm32`. On our guest platform `proc_macro` does exist (the guest library), so guest
//! code is compiled for a target that says so: [`TARGET_NAME`], the guest compiler's own
//! `wasm32-unknown-unknown` specification with `os` set to [`TARGET_OS`]. Code generation,
//! ABI and wasm features are those of `wasm32-unknown-unknown`.
//!
//! std builds for it with one change: its `sys::random` selects an implementation by
//! `target_os` and has none for an OS it does not know. The guest sysroot
//! ([`GuestTarget::sysroot`]) holds a copy of the guest compiler's std sources in which
//! `wpm` joins `wasm32-unknown-unknown` on the "unsupported" arm (no entropy source,
//! fixed hash-map keys: what std does on `wasm32-unknown-unknown`). Everything else in the
//! sysroot links to the guest compiler's own (host std for build scripts and
//! proc-macro dependencies, tools). The wrapper ([`crate::wrapper`]) passes `--sysroot`
//! to every compilation of a guest build, so cargo's `-Zbuild-std` takes std's sources
//! from there.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};
use crate::toolchain::Toolchain;

/// The guest target's name (its specification file's stem; cargo's directory under the
/// target dir). It must not contain `wasm32`: see the module docs.
pub(crate) const TARGET_NAME: &str = "wasm-wpm";

/// The guest target's `target_os`.
pub(crate) const TARGET_OS: &str = "wpm";

/// Bumped whenever the sysroot's layout or the std edit changes, so that old sysroots in
/// a cache are not reused.
const LAYOUT_VERSION: u32 = 1;

/// The line of std's `sys/random/mod.rs` that names wasm32-unknown-unknown; `wpm` is
/// added after each occurrence (the "unsupported" arm and the list of targets that bring
/// their own `hashmap_random_keys`).
const RANDOM_ANCHOR: &str = "all(target_family = \"wasm\", target_os = \"unknown\"),";

/// How many times [`RANDOM_ANCHOR`] appears in the std this edit was written for.
const RANDOM_ANCHOR_COUNT: usize = 2;

/// A prepared guest target.
#[derive(Clone, Debug)]
pub(crate) struct GuestTarget {
    /// The target specification (`<sysroot>/wasm-wpm.json`), passed to cargo's `--target`.
    pub(crate) spec: PathBuf,
    /// The guest sysroot, passed to rustc as `--sysroot`.
    pub(crate) sysroot: PathBuf,
}

/// Prepares (once per guest compiler) the guest sysroot and target specification under
/// `cache/guest-sysroot/`.
///
/// # Errors
/// [`Error::GuestTarget`] when the guest compiler cannot describe `wasm32-unknown-unknown`
/// or its std does not have the expected shape; I/O errors.
pub(crate) fn prepare(tc: &Toolchain, cache: &Path) -> Result<GuestTarget> {
    let version = run(Command::new(&tc.rustc).arg("-vV"), "rustc -vV")?;
    let key = crate::fsutil::fnv(&format!("{LAYOUT_VERSION}\n{}\n{}", version, tc.sysroot.display()));
    let root = cache.join("guest-sysroot");
    let dir = root.join(format!("{key:016x}"));
    let target = GuestTarget { spec: dir.join(format!("{TARGET_NAME}.json")), sysroot: dir.clone() };
    if dir.join(".complete").is_file() {
        return Ok(target);
    }
    let tmp = root.join(format!("{key:016x}.tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = assemble(tc, &tmp);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::rename(&tmp, &dir) {
        let _ = std::fs::remove_dir_all(&tmp);
        // Another build finished the same sysroot first.
        if !dir.join(".complete").is_file() {
            return Err(Error::io(format!("renaming {} to {}", tmp.display(), dir.display()), e));
        }
    }
    Ok(target)
}

/// Writes a complete guest sysroot into `dir`.
fn assemble(tc: &Toolchain, dir: &Path) -> Result<()> {
    let rustlib = tc.sysroot.join("lib/rustlib");
    let out = dir.join("lib/rustlib");
    mkdir(&out)?;
    let entries = std::fs::read_dir(&rustlib).map_err(|e| Error::io(format!("reading {}", rustlib.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("reading {}", rustlib.display()), e))?;
        if entry.file_name() != "src" {
            symlink(&entry.path(), &out.join(entry.file_name()))?;
        }
    }
    let library = rustlib.join("src/rust/library");
    let copy = out.join("src/rust/library");
    copy_tree(&library, &copy)?;
    patch_random(&copy.join("std/src/sys/random/mod.rs"))?;

    let spec = run(
        Command::new(&tc.rustc)
            .args(["-Zunstable-options", "--print", "target-spec-json", "--target", "wasm32-unknown-unknown"])
            .env("RUSTC_BOOTSTRAP", "1"),
        "rustc --print target-spec-json",
    )?;
    let spec = guest_spec(&spec)?;
    write(&dir.join(format!("{TARGET_NAME}.json")), spec.as_bytes())?;
    write(&dir.join(".complete"), version_note().as_bytes())
}

/// The guest specification: `wasm32-unknown-unknown`'s (`json`, as the guest compiler
/// prints it) with `os` = [`TARGET_OS`].
fn guest_spec(json: &str) -> Result<String> {
    let bad = |detail: String| Error::GuestTarget { detail };
    let mut spec: serde_json::Value =
        serde_json::from_str(json).map_err(|e| bad(format!("the guest compiler's target specification: {e}")))?;
    let object = spec.as_object_mut().ok_or_else(|| bad("the target specification is not an object".into()))?;
    if object.get("arch").and_then(|a| a.as_str()) != Some("wasm32") {
        return Err(bad("the guest compiler's wasm32-unknown-unknown is not wasm32".into()));
    }
    object.insert("os".into(), TARGET_OS.into());
    // Tier and description describe the built-in target, not this one.
    object.remove("metadata");
    serde_json::to_string_pretty(&spec).map_err(|e| bad(e.to_string()))
}

/// Adds `wpm` wherever std's random module names wasm32-unknown-unknown.
fn patch_random(file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(format!("reading {}", file.display()), e))?;
    let patched = add_os_to_random(&text).ok_or_else(|| Error::GuestTarget {
        detail: format!(
            "{} does not name wasm32-unknown-unknown {RANDOM_ANCHOR_COUNT} times as `{RANDOM_ANCHOR}`: \
             this guest compiler's std is not one cargo-wpm knows (rustc 1.96)",
            file.display()
        ),
    })?;
    write(file, patched.as_bytes())
}

/// `text` with `target_os = "wpm",` after each line holding [`RANDOM_ANCHOR`], or `None`
/// unless there are exactly [`RANDOM_ANCHOR_COUNT`] of them.
fn add_os_to_random(text: &str) -> Option<String> {
    if text.matches(RANDOM_ANCHOR).count() != RANDOM_ANCHOR_COUNT {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        if line.contains(RANDOM_ANCHOR) {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}target_os = \"{TARGET_OS}\",\n"));
        }
    }
    Some(out)
}

/// What `.complete` records (for a person looking at the cache).
fn version_note() -> String {
    format!("cargo-wpm guest sysroot, layout {LAYOUT_VERSION}: std for target_os = \"{TARGET_OS}\"\n")
}

/// Copies a directory tree (files and directories; symlinks are followed).
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    mkdir(to)?;
    let entries = std::fs::read_dir(from).map_err(|e| Error::io(format!("reading {}", from.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("reading {}", from.display()), e))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(|e| Error::io(format!("copying {}", src.display()), e))?;
        }
    }
    Ok(())
}

fn mkdir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))
}

fn write(file: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(file, bytes).map_err(|e| Error::io(format!("writing {}", file.display()), e))
}

#[cfg(unix)]
fn symlink(original: &Path, link: &Path) -> Result<()> {
    std::os::unix::fs::symlink(original, link).map_err(|e| Error::io(format!("linking {}", link.display()), e))
}

#[cfg(not(unix))]
fn symlink(original: &Path, link: &Path) -> Result<()> {
    if original.is_dir() {
        copy_tree(original, link)
    } else {
        std::fs::copy(original, link).map(drop).map_err(|e| Error::io(format!("copying {}", original.display()), e))
    }
}

/// Runs a guest-compiler query and returns its stdout.
fn run(cmd: &mut Command, what: &str) -> Result<String> {
    let out = cmd.output().map_err(|e| Error::io(format!("running {what}"), e))?;
    if !out.status.success() {
        return Err(Error::GuestTarget {
            detail: format!("`{what}` failed: {}", String::from_utf8_lossy(&out.stderr).trim_end()),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_gets_the_guest_os_after_each_wasm32_unknown_line() {
        let text = "cfg_select! {\n    any(\n        all(target_family = \"wasm\", target_os = \"unknown\"),\n        target_os = \"xous\",\n    ) => {}\n}\n#[cfg(not(any(\n    all(target_family = \"wasm\", target_os = \"unknown\"),\n)))]\n";
        let out = add_os_to_random(text).unwrap();
        assert_eq!(out.matches("target_os = \"wpm\",").count(), 2);
        assert!(out.contains("\"unknown\"),\n        target_os = \"wpm\",\n        target_os = \"xous\""), "{out}");
        assert!(out.contains("\"unknown\"),\n    target_os = \"wpm\",\n)))]"), "{out}");
        // Another std: refused, not half-patched.
        assert_eq!(add_os_to_random("nothing here"), None);
    }

    #[test]
    fn spec_keeps_everything_but_the_os() {
        let spec = guest_spec(
            r#"{"arch": "wasm32", "os": "unknown", "llvm-target": "wasm32-unknown-unknown", "metadata": {"tier": 2}}"#,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&spec).unwrap();
        assert_eq!(v["os"], "wpm");
        assert_eq!(v["llvm-target"], "wasm32-unknown-unknown");
        assert!(v.get("metadata").is_none());
        assert!(guest_spec(r#"{"arch": "x86_64"}"#).is_err());
    }

    #[test]
    fn name_does_not_say_wasm32() {
        assert!(!TARGET_NAME.contains("wasm32"));
    }
}
