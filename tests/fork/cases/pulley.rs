//@ run-pass
//@ wasm-proc-macro: Demo=demo
//@ compile-flags: -Zwasm-proc-macro-backend=pulley
// The same macros through the Pulley interpreter.
use Demo::{make_answer, SomeMacro};

#[derive(SomeMacro)]
struct Foo {
    #[some(interpreted)]
    a: u8,
}

make_answer!(answer);

fn main() {
    println!("{} {}", Foo::describe(), answer() + Foo { a: 0 }.a as u32);
}
