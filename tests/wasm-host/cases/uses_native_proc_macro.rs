fn main() {
    println!("{}", native_proc_macro::answer!());
}
