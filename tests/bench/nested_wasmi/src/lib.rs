//! A bench helper, not product code: expands a wasm proc-macro module (serde_derive) in the
//! [`wasmi`] interpreter, itself compiled to wasm, to compare with Pulley nested in rustc.wasm
//! (tests/bench/nested_macros.py runs it under the same wasmtime CLI).
//!
//! Built for `wasm32-unknown-unknown` with the module embedded (`NESTED_WASMI_MODULE` names it
//! at build time); it imports only three WASI functions (a monotonic clock, stdout, exit) and
//! exports `_start`. It expands, each in a fresh instance as `wpm_host` does, the same inputs
//! as the bench: one 1,000-field struct (`Serialize` and `Deserialize`) and 200 one-field
//! structs (400 derives), and prints one line per input:
//! `wasmi <input> <expansions> <seconds> <output tokens>`, after a line with the module's
//! translation time. The host functions answer as simply as the ABI allows (spans are fresh
//! handles, no source text): enough for derives that ask nothing about the source.

use std::cell::Cell;

use wasmi::{Caller, Engine, Extern, Linker, Memory, Module, Store, TypedFunc};
use wpm_abi::{
    imports, Buffer, Delimiter, Group, Ident, Manifest, Punct, Request, Spacing, SpanHandle, TokenTree, IMPORT_MODULE,
};

static MODULE: &[u8] = include_bytes!(env!("NESTED_WASMI_MODULE"));

#[repr(C)]
struct Ciovec {
    buf: *const u8,
    len: usize,
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> u16;
    fn fd_write(fd: u32, iovs: *const Ciovec, iovs_len: usize, nwritten: *mut usize) -> u16;
    fn proc_exit(code: u32) -> !;
}

fn now() -> f64 {
    let mut t = 0u64;
    // SAFETY: `t` is a valid place for the result; clock 1 is the monotonic clock.
    let errno = unsafe { clock_time_get(1, 1, &mut t) };
    assert_eq!(errno, 0, "clock_time_get failed");
    t as f64 / 1e9
}

fn print(line: &str) {
    let mut rest = line.as_bytes();
    while !rest.is_empty() {
        let iov = Ciovec { buf: rest.as_ptr(), len: rest.len() };
        let mut n = 0;
        // SAFETY: one iovec over live bytes; `n` receives the count written.
        let errno = unsafe { fd_write(1, &iov, 1, &mut n) };
        if errno != 0 {
            fail("cannot write to stdout");
        }
        rest = &rest[n..];
    }
}

fn fail(msg: &str) -> ! {
    let line = format!("nested-wasmi: {msg}\n");
    let iov = Ciovec { buf: line.as_ptr(), len: line.len() };
    let mut n = 0;
    // SAFETY: as in `print`; then the process ends.
    unsafe {
        fd_write(2, &iov, 1, &mut n);
        proc_exit(1)
    }
}

/// Per-instance state: the next fresh span handle, and what the guest reported.
struct State {
    next_span: Cell<u32>,
    panic: Option<String>,
    diagnostics: usize,
}

fn memory(caller: &Caller<'_, State>) -> Memory {
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => m,
        _ => fail("the module exports no memory"),
    }
}

fn fresh_span(caller: &Caller<'_, State>) -> i32 {
    let s = &caller.data().next_span;
    s.set(s.get() + 1);
    s.get() as i32
}

