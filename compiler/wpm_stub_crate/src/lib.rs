//! The stub proc-macro crate that stands for a wasm module in the rustc fork.
//!
//! [`source`] renders a crate declaring exactly the module's macros, in manifest order;
//! [`metadata`] compiles it to `.rmeta` with a compiler the caller passes in (the fork's
//! driver, in-process) and caches the file. Free of rustc internals, so the workspace's
//! tests cover it; `rustc_wasm_proc_macro` calls it inside the fork.

mod metadata;
mod source;

pub use metadata::{metadata, sha256, Compile, Job};
pub use source::source;
