//@ run-pass
//@ wasm-proc-macro: Demo=demo
//@ aux-crate: auxiliary/demo_reexport.rs
// A crate built against a wasm macro crate (in another wpm cache) is used downstream with
// `--wasm-proc-macro` alone: rustc finds the stub by name and hash, and the derive it
// re-exports expands here.
use demo_reexport::{Config, SomeMacro};

#[derive(SomeMacro)]
struct Local {
    name: String,
}

fn main() {
    let c = Config { port: 8080 };
    let l = Local { name: "here".into() };
    println!("{} / {}", Config::describe(), c.port);
    println!("{} / {}", Local::describe(), l.name);
}
