//! Integration tests of wpm's `proc_macro` (this crate's lib is named `proc_macro`).
//!
//! `differential` and `corpus` compare against rustc's real `proc_macro`, run at compile
//! time by the oracle proc-macro crate in `tests/oracle`, and against proc-macro2's own
//! lexer; `api` checks behaviour directly; `glue` drives the module-side ABI natively.

mod api;
mod corpus;
mod differential;
mod glue;
mod probes;

#[allow(dead_code)]
mod cases {
    include!("cases.rs");
}
