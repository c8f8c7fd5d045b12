//@ build-fail
//@ wasm-proc-macro: Demo=demo
//@ wasm-proc-macro: Demo=demo
// NAME is given to --wasm-proc-macro twice.
fn main() {}
