//@ check-fail
//@ wasm-proc-macro: Demo=demo
// A type error caused by the derive's output is reported at the user's field.
use Demo::SomeMacro;

struct Opaque;

#[derive(SomeMacro)]
struct Foo {
    id: u32,
    secret: Opaque,
}

fn main() {}
