//! Helpers: running the binary, the rustdoc oracle, reading modules, recording figures.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;

/// Builds share one target directory: run them one at a time so timings mean something.
pub static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// One macro as `(kind, name, helpers)`, kind being `derive`, `attribute` or `function`.
pub type Decl = (String, String, Vec<String>);

/// The cache directory the tests use (std and the guest library are built there once):
/// `$WPM_CACHE_DIR` if set (to share a warm cache), else one under the target directory.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("WPM_CACHE_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wpm-cache"), PathBuf::from)
}

/// Fails the test (loudly) unless the guest toolchain and wasm-opt are installed.
pub fn require_tools() {
    // The guest toolchain cargo-wpm will use: its defaults, or what the environment names.
    for (var, default) in [("WPM_GUEST_RUSTC", "/usr/bin/rustc"), ("WPM_GUEST_CARGO", "/usr/bin/cargo")] {
        let tool = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
        assert!(tool.is_file(), "{} ({var}) is missing: run dist-scripts/install-deps.sh", tool.display());
    }
    let wasm_opt = Command::new("wasm-opt").arg("--version").output();
    assert!(wasm_opt.is_ok_and(|o| o.status.success()), "wasm-opt is missing: run dist-scripts/install-deps.sh");
}

/// The outcome of `cargo wpm build`.
pub struct Built {
    /// Whether it exited with success.
    pub success: bool,
    /// Its stderr.
    pub stderr: String,
    /// The output module.
    pub output: PathBuf,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Runs `cargo-wpm build SPEC -o <tmp>/<out_name>.wasm ARGS...`.
pub fn build(spec: &str, out_name: &str, args: &[&str]) -> Built {
    require_tools();
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let output = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{out_name}.wasm"));
    let _ = std::fs::remove_file(&output);
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-wpm"))
        .args(["wpm", "build", spec, "-o"])
        .arg(&output)
        .args(args)
        .env("WPM_CACHE_DIR", cache_dir())
        .output()
        .expect("running cargo-wpm");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("--- cargo wpm build {spec} {args:?} ({seconds:.1} s):\n{stderr}");
    Built { success: out.status.success(), stderr, output, seconds }
}

/// `cargo-wpm inspect FILE --json`, parsed.
pub fn inspect_json(file: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-wpm"))
        .args(["wpm", "inspect"])
        .arg(file)
        .arg("--json")
        .output()
        .expect("running cargo-wpm inspect");
    assert!(out.status.success(), "inspect failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("inspect --json prints JSON")
}

/// The manifest in `inspect --json` output, as [`Decl`]s.
pub fn manifest_decls(json: &Value) -> Vec<Decl> {
    json["macros"]
        .as_array()
        .expect("`macros` is an array")
        .iter()
        .map(|m| {
            let helpers = m["helpers"].as_array().expect("helpers").iter().map(|h| h.as_str().unwrap().to_owned());
            (m["kind"].as_str().unwrap().to_owned(), m["name"].as_str().unwrap().to_owned(), helpers.collect())
        })
        .collect()
}

/// Every import of the module as `(module, name, is_function)`, read with wasmparser.
pub fn imports(file: &Path) -> Vec<(String, String, bool)> {
    let bytes = std::fs::read(file).expect("reading the module");
    wasmparser::Validator::new().validate_all(&bytes).expect("the module validates");
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::ImportSection(reader) = payload.expect("parses") {
            for import in reader.into_imports() {
                let import = import.expect("import parses");
                let is_func = matches!(import.ty, wasmparser::TypeRef::Func(_));
                out.push((import.module.to_owned(), import.name.to_owned(), is_func));
            }
        }
    }
    out
}

/// What the crate declares, according to the compiler: a native
/// `cargo rustdoc -p NAME -- --output-format json` of a scratch project depending on
/// `dependency` (a TOML dependency value), reading the `proc_macro` items of the crate, in
/// source order. Independent of the builder's parser and of the guest library.
pub fn oracle_macros(name: &str, dependency: &str) -> Vec<Decl> {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.join("oracle").join(format!("{name}-{:x}", fnv(dependency)));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"wpm-oracle\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\
             [lib]\npath = \"lib.rs\"\n[dependencies]\n{name:?} = {dependency}\n[workspace]\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("lib.rs"), "").unwrap();
    let target = tmp.join("oracle-target");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["rustdoc", "--lib", "-p", name, "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        // Hidden items too: `#[doc(hidden)]` macros are still macros of the crate.
        .args(["--", "-Zunstable-options", "--output-format", "json", "--document-hidden-items"])
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("running cargo rustdoc");
    assert!(out.status.success(), "oracle rustdoc failed: {}", String::from_utf8_lossy(&out.stderr));
    let doc_dir = target.join("doc");
    let json_name = format!("{}.json", name.replace('-', "_"));
    let text = std::fs::read_to_string(doc_dir.join(&json_name)).expect("rustdoc wrote its JSON");
    let doc: Value = serde_json::from_str(&text).expect("rustdoc JSON parses");
    // Sorted by where each declaration begins; declarations that a macro generates all
    // begin at its invocation, and among those rustdoc's item ids follow the crate's order.
    let mut found: Vec<((u64, u64, u64), Decl)> = Vec::new();
    for (id, item) in doc["index"].as_object().expect("index") {
        let Some(pm) = item["inner"].get("proc_macro") else { continue };
        if item["crate_id"].as_u64() != Some(0) {
            continue;
        }
        let kind = match pm["kind"].as_str().expect("kind") {
            "derive" => "derive",
            "attr" => "attribute",
            "bang" => "function",
            other => panic!("unknown rustdoc macro kind {other}"),
        };
        let helpers =
            pm["helpers"].as_array().expect("helpers").iter().map(|h| h.as_str().unwrap().to_owned()).collect();
        let begin = &item["span"]["begin"];
        let at = (
            begin[0].as_u64().expect("span line"),
            begin[1].as_u64().expect("span column"),
            id.parse().expect("rustdoc item ids are numbers"),
        );
        found.push((at, (kind.to_owned(), item["name"].as_str().expect("name").to_owned(), helpers)));
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, d)| d).collect()
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The module sizes the build reported: `(before wasm-opt, after)`.
pub fn reported_sizes(stderr: &str) -> (u64, u64) {
    // "wrote FILE (N bytes; M before wasm-opt) in S s"
    let line = stderr.lines().find(|l| l.contains("before wasm-opt")).expect("the build reports sizes");
    let inner = &line[line.rfind('(').unwrap() + 1..];
    let nums: Vec<u64> = inner.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect();
    (nums[1], nums[0])
}

/// Appends a row to `<tmp>/builder-figures.md` (crate, seconds, sizes).
pub fn record(what: &str, built: &Built) {
    let (before, after) = reported_sizes(&built.stderr);
    let row = format!("| {what} | {:.1} s | {before} | {after} |\n", built.seconds);
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("builder-figures.md");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str(&row);
    std::fs::write(&path, text).unwrap();
}

/// Builds `spec`, then checks its manifest against the oracle and its imports.
pub fn build_and_compare(spec: &str, out_name: &str, args: &[&str], oracle: Vec<Decl>) -> Built {
    let built = build(spec, out_name, args);
    assert!(built.success, "building {spec} failed:\n{}", built.stderr);
    for (module, name, is_func) in imports(&built.output) {
        assert!(module == "wpm-1" && is_func, "{spec} imports {module}::{name} (function: {is_func})");
    }
    let json = inspect_json(&built.output);
    assert_eq!(json["abi_version"], 1, "{json}");
    assert_eq!(manifest_decls(&json), oracle, "manifest of {spec} differs from what the crate declares");
    assert!(!oracle.is_empty(), "the oracle found no macros in {spec}: the test would prove nothing");
    record(spec, &built);
    built
}

/// Runs the derive `derive` of `module` on `struct Unit;` in `wpm_host` and returns the
/// identifiers of its output.
pub fn derive_on_unit_struct(module: &std::path::Path, derive: &str) -> Vec<String> {
    let input = vec![ident("struct"), ident("Unit"), punct(b';')];
    let output = expand_in_host(module, derive, input).unwrap_or_else(|e| panic!("the {derive} derive fails: {e:?}"));
    let mut idents = Vec::new();
    collect_idents(&output, &mut idents);
    idents
}

/// Runs macro `name` (a derive or function-like macro) of `module` on `input` in
/// `wpm_host`: its output, or how it failed.
pub fn expand_in_host(
    module: &std::path::Path,
    name: &str,
    input: Vec<wpm_abi::TokenTree>,
) -> Result<Vec<wpm_abi::TokenTree>, wpm_host::MacroError> {
    let runtime = wpm_host::Runtime::new(wpm_host::Config::default()).expect("runtime");
    let module = runtime.load(module).expect("the module loads");
    let index = module.manifest().macros.iter().position(|m| m.name == name).unwrap_or_else(|| panic!("no {name}"));
    let request = wpm_abi::Request { attr_args: None, input };
    module.expand(index, &request, &mut wpm_host::NoSpans).expect("no host error")
}

/// Identifier `name` at the call site.
pub fn ident(name: &str) -> wpm_abi::TokenTree {
    wpm_abi::TokenTree::Ident(wpm_abi::Ident { name: name.into(), is_raw: false, span: wpm_abi::SpanHandle::CALL_SITE })
}

/// Lone punctuation `ch` at the call site.
pub fn punct(ch: u8) -> wpm_abi::TokenTree {
    let span = wpm_abi::SpanHandle::CALL_SITE;
    wpm_abi::TokenTree::Punct(wpm_abi::Punct { ch, spacing: wpm_abi::Spacing::Alone, span })
}

/// Group `stream` in `delimiter`s at the call site.
pub fn group(delimiter: wpm_abi::Delimiter, stream: Vec<wpm_abi::TokenTree>) -> wpm_abi::TokenTree {
    let span = wpm_abi::SpanHandle::CALL_SITE;
    wpm_abi::TokenTree::Group(wpm_abi::Group { delimiter, span, span_open: span, span_close: span, stream })
}

/// A literal of kind `kind` at the call site; `symbol` is its text without quotes.
pub fn literal(kind: wpm_abi::LitKind, symbol: &str) -> wpm_abi::TokenTree {
    let span = wpm_abi::SpanHandle::CALL_SITE;
    wpm_abi::TokenTree::Literal(wpm_abi::Literal { kind, symbol: symbol.into(), suffix: String::new(), span })
}

fn collect_idents(trees: &[wpm_abi::TokenTree], out: &mut Vec<String>) {
    for tree in trees {
        match tree {
            wpm_abi::TokenTree::Ident(i) => out.push(i.name.clone()),
            wpm_abi::TokenTree::Group(g) => collect_idents(&g.stream, out),
            _ => {}
        }
    }
}
