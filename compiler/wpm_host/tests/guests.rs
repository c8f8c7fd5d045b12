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
    Runtime::new(Config::new(backend, test_limits())).expect("runtime")
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

/// Answers span questions with fixed text, records diagnostics and counts host calls.
#[derive(Default)]
struct Recorder {
    diagnostics: Vec<(DiagnosticLevel, SpanHandle, String)>,
    locations: u64,
    resolved: u64,
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
        self.locations += 1;
        0
    }
    fn edge(&mut self, s: SpanHandle, _: bool) -> SpanHandle {
        s
    }
    fn join(&mut self, _: SpanHandle, _: SpanHandle) -> Option<SpanHandle> {
        None
    }
    fn resolved_at(&mut self, a: SpanHandle, _: SpanHandle) -> SpanHandle {
        self.resolved += 1;
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
    assert_eq!(
        out.unwrap_err(),
        MacroError::OutputTooLarge { len: 0x7fff_ffff, limit: wpm_host::DEFAULT_OUTPUT_BYTES }
    );
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
        let rt =
            Runtime::new(Config { cache_dir: Some(dir.0.clone()), ..Config::new(backend, test_limits()) }).unwrap();
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
        let rt =
            Runtime::new(Config { cache_dir: Some(dir.0.clone()), ..Config::new(backend, test_limits()) }).unwrap();
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
                    cache_dir: Some(dir.0.clone()),
                    ..Config::new(Backend::Cranelift, test_limits())
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
        cache_dir: Some(PathBuf::from("/proc/wpm-cannot-write-here")),
        ..Config::new(Backend::Cranelift, test_limits())
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

// The adversarial guest of tests/guests/wat/hostile.wat: every cost it can make the host pay
// is drawn from the expansion's budget.

fn hostile(backend: Backend, limits: Limits) -> MacroModule {
    let rt = Runtime::new(Config::new(backend, limits)).expect("runtime");
    rt.load_bytes("hostile.wasm", &wasm("hostile")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn diagnostic_floods_are_capped_with_one_note() {
    for (index, level) in [(0, DiagnosticLevel::Warning), (1, DiagnosticLevel::Error)] {
        for backend in BACKENDS {
            let module = hostile(backend, Limits::default());
            let mut rec = Recorder::default();
            assert_eq!(expand_with(&module, index, vec![], &mut rec).unwrap(), vec![]);
            let (note, kept) = rec.diagnostics.split_last().unwrap();
            assert_eq!(kept.len(), 100, "{backend:?}");
            assert!(kept.iter().all(|(l, _, m)| *l == level && m.len() == 1000 && m.starts_with("flood")));
            assert_eq!(note.0, DiagnosticLevel::Note);
            assert!(note.2.starts_with("99900 more diagnostics from this macro suppressed"), "{}", note.2);
            assert!(note.2.contains("WPM_MAX_DIAGNOSTICS"), "{}", note.2);
        }
    }
    // The byte budget binds first when it is the smaller one.
    let module = hostile(Backend::Cranelift, Limits { diagnostic_bytes: 10_500, ..Limits::default() });
    let mut rec = Recorder::default();
    expand_with(&module, 0, vec![], &mut rec).unwrap();
    assert_eq!(rec.diagnostics.len(), 11);
    assert!(rec.diagnostics[10].2.starts_with("99990 more diagnostics"), "{}", rec.diagnostics[10].2);
}

#[test]
fn host_calls_cost_fuel() {
    let limits = Limits { fuel: 50_000_000, ..Limits::default() };
    for backend in BACKENDS {
        let module = hostile(backend, limits);
        let mut rec = Recorder::default();
        let err = expand_with(&module, 2, vec![], &mut rec).unwrap_err();
        assert_eq!(err, MacroError::OutOfFuel(limits.fuel));
        // Without the charge, the loop's few instructions would pay for millions of calls.
        assert!(rec.locations <= limits.fuel / limits.host_call_fuel, "{} calls", rec.locations);
        assert!(rec.locations >= limits.fuel / limits.host_call_fuel / 2, "{} calls", rec.locations);
    }
}

#[test]
fn span_handles_are_capped() {
    let limits = Limits { span_handles: 1000, ..Limits::default() };
    for backend in BACKENDS {
        let module = hostile(backend, limits);
        let mut rec = Recorder::default();
        let err = expand_with(&module, 3, vec![], &mut rec).unwrap_err();
        assert_eq!(rec.resolved, 1000);
        assert_eq!(
            err.to_string(),
            "proc macro exceeded its limit of 1000 new span handles (set by the WPM_MAX_SPAN_HANDLES environment variable)"
        );
    }
}

#[test]
fn deep_and_wide_outputs_decode_within_limits() {
    for backend in BACKENDS {
        let module = hostile(backend, Limits::default());
        let mut tree = expand_with(&module, 4, vec![], &mut NoSpans).unwrap();
        let mut depth = 0;
        loop {
            assert_eq!(tree.len(), if depth == 1000 { 0 } else { 1001 });
            match tree.pop() {
                Some(TokenTree::Group(g)) => tree = g.stream,
                Some(other) => panic!("{other:?}"),
                None => break,
            }
            depth += 1;
        }
        assert_eq!(depth, 1000);
    }
    let module = hostile(Backend::Cranelift, Limits::default());
    assert_eq!(expand_with(&module, 5, vec![], &mut NoSpans).unwrap().len(), 4_000_000);
    // Over a smaller output limit, it is refused before anything is copied.
    let module = hostile(Backend::Cranelift, Limits { output_bytes: 1 << 20, ..Limits::default() });
    assert_eq!(
        expand_with(&module, 5, vec![], &mut NoSpans).unwrap_err(),
        MacroError::OutputTooLarge { len: 16_000_004, limit: 1 << 20 }
    );
}

#[test]
fn amplifying_manifest_is_refused() {
    let e = load_error("hostile_manifest");
    assert!(e.contains("has a bad manifest: derive macro `D` has a helper attribute with an empty name"), "{e}");
    let rt =
        Runtime::new(Config::new(Backend::Cranelift, Limits { manifest_bytes: 64 << 10, ..test_limits() })).unwrap();
    let e = rt.load_bytes("hostile_manifest.wasm", &wasm("hostile_manifest")).unwrap_err().to_string();
    assert!(e.contains("exceeded its limit of 64 KiB of manifest (set by the WPM_MANIFEST_KIB"), "{e}");
}

fn set_mode(dir: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Plants in `dir`, under the cache key of `echo`, the compiled code of another module.
fn plant_foreign_code(dir: &Path) {
    let scratch = TempDir::new(&format!("scratch-for-{}", dir.file_name().unwrap().to_string_lossy()));
    let rt = |d: &Path| {
        Runtime::new(Config { cache_dir: Some(d.to_owned()), ..Config::new(Backend::Cranelift, test_limits()) })
            .unwrap()
    };
    // The file name of echo's entry, and the image of another module.
    rt(&scratch.0).load_bytes("echo.wasm", &wasm("echo")).unwrap();
    let echo_entry = cache_entries(&scratch.0).pop().unwrap();
    std::fs::remove_file(&echo_entry).unwrap();
    rt(&scratch.0).load_bytes("infinite_loop.wasm", &wasm("infinite_loop")).unwrap();
    let foreign = cache_entries(&scratch.0).pop().unwrap();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(foreign, dir.join(echo_entry.file_name().unwrap())).unwrap();
}

/// Loads echo with the cache in `dir`; says whether it came from the cache, and checks
/// that it is echo (not the planted code) when it did not.
fn load_echo_from(dir: &Path) -> bool {
    let rt = Runtime::new(Config { cache_dir: Some(dir.to_owned()), ..Config::new(Backend::Cranelift, test_limits()) })
        .unwrap();
    let m = rt.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    if !m.load_info().from_cache {
        assert_eq!(expand_with(&m, 0, sample(), &mut NoSpans).unwrap(), sample());
    }
    m.load_info().from_cache
}

#[test]
fn a_cache_others_can_write_is_never_read() {
    // The planted image is used from a private directory: the test can tell.
    let private = TempDir::new("plant-private");
    plant_foreign_code(&private.0);
    set_mode(&private.0, 0o700);
    assert!(load_echo_from(&private.0), "a planted entry in a private cache should be a hit");

    for mode in [0o777, 0o770, 0o702] {
        let shared = TempDir::new("plant-shared");
        plant_foreign_code(&shared.0);
        set_mode(&shared.0, mode);
        assert!(!load_echo_from(&shared.0), "mode {mode:o}: the planted entry was deserialized");
        // And nothing is written there either.
        assert_eq!(cache_entries(&shared.0).len(), 1);
    }
}

#[test]
fn a_cache_owned_by_someone_else_is_never_read() {
    let dir = TempDir::new("plant-owner");
    plant_foreign_code(&dir.0);
    set_mode(&dir.0, 0o700);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(&dir.0, Some(65534), Some(65534)).unwrap();
        assert!(!load_echo_from(&dir.0), "a planted entry in a cache owned by uid 65534 was deserialized");
    } else {
        // Only root can give a directory away; a directory that root owns stands in.
        eprintln!("note: not running as root: checking that /usr (owned by root) is refused instead");
        let err = wpm_host::ensure_private_dir(Path::new("/usr")).unwrap_err();
        assert!(err.starts_with("is owned by uid 0"), "{err}");
    }
}

#[test]
fn cache_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("modes");
    let fresh = dir.0.join("nested").join("code");
    assert!(!load_echo_from(&fresh));
    assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o700);
    for entry in cache_entries(&fresh) {
        assert_eq!(std::fs::metadata(&entry).unwrap().permissions().mode() & 0o777, 0o600, "{}", entry.display());
    }
}

// The expansion cache (src/expansions.rs): hits, and every change that must be a miss.

/// A span server whose source text is fixed and which keeps the diagnostics it gets.
struct Answers {
    source_text: &'static str,
    diagnostics: Vec<(DiagnosticLevel, SpanHandle, String)>,
}

impl Answers {
    fn new(source_text: &'static str) -> Self {
        Answers { source_text, diagnostics: Vec::new() }
    }
}

impl SpanServer for Answers {
    fn source_text(&mut self, _: SpanHandle) -> Option<String> {
        Some(self.source_text.to_owned())
    }
    fn file(&mut self, s: SpanHandle) -> String {
        NoSpans.file(s)
    }
    fn local_file(&mut self, s: SpanHandle) -> Option<String> {
        NoSpans.local_file(s)
    }
    fn location(&mut self, s: SpanHandle, which: SpanLocation) -> u32 {
        NoSpans.location(s, which)
    }
    fn edge(&mut self, s: SpanHandle, start: bool) -> SpanHandle {
        NoSpans.edge(s, start)
    }
    fn join(&mut self, a: SpanHandle, b: SpanHandle) -> Option<SpanHandle> {
        NoSpans.join(a, b)
    }
    fn resolved_at(&mut self, a: SpanHandle, b: SpanHandle) -> SpanHandle {
        NoSpans.resolved_at(a, b)
    }
    fn located_at(&mut self, a: SpanHandle, b: SpanHandle) -> SpanHandle {
        NoSpans.located_at(a, b)
    }
    fn diagnostic(&mut self, level: DiagnosticLevel, span: SpanHandle, message: &str) {
        self.diagnostics.push((level, span, message.to_owned()));
    }
}

/// A runtime with the expansion cache in `dir` (and no code cache).
fn caching_runtime(dir: &Path, limits: Limits) -> Runtime {
    Runtime::new(Config { expansion_cache_dir: Some(dir.to_owned()), ..Config::new(Backend::Cranelift, limits) })
        .expect("runtime")
}

/// The expansion entries under an expansion cache directory (not the manifest records).
fn expansion_entries(dir: &Path) -> Vec<PathBuf> {
    // (Not the trim marker `.last-trim` either.)
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect()
}

/// The manifest records under an expansion cache directory.
fn manifest_records(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("manifests")).into_iter().flatten().flatten().map(|e| e.path()).collect()
}

