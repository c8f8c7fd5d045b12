//! Every call into the host, in one place.
//!
//! On `wasm32` these are the imports of module [`wpm_abi::IMPORT_MODULE`]. Elsewhere (native
//! unit tests, tools) there is no host: each function answers as a host that knows nothing
//! about spans would — no text, no location, no new spans — and diagnostics and panic
//! messages go to stderr. That fallback is documented in `docs/guest.md`.

use wpm_abi::{DiagnosticLevel, SpanHandle, SpanLocation};

#[cfg(target_arch = "wasm32")]
mod raw {
    #[link(wasm_import_module = "wpm-1")]
    unsafe extern "C" {
        pub fn span_source_text(span: i32, out_ptr: i32, out_cap: i32) -> i32;
        pub fn span_file(span: i32, out_ptr: i32, out_cap: i32) -> i32;
        pub fn span_local_file(span: i32, out_ptr: i32, out_cap: i32) -> i32;
        pub fn span_location(span: i32, which: i32) -> i32;
        pub fn span_edge(span: i32, start: i32) -> i32;
        pub fn span_join(a: i32, b: i32) -> i32;
        pub fn span_resolved_at(a: i32, b: i32) -> i32;
        pub fn span_located_at(a: i32, b: i32) -> i32;
        pub fn diagnostic(level: i32, span: i32, msg_ptr: i32, msg_len: i32);
        pub fn panic(msg_ptr: i32, msg_len: i32);
    }
}

// The import module name above must be a literal; keep it tied to the ABI crate's constant.
const _: () = assert!(matches!(wpm_abi::IMPORT_MODULE.as_bytes(), b"wpm-1"));

/// Runs a text query with the out-buffer protocol: a first try with a small buffer, a second
/// with exactly the length the host reported. `None` when the host answers `-1`.
#[cfg(target_arch = "wasm32")]
fn text_query(call: impl Fn(i32, i32) -> i32) -> Option<String> {
    let mut buf: Vec<u8> = Vec::with_capacity(256);
    // A well-behaved host needs two calls at most; a third try covers nothing more.
    for _ in 0..3 {
        let cap = buf.capacity();
        let len = call(buf.as_mut_ptr() as usize as i32, cap as i32);
        if len < 0 {
            return None;
        }
        let len = len as usize;
        if len <= cap {
            // SAFETY: the host wrote `len` bytes into the buffer it was given.
            unsafe { buf.set_len(len) };
            return Some(String::from_utf8_lossy(&buf).into_owned());
        }
        buf = Vec::with_capacity(len);
    }
    None
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn handle(v: i32) -> Option<SpanHandle> {
    let h = SpanHandle(v as u32);
    (h != SpanHandle::NONE).then_some(h)
}

/// `Span::source_text`.
pub(crate) fn source_text(span: SpanHandle) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: plain host call; the buffer protocol is upheld by `text_query`.
    return text_query(|p, c| unsafe { raw::span_source_text(span.0 as i32, p, c) });
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = span;
        None
    }
}

/// `Span::file`; `None` when the host has no answer.
pub(crate) fn file(span: SpanHandle) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: as above.
    return text_query(|p, c| unsafe { raw::span_file(span.0 as i32, p, c) });
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = span;
        None
    }
}

/// `Span::local_file`.
pub(crate) fn local_file(span: SpanHandle) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: as above.
    return text_query(|p, c| unsafe { raw::span_local_file(span.0 as i32, p, c) });
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = span;
        None
    }
}

/// One location number of a span; `None` when the host has no answer (negative result).
pub(crate) fn location(span: SpanHandle, which: SpanLocation) -> Option<usize> {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: plain host call.
    let v = unsafe { raw::span_location(span.0 as i32, which as u32 as i32) };
    #[cfg(not(target_arch = "wasm32"))]
    let v = NATIVE_LOCATIONS.with(std::cell::Cell::get).and_then(|f| f(span, which)).map_or(-1, |v| v as i64);
    usize::try_from(v).ok()
}

/// A function answering [`location`] natively, which tests install; `None`: no answers.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type NativeLocations = fn(SpanHandle, SpanLocation) -> Option<u32>;

#[cfg(not(target_arch = "wasm32"))]
thread_local! {
    /// The [`NativeLocations`] of this thread.
    pub(crate) static NATIVE_LOCATIONS: std::cell::Cell<Option<NativeLocations>> = const { std::cell::Cell::new(None) };
}

/// The empty span at the start (`start = true`) or end of `span`.
pub(crate) fn edge(span: SpanHandle, start: bool) -> Option<SpanHandle> {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: plain host call.
    return handle(unsafe { raw::span_edge(span.0 as i32, i32::from(start)) });
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (span, start);
        None
    }
}

/// `a.join(b)`.
pub(crate) fn join(a: SpanHandle, b: SpanHandle) -> Option<SpanHandle> {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: plain host call.
    return handle(unsafe { raw::span_join(a.0 as i32, b.0 as i32) });
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (a, b);
        None
    }
}

/// `a.resolved_at(b)`; natively the location of `a` is all there is, so `a`.
pub(crate) fn resolved_at(a: SpanHandle, b: SpanHandle) -> SpanHandle {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: plain host call.
    return handle(unsafe { raw::span_resolved_at(a.0 as i32, b.0 as i32) }).unwrap_or(a);
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = b;
        a
    }
}

/// `a.located_at(b)`; natively `b`, whose location is the one kept.
pub(crate) fn located_at(a: SpanHandle, b: SpanHandle) -> SpanHandle {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: plain host call.
    return handle(unsafe { raw::span_located_at(a.0 as i32, b.0 as i32) }).unwrap_or(b);
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = a;
        b
    }
}

/// Emits one diagnostic at `span`.
pub(crate) fn diagnostic(level: DiagnosticLevel, span: SpanHandle, msg: &str) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: the message stays alive for the duration of the call.
    unsafe {
        raw::diagnostic(level as u32 as i32, span.0 as i32, msg.as_ptr() as usize as i32, msg.len() as i32)
    };
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = span;
        let level = match level {
            DiagnosticLevel::Error => "error",
            DiagnosticLevel::Warning => "warning",
            DiagnosticLevel::Note => "note",
            DiagnosticLevel::Help => "help",
        };
        eprintln!("{level}: {msg}");
    }
}

/// Hands the panic message to the host; the guest traps right after.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn panic_message(msg: &str) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: the message stays alive for the duration of the call.
    unsafe {
        raw::panic(msg.as_ptr() as usize as i32, msg.len() as i32)
    };
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{msg}");
}
