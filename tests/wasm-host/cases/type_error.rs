// A compile error: the diagnostic must match the native fork's (file, line, column, code).
fn takes_u32(x: u32) -> u32 {
    x + 1
}

fn main() {
    let s = "forty-two";
    println!("{}", takes_u32(s));
}
