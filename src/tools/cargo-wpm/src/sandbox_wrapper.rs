//! `cargo-wpm` as the `RUSTC_WRAPPER` of `cargo wpm sandbox` ([`crate::sandbox::STATE_ENV`]
//! set): every compilation runs unchanged except proc-macro libraries.
//!
//! For `--crate-type proc-macro` with a `link` emit, not named by `--native`:
//! 1. rustc runs on the original arguments with `--emit=dep-info` only, which writes the
//!    dep-info file Cargo reads (`<out-dir>/<crate><extra-filename>.d`) and shows syntax
//!    errors as natively, but produces no library;
//! 2. the wasm module is taken from the module cache or built by the builder
//!    ([`crate::pipeline`]) from `CARGO_MANIFEST_DIR` (a crates.io package by name and
//!    version) with exactly the `--cfg feature=".."` set rustc got (`--no-default-features
//!    --features ..`, or without `--no-default-features` when `default` is in the set);
//! 3. its shim is taken from or built into the shared shim cache (`wpm_shim::cache`) with
//!    the compiler Cargo runs;
//! 4. the shim's library is copied to the file Cargo expects
//!    (`<out-dir>/lib<crate><extra-filename>.so`), so Cargo's own `--extern` of every
//!    dependent loads it;
//! 5. a [`Record`] goes to the state directory for `--report`.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::fsutil::cache_dir;
use crate::pipeline::{self, BuildOptions, Opt};
use crate::sandbox::{Record, NATIVE_ENV, STATE_ENV};

/// Whether this process was started by cargo as the sandbox's wrapper.
pub(crate) fn is_sandbox_invocation() -> bool {
    std::env::var_os(STATE_ENV).is_some_and(|v| !v.is_empty())
}

/// What the wrapper needs to know of one rustc command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Invocation {
    /// `--crate-name`.
    pub(crate) crate_name: Option<String>,
    /// Whether `--crate-type proc-macro` is among the crate types.
    pub(crate) proc_macro: bool,
    /// Whether the emitted kinds include `link` (the default when `--emit` is absent).
    pub(crate) links: bool,
    /// `--out-dir`.
    pub(crate) out_dir: Option<PathBuf>,
    /// `-C extra-filename`.
    pub(crate) extra_filename: String,
    /// The `--cfg feature="..."` values, sorted.
    pub(crate) features: Vec<String>,
    /// Whether it is a query (`--print`): Cargo learning about the target, not a build.
    pub(crate) prints: bool,
}

impl Invocation {
    /// Whether this compilation builds a proc-macro library the wrapper should replace.
    pub(crate) fn builds_proc_macro(&self) -> bool {
        self.proc_macro && self.links && !self.prints && self.out_dir.is_some() && self.crate_name.is_some()
    }
}

/// Reads the parts of rustc's arguments the wrapper acts on.
pub(crate) fn parse(args: &[OsString]) -> Invocation {
    let mut inv = Invocation { links: true, ..Invocation::default() };
    let mut emit_seen = false;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].to_string_lossy();
        // `--flag value` and `--flag=value` alike.
        let mut value = |flag: &str| -> Option<String> {
            if arg == flag {
                i += 1;
                return args.get(i).map(|v| v.to_string_lossy().into_owned());
            }
            arg.strip_prefix(flag).and_then(|rest| rest.strip_prefix('=')).map(str::to_owned)
        };
        if let Some(v) = value("--crate-name") {
            inv.crate_name = Some(v);
        } else if let Some(v) = value("--crate-type") {
            inv.proc_macro |= v.split(',').any(|t| t == "proc-macro");
        } else if let Some(v) = value("--emit") {
            // Several `--emit`s add up.
            let links = v.split(',').any(|kind| kind.split('=').next() == Some("link"));
            inv.links = if emit_seen { inv.links || links } else { links };
            emit_seen = true;
        } else if let Some(v) = value("--out-dir") {
            inv.out_dir = Some(PathBuf::from(v));
        } else if value("--print").is_some() {
            inv.prints = true;
        } else if let Some(v) = value("--cfg") {
            if let Some(name) = v.strip_prefix("feature=\"").and_then(|f| f.strip_suffix('"')) {
                inv.features.push(name.to_owned());
            }
        } else if let Some(v) = value("-C").or_else(|| arg.strip_prefix("-C").map(str::to_owned)) {
            if let Some(extra) = v.strip_prefix("extra-filename=") {
                inv.extra_filename = extra.to_owned();
            }
        }
        i += 1;
    }
    inv.features.sort();
    inv.features.dedup();
    inv
}

