//! Through a shim: `tests/fixtures/edition2015_try` (an edition-2015 derive emitting `try!`
//! with call-site spans, as serde_derive 1.0.150 does, and three features) is built, its
//! module's build metadata read back, and a shim of it used by an edition-2021 crate with
//! stock cargo: the derive's output compiles and runs, a feature the module was built with
//! resolves, one it was built without stops the build. The shims' runtime is built once
//! per machine and compiler (minutes on the first run; `$WPM_CACHE_DIR/runtime`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{build, cache_dir, inspect_json};

/// Package and lib name of the fixture (and so of its shim).
const PACKAGE: &str = "wpm-fixture-edition2015";

/// `cargo-wpm shim MODULE -o DIR --name PACKAGE --version 0.1.0`.
fn shim(module: &Path, dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-wpm"))
        .args(["wpm", "shim"])
        .arg(module)
        .arg("-o")
        .arg(dir)
        .args(["--name", PACKAGE, "--version", "0.1.0"])
        .output()
        .expect("running cargo-wpm shim");
    assert!(out.status.success(), "cargo wpm shim failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Writes an edition-2021 crate at `dir` that derives `Tried` from the crate at `shim`
/// with `features`, and runs `cargo SUBCOMMAND` in it; returns `(success, stderr)`.
fn user_crate(dir: &Path, shim: &Path, features: &str, subcommand: &str) -> (bool, String) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"wpm-edition-user\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\
             [dependencies]\n{PACKAGE:?} = {{ path = {:?}, features = [{features}] }}\n[workspace]\n",
            shim.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "#[derive(wpm_fixture_edition2015::Tried)]\npub struct Unit;\n\n\
         #[test]\nfn tried_gives_seven() {\n    assert_eq!(Unit::tried(), Ok(7));\n}\n",
    )
    .unwrap();
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.arg(subcommand).current_dir(dir);
    cmd.env("WPM_CACHE_DIR", cache_dir()).env("CARGO_TARGET_DIR", dir.parent().unwrap().join("target"));
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER"] {
        cmd.env_remove(var);
    }
    let out = cmd.output().expect("running cargo");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("--- cargo {subcommand} in {} (features [{features}]):\n{stderr}", dir.display());
    (out.status.success(), stderr)
}

#[test]
fn edition_2015_derive_and_features_through_a_shim() {
    let fixture = format!("{}/tests/fixtures/edition2015_try", env!("CARGO_MANIFEST_DIR"));
    let built = build(&fixture, "edition2015", &[]);
    assert!(built.success, "building the fixture failed:\n{}", built.stderr);
    let json = inspect_json(&built.output);
    assert_eq!(json["build"]["edition"], "2015", "{json}");
    assert_eq!(
        json["build"]["features"],
        serde_json::json!([
            { "name": "default", "enabled": true },
            { "name": "extra", "enabled": false },
            { "name": "std", "enabled": true },
        ]),
        "{json}"
    );

    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shim-edition2015");
    let _ = std::fs::remove_dir_all(work.join("shim"));
    shim(&built.output, &work.join("shim"));
    let toml = std::fs::read_to_string(work.join("shim/Cargo.toml")).unwrap();
    assert!(toml.contains("edition = \"2015\""), "{toml}");

    // The derive's `try!` compiles in the edition-2021 user crate and the code runs.
    let (ok, stderr) = user_crate(&work.join("user"), &work.join("shim"), "\"std\"", "test");
    assert!(ok, "the user crate fails with the shim:\n{stderr}");
    assert!(stderr.contains("Running"), "{stderr}");

    // A feature the module was built without: a clear error, not a resolution failure.
    let (ok, stderr) = user_crate(&work.join("user-extra"), &work.join("shim"), "\"extra\"", "build");
    assert!(!ok, "enabling a feature the module lacks must fail:\n{stderr}");
    assert!(stderr.contains("was built without its feature `extra`"), "{stderr}");

    // The fixture does show the bug: the same shim made edition 2021, as shims were before.
    let _ = std::fs::remove_dir_all(work.join("shim-2021"));
    shim(&built.output, &work.join("shim-2021"));
    let manifest = work.join("shim-2021/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("edition = \"2015\"", "edition = \"2021\"")).unwrap();
    let (ok, stderr) = user_crate(&work.join("user-2021"), &work.join("shim-2021"), "", "build");
    assert!(!ok && stderr.contains("`try`"), "a 2021 shim should reject the derive's `try!`:\n{stderr}");
}
