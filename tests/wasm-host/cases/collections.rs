// std::collections, format!, traits, generics and closures.
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;

trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> String {
        "shape".to_string()
    }
}

struct Rect {
    w: f64,
    h: f64,
}

struct Circle {
    r: f64,
}

impl Shape for Rect {
    fn area(&self) -> f64 {
        self.w * self.h
    }
    fn name(&self) -> String {
        format!("rect {}x{}", self.w, self.h)
    }
}

impl Shape for Circle {
    fn area(&self) -> f64 {
        3.0 * self.r * self.r
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Pair<T> {
    a: T,
    b: T,
}

impl<T: fmt::Display> fmt::Display for Pair<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} | {}>", self.a, self.b)
    }
}

fn largest<T: PartialOrd + Copy>(items: &[T]) -> Option<T> {
    items.iter().copied().fold(None, |best, x| match best {
        Some(b) if b >= x => Some(b),
        _ => Some(x),
    })
}

fn main() {
    let shapes: Vec<Box<dyn Shape>> = vec![Box::new(Rect { w: 2.0, h: 3.5 }), Box::new(Circle { r: 2.0 })];
    for s in &shapes {
        println!("{} has area {:.2}", s.name(), s.area());
    }
    let total: f64 = shapes.iter().map(|s| s.area()).sum();
    println!("total {total:.1}");

    let words = "the quick brown fox jumps over the lazy dog the end";
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in words.split_whitespace() {
        *counts.entry(w).or_default() += 1;
    }
    let sorted: BTreeMap<_, _> = counts.iter().map(|(k, v)| (*k, *v)).collect();
    println!("{sorted:?}");
    let unique: HashSet<char> = words.chars().filter(|c| c.is_alphabetic()).collect();
    println!("{} distinct letters", unique.len());

    let mut queue: VecDeque<u64> = (1..=5).collect();
    queue.rotate_left(2);
    queue.push_front(0);
    println!("{queue:?}");

    let p = Pair { a: 1.5, b: -2.25 };
    println!("{p} {:?} {}", p.clone(), p == Pair { a: 1.5, b: -2.25 });
    let offset = 10;
    let add = |x: i32| x + offset;
    let doubled: Vec<i32> = [1, 2, 3].iter().map(|&x| add(x) * 2).collect();
    println!("{doubled:?} largest={:?} none={:?}", largest(&doubled), largest::<u8>(&[]));
    let fib: Vec<u64> = std::iter::successors(Some((0u64, 1u64)), |&(a, b)| Some((b, a + b))).map(|p| p.0).take(15).collect();
    println!("{}", fib.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(","));
}
