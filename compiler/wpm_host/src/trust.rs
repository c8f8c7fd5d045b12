//! Which cache directories may be trusted.
//!
//! A compiled-code cache entry is native code (or Pulley bytecode) that wasmtime runs
//! without verifying it, and the fork's cached metadata is read as a crate: whoever can
//! write the directory can run code in rustc. So a cache directory is used only if no one
//! else can write it, checked as ssh checks its keys: it must be owned by the current user
//! and not writable by group or others, and its parent must not let anyone else rename it
//! away (owned by us or root, and not writable by others unless sticky, like `/tmp`).
//! Directories created here are created with mode 0700. Hosts without users (WASI) trust
//! what the embedder's preopened directories give them.

use std::path::Path;

/// Creates `dir` (mode 0700, parents as needed) if it is missing, then checks that only
/// the current user can write it.
///
/// # Errors
/// Why the directory must not be trusted (or cannot be created), as a phrase that follows
/// the directory's name: "is writable by group or others (mode 0777)".
pub fn ensure_private_dir(dir: &Path) -> Result<(), String> {
    create(dir).map_err(|e| format!("cannot be created: {e}"))?;
    check(dir)
}

#[cfg(unix)]
fn create(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn check(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let meta = std::fs::metadata(dir).map_err(|e| format!("cannot be inspected: {e}"))?;
    if !meta.is_dir() {
        return Err("is not a directory".to_owned());
    }
    if meta.uid() != me {
        return Err(format!("is owned by uid {}, not by the current user (uid {me})", meta.uid()));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!("is writable by group or others (mode {:04o})", meta.mode() & 0o7777));
    }
    let Some(parent) = std::fs::canonicalize(dir).ok().and_then(|d| d.parent().map(Path::to_path_buf)) else {
        return Ok(());
    };
    let pmeta = std::fs::metadata(&parent).map_err(|e| format!("has a parent that cannot be inspected: {e}"))?;
    if pmeta.uid() != me && pmeta.uid() != 0 {
        return Err(format!("is in {}, owned by uid {}, who could replace it", parent.display(), pmeta.uid()));
    }
    if pmeta.mode() & 0o022 != 0 && pmeta.mode() & 0o1000 == 0 {
        return Err(format!(
            "is in {}, which others can write (mode {:04o}, not sticky), so they could replace it",
            parent.display(),
            pmeta.mode() & 0o7777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check(_dir: &Path) -> Result<(), String> {
    Ok(())
}

/// Warns (once per directory per process) that the cache `dir` is not used, and why.
#[cfg_attr(target_family = "wasm", allow(dead_code))]
pub(crate) fn warn_untrusted(dir: &Path, why: &str) {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static WARNED: OnceLock<Mutex<HashSet<std::path::PathBuf>>> = OnceLock::new();
    let warned = WARNED.get_or_init(Default::default);
    let first = warned.lock().map(|mut w| w.insert(dir.to_path_buf())).unwrap_or(true);
    if first {
        eprintln!(
            "warning: the wasm proc-macro cache `{}` {why}; it is not used (only its owner may write a cache: \
             fix its ownership and mode, or point WPM_CACHE_DIR elsewhere)",
            dir.display()
        );
    }
}
