//@ build-fail
//@ wasm-proc-macro: Demo=no-exports
// A valid wasm module that is not a wasm proc-macro module (no wpm exports).
fn main() {}