fn hits_and_misses(rt: &Runtime) -> (u64, u64) {
    let s = rt.expansion_stats();
    (s.hits, s.misses)
}

#[test]
fn expansion_cache_hits_on_the_same_input_and_answers() {
    let dir = TempDir::new("expansions-hit");
    let rt = caching_runtime(&dir.0, test_limits());
    let m = rt.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    // echo: same input twice, then another input.
    assert_eq!(expand_with(&m, 0, sample(), &mut NoSpans).unwrap(), sample());
    assert_eq!(expand_with(&m, 0, sample(), &mut NoSpans).unwrap(), sample());
    assert_eq!(hits_and_misses(&rt), (1, 1));
    let other = vec![TokenTree::Ident(Ident { name: "other".into(), is_raw: false, span: SpanHandle(3) })];
    assert_eq!(expand_with(&m, 0, other.clone(), &mut NoSpans).unwrap(), other);
    assert_eq!(hits_and_misses(&rt), (1, 2));
    // A second runtime (another rustc process) reads what the first stored.
    let rt2 = caching_runtime(&dir.0, test_limits());
    let m2 = rt2.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    assert_eq!(expand_with(&m2, 0, other, &mut NoSpans).unwrap().len(), 1);
    assert_eq!(hits_and_misses(&rt2), (1, 0));
    assert_eq!(expansion_entries(&dir.0).len(), 2);
}

