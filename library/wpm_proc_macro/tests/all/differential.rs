//! Every shared case (`cases.rs`) gives the same string on wpm's `proc_macro` as on rustc's.

const REAL: &[(&str, &str)] = wpm_proc_macro_oracle::real_cases!();

#[test]
fn all_cases_match_rustc() {
    let ours = crate::cases::cases();
    assert_eq!(ours.len(), REAL.len(), "case lists differ in length");
    let mut failures = Vec::new();
    for ((name, got), (real_name, want)) in ours.iter().zip(REAL) {
        assert_eq!(name, real_name);
        if got != want {
            failures.push(format!("{name}\n  rustc: {want:?}\n  wpm:   {got:?}"));
        }
    }
    eprintln!("compared {} cases with rustc", ours.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from rustc:\n{}",
        failures.len(),
        ours.len(),
        failures.join("\n")
    );
}
