//! A wasm host (rustc.wasm): wasmtime's custom platform, Pulley only, no compiler.
//!
//! wasmtime built without `std` for a target it does not know asks the embedder for
//! thread-local storage (`wasmtime_tls_get`/`wasmtime_tls_set`) and, since rustc.wasm has
//! threads, for locks (`wasmtime_sync_*`); with wasi-threads the thread-locals are real ones
//! and the locks are atomics on the lock word wasmtime hands us. Without virtual memory,
//! linear memories are plain allocations, traps are found by the interpreter rather than by
//! signals, and there is no Cranelift to compile a module here.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use wasmtime::{Engine, Module};

use crate::check;
use crate::config::{Backend, Limits};
use crate::error::HostError;
use crate::runtime::MAX_WASM_STACK;

/// The engine settings: Pulley for this host's pointer width, whatever `backend` asks.
pub(crate) fn engine_config(backend: Backend) -> Result<wasmtime::Config, HostError> {
    if backend != Backend::Pulley {
        return Err(HostError::runtime(format!(
            "the {} backend needs a native host; rustc running as WebAssembly interprets with `pulley`",
            backend.as_str()
        )));
    }
    let mut c = wasmtime::Config::new();
    c.consume_fuel(true);
    c.max_wasm_stack(MAX_WASM_STACK);
    c.relaxed_simd_deterministic(true);
    c.memory_init_cow(false);
    c.signals_based_traps(false);
    c.memory_reservation(0);
    c.memory_guard_size(0);
    c.memory_reservation_for_growth(0);
    let target = Backend::pulley_target();
    c.target(target).map_err(|e| HostError::runtime(format!("cannot select the {target} target: {e:#}")))?;
    Ok(c)
}

/// No pool: there is no address space to reserve.
pub(crate) fn use_pool(_: &mut wasmtime::Config, _: &Limits) -> bool {
    false
}

/// No compiled-code cache: nothing is compiled here.
pub(crate) type CodeCache = ();

/// See [`CodeCache`].
pub(crate) fn code_cache(_: Option<PathBuf>) -> CodeCache {}

/// There is no compiler on this host: a valid module is refused with a clear error.
pub(crate) fn load_module(
    _: &Engine,
    _: &CodeCache,
    _: Backend,
    name: &str,
    bytes: &[u8],
) -> Result<(Module, bool), HostError> {
    check::validate(name, bytes)?;
    Err(HostError::module(
        name,
        "cannot be compiled here: rustc running as WebAssembly has no code generator for wasm modules".to_string(),
    ))
}

std::thread_local! {
    /// wasmtime's slots: 0 for the runtime, 1 for component-model-async (unused here).
    static TLS: [Cell<*mut u8>; 2] = const { [Cell::new(std::ptr::null_mut()), Cell::new(std::ptr::null_mut())] };
}

/// Reads wasmtime's thread-local slot `slot` (custom platform hook; null until set).
#[unsafe(no_mangle)]
pub extern "C" fn wasmtime_tls_get(slot: usize) -> *mut u8 {
    TLS.with(|t| t.get(slot).map_or(std::ptr::null_mut(), Cell::get))
}

/// Sets wasmtime's thread-local slot `slot` (custom platform hook).
#[unsafe(no_mangle)]
pub extern "C" fn wasmtime_tls_set(slot: usize, ptr: *mut u8) {
    TLS.with(|t| {
        if let Some(cell) = t.get(slot) {
            cell.set(ptr);
        }
    });
}

// Locks: wasmtime gives each lock one zero-initialised word. A mutex word is 0 (free) or 1
// (held); an rwlock word counts readers, or is `WRITER`. Waiting yields the thread: wasmtime
// holds these locks briefly, and expansions run on one rustc thread at a time.

const WRITER: usize = usize::MAX;

/// The lock word as an atomic.
///
/// # Safety
/// `lock` is a live, aligned word that wasmtime only touches through these hooks.
unsafe fn word<'a>(lock: *mut usize) -> &'a AtomicUsize {
    // SAFETY: per the function's contract; `AtomicUsize` has `usize`'s layout.
    unsafe { AtomicUsize::from_ptr(lock) }
}

fn wait_until(mut acquired: impl FnMut() -> bool) {
    while !acquired() {
        std::thread::yield_now();
    }
}

/// Frees a mutex (nothing to free: the word is the lock).
#[unsafe(no_mangle)]
pub extern "C" fn wasmtime_sync_lock_free(_lock: *mut usize) {}

/// Takes a mutex, waiting while another thread holds it.
///
/// # Safety
/// `lock` is a lock word from wasmtime.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmtime_sync_lock_acquire(lock: *mut usize) {
    // SAFETY: the caller's contract.
    let w = unsafe { word(lock) };
    wait_until(|| w.compare_exchange_weak(0, 1, Ordering::Acquire, Ordering::Relaxed).is_ok());
}

/// Releases a mutex.
///
/// # Safety
/// `lock` is a lock word from wasmtime, held by this thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmtime_sync_lock_release(lock: *mut usize) {
    // SAFETY: the caller's contract.
    unsafe { word(lock) }.store(0, Ordering::Release);
}

/// Takes a read lock, waiting while a writer holds it.
///
/// # Safety
/// `lock` is a lock word from wasmtime.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmtime_sync_rwlock_read(lock: *mut usize) {
    // SAFETY: the caller's contract.
    let w = unsafe { word(lock) };
    wait_until(|| {
        let n = w.load(Ordering::Relaxed);
        n < WRITER - 1 && w.compare_exchange_weak(n, n + 1, Ordering::Acquire, Ordering::Relaxed).is_ok()
    });
}

/// Releases a read lock.
///
/// # Safety
/// `lock` is a lock word from wasmtime, read-held by this thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmtime_sync_rwlock_read_release(lock: *mut usize) {
    // SAFETY: the caller's contract.
    unsafe { word(lock) }.fetch_sub(1, Ordering::Release);
}

/// Takes the write lock, waiting for readers and writers to leave.
///
/// # Safety
/// `lock` is a lock word from wasmtime.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmtime_sync_rwlock_write(lock: *mut usize) {
    // SAFETY: the caller's contract.
    let w = unsafe { word(lock) };
    wait_until(|| w.compare_exchange_weak(0, WRITER, Ordering::Acquire, Ordering::Relaxed).is_ok());
}

/// Releases the write lock.
///
/// # Safety
/// `lock` is a lock word from wasmtime, write-held by this thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmtime_sync_rwlock_write_release(lock: *mut usize) {
    // SAFETY: the caller's contract.
    unsafe { word(lock) }.store(0, Ordering::Release);
}

/// Frees an rwlock (nothing to free).
#[unsafe(no_mangle)]
pub extern "C" fn wasmtime_sync_rwlock_free(_lock: *mut usize) {}
