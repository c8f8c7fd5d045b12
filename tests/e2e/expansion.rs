//! Tests 2 and 3: the wasm macros expand the application exactly as the native ones do
//! (`-Zunpretty=expanded`, byte for byte), under both wasmtime backends, every time.
//!
//! Known differences: none. The comparison is on the whole output; were a difference ever
//! accepted, it would be normalised here with the reason next to it.

use std::fs;

use crate::support::{work_dir, App, Macros};

/// Compares two expansions; on a difference, writes both to `target/e2e/` and panics with
/// the first differing lines.
fn assert_same(what: &str, expected: &str, actual: &str) {
    if expected == actual {
        return;
    }
    let dir = work_dir().join("expansion-diff");
    fs::create_dir_all(&dir).expect("create diff dir");
    let (a, b) = (dir.join(format!("{what}.expected.rs")), dir.join(format!("{what}.actual.rs")));
    fs::write(&a, expected).expect("write");
    fs::write(&b, actual).expect("write");
    let mut report = String::new();
    let mut shown = 0;
    for (n, (x, y)) in expected.lines().zip(actual.lines()).enumerate() {
        if x != y && shown < 10 {
            report.push_str(&format!("line {}:\n  - {x}\n  + {y}\n", n + 1));
            shown += 1;
        }
    }
    panic!(
        "{what}: expansions differ ({} vs {} lines); first differences:\n{report}full files: {} {}",
        expected.lines().count(),
        actual.lines().count(),
        a.display(),
        b.display()
    );
}

#[test]
fn wasm_expansion_equals_native() {
    let native = App::new("serde-app", Macros::Native);
    let wasm = App::new("serde-app", Macros::Wasm);
    for tests in [false, true] {
        let what = if tests { "lib-test" } else { "lib" };
        let expected = native.expand(tests, &[]);
        assert!(
            expected.contains("impl _serde::Serialize for User"),
            "{what}: the native expansion lacks serde's impl"
        );
        assert!(expected.contains("impl ::core::fmt::Display for ConfigError"), "{what}: no thiserror impl");
        assert!(expected.contains("impl clap::Parser for Cli"), "{what}: no clap impl");
        let actual = wasm.expand(tests, &[]);
        assert_same(what, &expected, &actual);
    }
}

/// Runs 0 and 1 run the guests (expansion cache off); run 2 may fill the expansion cache;
/// from run 3 on every expansion must be answered from it (`WPM_LOG=cache` shows hits and
/// no miss), and the output stays byte-identical to the native one.
#[test]
fn backends_agree_and_reruns_are_identical() {
    let native = App::new("serde-app", Macros::Native).expand(true, &[]);
    let wasm = App::new("serde-app", Macros::Wasm);
    for run in 0..10 {
        let backend = if run % 2 == 0 { "cranelift" } else { "pulley" };
        let cache = if run < 2 { "0" } else { "1" };
        let start = std::time::Instant::now();
        let env = [("WPM_BACKEND", backend), ("WPM_EXPANSION_CACHE", cache), ("WPM_LOG", "cache")];
        let (out, log) = wasm.expand_logged(true, &env);
        let (hits, misses) = (log.matches("expansion cache hit").count(), log.matches("expansion cache miss").count());
        eprintln!(
            "[e2e] run {run} ({backend}, expansion cache {cache}): {:.1}s, {hits} hits, {misses} misses",
            start.elapsed().as_secs_f64()
        );
        if run < 2 {
            assert_eq!((hits, misses), (0, 0), "the expansion cache is off:\n{log}");
        } else if run > 2 {
            assert!(hits > 0 && misses == 0, "run {run} should be answered from the expansion cache:\n{log}");
        }
        assert_same(&format!("run{run}-{backend}"), &native, &out);
    }
}
