//@ build-fail
//@ wasm-proc-macro: Bad=wat:infinite_loop
// The adversarial guest tests/guests/wat/infinite_loop.wat never returns: the fuel limit stops it.
// One error at the macro call site; rustc goes on to report the crate's other errors.
fn main() {
    Bad::m!(some input tokens);
    let _other_error: u32 = "not a number";
}
