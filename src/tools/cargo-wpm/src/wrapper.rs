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
//!
//! When [`GUEST_SYSROOT_ENV`] is set, every invocation (queries such as `-vV` and
//! `--print sysroot` included) gets `--sysroot <dir>`: cargo then takes std's sources for
//! `-Zbuild-std` from the guest sysroot ([`crate::guest_target`]).

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::Command;

/// Set (to `1`) in the environment of guest builds: tells `cargo-wpm` it runs as a wrapper.
pub(crate) const WRAPPER_ENV: &str = "WPM_RUSTC_WRAPPER";
/// The guest library's rlib, for the macro crate's build.
pub(crate) const GUEST_RLIB_ENV: &str = "WPM_GUEST_RLIB";
/// The directory holding the guest library's dependencies (`wpm_abi`).
pub(crate) const GUEST_DEPS_ENV: &str = "WPM_GUEST_DEPS";

/// The guest sysroot, passed to every compilation as `--sysroot`.
pub(crate) const GUEST_SYSROOT_ENV: &str = "WPM_GUEST_SYSROOT";

/// Whether this process was started by cargo as the wrapper.
pub(crate) fn is_wrapper_invocation() -> bool {
    std::env::var_os(WRAPPER_ENV).is_some_and(|v| v == "1")
}

/// The rustc arguments to use in place of `args` (which excludes the rustc path).
///
/// For crates that get the guest `proc_macro`, cargo's own `--extern` for the sysroot
/// `proc_macro` (which `-Zbuild-std` adds as `noprelude,nounused:proc_macro=...`) is
/// removed: given two `--extern proc_macro`, rustc would pick the sysroot one.
pub(crate) fn rewrite_args(args: Vec<OsString>, rlib: Option<&OsStr>, deps: Option<&OsStr>) -> Vec<OsString> {
    let Some(rlib) = rlib else { return args };
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let for_wasm = args.windows(2).any(|w| w[0] == "--target" && is_guest_target(&w[1]))
        || args.iter().any(|a| {
            a.to_str().and_then(|a| a.strip_prefix("--target=")).is_some_and(|t| is_guest_target(OsStr::new(t)))
        });
    let crate_name = args.windows(2).find(|w| w[0] == "--crate-name").map(|w| w[1].clone());
    if !for_wasm || has("-Zforce-unstable-if-unmarked") || crate_name.as_deref() == Some(OsStr::new("proc_macro")) {
        return args;
    }
    let mut out = Vec::with_capacity(args.len() + 4);
    let mut iter = args.into_iter();
    while let Some(arg) = iter.next() {
        if arg == "--extern" {
            match iter.next() {
                Some(value) if names_proc_macro(&value) => {}
                Some(value) => out.extend([arg, value]),
                None => out.push(arg),
            }
        } else if arg
            .to_str()
            .and_then(|a| a.strip_prefix("--extern="))
            .is_some_and(|v| names_proc_macro(OsStr::new(v)))
        {
        } else {
            out.push(arg);
        }
    }
    let mut extern_arg = OsString::from("proc_macro=");
    extern_arg.push(rlib);
    out.extend([OsString::from("--extern"), extern_arg]);
    if let Some(deps) = deps {
        let mut dep_arg = OsString::from("dependency=");
        dep_arg.push(deps);
        out.extend([OsString::from("-L"), dep_arg]);
    }
    out
}

/// Whether a `--target` value names guest code: the guest target (its specification file)
/// or a wasm32 target.
fn is_guest_target(value: &OsStr) -> bool {
    let value = Path::new(value);
    value.file_stem().is_some_and(|s| s == crate::guest_target::TARGET_NAME)
        || value.to_str().is_some_and(|t| t.starts_with("wasm32"))
}

/// `args` with `--sysroot sysroot` in front, unless they name a sysroot already.
pub(crate) fn with_sysroot(args: Vec<OsString>, sysroot: Option<&OsStr>) -> Vec<OsString> {
    let Some(sysroot) = sysroot else { return args };
    if args.iter().any(|a| a == "--sysroot" || a.to_str().is_some_and(|a| a.starts_with("--sysroot="))) {
        return args;
    }
    let mut out = vec![OsString::from("--sysroot"), sysroot.to_owned()];
    out.extend(args);
    out
}

