//! `cargo wpm sandbox [--native NAME]... [--report] CARGO_SUBCOMMAND [ARGS...]`: runs the
//! user's cargo command with every proc-macro crate of the build expanded in wasm.
//!
//! Cargo runs with `RUSTC_WRAPPER=<this binary>` and [`STATE_ENV`] naming a private state
//! directory; the wrapper ([`crate::sandbox_wrapper`]) replaces each proc-macro library
//! Cargo asks for by a shim of its wasm module and leaves every other compilation alone.
//! The target directory is `<cargo's target dir>/wpm-sandbox` (`wpm-sandbox-native-<names>`
//! with `--native`; unless the command names one), so native and sandboxed artifacts never
//! meet. Nothing in the project is written.
//! See `docs/sandbox.md`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

/// Set in the environment of the user's cargo: the directory the wrapper writes its
/// records to. Its presence puts `cargo-wpm` in sandbox-wrapper mode (distinct from the
/// guest builds' [`crate::wrapper::WRAPPER_ENV`]).
pub(crate) const STATE_ENV: &str = "WPM_SANDBOX_STATE";
/// The crates kept native (`--native`), comma-separated.
pub(crate) const NATIVE_ENV: &str = "WPM_SANDBOX_NATIVE";
/// The file in the state directory the wrapper writes its progress lines to (see
/// [`crate::pipeline::log_progress_to`]).
pub(crate) const PROGRESS_FILE: &str = "progress.log";
/// The subdirectory of cargo's target directory that sandboxed builds use.
pub(crate) const TARGET_SUBDIR: &str = "wpm-sandbox";

/// What the wrapper did with one proc-macro crate: a line of the `--report` table.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    /// The crate name (`serde_derive`).
    pub(crate) krate: String,
    /// The package version.
    pub(crate) version: String,
    /// `crates.io`, `registry`, `git` or `path`.
    pub(crate) source: String,
    /// Whether it ran in wasm (`false`: kept native by `--native`).
    pub(crate) wasm: bool,
    /// The number of macros the module registers.
    pub(crate) macros: usize,
    /// The module's size.
    pub(crate) module_bytes: u64,
    /// Seconds the wrapper spent on the crate (module, shim, dep-info).
    pub(crate) seconds: f64,
    /// Whether the module came from the cache.
    pub(crate) module_cached: bool,
    /// Whether the shim came from the cache.
    pub(crate) shim_cached: bool,
}

/// `cargo wpm sandbox`'s options.
#[derive(Clone, Debug)]
pub(crate) struct SandboxOptions {
    /// Crates (crate or package names) that stay native.
    pub(crate) native: Vec<String>,
    /// Print the table of proc-macro crates after cargo finishes.
    pub(crate) report: bool,
    /// The cargo command: subcommand and its arguments.
    pub(crate) cargo_args: Vec<OsString>,
}

/// Runs the sandboxed cargo command; returns its exit code.
///
/// # Errors
/// A message when cargo cannot be run or the state directory cannot be made.
pub(crate) fn run(opts: &SandboxOptions) -> Result<i32, String> {
    let cargo = std::env::var_os("CARGO").filter(|c| !c.is_empty()).unwrap_or_else(|| "cargo".into());
    let this = std::env::current_exe().map_err(|e| format!("cannot find the cargo-wpm binary: {e}"))?;
    let state = state_dir()?;
    let mut cmd = Command::new(&cargo);
    cmd.args(&opts.cargo_args);
    if !names_target_dir(&opts.cargo_args) {
        let target = target_dir(&cargo, &opts.cargo_args)?.join(target_subdir(&opts.native));
        cmd.env("CARGO_TARGET_DIR", target);
    }
    for var in ["RUSTC_WRAPPER", "CARGO_BUILD_RUSTC_WRAPPER"] {
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            eprintln!("{:>12} {var} is replaced by cargo-wpm for this build", "wpm");
        }
        cmd.env_remove(var);
    }
    cmd.env("RUSTC_WRAPPER", &this).env(STATE_ENV, &state).env(NATIVE_ENV, opts.native.join(","));
    let log = state.join(PROGRESS_FILE);
    let status = match cmd.spawn() {
        Ok(mut child) => {
            let mut shown = 0;
            loop {
                shown = show_progress(&log, shown);
                match child.try_wait() {
                    Ok(Some(status)) => break Ok(status),
                    Ok(None) => std::thread::sleep(std::time::Duration::from_millis(100)),
                    Err(e) => break Err(format!("waiting for cargo: {e}")),
                }
            }
            .inspect(|_| {
                show_progress(&log, shown);
            })
        }
        Err(e) => Err(format!("cannot run `{}`: {e}", cargo.to_string_lossy())),
    };
    let records = read_records(&state);
    let _ = std::fs::remove_dir_all(&state);
    let status = status?;
    if opts.report {
        print!("{}", report(&records));
    }
    Ok(status.code().unwrap_or(101))
}

/// The subdirectory of cargo's target directory for a build that keeps `native` native:
/// [`TARGET_SUBDIR`], or one per set of native crates. Cargo cannot see the wrapper's
/// choice (its rustc arguments are the same), so a crate built in wasm would otherwise be
/// fresh in a build that asks for it native, and the other way round.
fn target_subdir(native: &[String]) -> String {
    if native.is_empty() {
        return TARGET_SUBDIR.to_owned();
    }
    let mut names: Vec<String> = native.iter().map(|n| n.replace('-', "_")).collect();
    names.sort();
    names.dedup();
    let joined: String = names
        .join("+")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '+' { c } else { '_' })
        .collect();
    format!("{TARGET_SUBDIR}-native-{joined}")
}