#[test]
fn expansion_cache_checks_the_transcript_and_replays_diagnostics() {
    let dir = TempDir::new("expansions-transcript");
    let rt = caching_runtime(&dir.0, test_limits());
    let m = rt.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    let ident = |name: &str| vec![TokenTree::Ident(Ident { name: name.into(), is_raw: false, span: SpanHandle(0) })];
    // source_ident returns the call site's source text: a new answer is a miss.
    assert_eq!(expand_with(&m, 1, vec![], &mut Answers::new("alpha")).unwrap(), ident("alpha"));
    assert_eq!(expand_with(&m, 1, vec![], &mut Answers::new("alpha")).unwrap(), ident("alpha"));
    assert_eq!(hits_and_misses(&rt), (1, 1));
    assert_eq!(expand_with(&m, 1, vec![], &mut Answers::new("beta")).unwrap(), ident("beta"));
    assert_eq!(hits_and_misses(&rt), (1, 2));
    // diag warns: a hit warns again, exactly as the guest did.
    let mut first = Answers::new("x");
    expand_with(&m, 2, vec![], &mut first).unwrap();
    let mut again = Answers::new("x");
    expand_with(&m, 2, vec![], &mut again).unwrap();
    assert_eq!(hits_and_misses(&rt), (2, 3));
    assert_eq!(first.diagnostics, vec![(DiagnosticLevel::Warning, SpanHandle::CALL_SITE, "careful".to_owned())]);
    assert_eq!(again.diagnostics, first.diagnostics);
}

