// The binary half: `--extern twocrate_lib=libtwocrate_lib.rlib`.
fn main() {
    println!("{}", twocrate_lib::greet("rustc.wasm"));
    let sum: u32 = twocrate_lib::Counter::new().zip(twocrate_lib::Counter::new().skip(1)).map(|(a, b)| a * b).sum();
    println!("sum {sum}");
}
