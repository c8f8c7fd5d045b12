//@ build-fail
//@ wasm-proc-macro: Bad=wat:out_of_bounds_output
// The adversarial guest tests/guests/wat/out_of_bounds_output.wat returns an output buffer outside its memory.
// One error at the macro call site; rustc goes on to report the crate's other errors.
fn main() {
    Bad::m!(some input tokens);
    let _other_error: u32 = "not a number";
}
