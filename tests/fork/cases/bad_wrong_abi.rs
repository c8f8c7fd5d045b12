//@ build-fail
//@ wasm-proc-macro: Demo=wrong-abi
fn main() {}
