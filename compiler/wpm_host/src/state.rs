//! Per-store host state: the span server of the running expansion, the recorded panic
//! message, the guest memory handle, the resource limiter and what is left of the
//! expansion's budget for host-side work.

use std::fmt;
use std::ptr::NonNull;

use wasmtime::{Memory, ResourceLimiter};

use crate::config::Limits;
use crate::spans::SpanServer;

/// Tables may not grow past this many elements (Rust guests never grow theirs).
pub(crate) const MAX_TABLE_ELEMENTS: usize = 1 << 20;

/// Longest panic message kept; the rest is cut so a guest cannot flood the diagnostics.
pub(crate) const MAX_PANIC_MESSAGE: usize = 64 << 10;

/// The data of one `Store`: lives exactly as long as one expansion (or one manifest read).
pub(crate) struct HostState {
    /// The span server of the running expansion, lifetime erased; see [`HostState::with_spans`].
    spans: Option<NonNull<dyn SpanServer>>,
    /// The message passed to `wpm-1::panic`, if the guest panicked.
    pub(crate) panic_message: Option<String>,
    /// The guest's exported memory, set right after instantiation.
    pub(crate) memory: Option<Memory>,
    /// Enforces the memory cap.
    pub(crate) limiter: GuestLimiter,
    /// What the guest may still make the host do.
    pub(crate) budget: HostBudget,
}

/// The host-side part of one expansion's budget (guest instructions draw on wasmtime's fuel).
pub(crate) struct HostBudget {
    /// Fuel each host call costs, before its bytes.
    pub(crate) call_fuel: u64,
    /// Span handles the guest may still have the host create.
    pub(crate) span_handles: u64,
    /// Diagnostics still passed on.
    pub(crate) diagnostics: u64,
    /// Message bytes still passed on.
    pub(crate) diagnostic_bytes: usize,
    /// Diagnostics dropped because one of the two above ran out.
    pub(crate) suppressed: u64,
    /// Set when a host call found the budget exhausted, naming the `LIMIT_VARS` entry;
    /// reported in place of the trap it causes.
    pub(crate) exhausted: Option<&'static str>,
}

impl HostState {
    /// Fresh state for one store, answering span questions with `spans`.
    ///
    /// # Safety
    /// `spans` must stay valid, and must not be used by anyone else, for as long as the
    /// returned state (and so the `Store` that owns it) exists. Callers keep the store in a
    /// local variable that is dropped before the borrow of `spans` ends.
    pub(crate) unsafe fn new(spans: &mut dyn SpanServer, limits: &Limits) -> Self {
        let ptr: NonNull<dyn SpanServer + '_> = NonNull::from(spans);
        // SAFETY: only the trait object's lifetime bound changes (same layout); the
        // caller promises the pointee outlives this state.
        let ptr: NonNull<dyn SpanServer + 'static> = unsafe { std::mem::transmute(ptr) };
        HostState {
            spans: Some(ptr),
            panic_message: None,
            memory: None,
            limiter: GuestLimiter { memory_bytes: limits.memory_bytes, hit: false },
            budget: HostBudget {
                call_fuel: limits.host_call_fuel,
                span_handles: limits.span_handles,
                diagnostics: limits.diagnostics,
                diagnostic_bytes: limits.diagnostic_bytes,
                suppressed: 0,
                exhausted: None,
            },
        }
    }

    /// The span server, borrowed for as long as the state is.
    pub(crate) fn spans(&mut self) -> Option<&mut dyn SpanServer> {
        // SAFETY: `new`'s contract keeps the pointee alive and unaliased while `self`
        // exists, and the returned borrow is tied to `&mut self`, so it is unique.
        self.spans.map(|mut p| unsafe { p.as_mut() })
    }
}

/// The guest asked for more memory than the limit allows.
#[derive(Debug)]
pub(crate) struct MemoryLimitHit;

impl fmt::Display for MemoryLimitHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("memory limit reached")
    }
}

impl std::error::Error for MemoryLimitHit {}

/// Caps linear memory; growth past the cap traps at once (and is remembered in `hit`, so
/// the error is reported as a memory problem whatever the guest does next).
pub(crate) struct GuestLimiter {
    pub(crate) memory_bytes: usize,
    pub(crate) hit: bool,
}

impl ResourceLimiter for GuestLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            self.hit = true;
            return Err(wasmtime::Error::new(MemoryLimitHit));
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}
