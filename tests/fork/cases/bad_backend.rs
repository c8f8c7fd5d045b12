//@ build-fail
//@ wasm-proc-macro: Demo=demo
//@ compile-flags: -Zwasm-proc-macro-backend=jit
fn main() {}
