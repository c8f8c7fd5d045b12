//@ run-pass
//@ wasm-proc-macro: Demo=demo
// The module exports a function-like macro named `__wpm_derive_0`, the name the stub crate
// would give its first derive's function: both must still work (no E0428 in the stub).
use Demo::SomeMacro;

Demo::__wpm_derive_0! {
    #[derive(SomeMacro)]
    struct Point {
        x: i32,
    }
}

fn main() {
    let p = Point { x: 3 };
    println!("{} / {}", Point::describe(), p.x);
}
