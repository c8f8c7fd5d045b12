//! `wpm-rustc`: rustc plus `--wasm-proc-macro NAME=PATH`.
//!
//! For each such option the wrapper generates a native shim crate for the module (see
//! `wpm_shim`), builds it once into a machine-wide cache (`wpm_shim::cache`), and hands rustc
//! `--extern NAME=<shim library>` and `-L dependency=<its deps>`; every other argument goes
//! to the real rustc unchanged. It also works as `RUSTC_WRAPPER`/`RUSTC_WORKSPACE_WRAPPER`:
//! when the first argument names a rustc, that is the compiler run. Otherwise the compiler
//! is `$WPM_REAL_RUSTC`, else `rustc` from `PATH`.

mod args;

use std::ffi::OsString;
use std::process::{Command, ExitCode};

/// Names the compiler to run when not used as a wrapper. By default `rustc`.
const ENV_REAL_RUSTC: &str = "WPM_REAL_RUSTC";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

/// Parses, builds shims, runs rustc; returns rustc's exit code or a message for `error:`.
fn run() -> Result<ExitCode, String> {
    let inv = args::parse(std::env::args_os().skip(1).collect()).map_err(|e| e.to_string())?;
    let rustc = inv
        .rustc
        .or_else(|| std::env::var_os(ENV_REAL_RUSTC).filter(|r| !r.is_empty()))
        .unwrap_or_else(|| OsString::from("rustc"));
    let mut extra: Vec<OsString> = Vec::new();
    for m in &inv.macros {
        let request = wpm_shim::cache::ShimRequest { name: &m.name, version: None, module: &m.path };
        let built = wpm_shim::cache::shim_for(&request, &rustc, &mut |line| eprintln!("wpm-rustc: {line}"))
            .map_err(|e| e.to_string())?;
        let mut ext = OsString::from(format!("{}=", m.name));
        ext.push(&built.library);
        extra.push("--extern".into());
        extra.push(ext);
        let mut dep = OsString::from("dependency=");
        dep.push(&built.deps);
        extra.push("-L".into());
        extra.push(dep);
    }
    let mut cmd = Command::new(&rustc);
    cmd.args(&inv.rest).args(&extra);
    exec(cmd, &rustc)
}

/// Runs the compiler in place of this process where possible, so signals and exit codes
/// pass through untouched.
#[cfg(unix)]
fn exec(mut cmd: Command, rustc: &OsString) -> Result<ExitCode, String> {
    use std::os::unix::process::CommandExt;
    let e = cmd.exec();
    Err(format!("cannot run `{}`: {e}", rustc.to_string_lossy()))
}

/// Runs the compiler and forwards its exit code.
#[cfg(not(unix))]
fn exec(mut cmd: Command, rustc: &OsString) -> Result<ExitCode, String> {
    let status = cmd.status().map_err(|e| format!("cannot run `{}`: {e}", rustc.to_string_lossy()))?;
    Ok(ExitCode::from(status.code().map_or(1, |c| c as u8)))
}
