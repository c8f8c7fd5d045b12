//! Rewrites a proc-macro package into a wasm `cdylib` package without its author's help.
//!
//! [`manifest`] edits `Cargo.toml`, [`source`] edits the crate root, [`generated`] finds
//! the proc-macro functions that crate-root `macro_rules!` generate, [`borrowed`] copies
//! in the generators of other crates the root invokes, [`registration`]
//! generates the module that tells the guest library which macros exist.

pub(crate) mod borrowed;
pub(crate) mod generated;
pub(crate) mod manifest;
pub(crate) mod registration;
pub(crate) mod source;
