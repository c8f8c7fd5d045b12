//! The driver-stage hook: check `--wasm-proc-macro` values, load the modules, synthesize
//! their metadata and turn each into an `--extern`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_session::EarlyDiagCtxt;
use rustc_session::config::{ExternEntry, ExternLocation, Externs, Options};
use rustc_session::search_paths::{PathKind, SearchPath};
use rustc_session::utils::CanonicalizedPath;
use wpm_host::{Backend, Config, MacroArg as Spec, MacroModule, Runtime};

use crate::slots;

/// Prepares every `--wasm-proc-macro NAME=PATH` of `opts`: after it returns, crate `NAME`
/// is an `--extern` whose metadata is a synthesized proc-macro crate (whose directory is also
/// a dependency search path, for crates that reach `NAME` through an rlib), and
/// `rustc_wasm_proc_macro_registry::proc_macros` hands the crate loader its expanders.
///
/// `compile` runs a nested compiler with a command line and says whether it succeeded; the
/// driver passes its own `run_compiler` (no process is spawned).
///
/// Errors (malformed value, NAME given twice or also given to `--extern`, missing file,
/// invalid module, wrong ABI version, unknown `-Zwasm-proc-macro-backend`) are reported as
/// compiler errors and end the compilation with exit code 1.
///
/// The metadata lives in the cache (`rustc-meta/` under `wpm_host::cache_root`) when the
/// cache is on and only the current user can write it; otherwise in a private scratch
/// directory that the returned [`Scratch`] deletes when dropped: the caller keeps it until
/// the compilation ends (and that is also removed if the process exits first, as rustc for a
/// wasm host does on a fatal error: it cannot unwind). Nothing is ever read from a directory
/// others can write.
#[must_use = "the synthesized metadata is deleted when the guard is dropped"]
pub fn prepare(early_dcx: &EarlyDiagCtxt, opts: &mut Options, compile: &mut dyn FnMut(&[String]) -> bool) -> Scratch {
    let mut scratch = Scratch(None);
    if opts.wasm_proc_macros.is_empty() {
        return scratch;
    }
    let mut errors = Vec::new();
    let specs = check_specs(opts, &mut errors);
    let runtime = if errors.is_empty() { runtime(opts).map_err(|e| errors.push(e)).ok() } else { None };
    let meta_dir = if runtime.is_some() {
        metadata_dir(early_dcx, &mut scratch).map_err(|e| errors.push(e)).ok()
    } else {
        None
    };
    let mut added = BTreeMap::new();
    if let (Some(runtime), Some(meta_dir)) = (runtime, meta_dir) {
        for spec in &specs {
            match prepare_one(spec, runtime, &meta_dir, opts, compile) {
                Ok(rmeta) => {
                    added.insert(spec.name.clone(), rmeta);
                }
                Err(e) => errors.push(e),
            }
        }
    }
    if let Some(last) = errors.pop() {
        for e in errors {
            // The `early_fatal` below makes the exit status non-zero.
            let _ = early_dcx.early_err(e);
        }
        early_dcx.early_fatal(last);
    }
    let mut externs: BTreeMap<String, ExternEntry> =
        opts.externs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let registered: Vec<PathBuf> = added.values().cloned().collect();
    for (name, rmeta) in added {
        let entry = ExternEntry {
            location: ExternLocation::ExactPaths([CanonicalizedPath::new(rmeta)].into()),
            is_private_dep: false,
            add_prelude: true,
            nounused_dep: false,
            force: false,
        };
        externs.insert(name, entry);
    }
    opts.externs = Externs::new(externs);
    // A crate built with `--wasm-proc-macro NAME=...` records NAME as a dependency; in its
    // users, rustc looks transitive dependencies up in the `-L` directories (never through
    // `--extern`), by name and crate hash: each stub's own directory is searched too.
    for rmeta in registered {
        if let Some(dir) = rmeta.parent() {
            opts.search_paths.push(SearchPath::new(PathKind::Dependency, dir.to_owned()));
        }
    }
    scratch
}

