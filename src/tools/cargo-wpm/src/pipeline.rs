//! `cargo wpm build`: resolve, rewrite, build the guest library and the crate, optimize.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::build_info;
use crate::cargo_run::{self, Artifact};
use crate::error::{Error, Result};
use crate::expand;
use crate::fsutil::{cache_dir, sync_dir, write_if_changed};
use crate::guest_lib::GuestSources;
use crate::guest_target::{self, GuestTarget};
use crate::module;
use crate::resolve::{resolve, Package, Spec, WorkspaceRoot};
use crate::rewrite::borrowed::{self, Borrowed};
use crate::rewrite::generated::{merge, scan_expansion};
use crate::rewrite::manifest::rewrite_manifest;
use crate::rewrite::source::{rewrite_root, root_invocations};
use crate::toolchain::{self, Toolchain};
use crate::wrapper;

/// The wasm-opt optimization to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opt {
    /// `-O3`: fastest code (the default).
    Speed,
    /// `-Os`: smallest code.
    Size,
    /// No wasm-opt at all.
    None,
}

/// What to build and how.
#[derive(Clone, Debug)]
pub(crate) struct BuildOptions {
    /// The package.
    pub(crate) spec: String,
    /// Output file; by default `./<lib name>.wasm`.
    pub(crate) output: Option<PathBuf>,
    /// Features to enable.
    pub(crate) features: Vec<String>,
    /// `--all-features`.
    pub(crate) all_features: bool,
    /// `--no-default-features`.
    pub(crate) no_default_features: bool,
    /// wasm-opt level.
    pub(crate) opt: Opt,
    /// Show cargo's output live.
    pub(crate) verbose: bool,
}

/// The wasm features rustc 1.96 emits for wasm32-unknown-unknown, enabled for wasm-opt.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-multivalue",
    "--enable-reference-types",
];

/// A module `build` wrote.
#[derive(Clone, Debug)]
pub(crate) struct BuiltModule {
    /// The number of proc-macro functions registered.
    pub(crate) macros: usize,
    /// Its size in bytes.
    pub(crate) bytes: u64,
}

