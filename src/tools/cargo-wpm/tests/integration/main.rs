//! Integration tests of `cargo wpm`: real guest builds with `/usr/bin/rustc` and
//! wasm-opt (minutes each; this is the CI tier). A missing tool fails loudly.
//!
//! Each module's manifest is compared with an oracle independent of the builder: the
//! compiler's own view of the crate, from a native `cargo rustdoc --output-format json`
//! (see [`support::oracle_macros`]).

mod corpus;
mod crates_io;
mod errors;
mod local;
mod sandbox;
mod shim;
mod support;
