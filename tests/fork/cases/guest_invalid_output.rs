//@ build-fail
//@ wasm-proc-macro: Bad=wat:invalid_output
// The adversarial guest tests/guests/wat/invalid_output.wat returns bytes that are not a token stream.
// One error at the macro call site; rustc goes on to report the crate's other errors.
fn main() {
    Bad::m!(some input tokens);
    let _other_error: u32 = "not a number";
}
