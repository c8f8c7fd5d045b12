//! `cargo wpm sandbox` on `tests/fixtures/sandbox_workspace`: a workspace whose proc-macro
//! member inherits its package fields and dependencies (`workspace = true`), and a library
//! using it and the macros of serde, thiserror, clap, tokio and async-trait (the versions
//! `crates_io.rs` builds, so the guest builds are shared). The library's tests exercise each
//! macro; the report must list every proc-macro crate of the graph as wasm, every library of
//! theirs in the sandbox's target directory must be a shim, and a repeated build must leave
//! everything fresh. The same project built natively must give the same test results and
//! the same `-Zunpretty=expanded` output. Modules and shims come from the shared
//! `$WPM_CACHE_DIR` when warm; the shims' runtime is built once per machine (see `shim.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::support::{cache_dir, require_tools, BUILD_LOCK};

/// The proc-macro crates of the fixture's graph.
const MACRO_CRATES: &[&str] =
    &["async_trait", "clap_derive", "serde_derive", "thiserror_impl", "tokio_macros", "wpm_sandbox_macros"];

/// The app's tests, each exercising some of the macros.
const APP_TESTS: &[&str] = &["local_derive", "thiserror_displays", "clap_parses", "async_trait_and_tokio"];

/// Runs `cargo-wpm wpm sandbox ARGS...` in the fixture; returns `(success, stdout, stderr)`.
fn sandbox(fixture: &Path, target: &Path, args: &[&str]) -> (bool, String, String) {
    sandbox_with(fixture, target, args, &[])
}

/// [`sandbox`] with environment variables `env` set.
fn sandbox_with(fixture: &Path, target: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-wpm"));
    cmd.args(["wpm", "sandbox"]).args(args).envs(env.iter().copied());
    run(cmd, fixture, target, &format!("cargo wpm sandbox {}", args.join(" ")))
}

/// Runs plain `cargo ARGS...` (native proc macros) in the fixture, with `env` set.
fn native(fixture: &Path, target: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args).envs(env.iter().copied());
    run(cmd, fixture, target, &format!("cargo {}", args.join(" ")))
}

fn run(mut cmd: Command, fixture: &Path, target: &Path, what: &str) -> (bool, String, String) {
    let started = Instant::now();
    cmd.current_dir(fixture).env("WPM_CACHE_DIR", cache_dir()).env("CARGO_TARGET_DIR", target);
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER"] {
        cmd.env_remove(var);
    }
    let out = cmd.output().expect("running cargo-wpm sandbox");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let shown = if stdout.len() > 4000 { &stdout[..stdout.floor_char_boundary(4000)] } else { &stdout[..] };
    eprintln!("--- {what} ({:.1} s):\n{stderr}\n{shown}", started.elapsed().as_secs_f64());
    (out.status.success(), stdout, stderr)
}

/// The outcome lines of a test run (`test NAME ... ok`, and the summary without its time).
fn outcomes(stdout: &str) -> Vec<String> {
    let mut lines: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("test ") || l.starts_with("test result:"))
        .map(|l| l.split("; finished in").next().unwrap_or(l).to_owned())
        .collect();
    lines.sort();
    lines
}

/// Every file under `dir` whose name starts with `lib<crate>-` or is `lib<crate>.so`.
fn libraries(dir: &Path, krate: &str, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            libraries(&path, krate, found);
        } else if (name.starts_with(&format!("lib{krate}-")) || name.starts_with(&format!("lib{krate}.")))
            && name.ends_with(std::env::consts::DLL_SUFFIX)
        {
            found.push(path);
        }
    }
}

