//@ build-fail
//@ wasm-proc-macro: Bad=wat:imports_wasi
// The adversarial guest tests/guests/wat/imports_wasi.wat imports a WASI function: no capability is granted: refused when loaded.
fn main() {
    Bad::m!(some input tokens);
    let _other_error: u32 = "not a number";
}
