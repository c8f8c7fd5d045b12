//! Test 1: the application builds and its own tests pass with the wasm macros swapped in
//! through `[patch.crates-io]`, exactly as with the native ones.

use std::fs;

use crate::support::{run, App, Macros, MACRO_CRATES};

/// The number of `#[test]`s in `serde-app`; both runs must run all of them.
const APP_TESTS: &str = "test result: ok. 13 passed; 0 failed";

#[test]
fn app_tests_pass_with_native_and_wasm_macros() {
    for macros in [Macros::Native, Macros::Wasm] {
        let app = App::new("serde-app", macros);
        let out = run(&mut app.cargo(&["test", "--lib"]));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stdout.contains(APP_TESTS), "{macros:?}: expected `{APP_TESTS}` in\n{stdout}");
        assert!(!stderr.contains("was not used"), "{macros:?}: a patch was not used:\n{stderr}");
        // Prove which macro crates were linked: in the lock file, a patched (path) package
        // has no `source`, a crates.io one has the registry as its source.
        let lock = fs::read_to_string(app.dir.join("Cargo.lock")).expect("Cargo.lock");
        for (package, version) in MACRO_CRATES {
            let entry = format!("name = \"{package}\"\nversion = \"{version}\"\n");
            let at = lock.find(&entry).unwrap_or_else(|| panic!("{package} {version} missing from Cargo.lock"));
            let from_registry = lock[at + entry.len()..].starts_with("source = \"registry+");
            assert_eq!(from_registry, macros == Macros::Native, "{macros:?}: {package} comes from the wrong place");
        }
    }
}
