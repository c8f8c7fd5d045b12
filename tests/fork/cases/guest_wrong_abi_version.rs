//@ build-fail
//@ wasm-proc-macro: Bad=wat:wrong_abi_version
// The adversarial guest tests/guests/wat/wrong_abi_version.wat says it was built for ABI version 2 (its imports are version 1's): refused when loaded.
fn main() {
    Bad::m!(some input tokens);
    let _other_error: u32 = "not a number";
}
