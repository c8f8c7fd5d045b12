//! `Span`: a copyable handle into the host's span table for the current expansion.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::path::PathBuf;

use wpm_abi::{SpanHandle, SpanLocation};

use crate::diagnostic::{Diagnostic, Level};
use crate::host;

/// A region of source code, along with macro expansion information.
///
/// Spans are handles ([`SpanHandle`]); every question about one goes to the host. Like
/// `proc_macro::Span` it is neither `Send` nor `Sync`.
#[derive(Copy, Clone)]
pub struct Span {
    pub(crate) handle: SpanHandle,
    _not_send: PhantomData<*const ()>,
}

macro_rules! diagnostic_method {
    ($name:ident, $level:expr) => {
        /// Creates a new `Diagnostic` with the given `message` at the span `self`.
        pub fn $name<T: Into<String>>(self, message: T) -> Diagnostic {
            Diagnostic::spanned(self, $level, message)
        }
    };
}

impl Span {
    pub(crate) const fn from_handle(handle: SpanHandle) -> Span {
        Span { handle, _not_send: PhantomData }
    }

    /// A span that resolves at the macro definition site; hosts without def-site hygiene
    /// treat it as [`Span::mixed_site`].
    pub fn def_site() -> Span {
        Span::from_handle(SpanHandle::DEF_SITE)
    }

    /// The span of the invocation of the current procedural macro.
    pub fn call_site() -> Span {
        Span::from_handle(SpanHandle::CALL_SITE)
    }

    /// A span with `macro_rules` hygiene: local variables resolve at the definition site,
    /// everything else at the call site.
    pub fn mixed_site() -> Span {
        Span::from_handle(SpanHandle::MIXED_SITE)
    }

    /// The span of the macro invocation that produced this one. The ABI has no query for
    /// it, so this is always `None`.
    pub fn parent(&self) -> Option<Span> {
        None
    }

    /// The span in the original source that this one was generated from. The ABI has no
    /// query for it, so this is the span itself.
    pub fn source(&self) -> Span {
        *self
    }

    /// The span's byte range in its source file (`0..0` when the host does not know).
    pub fn byte_range(&self) -> Range<usize> {
        let start = host::location(self.handle, SpanLocation::StartByte).unwrap_or(0);
        let end = host::location(self.handle, SpanLocation::EndByte).unwrap_or(start);
        start..end.max(start)
    }

    /// An empty span pointing to directly before this span.
    pub fn start(&self) -> Span {
        host::edge(self.handle, true).map_or(*self, Span::from_handle)
    }

    /// An empty span pointing to directly after this span.
    pub fn end(&self) -> Span {
        host::edge(self.handle, false).map_or(*self, Span::from_handle)
    }

    /// The one-indexed line where the span starts (0 when the host does not know).
    pub fn line(&self) -> usize {
        host::location(self.handle, SpanLocation::StartLine).unwrap_or(0)
    }

    /// The one-indexed column where the span starts (0 when the host does not know).
    pub fn column(&self) -> usize {
        // The ABI reports 0-based columns; `proc_macro` counts from 1.
        host::location(self.handle, SpanLocation::StartColumn).map_or(0, |c| c + 1)
    }

    /// The path of the source file, for display (`"<unknown>"` without a host answer).
    pub fn file(&self) -> String {
        host::file(self.handle).unwrap_or_else(|| "<unknown>".to_owned())
    }

    /// The path of the source file on the local file system, if it is a real file.
    pub fn local_file(&self) -> Option<PathBuf> {
        host::local_file(self.handle).map(PathBuf::from)
    }

    /// A span covering `self` and `other`; `None` if they are in different files (or the
    /// host cannot join spans).
    pub fn join(&self, other: Span) -> Option<Span> {
        host::join(self.handle, other.handle).map(Span::from_handle)
    }

    /// The location of `self` with the name resolution (hygiene) of `other`.
    pub fn resolved_at(&self, other: Span) -> Span {
        Span::from_handle(host::resolved_at(self.handle, other.handle))
    }

    /// The name resolution of `self` at the location of `other`.
    pub fn located_at(&self, other: Span) -> Span {
        Span::from_handle(host::located_at(self.handle, other.handle))
    }

    /// Whether both are the same handle (the host deduplicates equal spans it hands out).
    // Named like `PartialEq::eq` on purpose: it is `proc_macro::Span::eq`.
    #[allow(clippy::should_implement_trait)]
    pub fn eq(&self, other: &Span) -> bool {
        self.handle == other.handle
    }

    /// The source text behind the span, if the host has it.
    pub fn source_text(&self) -> Option<String> {
        host::source_text(self.handle)
    }

    /// `proc_macro`'s hook for the built-in `quote!`; not supported.
    #[doc(hidden)]
    pub fn save_span(&self) -> usize {
        crate::unsupported("Span::save_span")
    }

    /// `proc_macro`'s hook for the built-in `quote!`; not supported.
    #[doc(hidden)]
    pub fn recover_proc_macro_span(_id: usize) -> Span {
        crate::unsupported("Span::recover_proc_macro_span")
    }

    diagnostic_method!(error, Level::Error);
    diagnostic_method!(warning, Level::Warning);
    diagnostic_method!(note, Level::Note);
    diagnostic_method!(help, Level::Help);
}

impl fmt::Debug for Span {
    /// Prints `#N bytes(lo..hi)` like rustc, where `N` is the handle.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.byte_range();
        write!(f, "#{} bytes({}..{})", self.handle.0, r.start, r.end)
    }
}
