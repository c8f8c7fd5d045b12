//! Unmodified crates from crates.io, at pinned versions.

use crate::support::{build_and_compare, derive_on_unit_struct, oracle_macros};

/// Builds `name@version` with `args` and compares with the oracle for `dependency`.
fn check(name: &str, version: &str, args: &[&str], dependency: &str) {
    let expected = oracle_macros(name, dependency);
    build_and_compare(&format!("{name}@{version}"), name, args, expected);
}

/// Also runs the built `Serialize` derive on `struct Unit;` in `wpm_host`: the module
/// does not only declare its macros, it expands them.
#[test]
fn serde_derive() {
    let expected = oracle_macros("serde_derive", "\"=1.0.229\"");
    let built = build_and_compare("serde_derive@1.0.229", "serde_derive", &[], expected);
    let idents = derive_on_unit_struct(&built.output, "Serialize");
    for needed in ["impl", "Serialize", "Unit", "serialize_unit_struct"] {
        assert!(idents.iter().any(|i| i == needed), "`{needed}` missing from the expansion: {idents:?}");
    }
}

#[test]
fn thiserror_impl() {
    check("thiserror-impl", "2.0.21", &[], "\"=2.0.21\"");
}

#[test]
fn clap_derive() {
    check("clap_derive", "4.6.7", &[], "\"=4.6.7\"");
}

#[test]
fn async_trait() {
    check("async-trait", "0.1.92", &[], "\"=0.1.92\"");
}

#[test]
fn pin_project_internal() {
    check("pin-project-internal", "1.1.13", &[], "\"=1.1.13\"");
}

#[test]
fn strum_macros() {
    check("strum_macros", "0.28.0", &[], "\"=0.28.0\"");
}

#[test]
fn tokio_macros() {
    check("tokio-macros", "2.7.2", &[], "\"=2.7.2\"");
}

/// Its derives are all behind features (none on by default): build with `full`. They are
/// declared through a crate-root `macro_rules!` (`create_derive!`), so the builder learns
/// them from a native expansion. `Constructor` then runs on `struct Unit;`.
#[test]
fn derive_more_impl() {
    let expected = oracle_macros("derive_more-impl", "{ version = \"=2.1.1\", features = [\"full\"] }");
    assert!(expected.len() > 40, "the oracle should see derive_more's ~50 derives: {expected:?}");
    let built = build_and_compare("derive_more-impl@2.1.1", "derive_more-impl", &["--features", "full"], expected);
    assert!(built.stderr.contains("expanding crate-root macro_rules! natively to find macros"), "{}", built.stderr);
    let idents = derive_on_unit_struct(&built.output, "Constructor");
    for needed in ["impl", "Unit", "new", "const"] {
        assert!(idents.iter().any(|i| i == needed), "`{needed}` missing from the expansion: {idents:?}");
    }
}

/// Two versions of one crate write the same `deps/<lib>.wasm` in the shared target
/// directory: 1.0.228, then 1.0.229, then 1.0.228 again must each give that version's code
/// (serde_derive names its private module after its patch version), never the last build's.
#[test]
fn versions_of_one_crate_never_share_a_module() {
    for (round, version) in ["228", "229", "228"].into_iter().enumerate() {
        let built =
            crate::support::build(&format!("serde_derive@1.0.{version}"), &format!("serde_derive_{round}"), &[]);
        assert!(built.success, "round {round} (1.0.{version}) failed:\n{}", built.stderr);
        let bytes = std::fs::read(&built.output).expect("the module exists");
        let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        let other = if version == "228" { "229" } else { "228" };
        assert!(
            has(&format!("__private{version}")),
            "round {round}: the 1.0.{version} module lacks `__private{version}`"
        );
        assert!(!has(&format!("__private{other}")), "round {round}: the 1.0.{version} module holds 1.0.{other}'s code");
    }
}
