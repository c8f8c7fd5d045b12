//! Runs the hand-written WAT modules of `tests/guests/wat/` through the host: one
//! well-behaved module (`echo.wat`) and one module per way a guest can misbehave. Every
//! failure must come back quickly, with the right message, on both backends.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wpm_abi::{Delimiter, Group, Ident, LitKind, Literal, Punct, Spacing};
use wpm_host::{
    Backend, Config, DiagnosticLevel, HostError, Limits, MacroError, MacroModule, NoSpans, Request, Runtime,
    SpanHandle, SpanLocation, SpanServer, TokenTree,
};

const BACKENDS: [Backend; 2] = [Backend::Cranelift, Backend::Pulley];

fn wat_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/guests/wat")
}

fn wasm(name: &str) -> Vec<u8> {
    let path = wat_dir().join(format!("{name}.wat"));
    wat::parse_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn test_limits() -> Limits {
    Limits { fuel: 20_000_000, memory_bytes: 64 << 20, ..Limits::default() }
}

fn runtime(backend: Backend) -> Runtime {
    Runtime::new(Config { backend, limits: test_limits(), cache_dir: None }).expect("runtime")
}

fn load(backend: Backend, name: &str) -> Result<MacroModule, HostError> {
    runtime(backend).load_bytes(&format!("{name}.wasm"), &wasm(name))
}

fn expand_with(
    module: &MacroModule,
    index: usize,
    input: Vec<TokenTree>,
    spans: &mut dyn SpanServer,
) -> Result<Vec<TokenTree>, MacroError> {
    module.expand(index, &Request { attr_args: None, input }, spans).expect("no host error")
}

/// Runs macro 0 of module `name` on a small input; the module must load.
fn run(backend: Backend, name: &str) -> (Result<Vec<TokenTree>, MacroError>, Duration) {
    let module = load(backend, name).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let out = expand_with(&module, 0, sample(), &mut NoSpans);
    (out, started.elapsed())
}

fn load_error(name: &str) -> String {
    match load(Backend::Cranelift, name) {
        Ok(_) => panic!("{name} loaded"),
        Err(e) => e.to_string(),
    }
}

fn sample() -> Vec<TokenTree> {
    vec![
        TokenTree::Ident(Ident { name: "struct".into(), is_raw: false, span: SpanHandle(3) }),
        TokenTree::Ident(Ident { name: "type".into(), is_raw: true, span: SpanHandle(4) }),
        TokenTree::Group(Group {
            delimiter: Delimiter::Brace,
            span: SpanHandle(5),
            span_open: SpanHandle(6),
            span_close: SpanHandle(7),
            stream: vec![
                TokenTree::Punct(Punct { ch: b'-', spacing: Spacing::Joint, span: SpanHandle(8) }),
                TokenTree::Punct(Punct { ch: b'>', spacing: Spacing::Alone, span: SpanHandle(9) }),
                TokenTree::Literal(Literal {
                    kind: LitKind::Float,
                    symbol: "1.5e3".into(),
                    suffix: "f32".into(),
                    span: SpanHandle(300),
                }),
            ],
        }),
    ]
}

fn ident(tt: &[TokenTree]) -> &str {
    match tt {
        [TokenTree::Ident(i)] => &i.name,
        other => panic!("expected one ident, got {other:?}"),
    }
}

/// Answers span questions with fixed text and records diagnostics.
#[derive(Default)]
struct Recorder {
    diagnostics: Vec<(DiagnosticLevel, SpanHandle, String)>,
}

impl SpanServer for Recorder {
    fn source_text(&mut self, span: SpanHandle) -> Option<String> {
        (span == SpanHandle::CALL_SITE).then(|| "hello_world".to_owned())
    }
    fn file(&mut self, _: SpanHandle) -> String {
        "src/lib.rs".into()
    }
    fn local_file(&mut self, _: SpanHandle) -> Option<String> {
        None
    }
    fn location(&mut self, _: SpanHandle, _: SpanLocation) -> u32 {
        0
    }
    fn edge(&mut self, s: SpanHandle, _: bool) -> SpanHandle {
        s
    }
    fn join(&mut self, _: SpanHandle, _: SpanHandle) -> Option<SpanHandle> {
        None
    }
    fn resolved_at(&mut self, a: SpanHandle, _: SpanHandle) -> SpanHandle {
        a
    }
    fn located_at(&mut self, a: SpanHandle, _: SpanHandle) -> SpanHandle {
        a
    }
    fn diagnostic(&mut self, level: DiagnosticLevel, span: SpanHandle, message: &str) {
        self.diagnostics.push((level, span, message.to_owned()));
    }
}

#[test]
fn echo_returns_its_input_on_both_backends() {
    for backend in BACKENDS {
        let module = load(backend, "echo").unwrap();
        assert_eq!(module.manifest().macros.len(), 6);
        assert_eq!(module.manifest().macros[4].name, "compute");
        assert_eq!(expand_with(&module, 0, sample(), &mut NoSpans).unwrap(), sample(), "{backend:?}");
        assert_eq!(expand_with(&module, 0, vec![], &mut NoSpans).unwrap(), vec![]);
    }
}

#[test]
fn span_queries_reach_the_span_server() {
    for backend in BACKENDS {
        let module = load(backend, "echo").unwrap();
        let mut rec = Recorder::default();
        assert_eq!(ident(&expand_with(&module, 1, vec![], &mut rec).unwrap()), "hello_world");
        assert_eq!(expand_with(&module, 2, vec![], &mut rec).unwrap(), vec![]);
        assert_eq!(rec.diagnostics, vec![(DiagnosticLevel::Warning, SpanHandle::CALL_SITE, "careful".to_owned())]);
    }
}

#[test]
fn bad_pointer_in_a_host_call_traps_with_a_clear_message() {
    for backend in BACKENDS {
        let module = load(backend, "echo").unwrap();
        let err = expand_with(&module, 3, vec![], &mut Recorder::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "proc macro trapped: wpm-1::span_file: output buffer at 0xfffffff0..+100 lies outside guest memory (65536 bytes)"
        );
    }
}

#[test]
fn no_state_leaks_between_expansions() {
    // More expansions than the pool has slots: every one starts from a reset memory,
    // whether its slot is fresh or reused.
    for backend in [Backend::Cranelift, Backend::Pulley] {
        let module = load(backend, "echo").unwrap();
        for _ in 0..300 {
            assert_eq!(ident(&expand_with(&module, 5, vec![], &mut NoSpans).unwrap()), "c1");
        }
    }
}

#[test]
fn native_hosts_pool_instances() {
    for backend in [Backend::Cranelift, Backend::Pulley] {
        assert!(runtime(backend).is_pooled(), "{backend:?}");
    }
}

#[test]
fn output_is_deterministic_across_reruns_and_backends() {
    let outputs: Vec<Vec<TokenTree>> = BACKENDS
        .iter()
        .map(|&backend| {
            let module = load(backend, "echo").unwrap();
            let first = expand_with(&module, 4, sample(), &mut NoSpans).unwrap();
            for _ in 0..10 {
                assert_eq!(expand_with(&module, 4, sample(), &mut NoSpans).unwrap(), first, "{backend:?}");
            }
            first
        })
        .collect();
    assert_eq!(outputs[0], outputs[1], "Cranelift and Pulley disagree");
    assert!(ident(&outputs[0]).starts_with('h'));
}

#[test]
fn infinite_loop_runs_out_of_fuel() {
    for backend in BACKENDS {
        let (out, took) = run(backend, "infinite_loop");
        assert_eq!(out.unwrap_err(), MacroError::OutOfFuel(test_limits().fuel));
        assert!(took < Duration::from_secs(20), "{backend:?} took {took:?}");
    }
    assert!(MacroError::OutOfFuel(7)
        .to_string()
        .starts_with("proc macro exceeded its fuel limit (7 units); the limit is set by the WPM_FUEL"));
}

#[test]
fn memory_bomb_hits_the_memory_limit() {
    for backend in BACKENDS {
        let (out, _) = run(backend, "memory_bomb");
        let err = out.unwrap_err();
        assert_eq!(err, MacroError::OutOfMemory(64 << 20));
        assert!(err.to_string().starts_with("proc macro exceeded its memory limit of 64 MiB"), "{err}");
    }
}

#[test]
fn unbounded_recursion_traps_instead_of_crashing() {
    for backend in BACKENDS {
        let (out, _) = run(backend, "recursion");
        assert_eq!(out.unwrap_err().to_string(), "proc macro trapped: call stack exhausted", "{backend:?}");
    }
}

#[test]
fn trap_is_reported_with_its_message() {
    for backend in BACKENDS {
        let (out, _) = run(backend, "trap");
        assert_eq!(out.unwrap_err().to_string(), "proc macro trapped: integer divide by zero", "{backend:?}");
    }
}

#[test]
fn panic_message_is_reported() {
    for backend in BACKENDS {
        let (out, _) = run(backend, "panic");
        assert_eq!(
            out.unwrap_err().to_string(),
            "proc macro panicked: index out of bounds: the len is 3 but the index is 7"
        );
    }
}

#[test]
fn malformed_output_is_a_decode_error() {
    let (out, _) = run(Backend::Cranelift, "invalid_output");
    let err = out.unwrap_err();
    assert!(matches!(err, MacroError::MalformedOutput(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "proc macro returned malformed output: malformed wpm data at byte 2: unknown token tree tag"
    );
}

#[test]
fn huge_output_is_rejected_before_copying() {
    let (out, took) = run(Backend::Cranelift, "huge_output");
    assert_eq!(out.unwrap_err(), MacroError::OutputTooLarge { len: 0x7fff_ffff, limit: 64 << 20 });
    assert!(took < Duration::from_secs(5));
}

#[test]
fn output_outside_memory_is_a_trap() {
    let (out, _) = run(Backend::Cranelift, "out_of_bounds_output");
    assert_eq!(
        out.unwrap_err().to_string(),
        "proc macro trapped: `wpm_expand` returned a buffer at 0xfffffff0..+100 outside guest memory (65536 bytes)"
    );
}

#[test]
fn wasi_imports_are_refused_at_load() {
    assert_eq!(
        load_error("imports_wasi"),
        "wasm proc-macro module `imports_wasi.wasm`: imports wasi_snapshot_preview1::fd_write, which wpm does \
         not provide: proc macros get no system access"
    );
}

#[test]
fn other_abi_versions_are_refused_at_load() {
    assert!(load_error("imports_wpm2")
        .ends_with("imports wpm-2::span_file: it was built for wpm ABI version 2; this host supports version 1"));
    assert!(load_error("wrong_abi_version").ends_with("was built for wpm ABI version 2; this host supports version 1"));
}

#[test]
fn missing_export_is_named() {
    assert_eq!(
        load_error("missing_export"),
        "wasm proc-macro module `missing_export.wasm`: does not export `wpm_expand`, which the wpm ABI requires"
    );
}

#[test]
fn bad_manifest_is_refused() {
    let e = load_error("bad_manifest");
    assert!(e.contains("`bad_manifest.wasm`: has a bad manifest: malformed wpm data at byte 9"), "{e}");
}

#[test]
fn non_wasm_and_invalid_modules_are_refused() {
    let rt = runtime(Backend::Cranelift);
    let e = rt.load_bytes("notes.txt", b"hello world").unwrap_err();
    assert_eq!(e.message(), "is not a WebAssembly module (it does not start with `\\0asm`)");
    let mut bytes = wasm("echo");
    bytes.truncate(bytes.len() - 3);
    let e = rt.load_bytes("cut.wasm", &bytes).unwrap_err();
    assert!(e.message().starts_with("is not a valid WebAssembly module: "), "{e}");
    let e = rt.load(Path::new("/nonexistent/x.wasm")).err().unwrap();
    assert!(e.to_string().starts_with("wasm proc-macro module `/nonexistent/x.wasm`: cannot be read"), "{e}");
}

#[test]
fn macro_index_out_of_range_is_a_host_error() {
    let module = load(Backend::Cranelift, "echo").unwrap();
    let e = module.expand(6, &Request::default(), &mut NoSpans).err().unwrap();
    assert_eq!(e.message(), "has no macro number 6: its manifest declares 6");
}

/// A cache directory removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("wpm-host-test-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cache_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|r| r.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    v.sort();
    v
}

#[test]
fn compiled_code_cache_hits_and_survives_corruption() {
    for backend in BACKENDS {
        let dir = TempDir::new(backend.as_str());
        let rt = Runtime::new(Config { backend, limits: test_limits(), cache_dir: Some(dir.0.clone()) }).unwrap();
        let bytes = wasm("echo");
        let first = rt.load_bytes("echo.wasm", &bytes).unwrap();
        assert!(!first.load_info().from_cache);
        let entries = cache_entries(&dir.0);
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert!(entries[0].extension().is_some_and(|e| e == "cwasm"));
        let second = rt.load_bytes("echo.wasm", &bytes).unwrap();
        assert!(second.load_info().from_cache);
        assert_eq!(expand_with(&second, 0, sample(), &mut NoSpans).unwrap(), sample());

        // A corrupt entry is recompiled and replaced, never fatal.
        std::fs::write(&entries[0], b"garbage").unwrap();
        let third = rt.load_bytes("echo.wasm", &bytes).unwrap();
        assert!(!third.load_info().from_cache);
        assert_eq!(expand_with(&third, 0, sample(), &mut NoSpans).unwrap(), sample());
        assert!(rt.load_bytes("echo.wasm", &bytes).unwrap().load_info().from_cache);
        assert_eq!(cache_entries(&dir.0), entries, "no temporary files left behind");
    }
}

#[test]
fn backends_use_distinct_cache_entries() {
    let dir = TempDir::new("distinct");
    for backend in BACKENDS {
        let rt = Runtime::new(Config { backend, limits: test_limits(), cache_dir: Some(dir.0.clone()) }).unwrap();
        assert!(!rt.load_bytes("echo.wasm", &wasm("echo")).unwrap().load_info().from_cache, "{backend:?}");
    }
    assert_eq!(cache_entries(&dir.0).len(), 2);
}

#[test]
fn concurrent_loads_share_the_cache_safely() {
    let dir = TempDir::new("concurrent");
    let bytes = wasm("echo");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let rt = Runtime::new(Config {
                    backend: Backend::Cranelift,
                    limits: test_limits(),
                    cache_dir: Some(dir.0.clone()),
                })
                .unwrap();
                let m = rt.load_bytes("echo.wasm", &bytes).unwrap();
                assert_eq!(expand_with(&m, 0, sample(), &mut NoSpans).unwrap(), sample());
            });
        }
    });
    assert_eq!(cache_entries(&dir.0).len(), 1);
}

#[test]
fn unwritable_cache_dir_is_not_fatal() {
    let rt = Runtime::new(Config {
        backend: Backend::Cranelift,
        limits: test_limits(),
        cache_dir: Some(PathBuf::from("/proc/wpm-cannot-write-here")),
    })
    .unwrap();
    let m = rt.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    assert!(!m.load_info().from_cache);
}

#[test]
fn one_module_serves_many_threads() {
    let module = load(Backend::Cranelift, "echo").unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..20 {
                    assert_eq!(expand_with(&module, 0, sample(), &mut NoSpans).unwrap(), sample());
                }
            });
        }
    });
}
