//! Deleting the runtime libraries of old builds: a module of the shims' build script, written
//! beside it by wpm_shim (std only, like the rest of the script).

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// How long a `lib-KEY/` directory that no build used survives.
pub const UNUSED_FOR: Duration = Duration::from_secs(24 * 3600);

/// Marks `frozen` used now, then deletes the other `lib-*` directories of `dir` (frozen
/// runtimes, and temporary copies of failed freezes) that no build used within
/// [`UNUSED_FOR`]. Each holds a whole copy of the runtime's libraries (about 470 MB), one
/// per runtime version: without this the cache grows with every update of the runtime's
/// sources. Best effort: what cannot be read or deleted stays.
pub fn prune_unused(dir: &Path, frozen: &Path) {
    if let Ok(file) = fs::File::open(frozen) {
        let _ = file.set_modified(SystemTime::now());
    }
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path == frozen || !entry.file_name().to_str().is_some_and(|n| n.starts_with("lib-")) {
            continue;
        }
        let age = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
        if age.is_some_and(|age| age >= UNUSED_FOR) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}
