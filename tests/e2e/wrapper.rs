//! `wpm-rustc` on real compiles: as Cargo's `RUSTC_WRAPPER` (with the option passed through
//! `cargo rustc -- ...`) and run directly like rustc, plus its refusal of a clashing
//! `--extern`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{modules, run, work_dir, App, Macros};

const WPM_RUSTC: &str = env!("CARGO_BIN_EXE_wpm-rustc");

/// What `wrapper-app` prints.
const EXPECTED: &str =
    "{\"order-id\":7,\"rush\":false,\"items\":[{\"kind\":\"Book\",\"title\":\"Dune\"},{\"kind\":\"Gift\"}]}\ntrue\n";

fn serde_derive_module() -> PathBuf {
    modules().iter().find(|m| m.package == "serde_derive").expect("serde_derive module").path.clone()
}

/// The one file in `deps` named `lib<name>-*.rlib`.
fn rlib(deps: &Path, name: &str) -> PathBuf {
    let prefix = format!("lib{name}-");
    let found: Vec<PathBuf> = fs::read_dir(deps)
        .expect("read deps")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            n.starts_with(&prefix) && n.ends_with(".rlib")
        })
        .collect();
    assert_eq!(found.len(), 1, "expected one {prefix}*.rlib in {}: {found:?}", deps.display());
    found.into_iter().next().expect("one rlib")
}

#[test]
fn wrapper_builds_and_direct_use_works() {
    let module = serde_derive_module();
    let cache = work_dir().join("shim-cache");
    let app = App::new("wrapper-app", Macros::Native);
    let mut cmd = app.cargo(&["rustc", "--quiet", "--bin", "wrapper-app", "--", "--wasm-proc-macro"]);
    cmd.arg(format!("serde_derive={}", module.display()));
    cmd.env("RUSTC_WRAPPER", WPM_RUSTC).env("WPM_SHIM_CACHE", &cache);
    run(&mut cmd);
    let bin = app.dir.join("target/debug/wrapper-app");
    let out = run(&mut Command::new(&bin));
    assert_eq!(String::from_utf8_lossy(&out.stdout), EXPECTED);

    // Directly, as rustc, against the rlibs Cargo just built.
    let deps = app.dir.join("target/debug/deps");
    let exe = work_dir().join("wrapper-app-direct");
    let mut direct = Command::new(WPM_RUSTC);
    direct.args(["--edition", "2021", "--crate-type", "bin", "--crate-name", "direct"]);
    direct.arg(app.dir.join("src/main.rs")).arg("-o").arg(&exe);
    direct.arg("--extern").arg(format!("serde={}", rlib(&deps, "serde").display()));
    direct.arg("--extern").arg(format!("serde_json={}", rlib(&deps, "serde_json").display()));
    direct.arg("-L").arg(format!("dependency={}", deps.display()));
    direct.arg(format!("--wasm-proc-macro=serde_derive={}", module.display()));
    direct.env("WPM_SHIM_CACHE", &cache);
    run(&mut direct);
    assert_eq!(String::from_utf8_lossy(&run(&mut Command::new(&exe)).stdout), EXPECTED);

    // The same crate name twice, once as wasm and once as --extern: refused before rustc runs.
    let out = Command::new(WPM_RUSTC)
        .args(["--extern", "serde_derive=/nonexistent/libserde_derive.so", "--wasm-proc-macro"])
        .arg(format!("serde_derive={}", module.display()))
        .arg("main.rs")
        .output()
        .expect("run wpm-rustc");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: crate `serde_derive` is given both as --wasm-proc-macro and as --extern"),
        "{stderr}"
    );
}
