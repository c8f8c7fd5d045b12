//@ run-pass
//@ wasm-proc-macro: Demo=demo
// An attribute macro, with and without arguments.
use Demo::log_calls;

#[log_calls]
fn plain() -> u32 {
    1
}

#[log_calls(tag)]
fn tagged(x: u32) -> u32 {
    x * 2
}

fn main() {
    println!("{}", plain() + tagged(20));
}