/// Builds the module (written to `opts.output`) and describes it.
///
/// # Errors
/// Any [`Error`] of the pipeline's stages.
pub(crate) fn build(opts: &BuildOptions) -> Result<BuiltModule> {
    let started = Instant::now();
    let tc = Toolchain::find()?;
    let wasm_opt = if opts.opt == Opt::None { None } else { Some(toolchain::wasm_opt()?) };
    let cache = cache_dir()?;

    let spec = Spec::parse(&opts.spec);
    progress(&format!("fetching {}", opts.spec));
    let pkg = resolve(&spec, &tc.host_cargo, &cache.join("resolve"))?;
    let work = cache.join("build").join(format!("{}-{}", pkg.name, pkg.version));
    let features = feature_args(opts);
    // Checked before the long build: a module the hosts would refuse is not worth building.
    build_info::build_info(&pkg.edition, &pkg.features, &[])
        .map_err(|detail| Error::Rewrite { file: pkg.dir.join("Cargo.toml"), detail })?;
    let macros = prepare(&pkg, &work, &tc, &cache, &features, opts.verbose)?;
    progress(&format!("rewrote {} {}: {macros} proc-macro function(s) in the crate root", pkg.name, pkg.version));

    let target = guest_target::prepare(&tc, &cache)?;
    let guest = GuestSources::load()?;
    let hash = format!("{:016x}", guest.hash());
    let guest_manifest = guest.write_to(&cache.join("guest").join(&hash))?;
    let target_dir = cache.join("target").join(&hash);

    progress("building std + guest library");
    let t = Instant::now();
    let mut cmd = guest_cargo(&tc, &target, &guest_manifest, &target_dir);
    cmd.args(["-p", "wpm_proc_macro"]);
    let artifacts = cargo_run::run(cmd, opts.verbose)?.map_err(|f| Error::GuestLibBuild { output: f.output })?;
    let rlib = find_artifact(&artifacts, &guest_manifest, "proc_macro", "rlib")
        .map(|(file, _)| file)
        .ok_or_else(|| Error::GuestLibBuild { output: "cargo reported no libproc_macro rlib".into() })?;
    let deps = match rlib.parent() {
        Some(dir) if dir.ends_with("deps") => dir.to_path_buf(),
        Some(dir) => dir.join("deps"),
        None => PathBuf::from("deps"),
    };
    progress(&format!("guest library ready ({:.1} s)", t.elapsed().as_secs_f64()));

    progress(&format!("building {} for wasm32", pkg.lib_name));
    let t = Instant::now();
    // Held until the module is read: another `cargo wpm build` in this target directory
    // could otherwise replace the shared output file in between.
    let _lock = lock_target_dir(&target_dir)?;
    claim_output(&target_dir, &pkg.lib_name, &output_owner(&work, &features))?;
    let mut cmd = guest_cargo(&tc, &target, &work.join("Cargo.toml"), &target_dir);
    cmd.env(wrapper::GUEST_RLIB_ENV, &rlib).env(wrapper::GUEST_DEPS_ENV, &deps);
    cmd.args(&features);
    let package = format!("{} {}", pkg.name, pkg.version);
    let artifacts = cargo_run::run(cmd, opts.verbose)?
        .map_err(|f| Error::CrateBuild { package: package.clone(), output: f.output })?;
    let (wasm, enabled) = find_artifact(&artifacts, &work.join("Cargo.toml"), &pkg.lib_name, "wasm")
        .ok_or_else(|| Error::CrateBuild { package: package.clone(), output: "cargo reported no .wasm file".into() })?;
    let info = build_info::build_info(&pkg.edition, &pkg.features, &enabled)
        .map_err(|detail| Error::Rewrite { file: pkg.dir.join("Cargo.toml"), detail })?;
    progress(&format!("built {} ({:.1} s)", pkg.lib_name, t.elapsed().as_secs_f64()));

    let raw = std::fs::read(&wasm).map_err(|e| Error::io(format!("reading {}", wasm.display()), e))?;
    check(&raw, &wasm.display().to_string())?;
    let output = opts.output.clone().unwrap_or_else(|| PathBuf::from(format!("{}.wasm", pkg.lib_name)));
    let mut final_bytes = match &wasm_opt {
        Some(tool) => {
            let flag = if opts.opt == Opt::Size { "-Os" } else { "-O3" };
            progress(&format!("optimizing (wasm-opt {flag})"));
            let optimized = work.join(format!("{}.opt.wasm", pkg.lib_name));
            optimize(tool, flag, &wasm, &optimized)?;
            let bytes =
                std::fs::read(&optimized).map_err(|e| Error::io(format!("reading {}", optimized.display()), e))?;
            check(&bytes, "the output of wasm-opt")?;
            bytes
        }
        None => raw.clone(),
    };
    // After wasm-opt, which would drop it (`--strip-producers` keeps no custom section).
    build_info::append(&mut final_bytes, &info);
    std::fs::write(&output, &final_bytes).map_err(|e| Error::io(format!("writing {}", output.display()), e))?;
    progress(&format!(
        "wrote {} ({} bytes; {} before wasm-opt) in {:.1} s",
        output.display(),
        final_bytes.len(),
        raw.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(BuiltModule { macros, bytes: final_bytes.len() as u64 })
}

/// The feature arguments of cargo for `opts`: the same for the wasm build and the native
/// expansion, so that both see the same proc-macro functions.
fn feature_args(opts: &BuildOptions) -> Vec<String> {
    let mut args = Vec::new();
    if !opts.features.is_empty() {
        args.push("--features".to_owned());
        args.push(opts.features.join(","));
    }
    if opts.all_features {
        args.push("--all-features".to_owned());
    }
    if opts.no_default_features {
        args.push("--no-default-features".to_owned());
    }
    args
}

/// Copies the package to `work` with its manifest and crate root rewritten. Returns the
/// number of macros registered. Crates with generator `macro_rules!` are first expanded
/// natively, with `features`, to learn what the generators declare.
fn prepare(
    pkg: &Package,
    work: &Path,
    tc: &Toolchain,
    cache: &Path,
    features: &[String],
    verbose: bool,
) -> Result<usize> {
    let manifest_path = pkg.dir.join("Cargo.toml");
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| Error::io(format!("reading {}", p.display()), e));
    let workspace = pkg.workspace.as_ref().map(WorkspaceRoot::as_workspace);
    let manifest = rewrite_manifest(&read(&manifest_path)?, &pkg.dir, workspace)
        .map_err(|detail| Error::Rewrite { file: manifest_path.clone(), detail })?;
    if pkg.lib_root.strip_prefix(&pkg.dir).is_err() {
        return Err(Error::Rewrite {
            file: pkg.lib_root.clone(),
            detail: "the crate root lies outside the package directory".into(),
        });
    }
    let rewrite_error = |detail| Error::Rewrite { file: pkg.lib_root.clone(), detail };
    let src = read(&pkg.lib_root)?;
    let borrowed = borrowed_generators(pkg, &src, tc, cache)?;
    let root = rewrite_root(&src, &borrowed).map_err(rewrite_error)?;
    let macros = if root.generators.is_empty() {
        root.macros.clone()
    } else {
        progress("expanding crate-root macro_rules! natively to find macros");
        let t = Instant::now();
        let text = expand::expand_natively(pkg, &tc.host_cargo, cache, features, verbose)?;
        let expanded = scan_expansion(&text).map_err(rewrite_error)?;
        let merged = merge(&root, &expanded).map_err(rewrite_error)?;
        progress(&format!(
            "expanded in {:.1} s: {} proc-macro function(s) generated by {}",
            t.elapsed().as_secs_f64(),
            merged.len().saturating_sub(root.macros.len()),
            root.generators.iter().map(|g| format!("{g}!")).collect::<Vec<_>>().join(", ")
        ));
        merged
    };
    let text = root.with_registrations(&macros);
    let overrides = vec![(manifest_path, manifest.into_bytes()), (pkg.lib_root.clone(), text.into_bytes())];
    sync_dir(&pkg.dir, work, &overrides)?;
    if let Some(lock) = &pkg.lockfile {
        // The scratch project's lockfile pins the dependency versions `cargo metadata` chose.
        if let Ok(bytes) = std::fs::read(lock) {
            write_if_changed(&work.join("Cargo.lock"), &bytes)?;
        }
    }
    Ok(macros.len())
}

/// The generators of other crates that the crate root `src` of `pkg` invokes
/// (`rewrite::borrowed`). Only read when the root invokes macros it does not define; then
/// `cargo metadata` of the native copy names the dependencies whose sources are searched.
fn borrowed_generators(pkg: &Package, src: &str, tc: &Toolchain, cache: &Path) -> Result<Vec<Borrowed>> {
    let (invocations, aliases) =
        root_invocations(src).map_err(|detail| Error::Rewrite { file: pkg.lib_root.clone(), detail })?;
    if !invocations.iter().any(borrowed::may_generate) {
        return Ok(Vec::new());
    }
    let copy = expand::native_copy(pkg, cache)?;
    let shown = format!("{}@{}", pkg.name, pkg.version);
    let deps = crate::resolve::direct_dependencies(&tc.host_cargo, &copy.join("Cargo.toml"), &shown)?;
    let found = borrowed::find(&invocations, &deps, &aliases);
    for b in &found {
        progress(&format!("copying generator {}! of {} into the crate root", b.name, b.from));
    }
    Ok(found)
}

/// A guest `cargo build` of `manifest`'s lib into `target_dir`, for the guest target.
fn guest_cargo(tc: &Toolchain, target: &GuestTarget, manifest: &Path, target_dir: &Path) -> Command {
    let mut cmd = Command::new(&tc.cargo);
    cmd.arg("build").arg("--manifest-path").arg(manifest);
    cmd.args(["--lib", "--release", "-Zbuild-std=std,panic_abort", "-Zjson-target-spec", "--target"]);
    cmd.arg(&target.spec);
    cmd.arg("--message-format=json");
    // Settings from the user's environment would change std's build between runs, or
    // between the guest library and the crate: clear them.
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if key.starts_with("CARGO_PROFILE_") || key.starts_with("CARGO_BUILD_") || key.starts_with("CARGO_TARGET_") {
            cmd.env_remove(key);
        }
    }
    for key in [
        "RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTDOCFLAGS",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
        crate::sandbox::STATE_ENV,
        crate::sandbox::NATIVE_ENV,
        "CARGO_INCREMENTAL",
        wrapper::GUEST_RLIB_ENV,
        wrapper::GUEST_DEPS_ENV,
        wrapper::GUEST_SYSROOT_ENV,
    ] {
        cmd.env_remove(key);
    }
    let this = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("cargo-wpm"));
    cmd.env("RUSTC", &tc.rustc)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("RUSTC_WRAPPER", this)
        .env(wrapper::WRAPPER_ENV, "1")
        .env(wrapper::GUEST_SYSROOT_ENV, &target.sysroot)
        .env("CARGO_ENCODED_RUSTFLAGS", "")
        .env("CARGO_TARGET_DIR", target_dir);
    if let Some(dir) = manifest.parent() {
        cmd.current_dir(dir);
    }
    cmd
}

