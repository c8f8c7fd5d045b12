//! The rustc-wasi wasm proc-macro ABI.
//!
//! This crate is the single definition of the contract between a proc-macro module
//! (the *guest*, built for `wasm32-unknown-unknown`) and whatever runs it (the *host*:
//! `wpm_host`, the rustc fork, the native shims). It names the exports and imports,
//! defines the versioning rules and implements the wire format that token streams and
//! the manifest cross the boundary in. See `docs/abi.md` for the prose specification.
//!
//! **Invariant:** this crate knows nothing about wasmtime, rustc or `proc_macro`; it is
//! `no_std` + `alloc` so that the guest can link it without std's formatting weight.
//! Decoding never panics on bad input: the bytes come from an untrusted guest.

#![no_std]
#![warn(missing_docs)]

extern crate alloc;

pub mod ident;
pub mod manifest;
pub mod signatures;
pub mod tokens;
mod wire;

pub use manifest::{MacroDecl, MacroKind, Manifest};
pub use tokens::{Delimiter, Group, Ident, LitKind, Literal, Punct, Request, Spacing, TokenTree};
pub use wire::DecodeError;

/// ABI version 1: the first stable version.
pub const ABI_VERSION_1: u32 = 1;
/// The ABI version this crate implements. Hosts accept exactly the versions they know.
pub const ABI_VERSION: u32 = ABI_VERSION_1;

/// The wasm import module every host function lives in. The ABI version is part of the
/// name, so a module built for another version fails to link instead of misbehaving.
pub const IMPORT_MODULE: &str = "wpm-1";

/// Names of the functions (and memory) a guest module exports; their types are in
/// [`signatures::EXPORTS`].
pub mod exports {
    /// `() -> i32`: the ABI version the module was built for ([`crate::ABI_VERSION`]).
    pub const ABI_VERSION: &str = "wpm_abi_version";
    /// `() -> i64`: a packed [`crate::Buffer`] holding the encoded [`crate::Manifest`].
    pub const MANIFEST: &str = "wpm_manifest";
    /// `(size: i32, align: i32) -> i32`: allocates guest memory for the host to write into.
    /// Returns 0 when the allocation fails.
    pub const ALLOC: &str = "wpm_alloc";
    /// `(macro_index: i32, request_ptr: i32, request_len: i32) -> i64`: runs macro
    /// `macro_index` (its position in the manifest) on an encoded [`crate::Request`] and
    /// returns a packed [`crate::Buffer`] holding the encoded output token stream.
    pub const EXPAND: &str = "wpm_expand";
    /// The guest's linear memory.
    pub const MEMORY: &str = "memory";
}

/// Names of the host functions a guest may import from [`crate::IMPORT_MODULE`]; their
/// types are in [`signatures::IMPORTS`].
///
/// Functions that return text take an output buffer `(out_ptr, out_cap)` in guest memory
/// and return the full length of the text (or `-1` for "none"); when the length exceeds
/// `out_cap` nothing is written and the guest calls again with a larger buffer.
pub mod imports {
    /// `(span: i32, out_ptr: i32, out_cap: i32) -> i32`: `Span::source_text`.
    pub const SPAN_SOURCE_TEXT: &str = "span_source_text";
    /// `(span: i32, out_ptr: i32, out_cap: i32) -> i32`: `Span::file` (display path).
    pub const SPAN_FILE: &str = "span_file";
    /// `(span: i32, out_ptr: i32, out_cap: i32) -> i32`: `Span::local_file`; `-1` if none.
    pub const SPAN_LOCAL_FILE: &str = "span_local_file";
    /// `(span: i32, which: i32) -> i32`: a [`crate::SpanLocation`] of the span, 1-based
    /// lines and 0-based columns as in `proc_macro`.
    pub const SPAN_LOCATION: &str = "span_location";
    /// `(span: i32, start: i32) -> i32`: a new span for the start (`start = 1`) or end
    /// (`start = 0`) of `span`.
    pub const SPAN_EDGE: &str = "span_edge";
    /// `(a: i32, b: i32) -> i32`: `a.join(b)`; [`crate::SpanHandle::NONE`] if they cannot
    /// be joined (different files).
    pub const SPAN_JOIN: &str = "span_join";
    /// `(a: i32, b: i32) -> i32`: `a.resolved_at(b)`.
    pub const SPAN_RESOLVED_AT: &str = "span_resolved_at";
    /// `(a: i32, b: i32) -> i32`: `a.located_at(b)`.
    pub const SPAN_LOCATED_AT: &str = "span_located_at";
    /// `(level: i32, span: i32, msg_ptr: i32, msg_len: i32)`: emits a diagnostic at `span`.
    /// `level` is a [`crate::DiagnosticLevel`].
    pub const DIAGNOSTIC: &str = "diagnostic";
    /// `(msg_ptr: i32, msg_len: i32)`: records the guest's panic message. The guest traps
    /// right after; the host reports the message at the macro call site.
    pub const PANIC: &str = "panic";
}

