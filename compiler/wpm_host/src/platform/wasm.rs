//! A wasm host (rustc.wasm): wasmtime's custom platform, Pulley only, no compiler.
//!
//! wasmtime built without `std` for a target it does not know asks the embedder for
//! thread-local storage (`wasmtime_tls_get`/`wasmtime_tls_set`); with wasi-threads those are
//! real thread-locals. Without virtual memory, linear memories are plain allocations,
//! traps are found by the interpreter rather than by signals, and there is no Cranelift
//! to compile a module here.

use std::cell::Cell;
use std::path::PathBuf;

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
