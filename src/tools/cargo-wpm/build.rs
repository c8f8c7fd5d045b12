//! Embeds the guest library's sources into the binary.
//!
//! `cargo wpm build` compiles `library/wpm_proc_macro` (lib name `proc_macro`) and its
//! dependency `library/wpm_abi` for wasm32 next to every macro crate. An installed
//! `cargo-wpm` must not need the repository, so this script lists those two packages'
//! files (plus the workspace manifest they inherit from) and generates
//! `$OUT_DIR/guest_sources.rs`: a table of `(relative path, include_bytes!(...))`.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Packages embedded, relative to the repository root.
const PACKAGES: &[&str] = &["library/wpm_abi", "library/wpm_proc_macro"];

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir.join("../../..");
    let root = root.canonicalize().unwrap_or(root);

    let mut files: Vec<(String, PathBuf)> = vec![("Cargo.toml".to_owned(), root.join("Cargo.toml"))];
    println!("cargo:rerun-if-changed={}", root.join("Cargo.toml").display());
    for pkg in PACKAGES {
        let dir = root.join(pkg);
        println!("cargo:rerun-if-changed={}", dir.display());
        files.push((format!("{pkg}/Cargo.toml"), dir.join("Cargo.toml")));
        collect(&dir.join("src"), &format!("{pkg}/src"), &mut files);
    }
    files.sort();

    let mut table = String::new();
    for (rel, path) in &files {
        writeln!(table, "    ({rel:?}, include_bytes!({:?})),", path.display().to_string()).unwrap();
    }
    let out = format!(
        "/// The guest library's files: (path relative to the repository root, contents).\n\
         pub(crate) const GUEST_FILES: &[(&str, &[u8])] = &[\n{table}];\n"
    );
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("guest_sources.rs"), out).expect("writing guest_sources.rs");
}

/// Adds every file under `dir` (recursively) to `files` as `prefix/relative`.
fn collect(dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            collect(&path, &format!("{prefix}/{name}"), files);
        } else {
            files.push((format!("{prefix}/{name}"), path));
        }
    }
}
