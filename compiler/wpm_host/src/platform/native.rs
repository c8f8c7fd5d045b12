//! A native host: Cranelift or Pulley, copy-on-write memory images, pooled instance slots.

use std::path::PathBuf;

use wasmtime::{Engine, Module};

use crate::cache::{self, Cache};
use crate::check;
use crate::config::{Backend, Limits};
use crate::error::HostError;
use crate::runtime::MAX_WASM_STACK;
use crate::state::MAX_TABLE_ELEMENTS;

/// Instances the pool keeps slots for: the most that may be alive at once, one per
/// expansion in progress (one per rustc thread at most) plus manifest reads.
const POOL_SLOTS: u32 = 128;

/// Bytes of each freed pooled memory kept mapped for the next instance.
const KEEP_RESIDENT: usize = 16 << 20;

/// The engine settings for `backend`.
pub(crate) fn engine_config(backend: Backend) -> Result<wasmtime::Config, HostError> {
    let mut c = wasmtime::Config::new();
    c.consume_fuel(true);
    c.max_wasm_stack(MAX_WASM_STACK);
    // Identical results on every backend and machine: canonical NaNs, deterministic
    // relaxed SIMD.
    c.cranelift_nan_canonicalization(true);
    c.relaxed_simd_deterministic(true);
    // Instances start from a copy-on-write image of their initial memory: instantiation
    // maps pages instead of copying data segments.
    c.memory_init_cow(true);
    if backend == Backend::Pulley {
        let target = Backend::pulley_target();
        c.target(target).map_err(|e| HostError::runtime(format!("cannot select the {target} target: {e:#}")))?;
    }
    Ok(c)
}

/// Turns on wasmtime's pooling allocator: every expansion instantiates afresh, and a
/// pooled slot that last held the same module is reused without new mappings. Returns
/// whether it did.
pub(crate) fn use_pool(c: &mut wasmtime::Config, limits: &Limits) -> bool {
    let mut pool = wasmtime::PoolingAllocationConfig::new();
    pool.total_core_instances(POOL_SLOTS)
        .total_memories(POOL_SLOTS)
        .total_tables(POOL_SLOTS)
        .total_component_instances(0)
        .max_memories_per_module(1)
        .max_tables_per_module(4)
        .table_elements(MAX_TABLE_ELEMENTS)
        // wasm32 memories end at 4 GiB; the limiter reports the configured cap.
        .max_memory_size(limits.memory_bytes.min(usize::try_from(1u64 << 32).unwrap_or(usize::MAX)))
        // A freed memory's first 16 MiB are zeroed in place and stay mapped, so the next
        // expansion does not page-fault its stack and heap back in; the rest is
        // returned with `madvise`.
        .linear_memory_keep_resident(KEEP_RESIDENT);
    c.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
    true
}

/// The compiled-code cache: entries in `dir`, or none.
pub(crate) type CodeCache = Option<Cache>;

/// The cache in `dir`, if any, and if no one but the current user can write it (see
/// `trust`; otherwise one warning and no cache).
pub(crate) fn code_cache(dir: Option<PathBuf>) -> CodeCache {
    let dir = dir?;
    match crate::trust::ensure_private_dir(&dir) {
        Ok(()) => Some(Cache::new(dir)),
        Err(why) => {
            crate::trust::warn_untrusted(&dir, &why);
            None
        }
    }
}

/// The module compiled for `engine`, from the cache when an entry matches (then `true`),
/// else validated, compiled and stored.
pub(crate) fn load_module(
    engine: &Engine,
    cache: &CodeCache,
    backend: Backend,
    name: &str,
    bytes: &[u8],
) -> Result<(Module, bool), HostError> {
    let key = cache.as_ref().map(|_| cache::key(engine, backend, bytes));
    if let Some(m) = cache.as_ref().zip(key.as_ref()).and_then(|(c, k)| c.load(engine, k)) {
        return Ok((m, true));
    }
    check::validate(name, bytes)?;
    let m = Module::new(engine, bytes).map_err(|e| HostError::module(name, format!("cannot be compiled: {e:#}")))?;
    if let (Some(c), Some(k)) = (cache, &key) {
        // Best effort: a failed store only means the next load compiles again.
        let _ = c.store(k, &m);
    }
    Ok((m, false))
}
