//! Generates native proc-macro shim crates that embed a wasm proc-macro module.
//!
//! A shim is an ordinary `proc-macro = true` crate with the same package name (and a chosen
//! version) as the crate the module was built from. It embeds the module with
//! `include_bytes!` and declares one native macro per manifest entry, with the same name,
//! kind and helper attributes, each forwarding to `wpm_adapter` with its manifest index.
//! From the module's build metadata (`wpm_host::read_build_info`) it takes the macro crate's
//! edition (tokens the macros emit with call-site spans get it, as they would natively) and
//! its features (declared, so that dependents may ask for them; one the module was built
//! without stops the build with an error saying so).
//! Stock rustc loads the shim like any proc-macro crate, so `[patch.crates-io]` (or
//! `wpm-rustc`) can swap it in for the native original. See `docs/shim.md`.
//!
//! **Invariant:** every manifest string that reaches generated source is checked to be a
//! plain identifier first: the manifest comes from the guest.

pub mod cache;
mod names;
mod render;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wpm_abi::{MacroKind, Manifest};

/// Version used when neither [`ShimOptions::version`] nor the file name gives one.
pub const DEFAULT_VERSION: &str = "0.0.0";

/// How to generate a shim. Every field states its default.
#[derive(Clone, Debug, Default)]
pub struct ShimOptions {
    /// The package name. By default the module's file stem, less a `-VERSION` suffix
    /// (`thiserror-impl-2.0.12.wasm` gives `thiserror-impl`).
    pub name: Option<String>,
    /// The package version; it must satisfy what dependents request for `[patch]` to apply.
    /// By default the `-VERSION` suffix of the file stem, else [`DEFAULT_VERSION`].
    pub version: Option<String>,
    /// The rustc-wasi checkout whose `wpm_adapter` the shim's build script builds (once per
    /// machine and compiler) and links. By default the checkout this tool was built from.
    pub wpm_root: Option<PathBuf>,
}

/// A generated shim crate.
#[derive(Clone, Debug)]
pub struct Shim {
    /// Its directory (the `out_dir` given to [`generate`]).
    pub dir: PathBuf,
    /// Package name.
    pub package: String,
    /// Library (crate) name: the package name with `-` replaced by `_`.
    pub lib: String,
    /// Package version.
    pub version: String,
    /// The module's manifest.
    pub manifest: Manifest,
    /// Hex SHA-256 of the module's bytes.
    pub module_sha256: String,
    /// The module's build metadata (edition, features), or its defaults.
    pub build_info: wpm_host::BuildInfo,
}

/// Why a shim could not be generated.
#[derive(Debug)]
pub enum ShimError {
    /// The module could not be read, loaded or asked for its manifest.
    Module(String),
    /// The package name (given or derived) is not a valid Cargo package name.
    BadName(String),
    /// The version is not a semver version.
    BadVersion(String),
    /// A manifest entry names a macro or helper attribute that is not a plain identifier.
    BadMacroName(String),
    /// Two manifest entries declare the same macro name.
    DuplicateMacro(String),
    /// Writing the crate failed.
    Io(PathBuf, io::Error),
}

impl fmt::Display for ShimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShimError::Module(m) => f.write_str(m),
            ShimError::BadName(n) => write!(f, "`{n}` is not a valid package name (give one with --name)"),
            ShimError::BadVersion(v) => write!(f, "`{v}` is not a semver version"),
            ShimError::BadMacroName(n) => write!(
                f,
                "the manifest names a macro or helper attribute `{}` that is not an identifier",
                n.escape_debug()
            ),
            ShimError::DuplicateMacro(n) => write!(f, "the manifest declares macro `{n}` twice"),
            ShimError::Io(p, e) => write!(f, "cannot write {}: {e}", p.display()),
        }
    }
}

impl std::error::Error for ShimError {}

/// What a shim's runtime is built from, relative to the wpm root: the shim's build script
/// rebuilds the runtime when one of them changes, and a cache of built shims must key on
/// them too (`templates/build.rs` names the same list).
pub const RUNTIME_SOURCES: &[&str] = &["compiler/wpm_adapter", "compiler/wpm_host", "library/wpm_abi", "Cargo.lock"];

/// The checkout this crate was built from (`src/tools/wpm_shim` is three levels down).
pub fn default_wpm_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().nth(3).unwrap_or(here).to_path_buf()
}

/// Reads the manifest of the module at `module` by loading it in `wpm_host`.
///
/// # Errors
/// [`ShimError::Module`] when the runtime cannot be built or the module cannot be loaded.
pub fn read_manifest(module: &Path) -> Result<Manifest, ShimError> {
    let runtime = wpm_host::Runtime::new(wpm_host::Config::default())
        .map_err(|e| ShimError::Module(format!("cannot start the wasm runtime: {e}")))?;
    let loaded = runtime.load(module).map_err(|e| ShimError::Module(e.to_string()))?;
    Ok(loaded.manifest().clone())
}

