//@ check-fail
//@ wasm-proc-macro: Demo=demo
// Unknown macros of a wasm crate get the usual diagnostics.
use Demo::NoSuchMacro;

#[derive(Demo::SomeMacr)]
struct Foo {}

fn main() {}
