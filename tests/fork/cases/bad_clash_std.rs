//@ build-fail
//@ wasm-proc-macro: std=demo
//@ wasm-proc-macro: core=demo
// NAME would shadow a standard library crate.
fn main() {}
