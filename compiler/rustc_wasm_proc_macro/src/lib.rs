//! Wasm proc-macro crates for rustc: `--wasm-proc-macro NAME=PATH`.
//!
//! A wasm proc-macro module (see `wpm_abi`) becomes crate `NAME` in two steps, each called
//! from a one-line hook in upstream code:
//!
//! 1. [`prepare`] (hook in `rustc_driver_impl::run_compiler`, before the session exists):
//!    checks the option values, loads each module with `wpm_host`, reads its manifest,
//!    and compiles a stub proc-macro crate declaring the same macros, in manifest order, to
//!    real `.rmeta` metadata (cached on disk; `wpm_stub_crate`, free of rustc internals so
//!    the workspace tests it). It then adds
//!    `--extern NAME=<that .rmeta>`, so the crate locator, name resolution, `use NAME::Macro`,
//!    helper attributes, `extern crate NAME;` and "cannot find macro" diagnostics all work
//!    unchanged.
//! 2. `rustc_wasm_proc_macro_registry::proc_macros` (hook in
//!    `rustc_metadata::creader::register_crate`; a separate tiny crate, in `registry/`, so
//!    the crate loader does not depend on wasmtime): for a crate whose metadata came from
//!    one of those files, returns the `&'static [ProcMacro]` the crate loader would
//!    otherwise `dlsym` from a dylib. Each entry's bridge client is a trampoline
//!    (see [`slots`]) that runs `wpm_adapter` in-process, so expansion goes through rustc's
//!    standard proc-macro server: spans, hygiene and diagnostics behave as for native macros.
//!
//! **Invariant:** no dlopen and no process spawning: the stub crate is compiled by a nested
//! in-process compiler run, and expansion runs in wasmtime.

#![allow(internal_features)]
#![feature(proc_macro_internals)]

mod prepare;
mod slots;
mod stub_backend;

pub use prepare::{Scratch, prepare};
pub use stub_backend::stub_codegen_backend;
