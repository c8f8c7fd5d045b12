//@ build-fail
//@ wasm-proc-macro: Bad=wat:bad_manifest
// The adversarial guest tests/guests/wat/bad_manifest.wat has a truncated manifest: refused when loaded.
fn main() {
    Bad::m!(some input tokens);
    let _other_error: u32 = "not a number";
}
