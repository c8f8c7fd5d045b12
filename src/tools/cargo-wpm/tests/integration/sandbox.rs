//! `cargo wpm sandbox` on `tests/fixtures/sandbox_workspace`: a workspace whose proc-macro
//! member inherits its package fields and dependencies (`workspace = true`), and a library
//! deriving with it and with serde (serde_derive 1.0.229, the version `crates_io.rs`
//! builds, so the guest build is shared). The library's test checks that its local derive
//! ran in wasm; the report must list both proc-macro crates as wasm, every library of
//! theirs in the sandbox's target directory must be a shim, and a repeated build must
//! leave everything fresh. Modules and shims come from the shared `$WPM_CACHE_DIR` when
//! warm; the shims' runtime is built once per machine (see `shim.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::support::{cache_dir, require_tools, BUILD_LOCK};

/// The proc-macro crates of the fixture's graph.
const MACRO_CRATES: &[&str] = &["serde_derive", "wpm_sandbox_macros"];

/// Runs `cargo-wpm wpm sandbox ARGS...` in the fixture; returns `(success, stdout, stderr)`.
fn sandbox(fixture: &Path, target: &Path, args: &[&str]) -> (bool, String, String) {
    let started = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-wpm"));
    cmd.args(["wpm", "sandbox"]).args(args).current_dir(fixture);
    cmd.env("WPM_CACHE_DIR", cache_dir()).env("CARGO_TARGET_DIR", target);
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER"] {
        cmd.env_remove(var);
    }
    let out = cmd.output().expect("running cargo-wpm sandbox");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!(
        "--- cargo wpm sandbox {} ({:.1} s):\n{stderr}\n{stdout}",
        args.join(" "),
        started.elapsed().as_secs_f64()
    );
    (out.status.success(), stdout, stderr)
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

    let (ok, stdout, stderr) = sandbox(&fixture, &target, &["--report", "test"]);
    assert!(ok, "cargo wpm sandbox test failed:\n{stderr}");
    assert!(stdout.contains("test tests::the_derives_ran_in_wasm ... ok"), "{stdout}");
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

    // Nothing in the project was written.
    assert_eq!(std::fs::read(fixture.join("Cargo.lock")).unwrap(), lock_before, "Cargo.lock changed");
    assert!(!fixture.join("target").exists(), "the sandbox wrote a target directory into the project");
    eprintln!("sandbox test: {:.1} s", started.elapsed().as_secs_f64());
}