/// `args` with every `--emit` replaced by one `--emit=dep-info`.
pub(crate) fn dep_info_args(args: &[OsString]) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--emit" {
            iter.next();
        } else if !arg.to_string_lossy().starts_with("--emit=") {
            out.push(arg.clone());
        }
    }
    out.push("--emit=dep-info".into());
    out
}

/// Runs as the wrapper: `args` is `[self, rustc, rustc args...]`. Returns the exit code.
pub(crate) fn run(args: Vec<OsString>) -> i32 {
    let mut args = args.into_iter().skip(1);
    let Some(rustc) = args.next() else {
        eprintln!("cargo-wpm: {STATE_ENV} is set but no compiler was given");
        return 2;
    };
    let rest: Vec<OsString> = args.collect();
    let inv = parse(&rest);
    let Some(crate_name) = inv.crate_name.clone().filter(|_| inv.builds_proc_macro()) else {
        return run_rustc(&rustc, &rest);
    };
    let package = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| crate_name.clone());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_else(|_| "0.0.0".to_owned());
    let native: Vec<String> = std::env::var(NATIVE_ENV)
        .unwrap_or_default()
        .split(',')
        .filter(|n| !n.is_empty())
        .map(|n| n.replace('-', "_"))
        .collect();
    let Some(state) = std::env::var_os(STATE_ENV).map(PathBuf::from) else { return 2 };
    pipeline::log_progress_to(state.join(crate::sandbox::PROGRESS_FILE));
    if native.iter().any(|n| *n == crate_name || *n == package.replace('-', "_")) {
        pipeline::progress(&format!("{package} {version} stays native (--native {package})"));
        let code = run_rustc(&rustc, &rest);
        let record = Record {
            krate: crate_name,
            version,
            source: source_kind(&manifest_dir()),
            wasm: false,
            macros: 0,
            module_bytes: 0,
            seconds: 0.0,
            module_cached: false,
            shim_cached: false,
        };
        write_record(&state, &record);
        return code;
    }
    // Under `RUSTC_WORKSPACE_WRAPPER` (clippy) Cargo runs `<this> <clippy-driver> <rustc>
    // args`: the wrapper chain runs the dep-info step, the shim needs the compiler itself.
    let compiler = match rest.first() {
        Some(first) if is_compiler_path(first) => first.clone(),
        _ => rustc.clone(),
    };
    match sandbox_crate(&rustc, &compiler, &rest, &inv, &crate_name, &package, &version) {
        Ok(Some(record)) => {
            write_record(&state, &record);
            0
        }
        Ok(None) => 1,
        Err(message) => {
            eprintln!(
                "error: cannot run proc-macro crate `{package}` {version} in the wasm sandbox: {message}\n\
                 (to keep it native: cargo wpm sandbox --native {package} ...)"
            );
            1
        }
    }
}

/// The package directory Cargo compiles.
fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default()
}

/// Whether a first rustc argument is a compiler's path (a workspace wrapper's argument)
/// rather than an option or a source file.
fn is_compiler_path(arg: &OsStr) -> bool {
    let path = Path::new(arg);
    !arg.to_string_lossy().starts_with('-')
        && path.extension().is_none_or(|e| e == "exe")
        && path.file_stem().is_some_and(|n| n.to_string_lossy().starts_with("rustc"))
}