/// Prints the whole lines of `log` past byte `shown` on stderr; returns the new offset.
fn show_progress(log: &Path, shown: usize) -> usize {
    let Ok(bytes) = std::fs::read(log) else { return shown };
    let Some(end) = bytes.iter().rposition(|&b| b == b'\n').map(|i| i + 1) else { return shown };
    if end > shown {
        eprint!("{}", String::from_utf8_lossy(&bytes[shown..end]));
    }
    end.max(shown)
}

/// A fresh private directory for this run's records.
fn state_dir() -> Result<PathBuf, String> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("wpm-sandbox-{}-{nanos}", std::process::id()));
    wpm_host::ensure_private_dir(&dir).map_err(|why| format!("cannot use {} for records: {why}", dir.display()))?;
    std::fs::create_dir_all(dir.join("records")).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// Whether the cargo arguments choose a target directory themselves.
fn names_target_dir(args: &[OsString]) -> bool {
    args.iter().any(|a| a == "--target-dir" || a.to_str().is_some_and(|a| a.starts_with("--target-dir=")))
}

/// Cargo's target directory for the project the arguments select (`--manifest-path`, else
/// the current directory), from `cargo metadata`.
fn target_dir(cargo: &OsString, args: &[OsString]) -> Result<PathBuf, String> {
    #[derive(Deserialize)]
    struct Meta {
        target_directory: PathBuf,
    }
    let mut cmd = Command::new(cargo);
    cmd.args(["metadata", "--format-version", "1", "--no-deps"]);
    if let Some(i) = args.iter().position(|a| a == "--manifest-path") {
        if let Some(path) = args.get(i + 1) {
            cmd.arg("--manifest-path").arg(path);
        }
    } else if let Some(a) = args.iter().find_map(|a| a.to_str().and_then(|a| a.strip_prefix("--manifest-path="))) {
        cmd.arg("--manifest-path").arg(a);
    }
    let out = cmd.output().map_err(|e| format!("cannot run `{} metadata`: {e}", cargo.to_string_lossy()))?;
    if !out.status.success() {
        return Err(format!("`cargo metadata` failed:\n{}", String::from_utf8_lossy(&out.stderr).trim_end()));
    }
    let meta: Meta =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cannot read `cargo metadata` output: {e}"))?;
    Ok(meta.target_directory)
}

/// The records the wrapper wrote under `state`, sorted by crate and version.
fn read_records(state: &Path) -> Vec<Record> {
    let mut records: Vec<Record> = std::fs::read_dir(state.join("records"))
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| std::fs::read(e.path()).ok())
                .filter_map(|bytes| serde_json::from_slice(&bytes).ok())
                .collect()
        })
        .unwrap_or_default();
    records.sort_by(|a, b| (&a.krate, &a.version).cmp(&(&b.krate, &b.version)));
    records
}

/// The `--report` table.
pub(crate) fn report(records: &[Record]) -> String {
    if records.is_empty() {
        return "wpm sandbox: no proc-macro crate was compiled in this run (all fresh, or none in the graph)\n"
            .to_owned();
    }
    let header = ["crate", "version", "source", "runs in", "macros", "module bytes", "build time", "cached"];
    let rows: Vec<[String; 8]> = records
        .iter()
        .map(|r| {
            let cached = match (r.module_cached, r.shim_cached) {
                _ if !r.wasm => "-",
                (true, true) => "yes",
                (true, false) => "module",
                (false, true) => "shim",
                (false, false) => "no",
            };
            [
                r.krate.clone(),
                r.version.clone(),
                r.source.clone(),
                if r.wasm { "wasm" } else { "native" }.to_owned(),
                if r.wasm { r.macros.to_string() } else { "-".to_owned() },
                if r.wasm { r.module_bytes.to_string() } else { "-".to_owned() },
                format!("{:.1} s", r.seconds),
                cached.to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&header.map(str::to_owned));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_is_an_aligned_table() {
        let record = |krate: &str, wasm: bool| Record {
            krate: krate.into(),
            version: "1.0.229".into(),
            source: "crates.io".into(),
            wasm,
            macros: 2,
            module_bytes: 1_041_446,
            seconds: 31.25,
            module_cached: true,
            shim_cached: false,
        };
        let text = report(&[record("serde_derive", true), record("m", false)]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("crate         version  source"), "{text}");
        assert!(lines[1].contains("wasm") && lines[1].contains("1041446") && lines[1].ends_with("module"), "{text}");
        assert!(lines[2].contains("native") && lines[2].ends_with('-'), "{text}");
        assert!(report(&[]).contains("no proc-macro crate"));
    }

    #[test]
    fn native_sets_get_their_own_target_directories() {
        assert_eq!(target_subdir(&[]), "wpm-sandbox");
        let native = ["serde_derive".to_owned(), "my-macros".to_owned(), "my_macros".to_owned()];
        assert_eq!(target_subdir(&native), "wpm-sandbox-native-my_macros+serde_derive");
    }

    #[test]
    fn target_dir_flags() {
        let args = |s: &str| s.split_whitespace().map(OsString::from).collect::<Vec<_>>();
        assert!(names_target_dir(&args("build --target-dir /x")));
        assert!(names_target_dir(&args("build --target-dir=/x")));
        assert!(!names_target_dir(&args("build --release")));
    }
}
