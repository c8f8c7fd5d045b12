//! The on-disk compiled-code cache.
//!
//! An entry is a `Module::serialize` image named by a SHA-256 key over everything that
//! affects the compiled code: the module bytes, the backend and target, wasmtime's own
//! compatibility hash of the engine settings (which covers wasmtime's exact version) and
//! this crate's version. Entries are written to a temporary file and renamed into place, so
//! concurrent rustc processes never see a half-written entry. The cache is best effort:
//! an unreadable, corrupt or incompatible entry is recompiled and overwritten; a
//! directory that cannot be written only means no caching. A directory someone else could
//! write is never read (see `trust`), and entries are written with mode 0600.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

use crate::config::Backend;

// wasmtime's version is not written here: the root `Cargo.toml` pins it, and the engine's
// `precompile_compatibility_hash` below hashes wasmtime's own `CARGO_PKG_VERSION` (the
// default `ModuleVersionStrategy`), so every key already names the exact version.
/// Bump when the way this crate configures engines changes in a way the compatibility
/// hash might not see.
const CACHE_FORMAT: &str = "wpm-host-cache-1";

/// A 32-byte cache key.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Key([u8; 32]);

impl Key {
    /// Hex form, used as the file name.
    fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Feeds `Hash` output into SHA-256, so wasmtime's compatibility hash becomes part of a
/// stable key.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        0
    }
}

/// Computes the key of `bytes` compiled by `engine` for `backend`.
pub(crate) fn key(engine: &Engine, backend: Backend, bytes: &[u8]) -> Key {
    let mut h = ShaHasher(Sha256::new());
    for part in [CACHE_FORMAT, env!("CARGO_PKG_VERSION"), backend.as_str(), std::env::consts::ARCH] {
        h.0.update(part.as_bytes());
        h.0.update([0]);
    }
    engine.precompile_compatibility_hash().hash(&mut h);
    h.0.update((bytes.len() as u64).to_le_bytes());
    h.0.update(bytes);
    Key(h.0.finalize().into())
}

/// A cache directory.
#[derive(Clone, Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// A cache in `dir`, created on first store.
    pub(crate) fn new(dir: PathBuf) -> Self {
        Cache { dir }
    }

    fn path(&self, key: &Key) -> PathBuf {
        self.dir.join(format!("{}.cwasm", key.hex()))
    }

    /// The compiled module for `key`, if a usable entry exists.
    ///
    /// The entry is read into memory rather than mapped with `Module::deserialize_file`:
    /// a mapped file that someone truncates in place (an editor, a cleanup script, a test)
    /// kills the process with SIGBUS, and a cache must never crash rustc. Reading a few
    /// MiB costs about a millisecond.
    pub(crate) fn load(&self, engine: &Engine, key: &Key) -> Option<Module> {
        let image = fs::read(self.path(key)).ok()?;
        // SAFETY: `deserialize` trusts the bytes to be a wasmtime artifact. Entries are
        // only ever written by `store` below, from `Module::serialize` of an engine
        // configured exactly as this one (the key covers the module bytes, the backend
        // and the engine's compatibility hash, wasmtime's version included), and they appear
        // under their final name only by an atomic rename after a complete, synced
        // write. wasmtime still checks the header, the version and engine compatibility,
        // and returns an error (handled as a miss) for truncated or mismatching data.
        unsafe { Module::deserialize(engine, &image) }.ok()
    }

    /// Stores `module` under `key`. Errors mean "not cached", never a failed load.
    pub(crate) fn store(&self, key: &Key, module: &Module) -> std::io::Result<()> {
        let image = module.serialize().map_err(|e| std::io::Error::other(e.to_string()))?;
        fs::create_dir_all(&self.dir)?;
        let final_path = self.path(key);
        let tmp = temp_name(&final_path);
        let result = write_synced(&tmp, &image).and_then(|()| fs::rename(&tmp, &final_path));
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

/// Writes a new file readable and writable by its owner only (0600 where modes exist).
fn write_synced(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(data)?;
    f.sync_all()
}

/// A name beside `final_path` that no other writer uses.
fn temp_name(final_path: &Path) -> PathBuf {
    let mut name = final_path.as_os_str().to_owned();
    name.push(format!(".{}.tmp", crate::unique_tag()));
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(version: wasmtime::ModuleVersionStrategy) -> Engine {
        let mut config = wasmtime::Config::new();
        config.module_version(version).expect("a short version string is accepted");
        Engine::new(&config).expect("the default engine builds")
    }

    /// The key names wasmtime's exact version through the compatibility hash, which is why
    /// no copy of the version lives in this crate.
    #[test]
    fn key_covers_the_wasmtime_version() {
        let bytes = b"\0asm\x01\0\0\0";
        let ours = key(&engine(wasmtime::ModuleVersionStrategy::WasmtimeVersion), Backend::Cranelift, bytes);
        let same = key(&engine(wasmtime::ModuleVersionStrategy::WasmtimeVersion), Backend::Cranelift, bytes);
        let other = key(&engine(wasmtime::ModuleVersionStrategy::Custom("0.0.1".into())), Backend::Cranelift, bytes);
        assert_eq!(ours, same);
        assert_ne!(ours, other);
    }
}