/// Steps 1–4 of the module documentation; `rustc` runs the dep-info step (with `args`),
/// `compiler` builds the shim. `Ok(None)`: rustc itself failed (its output is shown
/// already).
fn sandbox_crate(
    rustc: &OsStr,
    compiler: &OsStr,
    args: &[OsString],
    inv: &Invocation,
    crate_name: &str,
    package: &str,
    version: &str,
) -> Result<Option<Record>, String> {
    let started = Instant::now();
    let dir = manifest_dir();
    let out_dir = inv.out_dir.clone().ok_or("rustc was given no --out-dir")?;
    if run_rustc(rustc, &dep_info_args(args)) != 0 {
        return Ok(None);
    }
    // The nested cargo runs must not see the outer build's settings.
    for var in [
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
        "OUT_DIR",
        STATE_ENV,
        NATIVE_ENV,
    ] {
        // Single-threaded here, and edition 2021: removing is sound.
        std::env::remove_var(var);
    }
    let source = source_kind(&dir);
    let module = module_for(&dir, &source, package, version, &inv.features)?;
    let request = wpm_shim::cache::ShimRequest { name: crate_name, version: Some(version), module: &module.path };
    let shim = wpm_shim::cache::shim_for(&request, compiler, &mut |line| pipeline::progress(line))
        .map_err(|e| e.to_string())?;
    let file =
        format!("{}{crate_name}{}{}", std::env::consts::DLL_PREFIX, inv.extra_filename, std::env::consts::DLL_SUFFIX);
    let dest = out_dir.join(&file);
    let tmp = out_dir.join(format!("{file}.wpm-tmp"));
    // A copy, not a link: its modification time must be now, or Cargo would find the
    // library older than its dependencies next time and rebuild it.
    std::fs::copy(&shim.library, &tmp).map_err(|e| format!("cannot copy {}: {e}", shim.library.display()))?;
    std::fs::rename(&tmp, &dest).map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    pipeline::progress(&format!(
        "{package} {version} runs in wasm ({} macros, {} bytes{}) in {seconds:.1} s",
        module.macros,
        module.bytes,
        if module.cached { ", cached module" } else { "" }
    ));
    Ok(Some(Record {
        krate: crate_name.to_owned(),
        version: version.to_owned(),
        source,
        wasm: true,
        macros: module.macros,
        module_bytes: module.bytes,
        seconds,
        module_cached: module.cached,
        shim_cached: shim.cached,
    }))
}

/// Where a package comes from, judged by its directory: Cargo unpacks registry packages
/// under `registry/src/<index>/` and git dependencies under `git/checkouts/`.
pub(crate) fn source_kind(dir: &Path) -> String {
    let text = dir.to_string_lossy();
    if text.contains("/registry/src/index.crates.io-") {
        "crates.io".to_owned()
    } else if text.contains("/registry/src/") {
        "registry".to_owned()
    } else if text.contains("/git/checkouts/") {
        "git".to_owned()
    } else {
        "path".to_owned()
    }
}

/// A module from the module cache.
struct CachedModule {
    path: PathBuf,
    macros: usize,
    bytes: u64,
    cached: bool,
}

/// What the module cache stores beside each module.
#[derive(serde::Serialize, serde::Deserialize)]
struct ModuleInfo {
    macros: usize,
    bytes: u64,
}