#[test]
fn sandbox_runs_every_proc_macro_of_a_workspace_in_wasm() {
    require_tools();
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sandbox_workspace");
    let lock_before = std::fs::read(fixture.join("Cargo.lock")).expect("the fixture has a Cargo.lock");
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sandbox-target");
    // The proc-macro crates must be compiled in this run for the report to list them.
    let sandboxed = target.join("wpm-sandbox");
    let _ = std::fs::remove_dir_all(&sandboxed);

    let (ok, stdout, stderr) = sandbox(&fixture, &target, &["--report", "test", "--", "--nocapture"]);
    assert!(ok, "cargo wpm sandbox test failed:\n{stderr}");
    assert!(stdout.contains("hello from Point, derived in wasm"), "the local derive did not run in wasm:\n{stdout}");
    for test in APP_TESTS {
        assert!(stdout.contains(&format!("test tests::{test} ... ok")), "{test} did not pass:\n{stdout}");
    }
    let sandboxed_outcomes = outcomes(&stdout);
    for krate in MACRO_CRATES {
        let row = stdout.lines().find(|l| l.split_whitespace().next() == Some(krate));
        let row = row.unwrap_or_else(|| panic!("the report does not list {krate}:\n{stdout}"));
        assert_eq!(row.split_whitespace().nth(3), Some("wasm"), "{krate} did not run in wasm:\n{stdout}");
    }
    let source = |krate: &str| stdout.lines().find(|l| l.starts_with(krate)).and_then(|l| l.split_whitespace().nth(2));
    assert_eq!(source("serde_derive"), Some("crates.io"), "{stdout}");
    assert_eq!(source("wpm_sandbox_macros"), Some("path"), "{stdout}");

    // Every library of the two crates Cargo keeps is a shim (it embeds the module, whose
    // exports name `wpm_manifest`); the native build of the crate was never made.
    for krate in MACRO_CRATES {
        let mut found = Vec::new();
        libraries(&sandboxed, krate, &mut found);
        assert!(!found.is_empty(), "no library of {krate} under {}", sandboxed.display());
        for file in found {
            let bytes = std::fs::read(&file).unwrap();
            assert!(
                bytes.windows(b"wpm_manifest".len()).any(|w| w == b"wpm_manifest"),
                "{} is not a shim: a native proc-macro library is in the sandbox",
                file.display()
            );
        }
    }

    // `build` after `test` compiles the local macro for the dev profile (its module and
    // shim are cached); the next `build` finds everything fresh.
    let (ok, _, stderr) = sandbox(&fixture, &target, &["build"]);
    assert!(ok, "cargo wpm sandbox build failed:\n{stderr}");
    let (ok, stdout, stderr) = sandbox(&fixture, &target, &["--report", "build", "-v"]);
    assert!(ok, "the second cargo wpm sandbox build failed:\n{stderr}");
    assert!(!stderr.contains("Compiling") && !stderr.contains("Running `"), "a no-op build compiled:\n{stderr}");
    for package in ["serde_derive", "wpm-sandbox-macros", "wpm-sandbox-app"] {
        assert!(stderr.contains(&format!("Fresh {package} ")), "{package} is not fresh:\n{stderr}");
    }
    assert!(stdout.contains("no proc-macro crate was compiled"), "{stdout}");

    // Natively, the same test results, and the same expansion of the app crate.
    let native_target = target.join("native");
    let (ok, stdout, stderr) = native(&fixture, &native_target, &["test", "--", "--nocapture"], &[]);
    assert!(ok, "cargo test (native) failed:\n{stderr}");
    assert!(stdout.contains("hello from Point, derived in native"), "{stdout}");
    assert_eq!(outcomes(&stdout), sandboxed_outcomes, "native and sandboxed test results differ");
    let expand = ["rustc", "-p", "wpm-sandbox-app", "--lib", "--", "-Zunpretty=expanded"];
    // `-Z` flags on a stable compiler.
    let bootstrap = [("RUSTC_BOOTSTRAP", "1")];
    let (ok, native_expanded, stderr) = native(&fixture, &native_target, &expand, &bootstrap);
    assert!(ok, "cargo rustc -Zunpretty=expanded (native) failed:\n{stderr}");
    let (ok, sandboxed_expanded, stderr) = sandbox_with(&fixture, &target, &expand, &bootstrap);
    assert!(ok, "cargo wpm sandbox rustc -Zunpretty=expanded failed:\n{stderr}");
    assert!(native_expanded.contains("impl clap::FromArgMatches for Args"), "{native_expanded}");
    // The fixture's own derive says where it ran, by design: the one intended difference.
    let sandboxed_expanded = sandboxed_expanded.replace("derived in wasm", "derived in native");
    if native_expanded != sandboxed_expanded {
        let line = native_expanded.lines().zip(sandboxed_expanded.lines()).position(|(a, b)| a != b);
        panic!("the expansions differ (first at line {line:?}):\n--- native:\n{native_expanded}\n--- sandboxed:\n{sandboxed_expanded}");
    }

    // Nothing in the project was written.
    assert_eq!(std::fs::read(fixture.join("Cargo.lock")).unwrap(), lock_before, "Cargo.lock changed");
    assert!(!fixture.join("target").exists(), "the sandbox wrote a target directory into the project");
    eprintln!("sandbox test: {:.1} s", started.elapsed().as_secs_f64());
}

/// A proc-macro crate that builds natively but not for wasm
/// (`tests/fixtures/sandbox_wasm_fails`): the sandboxed build fails at that crate with the
/// builder's error, once, naming the crate and the way out; `--native` keeps it native.
#[test]
fn sandbox_names_a_macro_crate_that_does_not_build_for_wasm() {
    require_tools();
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sandbox_wasm_fails");
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sandbox-fails-target");
    let _ = std::fs::remove_dir_all(&target);

    let (ok, _, stderr) = sandbox(&fixture, &target, &["build"]);
    assert!(!ok, "the sandboxed build should fail:\n{stderr}");
    let headline = "error: cannot run proc-macro crate `wpm-sandbox-broken` 0.1.0 in the wasm sandbox";
    assert_eq!(stderr.matches(headline).count(), 1, "expected the sandbox's error once:\n{stderr}");
    assert!(stderr.contains("wpm-sandbox-broken does not build for wasm"), "the builder's error is missing:\n{stderr}");
    assert!(stderr.contains("cargo wpm sandbox --native wpm-sandbox-broken"), "no hint:\n{stderr}");
    assert!(!stderr.contains("wpm-sandbox-user"), "cargo went on to the dependent:\n{stderr}");

    let (ok, _, stderr) = sandbox(&fixture, &target, &["--native", "wpm-sandbox-broken", "build"]);
    assert!(ok, "the build with --native failed:\n{stderr}");
    assert!(stderr.contains("wpm-sandbox-broken 0.1.0 stays native (--native wpm-sandbox-broken)"), "{stderr}");
}
