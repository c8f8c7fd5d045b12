//! The tools a build needs: the guest rustc and cargo (with std sources), wasm-opt and
//! the host cargo. Missing tools are reported up front, with the install script to run.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};

/// Paths to the tools.
#[derive(Clone, Debug)]
pub(crate) struct Toolchain {
    /// The guest rustc (able to build std for wasm32). By default `/usr/bin/rustc`;
    /// `$WPM_GUEST_RUSTC` overrides.
    pub(crate) rustc: PathBuf,
    /// The guest cargo. By default `/usr/bin/cargo`; `$WPM_GUEST_CARGO` overrides.
    pub(crate) cargo: PathBuf,
    /// The guest rustc's sysroot (holds std's sources).
    pub(crate) sysroot: PathBuf,
    /// The host cargo that resolves packages: `$CARGO` (set when run as `cargo wpm`),
    /// else `cargo` from `PATH`.
    pub(crate) host_cargo: PathBuf,
}

impl Toolchain {
    /// Finds the guest toolchain and checks that it has std's sources.
    ///
    /// # Errors
    /// [`Error::Toolchain`] naming the missing piece.
    pub(crate) fn find() -> Result<Self> {
        let rustc = guest_rustc();
        let cargo = env_path("WPM_GUEST_CARGO", "/usr/bin/cargo");
        for (tool, what) in [(&rustc, "the guest rustc"), (&cargo, "the guest cargo")] {
            if !tool.is_file() {
                return Err(Error::Toolchain { what: format!("`{}` ({what})", tool.display()) });
            }
        }
        let sysroot = Command::new(&rustc)
            .args(["--print", "sysroot"])
            .output()
            .map_err(|e| Error::io(format!("running {}", rustc.display()), e))?;
        let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
        let std_src = sysroot.join("lib/rustlib/src/rust/library/std");
        if !std_src.is_dir() {
            return Err(Error::Toolchain {
                what: format!("std's sources for `{}` ({} does not exist)", rustc.display(), std_src.display()),
            });
        }
        let host_cargo = std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
        Ok(Toolchain { rustc, cargo, sysroot, host_cargo })
    }
}

/// The guest rustc's path: `$WPM_GUEST_RUSTC`, else `/usr/bin/rustc` (not checked to exist).
pub(crate) fn guest_rustc() -> PathBuf {
    env_path("WPM_GUEST_RUSTC", "/usr/bin/rustc")
}

/// Finds `wasm-opt`: `$WPM_WASM_OPT`, else `wasm-opt` on `PATH`, else `/usr/bin/wasm-opt`.
///
/// # Errors
/// [`Error::Toolchain`] when none exists.
pub(crate) fn wasm_opt() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("WPM_WASM_OPT") {
        let path = PathBuf::from(path);
        return if path.is_file() { Ok(path) } else { Err(missing_wasm_opt(&path)) };
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("wasm-opt"))
        .find(|p| p.is_file());
    let path = on_path.unwrap_or_else(|| PathBuf::from("/usr/bin/wasm-opt"));
    if path.is_file() {
        Ok(path)
    } else {
        Err(missing_wasm_opt(&path))
    }
}

fn missing_wasm_opt(path: &Path) -> Error {
    Error::Toolchain { what: format!("`wasm-opt` (binaryen; looked for {})", path.display()) }
}

fn env_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
}