#[test]
fn a_module_on_record_is_compiled_only_when_an_expansion_misses() {
    let dir = TempDir::new("expansions-lazy");
    let rt = caching_runtime(&dir.0, test_limits());
    let first = rt.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    assert!(first.load_info().compiled && first.is_compiled());
    expand_with(&first, 0, sample(), &mut NoSpans).unwrap();
    let records = manifest_records(&dir.0);
    assert_eq!(records.len(), 1);
    // Another process: the manifest comes from the record, nothing compiles while
    // expansions hit; the first miss compiles, and runs the guest.
    let rt2 = caching_runtime(&dir.0, test_limits());
    let second = rt2.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    assert!(!second.load_info().compiled && !second.is_compiled());
    assert_eq!(second.manifest(), first.manifest());
    assert_eq!(expand_with(&second, 0, sample(), &mut NoSpans).unwrap(), sample());
    assert!(!second.is_compiled());
    let other = vec![TokenTree::Ident(Ident { name: "other".into(), is_raw: false, span: SpanHandle(3) })];
    assert_eq!(expand_with(&second, 0, other.clone(), &mut NoSpans).unwrap(), other);
    assert!(second.is_compiled());
    assert_eq!(hits_and_misses(&rt2), (1, 1));
    // A damaged record is not used: the load compiles and rewrites it. Other limits
    // (the manifest read runs the guest under them) are another record.
    let good = std::fs::read(&records[0]).unwrap();
    std::fs::write(&records[0], &good[..good.len() - 1]).unwrap();
    let third = caching_runtime(&dir.0, test_limits()).load_bytes("echo.wasm", &wasm("echo")).unwrap();
    assert!(third.load_info().compiled);
    assert_eq!(std::fs::read(&records[0]).unwrap(), good);
    let other_limits = Limits { fuel: 10_000_000, ..test_limits() };
    let fourth = caching_runtime(&dir.0, other_limits).load_bytes("echo.wasm", &wasm("echo")).unwrap();
    assert!(fourth.load_info().compiled);
    assert_eq!(manifest_records(&dir.0).len(), 2);
}

