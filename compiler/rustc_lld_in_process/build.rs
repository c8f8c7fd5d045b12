//! Compiles the C++ half against the wasm host's LLVM and LLD headers, with the flags that
//! bootstrap's `LLVM_CONFIG` (src/bootstrap/wasm-host/llvm-config) gives `rustc_llvm`.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=src/lld_wrapper.cpp");
    println!("cargo:rerun-if-env-changed=LLVM_CONFIG");
    let target = std::env::var("TARGET").unwrap_or_default();
    if !target.contains("wasi") {
        // Nothing to link where rustc can spawn its linker.
        return;
    }
    let llvm_config = std::env::var("LLVM_CONFIG").expect("LLVM_CONFIG (set by bootstrap) names the host's llvm-config");
    let out = Command::new(&llvm_config)
        .arg("--cxxflags")
        .output()
        .unwrap_or_else(|e| panic!("running {llvm_config} --cxxflags: {e}"));
    assert!(out.status.success(), "{llvm_config} --cxxflags failed");
    let mut build = cc::Build::new();
    build.cpp(true).file("src/lld_wrapper.cpp").warnings(false);
    for flag in String::from_utf8_lossy(&out.stdout).split_whitespace() {
        build.flag(flag);
    }
    build.define("NDEBUG", None);
    build.compile("rustc_lld_in_process");
}