/// Who a build's `.wasm` belongs to: the package's scratch directory (its name and version)
/// and the features it was built with.
fn output_owner(work: &Path, features: &[String]) -> String {
    format!("{}\n{}\n", work.display(), features.join(" "))
}

/// Takes an exclusive lock on `target_dir` for this process (released when the file closes).
fn lock_target_dir(target_dir: &Path) -> Result<std::fs::File> {
    std::fs::create_dir_all(target_dir).map_err(|e| Error::io(format!("creating {}", target_dir.display()), e))?;
    let path = target_dir.join(".wpm-build.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    file.lock().map_err(|e| Error::io(format!("locking {}", path.display()), e))?;
    Ok(file)
}

/// Makes sure the next build's `<lib>.wasm` is `owner`'s.
///
/// Cargo names a cdylib's output `deps/<lib>.wasm` without the metadata hash it gives rlibs,
/// so two packages with one lib name (two versions of a crate, or a crates.io crate and a
/// path copy, or one crate with other features) write the same file, and Cargo then calls
/// the older build fresh while the file holds the newer one's code. A marker beside the file
/// names the build that wrote it; when another build last wrote it, the file is removed, so
/// Cargo sees its output missing and builds again.
fn claim_output(target_dir: &Path, lib_name: &str, owner: &str) -> Result<()> {
    let release = target_dir.join(guest_target::TARGET_NAME).join("release");
    let deps_file = release.join("deps").join(format!("{lib_name}.wasm"));
    let marker = release.join("deps").join(format!("{lib_name}.wasm.wpm-owner"));
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == owner) {
        return Ok(());
    }
    for file in [&deps_file, &release.join(format!("{lib_name}.wasm")), &marker] {
        match std::fs::remove_file(file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("removing {}", file.display()), e)),
        }
    }
    std::fs::create_dir_all(release.join("deps"))
        .map_err(|e| Error::io(format!("creating {}", release.join("deps").display()), e))?;
    std::fs::write(&marker, owner).map_err(|e| Error::io(format!("writing {}", marker.display()), e))
}