#[test]
fn expansion_cache_misses_for_other_module_bytes_and_limits() {
    let dir = TempDir::new("expansions-key");
    let rt = caching_runtime(&dir.0, test_limits());
    let m = rt.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    expand_with(&m, 4, sample(), &mut NoSpans).unwrap();
    // The same code with one more custom section: other bytes, so another key.
    let mut bytes = wasm("echo");
    bytes.extend_from_slice(&[0, 4, 3, b'w', b'p', b'm']);
    let m2 = rt.load_bytes("echo2.wasm", &bytes).unwrap();
    expand_with(&m2, 4, sample(), &mut NoSpans).unwrap();
    assert_eq!(hits_and_misses(&rt), (0, 2));
    // Under a fuel limit the stored run would exceed, the guest runs and fails: an entry
    // never hides a limit.
    let starved = caching_runtime(&dir.0, Limits { fuel: 500, ..test_limits() });
    let m3 = starved.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    let err = expand_with(&m3, 4, sample(), &mut NoSpans).unwrap_err();
    assert!(matches!(err, MacroError::OutOfFuel(500)), "{err:?}");
    assert_eq!(hits_and_misses(&starved), (0, 1));
}

#[test]
fn expansion_cache_never_stores_failures() {
    let dir = TempDir::new("expansions-failures");
    let rt = caching_runtime(&dir.0, test_limits());
    let m = rt.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    for _ in 0..2 {
        let err = expand_with(&m, 3, vec![], &mut NoSpans).unwrap_err();
        assert!(matches!(err, MacroError::Trapped(_)), "{err:?}");
    }
    assert_eq!(hits_and_misses(&rt), (0, 2));
    assert_eq!(rt.expansion_stats().stored, 0);
    assert!(expansion_entries(&dir.0).is_empty());
}

#[test]
fn corrupt_expansion_entries_are_misses_and_rewritten() {
    let dir = TempDir::new("expansions-corrupt");
    let rt = caching_runtime(&dir.0, test_limits());
    let m = rt.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    expand_with(&m, 0, sample(), &mut NoSpans).unwrap();
    let entries = expansion_entries(&dir.0);
    assert_eq!(entries.len(), 1);
    let good = std::fs::read(&entries[0]).unwrap();
    for bad in [b"garbage".to_vec(), good[..good.len() / 2].to_vec(), {
        let mut flipped = good.clone();
        let at = flipped.len() - 40;
        flipped[at] ^= 1;
        flipped
    }] {
        std::fs::write(&entries[0], &bad).unwrap();
        let (hits, misses) = hits_and_misses(&rt);
        assert_eq!(expand_with(&m, 0, sample(), &mut NoSpans).unwrap(), sample());
        assert_eq!(hits_and_misses(&rt), (hits, misses + 1), "a damaged entry must not be used");
        assert_eq!(std::fs::read(&entries[0]).unwrap(), good, "the guest's run rewrote the entry");
    }
}

#[cfg(unix)]
#[test]
fn a_shared_expansion_cache_dir_is_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("expansions-shared");
    std::fs::create_dir_all(&dir.0).unwrap();
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o777)).unwrap();
    let rt = caching_runtime(&dir.0, test_limits());
    let m = rt.load_bytes("echo.wasm", &wasm("echo")).unwrap();
    expand_with(&m, 0, sample(), &mut NoSpans).unwrap();
    expand_with(&m, 0, sample(), &mut NoSpans).unwrap();
    assert_eq!(rt.expansion_stats(), wpm_host::ExpansionStats::default());
    assert!(expansion_entries(&dir.0).is_empty());
}