/// The module of the package in `dir` with `features`: from `<cache>/sandbox/modules/KEY/`,
/// or built and stored there.
fn module_for(
    dir: &Path,
    source: &str,
    package: &str,
    version: &str,
    features: &[String],
) -> Result<CachedModule, String> {
    let key = module_key(dir, source, package, version, features);
    let entry = cache_dir().map_err(|e| e.to_string())?.join("sandbox").join("modules").join(&key);
    let path = entry.join("module.wasm");
    let info_path = entry.join("info.json");
    if let Some(info) = std::fs::read(&info_path).ok().and_then(|b| serde_json::from_slice::<ModuleInfo>(&b).ok()) {
        if path.is_file() {
            return Ok(CachedModule { path, macros: info.macros, bytes: info.bytes, cached: true });
        }
    }
    std::fs::create_dir_all(&entry).map_err(|e| format!("cannot create {}: {e}", entry.display()))?;
    // crates.io packages resolve by name and version (the builder's lockfile and copy are
    // shared with `cargo wpm build NAME@VERSION`); everything else builds from its directory.
    let spec = if source == "crates.io" { format!("{package}@{version}") } else { dir.display().to_string() };
    let tmp = entry.join(format!("module.wasm.{}.tmp", std::process::id()));
    // `default` plus the rest is the same set as the rest without `--no-default-features`,
    // and the same arguments as a plain `cargo wpm build`, whose guest build is then shared.
    let no_default_features = !features.iter().any(|f| f == "default");
    let opts = BuildOptions {
        spec,
        output: Some(tmp.clone()),
        features: features.iter().filter(|f| *f != "default").cloned().collect(),
        all_features: false,
        no_default_features,
        opt: Opt::Speed,
        verbose: false,
    };
    let built = pipeline::build(&opts).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let info = ModuleInfo { macros: built.macros, bytes: built.bytes };
    let json = serde_json::to_vec(&info).map_err(|e| e.to_string())?;
    let info_tmp = entry.join(format!("info.json.{}.tmp", std::process::id()));
    std::fs::write(&info_tmp, json).map_err(|e| format!("cannot write {}: {e}", info_tmp.display()))?;
    std::fs::rename(&info_tmp, &info_path).map_err(|e| format!("cannot write {}: {e}", info_path.display()))?;
    Ok(CachedModule { path, macros: built.macros, bytes: built.bytes, cached: false })
}

