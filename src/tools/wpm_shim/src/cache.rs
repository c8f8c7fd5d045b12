//! The shim cache: one generated and built shim per (module, crate name, version, rustc,
//! tool version), shared by every tool on the machine (`wpm-rustc`, `cargo wpm sandbox`).
//!
//! Layout under the cache root:
//! - `target/`: one Cargo target directory shared by all shims (wasmtime is built once);
//! - `build.lock`: held while a shim is generated, built and copied out;
//! - `KEY/crate/`: the generated crate; `KEY/lib<name>.so`: its built library; `KEY/ready`:
//!   written last (by rename), so a present `ready` means the library is complete.

use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// Overrides the shim cache's directory (empty counts as unset). By default `shims/` under
/// [`wpm_host::cache_root`]: `$WPM_CACHE_DIR/shims`, else `$XDG_CACHE_HOME/wpm/shims`, else
/// `$HOME/.cache/wpm/shims`.
pub const ENV_SHIM_CACHE: &str = "WPM_SHIM_CACHE";

/// A shim to build: the crate name dependents use and the module it runs.
#[derive(Clone, Debug)]
pub struct ShimRequest<'a> {
    /// The crate (and package) name: `serde_derive`.
    pub name: &'a str,
    /// The package version. By default [`crate::DEFAULT_VERSION`]. Two shims of one name
    /// that may meet in one build need two versions: Cargo derives the library's crate
    /// identity from name and version.
    pub version: Option<&'a str>,
    /// The module file.
    pub module: &'a Path,
}

/// A built shim, ready for `--extern`.
#[derive(Clone, Debug)]
pub struct Built {
    /// The proc-macro library.
    pub library: PathBuf,
    /// Where its dependencies live (`-L dependency=`).
    pub deps: PathBuf,
    /// Whether it was in the cache already (nothing was generated or built).
    pub cached: bool,
}

/// Why a shim could not be made.
#[derive(Debug)]
pub enum CacheError {
    /// No cache directory could be chosen.
    NoCacheDir(wpm_host::NoCacheRoot),
    /// A file operation failed.
    Io(String, io::Error),
    /// The shim could not be generated (bad module, bad names).
    Generate(String, crate::ShimError),
    /// A tool could not be run or failed; the message includes its output.
    Tool(String),
    /// The cache directory could be written by someone else (or could not be created).
    Untrusted(PathBuf, String),
}

impl std::error::Error for CacheError {}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheError::NoCacheDir(why) => write!(
                f,
                "shims are built in a cache, and there is none: {why}; set {ENV_SHIM_CACHE} or \
                 {} to a directory",
                wpm_host::ENV_CACHE_DIR
            ),
            CacheError::Io(what, e) => write!(f, "{what}: {e}"),
            CacheError::Generate(name, e) => write!(f, "cannot generate the shim for `{name}`: {e}"),
            CacheError::Tool(m) => f.write_str(m),
            CacheError::Untrusted(dir, why) => write!(
                f,
                "the shim cache `{}` {why}: shims are native code, so only its owner may write it \
                 (fix its ownership and mode, or set {ENV_SHIM_CACHE})",
                dir.display()
            ),
        }
    }
}

/// The shim cache's directory (see [`ENV_SHIM_CACHE`]).
fn cache_root() -> Result<PathBuf, CacheError> {
    match std::env::var_os(ENV_SHIM_CACHE).filter(|v| !v.is_empty()) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => wpm_host::cache_root().map(|root| root.join("shims")).map_err(CacheError::NoCacheDir),
    }
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> CacheError {
    let what = what.into();
    move |e| CacheError::Io(what, e)
}