/// An opaque handle to a span in the host's table for the current expansion.
///
/// Handles are only meaningful within one expansion. The first three are reserved.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
#[repr(transparent)]
pub struct SpanHandle(pub u32);

impl SpanHandle {
    /// `Span::call_site()` of the current expansion.
    pub const CALL_SITE: SpanHandle = SpanHandle(0);
    /// `Span::mixed_site()` of the current expansion.
    pub const MIXED_SITE: SpanHandle = SpanHandle(1);
    /// `Span::def_site()`; hosts that lack def-site hygiene treat it as mixed site.
    pub const DEF_SITE: SpanHandle = SpanHandle(2);
    /// The first handle a host hands out for spans of its own.
    pub const FIRST_DYNAMIC: u32 = 3;
    /// "No span", returned by span queries that have no answer (e.g. a failed join).
    pub const NONE: SpanHandle = SpanHandle(u32::MAX);
}

/// What [`imports::SPAN_LOCATION`] asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum SpanLocation {
    /// 1-based line of the span's start.
    StartLine = 0,
    /// 0-based column (in chars) of the span's start.
    StartColumn = 1,
    /// 1-based line of the span's end.
    EndLine = 2,
    /// 0-based column (in chars) of the span's end.
    EndColumn = 3,
    /// Byte offset of the span's start in its file.
    StartByte = 4,
    /// Byte offset of the span's end in its file.
    EndByte = 5,
}

impl SpanLocation {
    /// Decodes the `which` argument of [`imports::SPAN_LOCATION`].
    pub fn from_u32(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::StartLine,
            1 => Self::StartColumn,
            2 => Self::EndLine,
            3 => Self::EndColumn,
            4 => Self::StartByte,
            5 => Self::EndByte,
            _ => return None,
        })
    }
}

/// Severity of a diagnostic sent through [`imports::DIAGNOSTIC`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum DiagnosticLevel {
    /// An error: the expansion still returns, but compilation fails.
    Error = 0,
    /// A warning.
    Warning = 1,
    /// A note.
    Note = 2,
    /// A help message.
    Help = 3,
}

impl DiagnosticLevel {
    /// Decodes the `level` argument of [`imports::DIAGNOSTIC`].
    pub fn from_u32(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::Error,
            1 => Self::Warning,
            2 => Self::Note,
            3 => Self::Help,
            _ => return None,
        })
    }
}

/// A `(ptr, len)` pair in guest memory, packed into one `i64` as `ptr << 32 | len`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Buffer {
    /// Address in guest linear memory.
    pub ptr: u32,
    /// Length in bytes.
    pub len: u32,
}

impl Buffer {
    /// Packs the pair for returning from an export.
    pub fn pack(self) -> u64 {
        (u64::from(self.ptr) << 32) | u64::from(self.len)
    }
    /// Unpacks a value returned by an export.
    pub fn unpack(v: u64) -> Self {
        Buffer { ptr: (v >> 32) as u32, len: v as u32 }
    }
}
