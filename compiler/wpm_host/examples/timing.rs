//! Prints load and expansion timings for a module (by default the WAT echo module) on both
//! backends: `cargo run --release -p wpm_host --example timing [-- module.wasm [index]]`.
//! With a `.wasm` argument, macro `index` (default 0) is expanded on an empty input.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wpm_abi::{Ident, Punct, Spacing, SpanHandle};
use wpm_host::{Backend, Config, Limits, NoSpans, Request, Runtime, TokenTree};

fn input(n: usize) -> Vec<TokenTree> {
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                TokenTree::Ident(Ident { name: format!("field_{i}"), is_raw: false, span: SpanHandle(3 + i as u32) })
            } else {
                TokenTree::Punct(Punct { ch: b',', spacing: Spacing::Alone, span: SpanHandle(3 + i as u32) })
            }
        })
        .collect()
}

fn per_iter(total: Duration, n: u32) -> String {
    format!("{:.1} µs", total.as_secs_f64() * 1e6 / f64::from(n))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, bytes, index, tokens) = match args.first() {
        Some(path) => (path.clone(), std::fs::read(path)?, args.get(1).map_or(Ok(0), |s| s.parse())?, 0),
        None => {
            let wat = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/guests/wat/echo.wat");
            ("echo.wat".to_owned(), wat::parse_file(wat)?, 0, 1000)
        }
    };
    println!("module {name}: {} bytes", bytes.len());
    for backend in [Backend::Cranelift, Backend::Pulley] {
        let cache: PathBuf = std::env::temp_dir().join(format!("wpm-timing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&cache);
        let rt = Runtime::new(Config { backend, limits: Limits::default(), cache_dir: Some(cache.clone()) })?;
        let cold = rt.load_bytes(&name, &bytes)?;
        let warm = rt.load_bytes(&name, &bytes)?;
        assert!(warm.load_info().from_cache);
        let request = Request { attr_args: None, input: input(tokens) };
        let n = 200u32;
        let started = Instant::now();
        for _ in 0..n {
            warm.expand(index, &request, &mut NoSpans)?.map_err(|e| e.to_string())?;
        }
        let expand = started.elapsed();
        let empty = Request::default();
        let started = Instant::now();
        for _ in 0..n {
            let _ = warm.expand(index, &empty, &mut NoSpans)?;
        }
        let expand_empty = started.elapsed();
        println!(
            "{:9}: load cold {:?}, load cached {:?}; expand ({tokens} tokens) {}; expand (empty) {}",
            backend.as_str(),
            cold.load_info().load_time,
            warm.load_info().load_time,
            per_iter(expand, n),
            per_iter(expand_empty, n),
        );
        let _ = std::fs::remove_dir_all(&cache);
    }
    Ok(())
}