/// Whether an `--extern` value (`[opts:]name[=path]`) is for the crate `proc_macro`.
fn names_proc_macro(value: &OsStr) -> bool {
    let value = value.to_string_lossy();
    let name_part = value.split('=').next().unwrap_or("");
    let name = name_part.rsplit(':').next().unwrap_or("");
    name == "proc_macro"
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
    let sysroot = std::env::var_os(GUEST_SYSROOT_ENV);
    let mut cmd = Command::new(&rustc);
    cmd.args(with_sysroot(rewrite_args(rest, rlib.as_deref(), deps.as_deref()), sysroot.as_deref()));
    exit_code(&mut cmd, &rustc)
}

/// Runs `cmd` (the compiler `rustc`) and returns its exit code, as a wrapper must: 101
/// when it was killed or cannot be started (saying so).
pub(crate) fn exit_code(cmd: &mut Command, rustc: &OsStr) -> i32 {
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
        let syn = args("--crate-name syn src/lib.rs --target wasm32-unknown-unknown --extern noprelude,nounused:proc_macro=/s/libproc_macro-1.rlib --extern noprelude:std=/s/libstd.rlib");
        assert_eq!(
            rewrite_args(syn.clone(), rlib, deps),
            args("--crate-name syn src/lib.rs --target wasm32-unknown-unknown --extern noprelude:std=/s/libstd.rlib --extern proc_macro=/t/libproc_macro.rlib -L dependency=/t/deps")
        );
        let syn_eq = args("--crate-name syn src/lib.rs --target=wasm32-unknown-unknown --extern=proc_macro");
        assert_eq!(
            rewrite_args(syn_eq, rlib, None),
            args(
                "--crate-name syn src/lib.rs --target=wasm32-unknown-unknown --extern proc_macro=/t/libproc_macro.rlib"
            )
        );
        let unchanged = [
            "--crate-name build_script_build build.rs --crate-type bin",
            "--crate-name std -Zforce-unstable-if-unmarked --target wasm32-unknown-unknown",
            "--crate-name proc_macro --target wasm32-unknown-unknown",
            "-vV",
        ];
        for case in unchanged {
            assert_eq!(rewrite_args(args(case), rlib, deps), args(case), "{case}");
        }
        assert_eq!(rewrite_args(syn.clone(), None, deps), syn);
    }

    #[test]
    fn the_guest_target_spec_counts_as_wasm() {
        let rlib = Some(OsStr::new("/t/libproc_macro.rlib"));
        let spec = args("--crate-name syn --target /c/guest-sysroot/k/wasm-wpm.json");
        assert_eq!(
            rewrite_args(spec, rlib, None),
            args(
                "--crate-name syn --target /c/guest-sysroot/k/wasm-wpm.json --extern proc_macro=/t/libproc_macro.rlib"
            )
        );
        let host = args("--crate-name build_script_build --target /c/x86_64-unknown-linux-gnu.json");
        assert_eq!(rewrite_args(host.clone(), rlib, None), host);
    }

    #[test]
    fn every_invocation_gets_the_guest_sysroot() {
        let sysroot = Some(OsStr::new("/c/guest-sysroot/k"));
        assert_eq!(with_sysroot(args("-vV"), sysroot), args("--sysroot /c/guest-sysroot/k -vV"));
        assert_eq!(with_sysroot(args("--sysroot /x -vV"), sysroot), args("--sysroot /x -vV"));
        assert_eq!(with_sysroot(args("--sysroot=/x -vV"), sysroot), args("--sysroot=/x -vV"));
        assert_eq!(with_sysroot(args("-vV"), None), args("-vV"));
    }

    #[test]
    fn extern_names() {
        assert!(names_proc_macro(OsStr::new("noprelude,nounused:proc_macro=/x.rlib")));
        assert!(names_proc_macro(OsStr::new("proc_macro")));
        assert!(!names_proc_macro(OsStr::new("proc_macro2=/x.rlib")));
        assert!(!names_proc_macro(OsStr::new("priv:my_proc_macro=/x")));
    }
}
