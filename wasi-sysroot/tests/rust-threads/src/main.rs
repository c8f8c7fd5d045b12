//! Spawns threads that share a mutex-guarded counter and a channel, then
//! prints what they computed; `test.sh` compares the line exactly.
use std::sync::{mpsc, Arc, Mutex};
use std::thread;

fn main() {
    let counter = Arc::new(Mutex::new(0u64));
    let (tx, rx) = mpsc::channel();
    let handles: Vec<_> = (1..=4u64)
        .map(|id| {
            let counter = Arc::clone(&counter);
            let tx = tx.clone();
            thread::Builder::new()
                .name(format!("worker-{id}"))
                .spawn(move || {
                    for _ in 0..1000 {
                        *counter.lock().unwrap() += id;
                    }
                    let name = thread::current().name().unwrap_or("?").to_string();
                    tx.send(name).unwrap();
                    id * id
                })
                .unwrap()
        })
        .collect();
    drop(tx);
    let squares: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let mut names: Vec<String> = rx.iter().collect();
    names.sort();
    println!(
        "counter={} squares={} names={}",
        *counter.lock().unwrap(),
        squares,
        names.join(",")
    );
}
