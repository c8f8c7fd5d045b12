//! The span table of one expansion: handles given to the guest, mapped back to real
//! `proc_macro::Span`s, and the [`SpanServer`] answers built on them.
//!
//! Every answer goes through the [`SpanServer`] methods, so `wpm_host`'s expansion cache
//! records it in its transcript and a replay asks the same questions again. With the
//! `rustc-unstable` feature (the rustc fork), def site, joins and byte offsets are rustc's
//! real answers; without it they are the stable stand-ins described at each method.

use proc_macro::Span;
use wpm_abi::{DiagnosticLevel, SpanHandle, SpanLocation};
use wpm_host::SpanServer;

/// A diagnostic the guest emitted, kept until the expansion ends.
pub(crate) struct Diag {
    pub(crate) level: DiagnosticLevel,
    pub(crate) span: Span,
    pub(crate) message: String,
}

/// Handle → span for one expansion. Handles 0, 1, 2 are call site, mixed site and def
/// site (`Span::def_site` with `rustc-unstable`; mixed site on stable, where def-site
/// hygiene is unavailable); later ones are every span the host handed out, in order.
/// `proc_macro::Span` has no equality, so spans are not deduplicated.
pub(crate) struct SpanTable {
    spans: Vec<Span>,
    pub(crate) diagnostics: Vec<Diag>,
}

impl SpanTable {
    /// A table holding only the reserved handles.
    pub(crate) fn new() -> Self {
        let call_site = Span::call_site();
        let mixed_site = Span::mixed_site();
        SpanTable { spans: vec![call_site, mixed_site, def_site()], diagnostics: Vec::new() }
    }

    /// A handle for `span`.
    pub(crate) fn intern(&mut self, span: Span) -> SpanHandle {
        let handle = SpanHandle(self.spans.len() as u32);
        self.spans.push(span);
        handle
    }

    /// The span behind `handle`, or `None` if the host never gave it out.
    pub(crate) fn get(&self, handle: SpanHandle) -> Option<Span> {
        self.spans.get(handle.0 as usize).copied()
    }

    /// Like [`SpanTable::get`], but unknown handles (which only a misbehaving guest
    /// sends) answer as the call site, as the [`SpanServer`] contract allows.
    fn lookup(&self, handle: SpanHandle) -> Span {
        self.get(handle).unwrap_or(self.spans[0])
    }
}

/// The span behind the reserved handle 2.
#[cfg(feature = "rustc-unstable")]
fn def_site() -> Span {
    Span::def_site()
}

/// The span behind the reserved handle 2: `Span::def_site` is unstable, and the ABI lets
/// a host without def-site hygiene answer mixed site.
#[cfg(not(feature = "rustc-unstable"))]
fn def_site() -> Span {
    Span::mixed_site()
}

/// Start and end byte offsets of `span` in its file, from `Span::byte_range`.
#[cfg(feature = "rustc-unstable")]
fn byte_range(span: Span) -> (u32, u32) {
    let range = span.byte_range();
    (to_u32(range.start), to_u32(range.end))
}

/// `Span::byte_range` is unstable: both offsets are 0 (the guest's `byte_range` is then `0..0`).
#[cfg(not(feature = "rustc-unstable"))]
fn byte_range(_span: Span) -> (u32, u32) {
    (0, 0)
}

/// `a.join(b)`: `None` when the spans are in different files.
#[cfg(feature = "rustc-unstable")]
fn join(a: Span, b: Span) -> Option<Span> {
    a.join(b)
}

/// `Span::join` is unstable: no join is ever possible, the guest gets `None` (as rustc
/// answers for spans in different files) and falls back to one of the spans.
#[cfg(not(feature = "rustc-unstable"))]
fn join(_a: Span, _b: Span) -> Option<Span> {
    None
}

/// `proc_macro` columns are 1-based; the ABI's are 0-based.
fn column0(col: usize) -> u32 {
    u32::try_from(col.saturating_sub(1)).unwrap_or(u32::MAX)
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl SpanServer for SpanTable {
    fn source_text(&mut self, span: SpanHandle) -> Option<String> {
        self.lookup(span).source_text()
    }

    fn file(&mut self, span: SpanHandle) -> String {
        self.lookup(span).file()
    }

    fn local_file(&mut self, span: SpanHandle) -> Option<String> {
        self.lookup(span).local_file().map(|p| p.display().to_string())
    }

    /// Lines and columns come from the stable `Span::{start, end, line, column}`. Byte
    /// offsets need the unstable `Span::byte_range`: rustc's with `rustc-unstable`,
    /// always 0 without.
    fn location(&mut self, span: SpanHandle, which: SpanLocation) -> u32 {
        let s = self.lookup(span);
        match which {
            SpanLocation::StartLine => to_u32(s.line()),
            SpanLocation::StartColumn => column0(s.column()),
            SpanLocation::EndLine => to_u32(s.end().line()),
            SpanLocation::EndColumn => column0(s.end().column()),
            SpanLocation::StartByte => byte_range(s).0,
            SpanLocation::EndByte => byte_range(s).1,
        }
    }

    fn edge(&mut self, span: SpanHandle, start: bool) -> SpanHandle {
        let s = self.lookup(span);
        self.intern(if start { s.start() } else { s.end() })
    }

    /// rustc's `Span::join` with `rustc-unstable`; always `None` without (see [`join`]).
    fn join(&mut self, a: SpanHandle, b: SpanHandle) -> Option<SpanHandle> {
        let joined = join(self.lookup(a), self.lookup(b))?;
        Some(self.intern(joined))
    }

    fn resolved_at(&mut self, a: SpanHandle, b: SpanHandle) -> SpanHandle {
        let s = self.lookup(a).resolved_at(self.lookup(b));
        self.intern(s)
    }

    fn located_at(&mut self, a: SpanHandle, b: SpanHandle) -> SpanHandle {
        let s = self.lookup(a).located_at(self.lookup(b));
        self.intern(s)
    }

    fn diagnostic(&mut self, level: DiagnosticLevel, span: SpanHandle, message: &str) {
        let span = self.lookup(span);
        self.diagnostics.push(Diag { level, span, message: message.to_owned() });
    }
}
