//! Runs wasm proc-macro modules (see `wpm_abi`) in wasmtime.
//!
//! INTERFACE SKELETON written by the lead; the helper owning this crate fills in the
//! bodies and may add items, but keeps these names and signatures (other crates use them).

use std::path::{Path, PathBuf};

pub use wpm_abi::{DiagnosticLevel, Manifest, Request, SpanHandle, SpanLocation, TokenTree};

/// Which wasmtime backend compiles (or interprets) guest code.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Backend {
    /// Cranelift JIT for the host architecture. Default on native hosts.
    Cranelift,
    /// The Pulley interpreter (`pulley64`/`pulley32`, matching the host pointer width).
    /// Default where no JIT is possible (wasm hosts).
    Pulley,
}

/// Limits one expansion is held to. Every field states its default.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Fuel per expansion. By default 10_000_000_000 (about 10-20 s of guest code).
    pub fuel: u64,
    /// Cap on guest linear memory in bytes. By default 1 GiB.
    pub memory_bytes: usize,
    /// Cap on the encoded output size in bytes. By default 64 MiB.
    pub output_bytes: usize,
}

/// Engine settings, validated once when the [`Runtime`] is built.
#[derive(Clone, Debug)]
pub struct Config {
    /// The backend. By default [`Backend::Cranelift`] on native hosts, Pulley on wasm hosts.
    pub backend: Backend,
    /// Limits. By default [`Limits::default()`].
    pub limits: Limits,
    /// Directory for the compiled-code cache; `None` disables it. By default
    /// `$WPM_CACHE_DIR`, else `$XDG_CACHE_HOME/wpm`, else `$HOME/.cache/wpm`.
    pub cache_dir: Option<PathBuf>,
}

/// A failure of the host: the module cannot be used at all (missing file, invalid wasm,
/// wrong ABI version, missing export, bad manifest, cache I/O problems...).
/// The message names the file.
#[derive(Debug)]
pub struct HostError { /* fields are the helper's choice */ }

/// A failure of one expansion: the macro panicked, trapped, ran out of fuel or memory,
/// produced too much or malformed output. Displayed as the message to show at the call site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MacroError { /* variants are the helper's choice */ }

/// What the guest may ask the host about spans during an expansion. Implemented by the
/// adapter (real `proc_macro` spans) and by the rustc fork (compiler spans).
pub trait SpanServer {
    /// `Span::source_text`.
    fn source_text(&mut self, span: SpanHandle) -> Option<String>;
    /// `Span::file`.
    fn file(&mut self, span: SpanHandle) -> String;
    /// `Span::local_file`.
    fn local_file(&mut self, span: SpanHandle) -> Option<String>;
    /// A line, column or byte offset of the span (see [`SpanLocation`]).
    fn location(&mut self, span: SpanHandle, which: SpanLocation) -> u32;
    /// A span for the start (`start = true`) or end of `span`.
    fn edge(&mut self, span: SpanHandle, start: bool) -> SpanHandle;
    /// `a.join(b)`.
    fn join(&mut self, a: SpanHandle, b: SpanHandle) -> Option<SpanHandle>;
    /// `a.resolved_at(b)`.
    fn resolved_at(&mut self, a: SpanHandle, b: SpanHandle) -> SpanHandle;
    /// `a.located_at(b)`.
    fn located_at(&mut self, a: SpanHandle, b: SpanHandle) -> SpanHandle;
    /// A diagnostic emitted by the macro.
    fn diagnostic(&mut self, level: DiagnosticLevel, span: SpanHandle, message: &str);
}

/// A wasmtime engine configured for proc macros, plus the compiled-code cache.
pub struct Runtime { /* ... */ }

impl Runtime {
    /// Builds the engine.
    pub fn new(config: Config) -> Result<Runtime, HostError> { todo!() }
    /// Loads, validates and compiles (or fetches from the cache) the module at `path`.
    pub fn load(&self, path: &Path) -> Result<MacroModule, HostError> { todo!() }
    /// Same from bytes; `name` is used in error messages in place of a file name.
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) -> Result<MacroModule, HostError> { todo!() }
}

/// A loaded module: its manifest and a pre-instantiated, ready-to-run instance template.
/// Cheap to share between threads (`Send + Sync`).
pub struct MacroModule { /* ... */ }

impl MacroModule {
    /// The macros the module provides, in declaration order.
    pub fn manifest(&self) -> &Manifest { todo!() }
    /// Runs macro `macro_index` on `request` in a fresh instance.
    pub fn expand(
        &self,
        macro_index: usize,
        request: &Request,
        spans: &mut dyn SpanServer,
    ) -> Result<Result<Vec<TokenTree>, MacroError>, HostError> {
        todo!()
    }
}
