//! Wasm proc-macro crates prepared in this process, found again by the crate loader.
//!
//! `rustc_wasm_proc_macro::prepare` registers each synthesized `.rmeta` with its
//! `&'static [ProcMacro]`; the hook in `rustc_metadata::creader::register_crate` asks
//! [`proc_macros`] before falling back to `dlsym`. This crate has no other dependency than
//! `rustc_proc_macro`, so the crate loader does not depend on wasmtime.

#![feature(proc_macro_internals)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rustc_proc_macro::bridge::client::ProcMacro;

/// Prepared crates: canonical path of the synthesized `.rmeta` → the crate's macros.
static CRATES: Mutex<Vec<(PathBuf, &'static [ProcMacro])>> = Mutex::new(Vec::new());

/// Records that the crate whose metadata is `rmeta` expands with `macros` (in metadata
/// order). Registering a path again replaces the earlier entry.
pub fn register(rmeta: &Path, macros: Vec<ProcMacro>) {
    let key = rmeta.canonicalize().unwrap_or_else(|_| rmeta.to_path_buf());
    // Leaked on purpose: the crate loader keeps `&'static` references, as it does for
    // slices found with dlsym.
    let macros: &'static [ProcMacro] = Box::leak(macros.into_boxed_slice());
    let mut crates = CRATES.lock().unwrap_or_else(|e| e.into_inner());
    crates.retain(|(p, _)| *p != key);
    crates.push((key, macros));
}

/// The macros of the wasm proc-macro crate whose metadata was loaded from `rmeta`, in
/// metadata order; `None` when `rmeta` is not a registered file (the crate loader then
/// goes on to `dlsym` as usual).
pub fn proc_macros(rmeta: &Path) -> Option<&'static [ProcMacro]> {
    let key = rmeta.canonicalize().ok()?;
    let crates = CRATES.lock().unwrap_or_else(|e| e.into_inner());
    crates.iter().find(|(p, _)| *p == key).map(|(_, m)| *m)
}
