//@ build-fail
//@ wasm-proc-macro: Demo=not-wasm
fn main() {}
