fn main() {
    println!("Hello from rustc.wasm!");
}
