//@ build-fail
//@ wasm-proc-macro: Demo=no/such/module.wasm
fn main() {}
