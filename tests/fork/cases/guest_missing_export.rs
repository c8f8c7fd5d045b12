//@ build-fail
//@ wasm-proc-macro: Bad=wat:missing_export
// The adversarial guest tests/guests/wat/missing_export.wat does not export `wpm_expand`: refused when loaded.
fn main() {
    Bad::m!(some input tokens);
    let _other_error: u32 = "not a number";
}
