//! Malformed input: one-paragraph errors and a non-zero exit.

use crate::support::build;

/// The error part of stderr (from `error:`), checked to be one paragraph.
fn error_paragraph(stderr: &str) -> &str {
    let at = stderr.find("error: ").unwrap_or_else(|| panic!("no `error: ` in:\n{stderr}"));
    let error = stderr[at..].trim_end();
    assert!(!error.contains("\n\n"), "the error is more than one paragraph:\n{error}");
    error
}

#[test]
fn missing_crate() {
    let built = build("wpm-no-such-crate-exists", "missing_crate", &[]);
    assert!(!built.success);
    let error = error_paragraph(&built.stderr);
    assert!(error.starts_with("error: cannot find package `wpm-no-such-crate-exists`"), "{error}");
    assert!(!error.contains('\n'), "{error}");
}

#[test]
fn missing_version() {
    let built = build("serde_derive@0.0.999", "missing_version", &[]);
    assert!(!built.success);
    let error = error_paragraph(&built.stderr);
    assert!(error.starts_with("error: cannot find package `serde_derive@0.0.999`"), "{error}");
}

#[test]
fn not_a_proc_macro_crate() {
    let built = build("anyhow@1.0.100", "anyhow", &[]);
    assert!(!built.success);
    let error = error_paragraph(&built.stderr);
    assert_eq!(error, "error: `anyhow` is not a proc-macro crate (its lib target is `lib`)");
    let plain = format!("{}/tests/fixtures/not_proc_macro", env!("CARGO_MANIFEST_DIR"));
    let built = build(&plain, "plain", &[]);
    assert!(!built.success);
    assert!(error_paragraph(&built.stderr).contains("is not a proc-macro crate"), "{}", built.stderr);
}

#[test]
fn compile_error_shows_rustc_output() {
    let fixture = format!("{}/tests/fixtures/type_error", env!("CARGO_MANIFEST_DIR"));
    let built = build(&fixture, "type_error", &[]);
    assert!(!built.success);
    let at = built.stderr.find("error: ").expect("an error");
    let error = &built.stderr[at..];
    assert!(error.starts_with("error: building wpm-fixture-type-error 0.1.0 for wasm32 failed:"), "{error}");
    assert!(error.contains("error[E0308]: mismatched types"), "{error}");
    assert!(error.contains("\"not a number\""), "rustc's rendered snippet is missing:\n{error}");
    assert!(!built.output.exists());
}

/// derive_more-impl 2.1.1 writes its `#[proc_macro_derive]`s inside a `macro_rules!`: the
/// builder cannot rewrite that yet and must say so plainly (not fail later in rustc).
#[test]
fn macro_rules_generated_macros() {
    let built = build("derive_more-impl@2.1.1", "derive_more_impl", &["--features", "full"]);
    assert!(!built.success);
    let error = error_paragraph(&built.stderr);
    assert!(error.starts_with("error: cannot prepare "), "{error}");
    assert!(error.contains("`macro_rules! create_derive` generates proc-macro functions"), "{error}");
}
