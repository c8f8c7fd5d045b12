//! Small file-system helpers: cache locations, copying a package, writing only changes.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The cache root ([`wpm_host::cache_root`], shared with the runtime and the shims), where
/// the build keeps its work.
///
/// # Errors
/// [`Error::NoCache`] when caching is off (`WPM_CACHE_DIR=`) or no location is known: the
/// build cannot run without its work directories.
pub(crate) fn cache_dir() -> Result<PathBuf> {
    wpm_host::cache_root().map_err(|why| Error::NoCache { why })
}

/// Writes `bytes` to `path` unless it already holds exactly them (keeps mtimes stable).
///
/// # Errors
/// I/O errors, naming the file.
pub(crate) fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    }
    fs::write(path, bytes).map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

/// Copies the package directory `from` into `to`, skipping `target/` and VCS directories,
/// writing only changed files and removing files that no longer exist in `from`. A file
/// listed in `overrides` (by its path under `from`) is written with the given contents.
///
/// # Errors
/// I/O errors, naming the file.
pub(crate) fn sync_dir(from: &Path, to: &Path, overrides: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let read = |dir: &Path| fs::read_dir(dir).map_err(|e| Error::io(format!("reading {}", dir.display()), e));
    let mut seen = Vec::new();
    for entry in read(from)? {
        let entry = entry.map_err(|e| Error::io(format!("reading {}", from.display()), e))?;
        let name = entry.file_name();
        if name == "target" || name == ".git" || name == ".hg" || name == "Cargo.lock" {
            continue;
        }
        let src = entry.path();
        let file_type = entry.file_type().map_err(|e| Error::io(format!("reading {}", src.display()), e))?;
        if file_type.is_dir() {
            sync_dir(&src, &to.join(&name), overrides)?;
        } else if let Some((_, bytes)) = overrides.iter().find(|(p, _)| *p == src) {
            write_if_changed(&to.join(&name), bytes)?;
        } else {
            // Symlinks are followed: the copy must stand alone.
            let bytes = fs::read(&src).map_err(|e| Error::io(format!("reading {}", src.display()), e))?;
            write_if_changed(&to.join(&name), &bytes)?;
        }
        seen.push(name);
    }
    if let Ok(entries) = fs::read_dir(to) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            if !seen.contains(&name) && name != "Cargo.lock" && name != "target" {
                let path = entry.path();
                let _ = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
            }
        }
    }
    Ok(())
}

/// FNV-1a of `s`: a stable short hash for cache and scratch directory names (not for
/// anything an attacker chooses to collide).
pub(crate) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