fn linker(engine: &Engine) -> Linker<State> {
    let m = IMPORT_MODULE;
    let mut l = Linker::new(engine);
    let wrap = |r: Result<&mut Linker<State>, wasmi::errors::LinkerError>| {
        if let Err(e) = r {
            fail(&format!("linker: {e}"));
        }
    };
    wrap(l.func_wrap(m, imports::SPAN_SOURCE_TEXT, |_: Caller<'_, State>, _: i32, _: i32, _: i32| -> i32 { -1 }));
    wrap(l.func_wrap(m, imports::SPAN_LOCAL_FILE, |_: Caller<'_, State>, _: i32, _: i32, _: i32| -> i32 { -1 }));
    wrap(l.func_wrap(m, imports::SPAN_FILE, |mut c: Caller<'_, State>, _: i32, ptr: i32, cap: i32| -> i32 {
        let name = b"big.rs";
        if name.len() <= cap as usize {
            let mem = memory(&c);
            if mem.write(&mut c, ptr as usize, name).is_err() {
                fail("span_file: pointer out of bounds");
            }
        }
        name.len() as i32
    }));
    wrap(l.func_wrap(m, imports::SPAN_LOCATION, |_: Caller<'_, State>, _: i32, _: i32| -> i32 { 1 }));
    wrap(l.func_wrap(m, imports::SPAN_EDGE, |c: Caller<'_, State>, _: i32, _: i32| -> i32 { fresh_span(&c) }));
    wrap(l.func_wrap(m, imports::SPAN_JOIN, |c: Caller<'_, State>, _: i32, _: i32| -> i32 { fresh_span(&c) }));
    wrap(l.func_wrap(m, imports::SPAN_RESOLVED_AT, |c: Caller<'_, State>, _: i32, _: i32| -> i32 { fresh_span(&c) }));
    wrap(l.func_wrap(m, imports::SPAN_LOCATED_AT, |c: Caller<'_, State>, _: i32, _: i32| -> i32 { fresh_span(&c) }));
    wrap(l.func_wrap(m, imports::DIAGNOSTIC, |mut c: Caller<'_, State>, _: i32, _: i32, _: i32, _: i32| {
        c.data_mut().diagnostics += 1;
    }));
    wrap(l.func_wrap(m, imports::PANIC, |mut c: Caller<'_, State>, ptr: i32, len: i32| {
        let mut msg = vec![0; len.clamp(0, 4096) as usize];
        let mem = memory(&c);
        let _ = mem.read(&c, ptr as usize, &mut msg);
        c.data_mut().panic = Some(String::from_utf8_lossy(&msg).into_owned());
    }));
    l
}

/// Token trees for `pub struct NAME { pub f0: u32, ... }`, each token with a fresh span.
fn struct_tokens(name: &str, fields: usize) -> Vec<TokenTree> {
    let mut next = SpanHandle::FIRST_DYNAMIC;
    let mut span = || {
        next += 1;
        SpanHandle(next - 1)
    };
    let mut ident = |s: &str| TokenTree::Ident(Ident { name: s.into(), is_raw: false, span: span() });
    let mut body = Vec::new();
    for i in 0..fields {
        body.push(ident("pub"));
        body.push(ident(&format!("f{i}")));
        body.push(TokenTree::Punct(Punct { ch: b':', spacing: Spacing::Alone, span: SpanHandle(0) }));
        body.push(ident("u32"));
        body.push(TokenTree::Punct(Punct { ch: b',', spacing: Spacing::Alone, span: SpanHandle(0) }));
    }
    let mut trees = vec![ident("pub"), ident("struct"), ident(name)];
    // Punct spans were placeholders: give each its own handle too (after the identifiers).
    let mut n = next;
    for t in &mut body {
        if let TokenTree::Punct(p) = t {
            p.span = SpanHandle(n);
            n += 1;
        }
    }
    trees.push(TokenTree::Group(Group {
        delimiter: Delimiter::Brace,
        span: SpanHandle(n),
        span_open: SpanHandle(n + 1),
        span_close: SpanHandle(n + 2),
        stream: body,
    }));
    trees
}

/// Runs macro `index` on `request` in a fresh instance; returns the output's token count.
fn expand(engine: &Engine, module: &Module, linker: &Linker<State>, index: u32, request: &[u8]) -> usize {
    let state = State { next_span: Cell::new(1 << 20), panic: None, diagnostics: 0 };
    let mut store = Store::new(engine, state);
    let instance =
        linker.instantiate_and_start(&mut store, module).unwrap_or_else(|e| fail(&format!("instantiate: {e}")));
    let mem = instance.get_memory(&store, "memory").unwrap_or_else(|| fail("no memory export"));
    let alloc: TypedFunc<(i32, i32), i32> =
        instance.get_typed_func(&store, "wpm_alloc").unwrap_or_else(|e| fail(&format!("wpm_alloc: {e}")));
    let run: TypedFunc<(i32, i32, i32), i64> =
        instance.get_typed_func(&store, "wpm_expand").unwrap_or_else(|e| fail(&format!("wpm_expand: {e}")));
    let ptr = alloc.call(&mut store, (request.len() as i32, 8)).unwrap_or_else(|e| fail(&format!("alloc: {e}")));
    mem.write(&mut store, ptr as usize, request).unwrap_or_else(|e| fail(&format!("write: {e}")));
    let packed = match run.call(&mut store, (index as i32, ptr, request.len() as i32)) {
        Ok(p) => p,
        Err(e) => fail(&format!("expand trapped: {e}; guest panic: {:?}", store.data().panic)),
    };
    let out = Buffer::unpack(packed as u64);
    let mut bytes = vec![0; out.len as usize];
    mem.read(&store, out.ptr as usize, &mut bytes).unwrap_or_else(|e| fail(&format!("read output: {e}")));
    let trees = wpm_abi::tokens::decode_stream(&bytes).unwrap_or_else(|e| fail(&format!("bad output: {e}")));
    count(&trees)
}

fn count(trees: &[TokenTree]) -> usize {
    trees.iter().map(|t| if let TokenTree::Group(g) = t { 1 + count(&g.stream) } else { 1 }).sum()
}

fn manifest(engine: &Engine, module: &Module, linker: &Linker<State>) -> Manifest {
    let state = State { next_span: Cell::new(1 << 20), panic: None, diagnostics: 0 };
    let mut store = Store::new(engine, state);
    let instance =
        linker.instantiate_and_start(&mut store, module).unwrap_or_else(|e| fail(&format!("instantiate: {e}")));
    let f: TypedFunc<(), i64> =
        instance.get_typed_func(&store, "wpm_manifest").unwrap_or_else(|e| fail(&format!("wpm_manifest: {e}")));
    let buf = Buffer::unpack(f.call(&mut store, ()).unwrap_or_else(|e| fail(&format!("manifest: {e}"))) as u64);
    let mem = instance.get_memory(&store, "memory").unwrap_or_else(|| fail("no memory export"));
    let mut bytes = vec![0; buf.len as usize];
    mem.read(&store, buf.ptr as usize, &mut bytes).unwrap_or_else(|e| fail(&format!("read manifest: {e}")));
    Manifest::decode(&bytes).unwrap_or_else(|e| fail(&format!("bad manifest: {e}")))
}

/// The entry point `wasmtime run` calls.
#[unsafe(no_mangle)]
pub extern "C" fn _start() {
    let t = now();
    let engine = Engine::default();
    let module = Module::new(&engine, MODULE).unwrap_or_else(|e| fail(&format!("cannot load the module: {e}")));
    let linker = linker(&engine);
    print(&format!("wasmi translate {:.6}\n", now() - t));
    let manifest = manifest(&engine, &module, &linker);
    let index = |name: &str| {
        manifest.macros.iter().position(|m| m.name == name).unwrap_or_else(|| fail(&format!("no macro {name}"))) as u32
    };
    let derives = [index("Serialize"), index("Deserialize")];
    let request = |trees: Vec<TokenTree>| Request { attr_args: None, input: trees }.encode();
    let big = request(struct_tokens("Big", 1000));
    let ones: Vec<Vec<u8>> = (0..200).map(|i| request(struct_tokens(&format!("S{i}"), 1))).collect();
    let t = now();
    let mut tokens = 0;
    for &d in &derives {
        tokens += expand(&engine, &module, &linker, d, &big);
    }
    print(&format!("wasmi big 2 {:.6} {tokens}\n", now() - t));
    let t = now();
    let mut tokens = 0;
    for one in &ones {
        for &d in &derives {
            tokens += expand(&engine, &module, &linker, d, one);
        }
    }
    print(&format!("wasmi one 400 {:.6} {tokens}\n", now() - t));
}
