//@ build-fail
//@ compile-flags: --wasm-proc-macro demo.wasm --wasm-proc-macro my-crate=demo.wasm
// Values that are not NAME=PATH, or whose NAME is not a crate name.
fn main() {}
