//! The wrapper's command-line errors, through the real binary: `error: ...` on stderr, exit
//! code 1, and rustc never run. Also pass-through: with no wasm macro the real rustc runs.

use std::process::Command;

const WPM_RUSTC: &str = env!("CARGO_BIN_EXE_wpm-rustc");

fn fails_with(args: &[&str], message: &str) {
    // A real rustc that would fail differently if it were ever reached.
    let out =
        Command::new(WPM_RUSTC).args(args).env("WPM_REAL_RUSTC", "/nonexistent/rustc").output().expect("run wpm-rustc");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().next(), Some(message), "{args:?}");
}

#[test]
fn malformed_missing_duplicate_and_clashing_options_are_errors() {
    let this = env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml";
    fails_with(&["--wasm-proc-macro"], "error: --wasm-proc-macro requires an argument of the form NAME=PATH");
    fails_with(&["--wasm-proc-macro", "x"], "error: `--wasm-proc-macro` expects `NAME=PATH`, found `x`");
    fails_with(
        &["--wasm-proc-macro=a-b=c"],
        "error: `--wasm-proc-macro a-b=c`: `a-b` is not a valid crate name (an ASCII identifier that is not a \
         keyword)",
    );
    fails_with(
        &["--wasm-proc-macro", "m=/no/such.wasm"],
        "error: --wasm-proc-macro m: cannot find the wasm module `/no/such.wasm`",
    );
    fails_with(
        &["--wasm-proc-macro", &format!("m={this}"), "--wasm-proc-macro", &format!("m={this}")],
        "error: --wasm-proc-macro gives the crate `m` more than once",
    );
    fails_with(
        &["--extern=m=/x.so", "--wasm-proc-macro", &format!("m={this}")],
        "error: crate `m` is given both as --wasm-proc-macro and as --extern; remove one of them",
    );
}

#[test]
fn a_file_that_is_not_a_module_is_an_error() {
    let this = env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml";
    let cache = std::env::temp_dir().join(format!("wpm-rustc-cli-{}", std::process::id()));
    let out = Command::new(WPM_RUSTC)
        .args(["--wasm-proc-macro", &format!("m={this}"), "-vV"])
        .env("WPM_SHIM_CACHE", &cache)
        .output()
        .expect("run wpm-rustc");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: cannot generate the shim for `m`: "), "{stderr}");
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn without_wasm_macros_rustc_runs_unchanged() {
    // Wrapper mode: the first argument is the compiler.
    let out = Command::new(WPM_RUSTC).args(["rustc", "-vV"]).output().expect("run wpm-rustc");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("rustc "));
    // rustc's own failure and exit code come through.
    let out = Command::new(WPM_RUSTC).args(["rustc", "--no-such-flag"]).output().expect("run wpm-rustc");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-flag"));
}

#[test]
fn a_shim_cache_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let this = env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml";
    let cache = std::env::temp_dir().join(format!("wpm-rustc-cli-shared-{}", std::process::id()));
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = Command::new(WPM_RUSTC)
        .args(["--wasm-proc-macro", &format!("m={this}"), "-vV"])
        .env("WPM_SHIM_CACHE", &cache)
        .output()
        .expect("run wpm-rustc");
    let _ = std::fs::remove_dir_all(&cache);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: the shim cache `{}` is writable by group or others (mode 0777): shims are native code",
            cache.display()
        )),
        "{stderr}"
    );
}
