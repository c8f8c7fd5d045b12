//! A wasm host (rustc.wasm on `wasm32-wasip1-threads`): Cranelift compiles modules to Pulley
//! bytecode in-process and the Pulley interpreter runs them.
//!
//! wasmtime with `std` on a target it has no platform code for asks the embedder for
//! virtual memory and thread-local storage (its "custom" platform, enabled by the
//! `custom-virtual-memory` feature); `std` itself provides the locks (atomics and
//! `memory.atomic.wait` with wasi-threads). WebAssembly has no virtual memory, so a
//! "mapping" here is a zeroed heap block: reservations cost what they reserve, there are no
//! guard pages (every access is bounds-checked by the interpreter) and no copy-on-write
//! images. There is no compiled-code cache: a module compiles in-process on each load.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use wasmtime::{Engine, Module};

use crate::check;
use crate::config::{Backend, Limits};
use crate::error::HostError;
use crate::runtime::MAX_WASM_STACK;

/// Room each linear memory gets to grow in place before it is moved (and copied).
const GROWTH_RESERVE: u64 = 4 << 20;

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
    // The same results as on a native host: canonical NaNs, deterministic relaxed SIMD.
    c.cranelift_nan_canonicalization(true);
    c.relaxed_simd_deterministic(true);
    c.memory_init_cow(false);
    c.signals_based_traps(false);
    // Linear memories are plain heap memory (the 32-bit defaults would reserve and zero 10 MiB
    // per instance); bounds are checked by the interpreter, not by guard pages.
    c.memory_reservation(0);
    c.memory_guard_size(0);
    c.guard_before_linear_memory(false);
    c.memory_reservation_for_growth(GROWTH_RESERVE);
    let target = Backend::pulley_target();
    c.target(target).map_err(|e| HostError::runtime(format!("cannot select the {target} target: {e:#}")))?;
    Ok(c)
}

/// No pool: there is no address space to reserve.
pub(crate) fn use_pool(_: &mut wasmtime::Config, _: &Limits) -> bool {
    false
}

/// No compiled-code cache: see the module documentation.
pub(crate) type CodeCache = ();

/// See [`CodeCache`].
pub(crate) fn code_cache(_: Option<PathBuf>) -> CodeCache {}

/// The module validated and compiled to Pulley bytecode, in-process.
pub(crate) fn load_module(
    engine: &Engine,
    _: &CodeCache,
    _: Backend,
    name: &str,
    bytes: &[u8],
) -> Result<(Module, bool), HostError> {
    check::validate(name, bytes)?;
    let module =
        Module::new(engine, bytes).map_err(|e| HostError::module(name, format!("cannot be compiled: {e:#}")))?;
    Ok((module, false))
}

/// What `wasmtime_page_size` reports: every size and address below is a multiple of it.
const PAGE: usize = 4096;

/// Base address → size of every live emulated mapping.
static MAPPINGS: Mutex<BTreeMap<usize, usize>> = Mutex::new(BTreeMap::new());

/// Error codes the hooks return; wasmtime reports any non-zero one as an error.
const E_SIZE: i32 = 1;
const E_NOMEM: i32 = 2;
const E_UNKNOWN: i32 = 3;

/// `mmap` of fresh memory (custom platform hook): a zeroed, page-aligned heap block.
///
/// # Safety
/// `ret` is a valid place for the address.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmtime_mmap_new(size: usize, _prot: u32, ret: *mut *mut u8) -> i32 {
    let Some(layout) = Layout::from_size_align(size, PAGE).ok().filter(|_| size > 0) else { return E_SIZE };
    // SAFETY: the layout has a non-zero size.
    let p = unsafe { alloc_zeroed(layout) };
    if p.is_null() {
        return E_NOMEM;
    }
    MAPPINGS.lock().unwrap_or_else(PoisonError::into_inner).insert(p as usize, size);
    // SAFETY: the caller's contract.
    unsafe { *ret = p };
    0
}

/// `mmap` over part of an existing mapping (custom platform hook): the range reads as
/// zeros again.
///
/// # Safety
/// `[addr, addr + size)` lies in a live mapping.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmtime_mmap_remap(addr: *mut u8, size: usize, _prot: u32) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { std::ptr::write_bytes(addr, 0, size) };
    0
}

/// `munmap` of a whole mapping (custom platform hook; wasmtime never unmaps part of one).
///
/// # Safety
/// `ptr` and `size` describe a mapping from [`wasmtime_mmap_new`] that is no longer used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmtime_munmap(ptr: *mut u8, size: usize) -> i32 {
    let mut maps = MAPPINGS.lock().unwrap_or_else(PoisonError::into_inner);
    match maps.get(&(ptr as usize)) {
        Some(&len) if len == size => {
            maps.remove(&(ptr as usize));
            // SAFETY: allocated by `wasmtime_mmap_new` with this layout, which succeeded.
            unsafe { dealloc(ptr, Layout::from_size_align_unchecked(len, PAGE)) };
            0
        }
        // A partial unmap is left mapped (a leak, never a corrupted heap).
        _ => E_UNKNOWN,
    }
}

/// `mprotect` (custom platform hook): WebAssembly has no page protection, so nothing
/// changes. Safe because nothing relies on it: no guard pages (every access is
/// bounds-checked by Pulley) and no executable pages (bytecode is interpreted).
#[unsafe(no_mangle)]
pub extern "C" fn wasmtime_mprotect(_ptr: *mut u8, _size: usize, _prot: u32) -> i32 {
    0
}

/// The page size of the emulated mappings (custom platform hook).
#[unsafe(no_mangle)]
pub extern "C" fn wasmtime_page_size() -> usize {
    PAGE
}

/// Copy-on-write memory images (custom platform hook): none here, so memories are
/// initialized by copying their data segments.
///
/// # Safety
/// `ret` is a valid place for the image pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmtime_memory_image_new(_ptr: *const u8, _len: usize, ret: *mut *mut u8) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { *ret = std::ptr::null_mut() };
    0
}

/// Maps an image (custom platform hook): never called, as no image is ever made.
#[unsafe(no_mangle)]
pub extern "C" fn wasmtime_memory_image_map_at(_image: *mut u8, _addr: *mut u8, _len: usize) -> i32 {
    E_UNKNOWN
}

/// Frees an image (custom platform hook): there are none.
#[unsafe(no_mangle)]
pub extern "C" fn wasmtime_memory_image_free(_image: *mut u8) {}

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