/// The first file with extension `ext` that cargo produced for target `name` of the
/// package at `manifest` (std has a `proc_macro` target too), with the features cargo
/// built that unit with.
fn find_artifact(artifacts: &[Artifact], manifest: &Path, name: &str, ext: &str) -> Option<(PathBuf, Vec<String>)> {
    artifacts
        .iter()
        .filter(|a| a.manifest_path == manifest)
        .filter(|a| a.target_name == name || a.target_name.replace('-', "_") == name)
        .find_map(|a| {
            let file = a.filenames.iter().find(|f| f.extension().is_some_and(|e| e == ext))?;
            Some((file.clone(), a.features.clone()))
        })
}

/// Validates a module and checks the ABI rules.
fn check(bytes: &[u8], what: &str) -> Result<()> {
    let invalid = |detail| Error::InvalidModule { what: what.to_owned(), detail };
    let info = module::scan(bytes).map_err(invalid)?;
    module::check_abi(&info).map_err(invalid)
}

/// Runs wasm-opt.
fn optimize(tool: &Path, flag: &str, input: &Path, output: &Path) -> Result<()> {
    let out = Command::new(tool)
        .arg(flag)
        .args(WASM_OPT_FEATURES)
        .args(["--strip-debug", "--strip-producers"])
        .arg(input)
        .arg("-o")
        .arg(output)
        .output()
        .map_err(|e| Error::io(format!("running {}", tool.display()), e))?;
    if !out.status.success() {
        let mut output = String::from_utf8_lossy(&out.stderr).into_owned();
        output.push_str(&String::from_utf8_lossy(&out.stdout));
        return Err(Error::WasmOpt { output });
    }
    Ok(())
}

/// Where progress lines go instead of stderr, when set ([`log_progress_to`]).
static PROGRESS_LOG: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Sends this process's progress lines to the end of `file` instead of stderr.
///
/// The sandbox's wrapper runs under Cargo, which stores a compilation's stderr and replays
/// it on every later build in which the unit is fresh; progress written there would be
/// shown again each time. `cargo wpm sandbox` prints the file's new lines as they come.
pub(crate) fn log_progress_to(file: PathBuf) {
    let _ = PROGRESS_LOG.set(file);
}

/// Prints a progress line on stderr (or to the progress log).
pub(crate) fn progress(msg: &str) {
    let line = format!("{:>12} {msg}\n", "wpm");
    if let Some(log) = PROGRESS_LOG.get() {
        use std::io::Write;
        let file = std::fs::OpenOptions::new().create(true).append(true).open(log);
        // One write per line: concurrent wrappers append whole lines.
        if file.and_then(|mut f| f.write_all(line.as_bytes())).is_ok() {
            return;
        }
    }
    eprint!("{line}");
}
