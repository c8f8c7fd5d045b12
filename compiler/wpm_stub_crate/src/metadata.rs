//! Real crate metadata for a wasm module: the stub crate compiled in-process to `.rmeta`.
//!
//! The file is cached under `<meta dir>/<key>/lib<NAME>.rmeta` (the fork's meta dir is
//! `<cache root>/rustc-meta`, or a private scratch directory), where the key hashes
//! the module's bytes, the crate name, the stub source and the compiler's version, so a
//! changed module or compiler never reuses stale metadata. The key is also passed as
//! `-C metadata`, so two modules under one name get distinct crate ids (and incremental
//! compilation of users sees the change). The build directory is remapped to a fixed name, so
//! the same job gives the same crate hash in any cache: a crate built against the stub in one
//! cache loads it, as a transitive dependency, from another.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// What to synthesize metadata for.
pub struct Job<'a> {
    /// Crate name.
    pub name: &'a str,
    /// SHA-256 of the module file.
    pub module_hash: [u8; 32],
    /// Stub crate source (see [`crate::source`]).
    pub source: &'a str,
    /// The edition the stub crate is compiled with: the macro crate's, from the module's
    /// build metadata (`wpm_host::read_build_info`; 2021 for a module without it). It is the
    /// macros' definition edition, which tokens they emit with call-site spans take.
    pub edition: wpm_host::Edition,
    /// `--sysroot` to pass on, if the user gave one.
    pub sysroot: Option<&'a Path>,
    /// `-Zthreads` of the outer compilation (the nested run must agree with it).
    pub threads: usize,
    /// The compiling rustc's version (metadata of another compiler is unreadable).
    pub compiler_version: &'a str,
}

/// Runs a compiler with the given command line (arg 0 is the program name) and says whether
/// it succeeded; the driver passes its own `run_compiler`, so nothing is spawned.
pub type Compile<'a> = dyn FnMut(&[String]) -> bool + 'a;

/// Returns the path of the job's `.rmeta`, compiling the stub crate on a cache miss.
///
/// # Errors
/// A message when the cache directory cannot be written or the stub does not compile.
pub fn metadata(job: &Job<'_>, meta_dir: &Path, compile: &mut Compile<'_>) -> Result<PathBuf, String> {
    let key = key(job);
    let dir = meta_dir.join(&key);
    let file = dir.join(format!("lib{}.rmeta", job.name));
    if file.is_file() {
        return Ok(file);
    }
    // Build in a private directory and rename into place, so concurrent compilations never
    // see a half-written file.
    let tmp = dir.join(format!("tmp-{}", wpm_host::unique_tag()));
    fs::create_dir_all(&tmp).map_err(|e| format!("cannot create `{}`: {e}", tmp.display()))?;
    let result = build(job, &key, &tmp, &file, compile);
    let _ = fs::remove_dir_all(&tmp);
    result.map(|()| file)
}

fn build(job: &Job<'_>, key: &str, tmp: &Path, file: &Path, compile: &mut Compile<'_>) -> Result<(), String> {
    let src = tmp.join("stub.rs");
    fs::write(&src, job.source).map_err(|e| format!("cannot write `{}`: {e}", src.display()))?;
    let out = tmp.join(format!("lib{}.rmeta", job.name));
    let mut args: Vec<String> = vec![
        "rustc".into(),
        "--crate-name".into(),
        job.name.into(),
        "--crate-type".into(),
        "proc-macro".into(),
        "--edition".into(),
        job.edition.as_str().into(),
        "--emit".into(),
        format!("metadata={}", out.display()),
        "-C".into(),
        format!("metadata={key}"),
        // The crate hash covers source file names: without this, a stub compiled in another
        // cache or scratch directory would get another hash, and crates built against one
        // copy could not load another (E0463 for a transitive dependency).
        "--remap-path-prefix".into(),
        format!("{}={STUB_DIR}", tmp.display()),
        "--cap-lints".into(),
        "allow".into(),
    ];
    if let Some(sysroot) = job.sysroot {
        args.push("--sysroot".into());
        args.push(sysroot.display().to_string());
    }
    if job.threads != 1 {
        args.push(format!("-Zthreads={}", job.threads));
    }
    args.push(src.display().to_string());
    if !compile(&args) || !out.is_file() {
        return Err(format!("could not build metadata for crate `{}` (stub crate in `{}`)", job.name, src.display()));
    }
    fs::rename(&out, file).map_err(|e| format!("cannot move metadata to `{}`: {e}", file.display()))
}

