//! Shared setup: paths, running commands loudly, building the wasm modules (once per
//! process, cached on disk by the builder's own hash), generating shims, and copies of the
//! test application with native or wasm macros.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

/// The proc-macro crates the application uses: (package, version). The versions are the
/// ones `serde-app/Cargo.lock` pins (serde, thiserror and clap require them exactly).
pub const MACRO_CRATES: [(&str, &str); 3] =
    [("serde_derive", "1.0.229"), ("thiserror-impl", "2.0.21"), ("clap_derive", "4.6.7")];

/// The rustc-wasi checkout.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(3).expect("checkout root").to_path_buf()
}

/// The Cargo target directory this test was built in (`.../target`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/e2e-HASH
    exe.ancestors().nth(3).expect("target dir").to_path_buf()
}

/// Scratch space of these tests: `target/e2e`.
pub fn work_dir() -> PathBuf {
    let d = target_dir().join("e2e");
    fs::create_dir_all(&d).expect("create target/e2e");
    d
}

/// `cargo`, as the test was run with.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `cmd`; panics with its full output unless it succeeds.
pub fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    let start = Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {shown}: {e} (is the tool installed?)"));
    eprintln!("[e2e] {:.1}s: {shown}", start.elapsed().as_secs_f64());
    if !out.status.success() {
        panic!(
            "command failed ({}): {shown}\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

/// Lower-case hex SHA-256 of a file's bytes (first 16 bytes).
fn short_hash(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Sha256::digest(&bytes).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Builds `cargo-wpm` (same profile and target dir as this test) and returns its path.
pub fn cargo_wpm() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let profile_dir = std::env::current_exe().expect("exe").ancestors().nth(2).expect("profile dir").to_path_buf();
        let mut cmd = cargo();
        cmd.current_dir(repo_root()).args(["build", "--quiet", "-p", "cargo-wpm", "--bin", "cargo-wpm"]);
        cmd.env("CARGO_TARGET_DIR", target_dir());
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        run(&mut cmd);
        let bin = profile_dir.join(format!("cargo-wpm{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "cargo-wpm was not built at {}", bin.display());
        bin
    })
}

/// A wasm module built from a crates.io proc-macro crate.
pub struct Module {
    pub package: &'static str,
    pub version: &'static str,
    pub path: PathBuf,
}

/// The wasm builds of [`MACRO_CRATES`], built by `cargo wpm build` on first use. They are
/// cached under `target/e2e/modules/<hash of cargo-wpm>/`, so a changed builder (or guest
/// library, which it embeds) rebuilds them.
pub fn modules() -> &'static [Module] {
    static MODULES: OnceLock<Vec<Module>> = OnceLock::new();
    MODULES.get_or_init(|| {
        let tool = cargo_wpm();
        let dir = work_dir().join("modules").join(short_hash(tool));
        fs::create_dir_all(&dir).expect("create module dir");
        MACRO_CRATES
            .iter()
            .map(|&(package, version)| {
                let path = dir.join(format!("{package}-{version}.wasm"));
                if !path.is_file() {
                    let tmp = dir.join(format!("{package}-{version}.wasm.tmp"));
                    run(Command::new(tool).args(["wpm", "build", &format!("{package}@{version}"), "-o"]).arg(&tmp));
                    fs::rename(&tmp, &path).expect("move module into place");
                }
                Module { package, version, path }
            })
            .collect()
    })
}

/// Generates the shims of [`modules`] under `target/e2e/shims/`; returns `(package, dir)`.
pub fn shims() -> &'static [(&'static str, PathBuf)] {
    static SHIMS: OnceLock<Vec<(&'static str, PathBuf)>> = OnceLock::new();
    SHIMS.get_or_init(|| {
        modules()
            .iter()
            .map(|m| {
                let dir = work_dir().join("shims").join(m.package);
                let opts = wpm_shim::ShimOptions {
                    name: Some(m.package.to_owned()),
                    version: Some(m.version.to_owned()),
                    wpm_root: None,
                };
                let start = Instant::now();
                let shim =
                    wpm_shim::generate(&m.path, &dir, &opts).unwrap_or_else(|e| panic!("shim for {}: {e}", m.package));
                eprintln!(
                    "[e2e] {:.1}s: generated the shim for {} ({} macros)",
                    start.elapsed().as_secs_f64(),
                    m.package,
                    shim.manifest.macros.len()
                );
                (m.package, dir)
            })
            .collect()
    })
}

/// Which macros a copy of the application is built with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Macros {
    /// The native proc-macro crates from crates.io.
    Native,
    /// The shims of the wasm modules, through `[patch.crates-io]`.
    Wasm,
}

/// A copy of `tests/e2e/<name>` under `target/e2e/app-<name>-<variant>/`, with its own
/// target directory (the copy keeps the checked-in `Cargo.lock` untouched by patching).
pub struct App {
    pub dir: PathBuf,
    pub macros: Macros,
}

/// Copies `from` into `to` recursively, leaving files with unchanged contents untouched so
/// that Cargo's fingerprints stay fresh between runs.
fn sync_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create app copy");
    for entry in fs::read_dir(from).expect("read app source") {
        let entry = entry.expect("dir entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_name() == "target" {
            continue;
        }
        if src.is_dir() {
            sync_tree(&src, &dst);
        } else {
            let bytes = fs::read(&src).expect("read app file");
            if fs::read(&dst).ok().as_deref() != Some(&bytes[..]) {
                fs::write(&dst, bytes).expect("write app file");
            }
        }
    }
}

impl App {
    /// Prepares the copy.
    pub fn new(name: &str, macros: Macros) -> App {
        let variant = match macros {
            Macros::Native => "native",
            Macros::Wasm => "wasm",
        };
        let dir = work_dir().join(format!("app-{name}-{variant}"));
        sync_tree(&repo_root().join("tests").join("e2e").join(name), &dir);
        App { dir, macros }
    }

    /// `cargo SUBCOMMAND ...` in the copy. `RUSTC_BOOTSTRAP=1` is always set, because
    /// `-Zunpretty=expanded` needs it and Cargo rebuilds everything when it changes.
    pub fn cargo(&self, args: &[&str]) -> Command {
        let mut cmd = cargo();
        cmd.current_dir(&self.dir);
        cmd.env("RUSTC_BOOTSTRAP", "1").env("CARGO_TARGET_DIR", self.dir.join("target"));
        for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER"] {
            cmd.env_remove(var);
        }
        // `--config` goes before the subcommand: after it, a `--` would hand it to rustc.
        if self.macros == Macros::Wasm {
            for (package, dir) in shims() {
                let value = format!("patch.crates-io.{package}.path={:?}", dir.to_string_lossy());
                cmd.arg("--config").arg(value);
            }
        }
        cmd.args(args);
        cmd
    }

    /// `-Zunpretty=expanded` of the library (with `#[cfg(test)]` code when `tests`), with
    /// extra environment variables.
    pub fn expand(&self, tests: bool, env: &[(&str, &str)]) -> String {
        self.expand_logged(tests, env).0
    }

    /// Same, with what the compiler printed on stderr.
    pub fn expand_logged(&self, tests: bool, env: &[(&str, &str)]) -> (String, String) {
        let mut args = vec!["rustc", "--quiet", "--lib"];
        if tests {
            args.extend(["--profile", "test"]);
        }
        args.extend(["--", "-Zunpretty=expanded"]);
        let mut cmd = self.cargo(&args);
        cmd.envs(env.iter().copied());
        let out = run(&mut cmd);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (String::from_utf8(out.stdout).expect("expansion is UTF-8"), stderr)
    }
}
