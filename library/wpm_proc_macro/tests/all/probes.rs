//! proc-macro2's build script compiles probe files against whatever `proc_macro` it is
//! given (with `RUSTC_BOOTSTRAP=1` in guest builds). Against ours, the probe for the
//! unstable span API must fail cleanly (we declare no unstable features) and the probes for
//! the stable span API (Rust 1.88) must compile, so proc-macro2 calls our `start`, `end`,
//! `line`, `column`, `file` and `local_file` with the signatures it expects.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The rlib of this crate the test binary was linked against: the newest one beside it.
fn our_rlib() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let mut rlibs: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(deps)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with("libproc_macro-")
                && p.extension().is_some_and(|e| e == "rlib")
        })
        .map(|p| (p.metadata().unwrap().modified().unwrap(), p))
        .collect();
    rlibs.sort();
    rlibs.pop().expect("no libproc_macro-*.rlib next to the test binary").1
}

fn probe_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("neither CARGO_HOME nor HOME is set");
    let mut found: Vec<PathBuf> = std::fs::read_dir(home.join("registry/src"))
        .expect("no Cargo registry sources")
        .flatten()
        .flat_map(|index| std::fs::read_dir(index.path()).into_iter().flatten().flatten())
        .map(|k| k.path().join("src/probe"))
        .filter(|p| {
            p.parent().unwrap().parent().unwrap().file_name().unwrap().to_string_lossy().starts_with("proc-macro2-1.")
                && p.is_dir()
        })
        .collect();
    found.sort();
    found.pop().expect("no proc-macro2 probe sources in the Cargo registry (it is a dev-dependency)")
}

fn compile_probe(rlib: &Path, probe: &Path) -> (bool, String) {
    let out = tempdir();
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["--cfg=procmacro2_build_probe", "--edition=2021", "--crate-name=proc_macro2", "--crate-type=lib"])
        .args(["--cap-lints=allow", "--emit=metadata", "--out-dir"])
        .arg(&out)
        .arg("--extern")
        .arg(format!("proc_macro={}", rlib.display()))
        .arg("-L")
        .arg(rlib.parent().unwrap())
        .arg(probe)
        .output()
        .expect("cannot run rustc");
    let _ = std::fs::remove_dir_all(&out);
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wpm-probe-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn proc_macro2_probes_see_the_stable_span_api_only() {
    let (rlib, dir) = (our_rlib(), probe_dir());
    let (ok, err) = compile_probe(&rlib, &dir.join("proc_macro_span_location.rs"));
    assert!(ok, "proc_macro_span_location probe failed:\n{err}");
    let (ok, err) = compile_probe(&rlib, &dir.join("proc_macro_span_file.rs"));
    assert!(ok, "proc_macro_span_file probe failed:\n{err}");
    let (ok, err) = compile_probe(&rlib, &dir.join("proc_macro_span.rs"));
    assert!(!ok, "the unstable probe compiled against wpm's proc_macro");
    assert!(err.contains("E0635") && err.contains("proc_macro_span"), "unexpected failure:\n{err}");
}
