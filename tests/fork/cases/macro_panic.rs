//@ check-fail
//@ wasm-proc-macro: Demo=demo
// A panicking macro becomes an error at the derive, with the panic message.
#[derive(Demo::Explode)]
struct Foo;

fn main() {}
