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

/// A proc-macro function generated at the crate root by a `macro_rules!` of a submodule:
/// the builder rewrites only crate-root `macro_rules!`, and says so before rustc fails.
#[test]
fn generated_by_a_macro_outside_the_root() {
    let fixture = format!("{}/tests/fixtures/macro_in_module", env!("CARGO_MANIFEST_DIR"));
    let built = build(&fixture, "macro_in_module", &[]);
    assert!(!built.success);
    let error = error_paragraph(&built.stderr);
    assert!(error.starts_with("error: cannot prepare "), "{error}");
    assert!(
        error.contains("rustc's expansion declares derive `Hidden` with function `hidden_derive`")
            && error.contains("(`root_derive`)"),
        "{error}"
    );
    assert!(!error.contains('\n'), "{error}");
    assert!(!built.output.exists());
}

/// A native expansion that fails shows rustc's own error after a headline.
#[test]
fn native_expansion_failure() {
    let fixture = format!("{}/tests/fixtures/generated_macros", env!("CARGO_MANIFEST_DIR"));
    let built = build(&fixture, "generated_broken", &["--features", "broken"]);
    assert!(!built.success);
    let error = error_paragraph(&built.stderr);
    assert!(
        error.starts_with(
            "error: expanding wpm-fixture-generated-macros 0.1.0 natively (to find the proc-macro functions"
        ),
        "{error}"
    );
    assert!(error.contains("feature `broken` breaks the expansion on purpose"), "{error}");
    assert!(!built.output.exists());
}
