//! The span questions a guest may ask, answered by whoever runs the expansion.

use wpm_abi::{DiagnosticLevel, SpanHandle, SpanLocation};

/// What the guest may ask the host about spans during an expansion. Implemented by the
/// adapter (real `proc_macro` spans) and by the rustc fork (compiler spans).
///
/// Handles come from the guest: an implementation must accept any `u32`, including
/// handles it never gave out (answering as for [`SpanHandle::CALL_SITE`] is fine).
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

/// A [`SpanServer`] that knows nothing: no source text, no files, line 1 column 0,
/// every derived span is the call site, diagnostics are dropped. Used while reading the
/// manifest at load time, and handy in tests and benchmarks.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSpans;

impl SpanServer for NoSpans {
    fn source_text(&mut self, _: SpanHandle) -> Option<String> {
        None
    }
    fn file(&mut self, _: SpanHandle) -> String {
        String::new()
    }
    fn local_file(&mut self, _: SpanHandle) -> Option<String> {
        None
    }
    fn location(&mut self, _: SpanHandle, which: SpanLocation) -> u32 {
        match which {
            SpanLocation::StartLine | SpanLocation::EndLine => 1,
            _ => 0,
        }
    }
    fn edge(&mut self, _: SpanHandle, _: bool) -> SpanHandle {
        SpanHandle::CALL_SITE
    }
    fn join(&mut self, _: SpanHandle, _: SpanHandle) -> Option<SpanHandle> {
        None
    }
    fn resolved_at(&mut self, _: SpanHandle, _: SpanHandle) -> SpanHandle {
        SpanHandle::CALL_SITE
    }
    fn located_at(&mut self, _: SpanHandle, _: SpanHandle) -> SpanHandle {
        SpanHandle::CALL_SITE
    }
    fn diagnostic(&mut self, _: DiagnosticLevel, _: SpanHandle, _: &str) {}
}
