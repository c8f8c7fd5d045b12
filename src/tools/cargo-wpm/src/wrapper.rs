//! `cargo-wpm` as a `RUSTC_WRAPPER`: gives every wasm crate our `proc_macro`.
//!
//! Guest builds run cargo with `RUSTC_WRAPPER=<this binary>` and [`WRAPPER_ENV`] set.
//! Cargo then calls `cargo-wpm <rustc> <args...>` for every compilation. When
//! [`GUEST_RLIB_ENV`] names the guest library's rlib, the wrapper appends
//! `--extern proc_macro=<rlib> -L dependency=<deps dir>` to compilations for the wasm
//! target, which shadows the sysroot's `proc_macro` in proc-macro2, syn, quote and the
//! macro crate alike. It leaves alone:
//! - host compilations (no `--target wasm32-...`): build scripts and proc-macro deps;
//! - std's crates, which cargo's `-Zbuild-std` marks with `-Zforce-unstable-if-unmarked`;
//! - the guest library itself (crate name `proc_macro`).
//!
//! The wrapper is used for the guest library's build too (without the rlib), so that both
//! builds present identical compiler invocations to cargo and std is compiled once.

use std::ffi::{OsStr, OsString};
use std::process::Command;

/// Set (to `1`) in the environment of guest builds: tells `cargo-wpm` it runs as a wrapper.
pub(crate) const WRAPPER_ENV: &str = "WPM_RUSTC_WRAPPER";
/// The guest library's rlib, for the macro crate's build.
pub(crate) const GUEST_RLIB_ENV: &str = "WPM_GUEST_RLIB";
/// The directory holding the guest library's dependencies (`wpm_abi`).
pub(crate) const GUEST_DEPS_ENV: &str = "WPM_GUEST_DEPS";

/// The target guest code is compiled for.
pub(crate) const TARGET: &str = "wasm32-unknown-unknown";

/// Whether this process was started by cargo as the wrapper.
pub(crate) fn is_wrapper_invocation() -> bool {
    std::env::var_os(WRAPPER_ENV).is_some_and(|v| v == "1")
}

/// The arguments to add to a rustc invocation (`args` excludes the rustc path).
pub(crate) fn extra_args(args: &[OsString], rlib: Option<&OsStr>, deps: Option<&OsStr>) -> Vec<OsString> {
    let Some(rlib) = rlib else { return Vec::new() };
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let for_wasm = args.windows(2).any(|w| w[0] == "--target" && w[1].to_str().is_some_and(|t| t.starts_with("wasm32")))
        || args.iter().any(|a| a.to_str().is_some_and(|a| a.starts_with("--target=wasm32")));
    let crate_name = args.windows(2).find(|w| w[0] == "--crate-name").map(|w| w[1].clone());
    if !for_wasm || has("-Zforce-unstable-if-unmarked") || crate_name.as_deref() == Some(OsStr::new("proc_macro")) {
        return Vec::new();
    }
    let mut extern_arg = OsString::from("proc_macro=");
    extern_arg.push(rlib);
    let mut extra = vec![OsString::from("--extern"), extern_arg];
    if let Some(deps) = deps {
        let mut dep_arg = OsString::from("dependency=");
        dep_arg.push(deps);
        extra.push(OsString::from("-L"));
        extra.push(dep_arg);
    }
    extra
}

/// Runs as the wrapper: `args` is `[self, rustc, rustc args...]`. Returns the exit code.
pub(crate) fn run(args: Vec<OsString>) -> i32 {
    let mut args = args.into_iter().skip(1);
    let Some(rustc) = args.next() else {
        eprintln!("cargo-wpm: {WRAPPER_ENV} is set but no compiler was given");
        return 2;
    };
    let rest: Vec<OsString> = args.collect();
    let rlib = std::env::var_os(GUEST_RLIB_ENV);
    let deps = std::env::var_os(GUEST_DEPS_ENV);
    let extra = extra_args(&rest, rlib.as_deref(), deps.as_deref());
    let mut cmd = Command::new(&rustc);
    cmd.args(&rest).args(&extra);
    match cmd.status() {
        Ok(status) => status.code().unwrap_or(101),
        Err(e) => {
            eprintln!("cargo-wpm: cannot run {}: {e}", rustc.to_string_lossy());
            101
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn only_wasm_user_crates_get_the_guest_proc_macro() {
        let rlib = Some(OsStr::new("/t/libproc_macro.rlib"));
        let deps = Some(OsStr::new("/t/deps"));
        let syn = args("--crate-name syn --edition=2021 src/lib.rs --target wasm32-unknown-unknown");
        assert_eq!(
            extra_args(&syn, rlib, deps),
            args("--extern proc_macro=/t/libproc_macro.rlib -L dependency=/t/deps")
        );
        let syn_eq = args("--crate-name syn src/lib.rs --target=wasm32-unknown-unknown");
        assert_eq!(extra_args(&syn_eq, rlib, None).len(), 2);
        let build_script = args("--crate-name build_script_build build.rs --crate-type bin");
        assert!(extra_args(&build_script, rlib, deps).is_empty());
        let std = args("--crate-name std -Zforce-unstable-if-unmarked --target wasm32-unknown-unknown");
        assert!(extra_args(&std, rlib, deps).is_empty());
        let guest = args("--crate-name proc_macro --target wasm32-unknown-unknown");
        assert!(extra_args(&guest, rlib, deps).is_empty());
        assert!(extra_args(&syn, None, deps).is_empty());
        assert!(extra_args(&args("-vV"), rlib, deps).is_empty());
    }
}