/// Generates a shim crate for the module at `module` into `out_dir` (created if missing;
/// the files the shim consists of are overwritten).
///
/// Writes `Cargo.toml`, `build.rs` (and `cache_root.rs`, a module of it), `src/lib.rs` and
/// `module.wasm` (a copy of the module).
///
/// # Errors
/// A [`ShimError`] when the module cannot be loaded, a name or version is invalid, or the
/// files cannot be written.
///
/// # Examples
/// ```no_run
/// let shim = wpm_shim::generate(
///     "serde_derive.wasm".as_ref(),
///     "shims/serde_derive".as_ref(),
///     &wpm_shim::ShimOptions { version: Some("1.0.219".into()), ..Default::default() },
/// )?;
/// assert_eq!(shim.package, "serde_derive");
/// # Ok::<(), wpm_shim::ShimError>(())
/// ```
pub fn generate(module: &Path, out_dir: &Path, opts: &ShimOptions) -> Result<Shim, ShimError> {
    let bytes = fs::read(module).map_err(|e| ShimError::Module(format!("cannot read {}: {e}", module.display())))?;
    let manifest = read_manifest(module)?;
    let stem = module.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    generate_from_manifest(&manifest, &bytes, &stem, out_dir, opts)
}

/// Like [`generate`], for a module whose bytes and manifest are already at hand; `stem` is
/// the file stem names and versions default from (and, as `STEM.wasm`, names the module in
/// errors).
///
/// # Errors
/// As [`generate`], less the loading errors; [`ShimError::Module`] when the module's build
/// metadata is malformed or names an edition this tool does not know.
pub fn generate_from_manifest(
    manifest: &Manifest,
    bytes: &[u8],
    stem: &str,
    out_dir: &Path,
    opts: &ShimOptions,
) -> Result<Shim, ShimError> {
    let (stem_name, stem_version) = names::split_stem(stem);
    let package = opts.name.clone().unwrap_or(stem_name);
    if !names::is_package_name(&package) {
        return Err(ShimError::BadName(package));
    }
    let version = opts.version.clone().or(stem_version).unwrap_or_else(|| DEFAULT_VERSION.to_owned());
    if semver::Version::parse(&version).is_err() {
        return Err(ShimError::BadVersion(version));
    }
    let lib = names::lib_name(&package);
    let macros = plan_macros(manifest)?;
    let build_info =
        wpm_host::read_build_info(&format!("{stem}.wasm"), bytes).map_err(|e| ShimError::Module(e.to_string()))?;
    let module_sha256 = hex(&Sha256::digest(bytes));
    let wpm_root = opts.wpm_root.clone().unwrap_or_else(default_wpm_root);
    // The file name appears in comments and a string literal: keep it to harmless characters.
    let module_file: String = format!("{stem}.wasm")
        .chars()
        .map(|c| if c.is_alphanumeric() || "-_.+".contains(c) { c } else { '_' })
        .collect();
    let plan = render::Plan {
        package: &package,
        lib: &lib,
        version: &version,
        wpm_root: &wpm_root,
        module_file: &module_file,
        module_sha256: &module_sha256,
        macros,
        edition: build_info.edition.as_str(),
        features: &build_info.features,
    };
    write(&out_dir.join("Cargo.toml"), render::cargo_toml(&plan).as_bytes())?;
    write(&out_dir.join("build.rs"), render::build_rs(&plan).as_bytes())?;
    write(&out_dir.join(render::CACHE_ROOT_FILE), wpm_host::CACHE_ROOT_SOURCE.as_bytes())?;
    write(&out_dir.join(render::PRUNE_RUNTIME_FILE), render::PRUNE_RUNTIME.as_bytes())?;
    write(&out_dir.join("src").join("lib.rs"), render::lib_rs(&plan).as_bytes())?;
    write(&out_dir.join(render::MODULE_FILE), bytes)?;
    Ok(Shim {
        dir: out_dir.to_path_buf(),
        package,
        lib,
        version,
        manifest: manifest.clone(),
        module_sha256,
        build_info,
    })
}

/// Validates the manifest's names and picks the generated function names.
fn plan_macros(manifest: &Manifest) -> Result<Vec<render::PlannedMacro>, ShimError> {
    let mut seen = std::collections::HashSet::new();
    for m in &manifest.macros {
        if !names::is_macro_name(&m.name) {
            return Err(ShimError::BadMacroName(m.name.clone()));
        }
        if !seen.insert(m.name.as_str()) {
            return Err(ShimError::DuplicateMacro(m.name.clone()));
        }
        if let Some(h) = m.helpers.iter().find(|h| !names::is_macro_name(h)) {
            return Err(ShimError::BadMacroName(h.clone()));
        }
    }
    let functions = manifest.function_names();
    Ok(manifest
        .macros
        .iter()
        .zip(functions)
        .map(|(m, function)| render::PlannedMacro {
            kind: m.kind,
            name: m.name.clone(),
            helpers: if m.kind == MacroKind::Derive { m.helpers.clone() } else { Vec::new() },
            function,
        })
        .collect())
}

/// Writes `bytes` to `path`, creating parent directories.
fn write(path: &Path, bytes: &[u8]) -> Result<(), ShimError> {
    let io = |e| ShimError::Io(path.to_path_buf(), e);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io)?;
    }
    // Leave an identical file untouched so Cargo's fingerprints stay fresh.
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    fs::write(path, bytes).map_err(io)
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
