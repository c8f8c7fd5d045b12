//! Prints load and expansion timings for a module (by default the WAT echo module) on both
//! backends: `cargo run --release -p wpm_host --example timing [-- module.wasm [index [fields]]]`.
//! With a `.wasm` argument, macro `index` (default 0) is expanded on a derive-shaped input,
//! `struct Bench { f0: u32, ... }` with `fields` fields (default 1), and on an empty input.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wpm_abi::{Delimiter, Group, Ident, Punct, Spacing, SpanHandle};
use wpm_host::{Backend, Config, Limits, NoSpans, Request, Runtime, TokenTree};

fn ident(name: &str, span: u32) -> TokenTree {
    TokenTree::Ident(Ident { name: name.to_owned(), is_raw: false, span: SpanHandle(span) })
}

fn punct(ch: u8, span: u32) -> TokenTree {
    TokenTree::Punct(Punct { ch, spacing: Spacing::Alone, span: SpanHandle(span) })
}

/// `field_0 , field_2 , ...`: `n` tokens for the echo module.
fn input(n: usize) -> Vec<TokenTree> {
    (0..n)
        .map(|i| if i % 2 == 0 { ident(&format!("field_{i}"), 3 + i as u32) } else { punct(b',', 3 + i as u32) })
        .collect()
}

/// `struct Bench { f0: u32, f1: u32, ... }`, what a derive receives.
fn derive_input(fields: usize) -> Vec<TokenTree> {
    let mut body = Vec::new();
    for i in 0..fields {
        body.extend([ident(&format!("f{i}"), 10), punct(b':', 11), ident("u32", 12), punct(b',', 13)]);
    }
    let group = Group {
        delimiter: Delimiter::Brace,
        span: SpanHandle(5),
        span_open: SpanHandle(6),
        span_close: SpanHandle(7),
        stream: body,
    };
    vec![ident("struct", 3), ident("Bench", 4), TokenTree::Group(group)]
}

fn per_iter(total: Duration, n: u32) -> String {
    format!("{:.1} µs", total.as_secs_f64() * 1e6 / f64::from(n))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, bytes, index, tokens, what) = match args.first() {
        Some(path) => {
            let index = args.get(1).map_or(Ok(0), |s| s.parse())?;
            let fields = args.get(2).map_or(Ok(1), |s| s.parse())?;
            (path.clone(), std::fs::read(path)?, index, derive_input(fields), format!("struct with {fields} fields"))
        }
        None => {
            let wat = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/guests/wat/echo.wat");
            ("echo.wat".to_owned(), wat::parse_file(wat)?, 0, input(1000), "1000 tokens".to_owned())
        }
    };
    println!("module {name}: {} bytes", bytes.len());
    for backend in [Backend::Cranelift, Backend::Pulley] {
        let cache: PathBuf = std::env::temp_dir().join(format!("wpm-timing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&cache);
        let rt = Runtime::new(Config { cache_dir: Some(cache.clone()), ..Config::new(backend, Limits::default()) })?;
        let cold = rt.load_bytes(&name, &bytes)?;
        let warm = rt.load_bytes(&name, &bytes)?;
        assert!(warm.load_info().from_cache);
        let request = Request { attr_args: None, input: tokens.clone() };
        // Best of five rounds: the least disturbed by whatever else the machine runs.
        let n = 200u32;
        let empty = Request::default();
        let (mut expand, mut expand_empty) = (Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            let started = Instant::now();
            for _ in 0..n {
                warm.expand(index, &request, &mut NoSpans)?.map_err(|e| e.to_string())?;
            }
            expand = expand.min(started.elapsed());
            let started = Instant::now();
            for _ in 0..n {
                let _ = warm.expand(index, &empty, &mut NoSpans)?;
            }
            expand_empty = expand_empty.min(started.elapsed());
        }
        println!(
            "{:9} ({}): load cold {:?}, load cached {:?}; expand ({what}) {}; expand (empty) {} (best of 5 rounds of {n})",
            backend.as_str(),
            if rt.is_pooled() { "pooled" } else { "on demand" },
            cold.load_info().load_time,
            warm.load_info().load_time,
            per_iter(expand, n),
            per_iter(expand_empty, n),
        );
        let _ = std::fs::remove_dir_all(&cache);
    }
    Ok(())
}
