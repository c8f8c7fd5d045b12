//@ run-pass
//@ wasm-proc-macro: Demo=demo
//@ wasm-proc-macro: Other=demo
// Two `--wasm-proc-macro` flags at once (the same module under two crate names), and
// `extern crate` with a rename.
extern crate Other as other_macros;

use other_macros::make_answer;

#[derive(Demo::SomeMacro)]
struct Point {
    x: i32,
    y: i32,
}

make_answer!(answer);

fn main() {
    let p = Point { x: 1, y: 2 };
    println!("{} {} {} {}", Point::describe(), p.x, p.y, answer());
}
