// The library half of the two-crate build (`--crate-type rlib`, then `--extern`).
pub struct Counter {
    n: u32,
}

impl Counter {
    pub fn new() -> Self {
        Counter { n: 0 }
    }
}

impl Iterator for Counter {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.n < 5 {
            self.n += 1;
            Some(self.n)
        } else {
            None
        }
    }
}

pub fn greet(name: &str) -> String {
    format!("hello, {name}, from an rlib")
}
