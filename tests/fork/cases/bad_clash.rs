//@ build-fail
//@ wasm-proc-macro: Demo=demo
//@ compile-flags: --extern Demo
// NAME is also given to --extern.
fn main() {}