/// A private directory holding this compilation's synthesized metadata when the cache is
/// off or untrusted; deleted on drop, or when the process exits without dropping it.
#[derive(Debug)]
pub struct Scratch(Option<PathBuf>);

impl Scratch {
    fn set(&mut self, dir: PathBuf) {
        at_exit::remove_dir(&dir);
        self.0 = Some(dir);
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = std::fs::remove_dir_all(&dir);
            at_exit::forget_dir(&dir);
        }
    }
}

/// Scratch directories that go when the process exits: a fatal error in rustc built with
/// `panic=abort` (rustc.wasm) ends in `std::process::exit`, which runs C `atexit` handlers
/// but no destructors, so a [`Scratch`] alive at that point is never dropped.
mod at_exit {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, Once};

    static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

    unsafe extern "C" {
        fn atexit(f: extern "C" fn()) -> core::ffi::c_int;
    }

    extern "C" fn remove_all() {
        // `try_lock`: a thread that exits while another holds the lock leaves the rest alone
        // rather than wait at exit.
        if let Ok(mut dirs) = DIRS.try_lock() {
            for dir in dirs.drain(..) {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }

    /// Removes `dir` when the process exits, unless [`forget_dir`] is called first.
    pub(super) fn remove_dir(dir: &Path) {
        static REGISTER: Once = Once::new();
        // SAFETY: `remove_all` is an `extern "C" fn()` that never unwinds (it only removes
        // files and ignores errors); `atexit` keeps the pointer, which is 'static.
        REGISTER.call_once(|| unsafe {
            atexit(remove_all);
        });
        DIRS.lock().unwrap_or_else(|e| e.into_inner()).push(dir.to_owned());
    }

    /// Undoes [`remove_dir`]: the directory is gone already.
    pub(super) fn forget_dir(dir: &Path) {
        DIRS.lock().unwrap_or_else(|e| e.into_inner()).retain(|d| d != dir);
    }
}

/// Where synthesized metadata goes: the cache's `rustc-meta/` if it may be trusted, else a
/// fresh private directory recorded in `scratch`.
fn metadata_dir(early_dcx: &EarlyDiagCtxt, scratch: &mut Scratch) -> Result<PathBuf, String> {
    if let Ok(root) = wpm_host::cache_root() {
        let dir = root.join("rustc-meta");
        match wpm_host::ensure_private_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(why) => early_dcx.early_warn(format!(
                "the wasm proc-macro metadata cache `{}` {why}; it is not used (only its owner may write a \
                 cache: fix its ownership and mode, or point WPM_CACHE_DIR elsewhere)",
                dir.display()
            )),
        }
    }
    let parent = scratch_parent();
    for attempt in 0..100 {
        let dir = parent.join(format!("rustc-wpm-{}-{attempt}", wpm_host::unique_tag()));
        // `create_dir` fails on an existing path, so the directory is ours alone.
        match create_private(&dir) {
            Ok(()) => {
                scratch.set(dir.clone());
                return Ok(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create a private directory in `{}`: {e}", parent.display())),
        }
    }
    Err(format!("cannot create a private directory in `{}`: every name is taken", parent.display()))
}

/// The system temp directory; on WASI (which has none) `$TMPDIR`, else the current directory.
fn scratch_parent() -> PathBuf {
    if cfg!(target_os = "wasi") {
        std::env::var_os("TMPDIR").map_or_else(|| PathBuf::from("."), PathBuf::from)
    } else {
        std::env::temp_dir()
    }
}

#[cfg(unix)]
fn create_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir(dir)
}

/// Crates of the sysroot: a wasm proc-macro crate under one of these names would shadow it.
const SYSROOT_CRATES: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// Parses the values and checks names and files; problems go to `errors`.
fn check_specs(opts: &Options, errors: &mut Vec<String>) -> Vec<Spec> {
    let mut specs: Vec<Spec> = Vec::new();
    for value in &opts.wasm_proc_macros {
        let spec = match wpm_host::parse_macro_arg(value) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        if specs.iter().any(|s| s.name == spec.name) {
            errors.push(format!("crate `{}` is given to `--wasm-proc-macro` more than once", spec.name));
            continue;
        }
        if opts.externs.get(&spec.name).is_some() {
            errors.push(format!(
                "crate `{0}` is given both to `--wasm-proc-macro {0}=...` and to `--extern {0}`",
                spec.name
            ));
            continue;
        }
        if SYSROOT_CRATES.contains(&spec.name.as_str()) {
            errors.push(format!(
                "crate `{}` given to `--wasm-proc-macro` is a standard library crate; choose another name",
                spec.name
            ));
            continue;
        }
        if let Err(e) = std::fs::metadata(&spec.path).and_then(|m| {
            if m.is_file() { Ok(()) } else { Err(std::io::Error::other("not a regular file")) }
        }) {
            errors.push(format!(
                "cannot read wasm proc-macro module `{}` for crate `{}`: {e}",
                spec.path.display(),
                spec.name
            ));
            continue;
        }
        specs.push(spec);
    }
    specs
}

/// The process's runtime for the backend chosen by `-Zwasm-proc-macro-backend`.
fn runtime(opts: &Options) -> Result<&'static Runtime, String> {
    let mut config = Config::default();
    if let Some(name) = opts.unstable_opts.wasm_proc_macro_backend.as_deref() {
        config.backend = Backend::parse(name).ok_or_else(|| {
            format!("unknown `-Zwasm-proc-macro-backend={name}`: expected `cranelift` or `pulley`")
        })?;
    }
    let runtime = Runtime::new(config).map_err(|e| e.to_string())?;
    // One runtime per compilation; it lives as long as the macros that use it.
    Ok(Box::leak(Box::new(runtime)))
}