/// `rustc -vV` of the compiler the shim must be built with: a proc macro only loads into the
/// exact compiler that built it.
fn rustc_version(rustc: &OsStr) -> Result<Vec<u8>, CacheError> {
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .map_err(io_err(format!("cannot run `{} -vV`", rustc.to_string_lossy())))?;
    if !out.status.success() {
        return Err(CacheError::Tool(format!(
            "`{} -vV` failed: {}",
            rustc.to_string_lossy(),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(out.stdout)
}

/// The cache key: every input the built library depends on.
fn key(m: &ShimRequest<'_>, module: &[u8], rustc_vv: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [
        env!("CARGO_PKG_VERSION").as_bytes(),
        m.name.as_bytes(),
        m.version.unwrap_or(crate::DEFAULT_VERSION).as_bytes(),
        rustc_vv,
        crate::default_wpm_root().as_os_str().as_encoded_bytes(),
        module,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    // The runtime is linked into the shim, and the generator wrote it: a changed host (new
    // limits, a fix) or generator must not be served from a shim built with the old one.
    let root = crate::default_wpm_root();
    for source in crate::RUNTIME_SOURCES.iter().chain(&["src/tools/wpm_shim"]) {
        hash_tree(&mut h, &root, &root.join(source));
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Feeds every file under `path` (sorted, `target/` skipped) into `h`: its path relative to
/// `root` and its contents. Unreadable entries count as absent.
fn hash_tree(h: &mut Sha256, root: &Path, path: &Path) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> =
            fs::read_dir(path).map(|r| r.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        entries.sort();
        for entry in entries.iter().filter(|e| !e.ends_with("target")) {
            hash_tree(h, root, entry);
        }
    } else if let Ok(bytes) = fs::read(path) {
        let rel = path.strip_prefix(root).unwrap_or(path);
        for part in [rel.as_os_str().as_encoded_bytes(), &bytes] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
    }
}

/// Environment variables Cargo sets for the rustc it runs that must not leak into the
/// nested build of a shim (they would redirect its output, flags or target).
const CLEARED_ENV: &[&str] = &[
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
    "CARGO_PRIMARY_PACKAGE",
];

/// Returns the built shim for `m`, generating and building it with `rustc` (the compiler
/// that will load it) on first use, which is announced through `progress` (one line).
///
/// # Errors
/// A [`CacheError`] when the module is unusable or the build fails.
///
/// # Examples
/// ```no_run
/// let request = wpm_shim::cache::ShimRequest {
///     name: "serde_derive",
///     version: Some("1.0.229"),
///     module: "serde_derive.wasm".as_ref(),
/// };
/// let built = wpm_shim::cache::shim_for(&request, "rustc".as_ref(), &mut |line| eprintln!("{line}"))?;
/// println!("--extern serde_derive={}", built.library.display());
/// # Ok::<(), wpm_shim::cache::CacheError>(())
/// ```
pub fn shim_for(m: &ShimRequest<'_>, rustc: &OsStr, progress: &mut dyn FnMut(&str)) -> Result<Built, CacheError> {
    let module = fs::read(m.module).map_err(io_err(format!("cannot read {}", m.module.display())))?;
    let root = cache_root()?;
    // Shims are native code that rustc loads: never from a directory others can write.
    wpm_host::ensure_private_dir(&root).map_err(|why| CacheError::Untrusted(root.clone(), why))?;
    let key = key(m, &module, &rustc_version(rustc)?);
    let dir = root.join(&key);
    let lib_file = format!("{}{}{}", std::env::consts::DLL_PREFIX, m.name, std::env::consts::DLL_SUFFIX);
    let mut built =
        Built { library: dir.join(&lib_file), deps: root.join("target").join("release").join("deps"), cached: true };
    if dir.join("ready").is_file() {
        return Ok(built);
    }
    fs::create_dir_all(&root).map_err(io_err(format!("cannot create {}", root.display())))?;
    let lock_path = root.join("build.lock");
    let lock = File::create(&lock_path).map_err(io_err(format!("cannot create {}", lock_path.display())))?;
    lock.lock().map_err(io_err(format!("cannot lock {}", lock_path.display())))?;
    // Another invocation may have finished it while we waited for the lock.
    if dir.join("ready").is_file() {
        return Ok(built);
    }
    built.cached = false;
    let crate_dir = dir.join("crate");
    let stem = m.module.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let opts = crate::ShimOptions {
        name: Some(m.name.to_owned()),
        version: m.version.map(str::to_owned),
        ..Default::default()
    };
    let generate_err = |e| CacheError::Generate(m.name.to_owned(), e);
    let manifest = crate::read_manifest(m.module).map_err(generate_err)?;
    crate::generate_from_manifest(&manifest, &module, &stem, &crate_dir, &opts).map_err(generate_err)?;
    // Start from the checkout's lock file, so the shim gets the versions the project tests.
    let seed = crate::default_wpm_root().join("Cargo.lock");
    if seed.is_file() && !crate_dir.join("Cargo.lock").exists() {
        fs::copy(&seed, crate_dir.join("Cargo.lock")).map_err(io_err("cannot seed the shim's Cargo.lock"))?;
    }
    progress(&format!("building the native shim for `{}` (first use; cached in {})", m.name, dir.display()));
    build(&crate_dir, &root.join("target"), rustc)?;
    let from = root.join("target").join("release").join(&lib_file);
    let tmp = dir.join(format!("{lib_file}.tmp"));
    fs::copy(&from, &tmp).map_err(io_err(format!("cannot copy {}", from.display())))?;
    fs::rename(&tmp, &built.library).map_err(io_err(format!("cannot move {}", tmp.display())))?;
    let ready_tmp = dir.join("ready.tmp");
    fs::write(&ready_tmp, key.as_bytes()).map_err(io_err("cannot mark the shim ready"))?;
    fs::rename(&ready_tmp, dir.join("ready")).map_err(io_err("cannot mark the shim ready"))?;
    Ok(built)
}

/// Builds the crate at `crate_dir` in release mode with `rustc`; output is shown only on
/// failure.
fn build(crate_dir: &Path, target_dir: &Path, rustc: &OsStr) -> Result<(), CacheError> {
    let cargo = std::env::var_os("CARGO").filter(|c| !c.is_empty()).unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--quiet")
        // No dependent asks for features here: a shim of a module built without its crate's
        // defaults would otherwise refuse its own `default` (docs/shim.md).
        .arg("--no-default-features")
        .arg("--manifest-path")
        .arg(crate_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        .env("RUSTC", rustc);
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    let out = cmd.output().map_err(io_err(format!("cannot run `{}`", cargo.to_string_lossy())))?;
    if !out.status.success() {
        return Err(CacheError::Tool(format!(
            "building the shim in {} failed:\n{}{}",
            crate_dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_cache_says_why_and_what_to_set() {
        let msg = CacheError::NoCacheDir(wpm_host::NoCacheRoot::Disabled).to_string();
        assert!(msg.contains("WPM_CACHE_DIR is set but empty"), "{msg}");
        assert!(msg.contains("set WPM_SHIM_CACHE or WPM_CACHE_DIR to a directory"), "{msg}");
    }
}
