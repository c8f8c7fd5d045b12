//@ run-pass
//@ wasm-proc-macro: Demo=demo
// A derive with a helper attribute, imported with `use`.
use Demo::SomeMacro;

#[derive(SomeMacro)]
struct Foo {
    #[some(primary)]
    id: u32,
    name: String,
}

#[derive(SomeMacro)]
struct Unit {}

#[derive(SomeMacro)]
struct Bare;

fn main() {
    let foo = Foo { id: 7, name: "seven".into() };
    println!("{} / {} {}", Foo::describe(), foo.id, foo.name);
    println!("{}", Unit::describe());
    println!("{}", Bare::describe());
}
