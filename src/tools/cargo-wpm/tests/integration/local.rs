//! The local fixture `tests/fixtures/local_macros`: every rewrite form, feature-gated
//! macros, a crate that forbids `unsafe_code`.

use crate::support::{build_and_compare, oracle_macros};

fn fixture() -> String {
    format!("{}/tests/fixtures/local_macros", env!("CARGO_MANIFEST_DIR"))
}

fn oracle(features: &str) -> Vec<crate::support::Decl> {
    oracle_macros("wpm-fixture-local-macros", &format!("{{ path = {:?}, {features} }}", fixture()))
}

#[test]
fn local_fixture_default_features() {
    let expected = oracle("features = []");
    // Guard the oracle itself: the fixture declares four macros with default features.
    assert_eq!(expected.len(), 4, "{expected:?}");
    build_and_compare(&fixture(), "local_default", &[], expected);
}

#[test]
fn local_fixture_feature_flags() {
    let expected = oracle("features = [\"extra\"], default-features = false");
    assert!(expected.iter().any(|d| d.1 == "Extra") && !expected.iter().any(|d| d.1 == "greet"), "{expected:?}");
    build_and_compare(&fixture(), "local_extra", &["--features", "extra", "--no-default-features"], expected);
}
