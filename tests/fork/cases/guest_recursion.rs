//@ build-fail
//@ wasm-proc-macro: Bad=wat:recursion
// The adversarial guest tests/guests/wat/recursion.wat recurses without bound: the wasm stack limit stops it.
// One error at the macro call site; rustc goes on to report the crate's other errors.
fn main() {
    Bad::m!(some input tokens);
    let _other_error: u32 = "not a number";
}
