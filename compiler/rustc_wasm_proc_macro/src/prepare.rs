//! The driver-stage hook: check `--wasm-proc-macro` values, load the modules, synthesize
//! their metadata and turn each into an `--extern`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rustc_session::EarlyDiagCtxt;
use rustc_session::config::{ExternEntry, ExternLocation, Externs, Options};
use rustc_session::utils::CanonicalizedPath;
use wpm_host::{Backend, Config, MacroModule, Runtime};

use crate::spec::{self, Spec};
use crate::{slots, stub, synth};

/// Prepares every `--wasm-proc-macro NAME=PATH` of `opts`: after it returns, crate `NAME`
/// is an `--extern` whose metadata is a synthesized proc-macro crate, and
/// `rustc_wasm_proc_macro_registry::proc_macros` hands the crate loader its expanders.
///
/// `compile` runs a nested compiler with a command line and says whether it succeeded; the
/// driver passes its own `run_compiler` (no process is spawned).
///
/// Errors (malformed value, NAME given twice or also given to `--extern`, missing file,
/// invalid module, wrong ABI version, unknown `-Zwasm-proc-macro-backend`) are reported as
/// compiler errors and end the compilation with exit code 1.
pub fn prepare(early_dcx: &EarlyDiagCtxt, opts: &mut Options, compile: &mut dyn FnMut(&[String]) -> bool) {
    if opts.wasm_proc_macros.is_empty() {
        return;
    }
    let mut errors = Vec::new();
    let specs = check_specs(opts, &mut errors);
    let runtime = if errors.is_empty() { runtime(opts).map_err(|e| errors.push(e)).ok() } else { None };
    let mut added = BTreeMap::new();
    if let Some(runtime) = runtime {
        for spec in &specs {
            match prepare_one(spec, runtime, opts, compile) {
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
}

/// Crates of the sysroot: a wasm proc-macro crate under one of these names would shadow it.
const SYSROOT_CRATES: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// Parses the values and checks names and files; problems go to `errors`.
fn check_specs(opts: &Options, errors: &mut Vec<String>) -> Vec<Spec> {
    let mut specs: Vec<Spec> = Vec::new();
    for value in &opts.wasm_proc_macros {
        let spec = match spec::parse(value) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
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
    opts: &Options,
    compile: &mut dyn FnMut(&[String]) -> bool,
) -> Result<PathBuf, String> {
    let context = |e: String| format!("cannot use `--wasm-proc-macro {}={}`: {e}", spec.name, spec.path.display());
    let bytes = std::fs::read(&spec.path).map_err(|e| context(e.to_string()))?;
    let module: Arc<MacroModule> = Arc::new(runtime.load(&spec.path).map_err(|e| context(e.to_string()))?);
    let source = stub::source(module.manifest()).map_err(context)?;
    let job = synth::Job {
        name: &spec.name,
        module_hash: synth::sha256(&bytes),
        source: &source,
        sysroot: opts.sysroot.explicit.as_deref(),
        threads: opts.unstable_opts.threads,
    };
    let cache_root = wpm_host::cache_root().unwrap_or_else(|| std::env::temp_dir().join("rustc-wpm"));
    let rmeta = synth::metadata(&job, &cache_root, compile).map_err(context)?;
    let macros = (0..module.manifest().macros.len())
        .map(|i| slots::proc_macro(&module, i))
        .collect::<Result<Vec<_>, _>>()
        .map_err(context)?;
    rustc_wasm_proc_macro_registry::register(&rmeta, macros);
    Ok(rmeta)
}