/// The module cache key: the package's identity (crates.io name and version, which never
/// change content; else a hash of every file of its directory and of its workspace's root
/// manifest and lockfile, up to the first one with a `[workspace]`), the features, and the
/// builder (this binary by content, the guest compiler by `rustc -vV`): a module is rebuilt
/// when what builds it changed, not when a file was merely touched.
fn module_key(dir: &Path, source: &str, package: &str, version: &str, features: &[String]) -> String {
    let mut h = Sha256::new();
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part(b"wpm-sandbox-module-1");
    part(source.as_bytes());
    part(package.as_bytes());
    part(version.as_bytes());
    if source != "crates.io" {
        hash_tree(&mut part, dir, dir);
        // Up to the workspace root: inherited values and locked versions come from there.
        for ancestor in dir.ancestors() {
            let mut is_root = false;
            for name in ["Cargo.toml", "Cargo.lock"] {
                if let Ok(bytes) = std::fs::read(ancestor.join(name)) {
                    is_root |= name == "Cargo.toml" && String::from_utf8_lossy(&bytes).contains("[workspace");
                    part(ancestor.join(name).as_os_str().as_encoded_bytes());
                    part(&bytes);
                }
            }
            if is_root {
                break;
            }
        }
    }
    part(features.join(",").as_bytes());
    // The builder: this binary by content (a rebuilt cargo-wpm with the same bytes builds the
    // same modules), and the guest compiler by its `-vV` (version and commit).
    let exe = std::env::current_exe().and_then(std::fs::read).map(|bytes| Sha256::digest(bytes).to_vec());
    part(&exe.unwrap_or_default());
    let rustc = crate::toolchain::guest_rustc();
    part(rustc.as_os_str().as_encoded_bytes());
    let version = Command::new(&rustc).arg("-vV").output().ok().filter(|o| o.status.success());
    part(&version.map(|o| o.stdout).unwrap_or_default());
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Feeds every file under `path` (sorted; `target/` and VCS directories skipped) to `part`:
/// its path relative to `root`, then its contents.
fn hash_tree(part: &mut impl FnMut(&[u8]), root: &Path, path: &Path) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(path).map(|r| r.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        entries.sort();
        for entry in entries {
            let skip = entry.file_name().is_some_and(|n| n == "target" || n == ".git" || n == ".hg");
            if !skip {
                hash_tree(part, root, &entry);
            }
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        part(path.strip_prefix(root).unwrap_or(path).as_os_str().as_encoded_bytes());
        part(&bytes);
    }
}

/// Writes `record` into the state directory (a lost record only shortens the report).
fn write_record(state: &Path, record: &Record) {
    let name = format!("{}-{}-{}.json", record.krate, record.version, std::process::id());
    if let Ok(json) = serde_json::to_vec(record) {
        let _ = std::fs::write(state.join("records").join(name), json);
    }
}

/// Runs `rustc args` and returns its exit code.
fn run_rustc(rustc: &OsStr, args: &[OsString]) -> i32 {
    crate::wrapper::exit_code(Command::new(rustc).args(args), rustc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn reads_what_cargo_passes_for_a_proc_macro() {
        let line = r#"--crate-name serde_derive --edition=2015 src/lib.rs --error-format=json --crate-type proc-macro --emit=dep-info,link -C prefer-dynamic -C embed-bitcode=no --cfg feature="default" --cfg feature="deserialize_in_place" --check-cfg cfg(feature,values("default")) -C metadata=9f -C extra-filename=-e8f5 --out-dir /t/debug/deps -L dependency=/t/debug/deps --extern proc_macro2=/t/x.rlib --extern proc_macro --cap-lints allow"#;
        let inv = parse(&args(line));
        assert_eq!(inv.crate_name.as_deref(), Some("serde_derive"));
        assert!(inv.builds_proc_macro());
        assert_eq!(inv.out_dir.as_deref(), Some(Path::new("/t/debug/deps")));
        assert_eq!(inv.extra_filename, "-e8f5");
        assert_eq!(inv.features, ["default", "deserialize_in_place"]);
        let deps = dep_info_args(&args(line));
        assert!(deps.iter().filter(|a| a.to_string_lossy().starts_with("--emit")).count() == 1);
        assert_eq!(deps.last().map(|a| a.to_string_lossy().into_owned()).as_deref(), Some("--emit=dep-info"));
    }

    #[test]
    fn other_compilations_are_not_proc_macros() {
        let lib = parse(&args("--crate-name serde --crate-type lib --emit=dep-info,metadata,link"));
        assert!(!lib.proc_macro);
        let check = parse(&args("--crate-name m --crate-type proc-macro --emit=dep-info,metadata"));
        assert!(check.proc_macro && !check.links);
        let test = parse(&args("--crate-name m --test --emit=dep-info,link"));
        assert!(!test.proc_macro);
        let joined = parse(&args("--crate-name=m --crate-type=proc-macro -Cextra-filename=-1 --out-dir=/o"));
        assert!(joined.builds_proc_macro());
        let query = parse(&args("- --crate-name ___ --print=file-names --crate-type proc-macro --print=cfg"));
        assert!(query.prints && !query.builds_proc_macro());
        assert_eq!((joined.extra_filename.as_str(), joined.out_dir.as_deref()), ("-1", Some(Path::new("/o"))));
    }

    #[test]
    fn compiler_paths() {
        assert!(is_compiler_path(OsStr::new("/root/.rustup/toolchains/stable/bin/rustc")));
        assert!(is_compiler_path(OsStr::new("rustc")));
        assert!(!is_compiler_path(OsStr::new("--crate-name")));
        assert!(!is_compiler_path(OsStr::new("src/lib.rs")));
        assert!(!is_compiler_path(OsStr::new("rustc_macros/src/lib.rs")));
    }

    #[test]
    fn sources_by_directory() {
        let reg = Path::new("/h/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_derive-1.0.229");
        assert_eq!(source_kind(reg), "crates.io");
        assert_eq!(source_kind(Path::new("/h/.cargo/git/checkouts/x-1/abc/m")), "git");
        assert_eq!(source_kind(Path::new("/work/project/macros")), "path");
    }
}