/// What the stub's build directory is called in its metadata (its source is `wpm-stub/stub.rs`
/// wherever it was compiled), so the crate hash depends on the key's inputs alone.
const STUB_DIR: &str = "wpm-stub";

/// The cache key: hex SHA-256 over everything the metadata depends on.
fn key(job: &Job<'_>) -> String {
    let mut h = Sha256::new();
    for part in [
        &b"rustc_wasm_proc_macro metadata v2"[..],
        job.compiler_version.as_bytes(),
        env!("CARGO_PKG_VERSION").as_bytes(),
        job.name.as_bytes(),
        &job.module_hash,
        job.edition.as_str().as_bytes(),
        job.source.as_bytes(),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job<'a>(source: &'a str, module_hash: [u8; 32]) -> Job<'a> {
        Job {
            name: "Demo",
            module_hash,
            source,
            edition: wpm_host::Edition::E2021,
            sysroot: None,
            threads: 1,
            compiler_version: "1.96.0-dev",
        }
    }

    /// A stand-in compiler that writes the `--emit metadata=PATH` file and counts calls.
    fn fake(calls: &mut Vec<Vec<String>>) -> impl FnMut(&[String]) -> bool + '_ {
        move |args| {
            calls.push(args.to_vec());
            let Some(out) = args.iter().find_map(|a| a.strip_prefix("metadata=")).filter(|p| p.ends_with(".rmeta"))
            else {
                return false;
            };
            fs::write(out, b"rmeta").is_ok()
        }
    }

    #[test]
    fn compiles_once_then_hits_the_cache() {
        let root = std::env::temp_dir().join(format!("rwpm-synth-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let mut calls = Vec::new();
        let a = metadata(&job("src", [1; 32]), &root, &mut fake(&mut calls)).unwrap();
        let b = metadata(&job("src", [1; 32]), &root, &mut fake(&mut calls)).unwrap();
        assert_eq!(a, b);
        assert_eq!(calls.len(), 1);
        let args = &calls[0];
        assert!(args.windows(2).any(|w| w == ["--crate-type", "proc-macro"]));
        assert!(args.windows(2).any(|w| w == ["--crate-name", "Demo"]));
        assert!(args.windows(2).any(|w| w == ["--edition", "2021"]));
        // The build directory is remapped to a fixed name: the crate hash must not depend on it.
        let remap = args.iter().position(|a| a == "--remap-path-prefix").expect("--remap-path-prefix");
        let (from, to) = args[remap + 1].split_once('=').unwrap();
        assert!(args.last().unwrap().starts_with(from) && from.contains("tmp-"), "{args:?}");
        assert_eq!(to, STUB_DIR);
        assert!(a.ends_with("libDemo.rmeta") && a.is_file());
        // Another module under the same name gets other metadata.
        let c = metadata(&job("src", [2; 32]), &root, &mut fake(&mut calls)).unwrap();
        assert_ne!(a, c);
        assert_eq!(calls.len(), 2);
        // The module's edition is the stub's, and part of the key.
        let old = Job { edition: wpm_host::Edition::E2015, ..job("src", [1; 32]) };
        let d = metadata(&old, &root, &mut fake(&mut calls)).unwrap();
        assert_ne!(a, d);
        assert!(calls[2].windows(2).any(|w| w == ["--edition", "2015"]));
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_failed_compile_is_an_error_and_leaves_nothing_behind() {
        let root = std::env::temp_dir().join(format!("rwpm-synth-fail-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let err = metadata(&job("src", [3; 32]), &root, &mut |_: &[String]| false).unwrap_err();
        assert!(err.contains("could not build metadata for crate `Demo`"), "{err}");
        let dir = fs::read_dir(&root).unwrap().next().unwrap().unwrap().path();
        assert_eq!(fs::read_dir(dir).unwrap().count(), 0);
        let _ = fs::remove_dir_all(&root);
    }
}
