//@ build-fail
//@ wasm-proc-macro: Bad=wat:huge_output
// The adversarial guest tests/guests/wat/huge_output.wat claims a 2 GiB output: refused by the output limit before any copy.
// One error at the macro call site; rustc goes on to report the crate's other errors.
fn main() {
    Bad::m!(some input tokens);
    let _other_error: u32 = "not a number";
}