/// Loads one module, synthesizes its metadata and registers its expanders.
// Runs before the session exists: only the options are available.
#[allow(rustc::bad_opt_access)]
fn prepare_one(
    spec: &Spec,
    runtime: &Runtime,
    meta_dir: &Path,
    opts: &Options,
    compile: &mut dyn FnMut(&[String]) -> bool,
) -> Result<PathBuf, String> {
    let context = |e: String| format!("cannot use `--wasm-proc-macro {}={}`: {e}", spec.name, spec.path.display());
    let bytes = std::fs::read(&spec.path).map_err(|e| context(e.to_string()))?;
    let module: Arc<MacroModule> = Arc::new(runtime.load(&spec.path).map_err(|e| context(e.to_string()))?);
    let source = wpm_stub_crate::source(module.manifest()).map_err(context)?;
    let build_info =
        wpm_host::read_build_info(&spec.path.display().to_string(), &bytes).map_err(|e| context(e.to_string()))?;
    let job = wpm_stub_crate::Job {
        name: &spec.name,
        module_hash: wpm_stub_crate::sha256(&bytes),
        source: &source,
        edition: build_info.edition,
        sysroot: opts.sysroot.explicit.as_deref(),
        threads: opts.unstable_opts.threads,
        compiler_version: option_env!("CFG_VERSION").unwrap_or("unknown"),
    };
    let t0 = std::time::Instant::now();
    let rmeta = wpm_stub_crate::metadata(&job, meta_dir, compile).map_err(context)?;
    tracing::debug!("wasm proc macro `{}`: metadata {} ({:?})", spec.name, rmeta.display(), t0.elapsed());
    let macros = (0..module.manifest().macros.len())
        .map(|i| slots::proc_macro(&module, i))
        .collect::<Result<Vec<_>, _>>()
        .map_err(context)?;
    rustc_wasm_proc_macro_registry::register(&rmeta, macros);
    Ok(rmeta)
}
