//! End-to-end tests of the stock-toolchain path (see `tests/e2e/README.md`): crates.io
//! proc-macro crates built into wasm by `cargo wpm build`, run by stock rustc through
//! generated shims (`[patch.crates-io]`) and through `wpm-rustc`.
//!
//! Run with `cargo test -p wpm-rustc --test e2e` (minutes: it builds three wasm modules,
//! wasmtime, and the test application twice). Every tool they need is required: a missing
//! one fails the test.

mod expansion;
mod patch;
mod support;
mod wrapper;
