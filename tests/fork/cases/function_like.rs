//@ run-pass
//@ wasm-proc-macro: Demo=demo
// A function-like macro, by path and after `use`.
use Demo::make_answer;

make_answer!(the_answer);
Demo::make_answer!(another);

fn main() {
    println!("{} {}", the_answer(), another());
}
