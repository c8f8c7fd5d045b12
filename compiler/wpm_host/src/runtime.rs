//! The [`Runtime`]: a configured wasmtime engine, the host-function linker and the cache.

use std::path::Path;
use std::time::Instant;

use wasmtime::{Engine, Linker, Module};

use crate::cache::{self, Cache};
use crate::check;
use crate::config::{self, Backend, Config, Limits};
use crate::error::HostError;
use crate::imports;
use crate::module::{LoadInfo, MacroModule};
use crate::state::{HostState, MAX_TABLE_ELEMENTS};

/// Native stack a guest may use before it traps with "call stack exhausted". Far below
/// the 8 MiB rustc gives its main thread, so deep guest recursion can never overflow
/// the host stack.
pub const MAX_WASM_STACK: usize = 1 << 20;

/// A wasmtime engine configured for proc macros, plus the compiled-code cache.
///
/// `Send + Sync`: one runtime can serve every thread of a process.
pub struct Runtime {
    engine: Engine,
    linker: Linker<HostState>,
    config: Config,
    cache: Option<Cache>,
    pooled: bool,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Runtime {
    /// Builds the engine.
    ///
    /// # Errors
    /// A [`HostError`] if an environment override (`WPM_BACKEND`, `WPM_FUEL`,
    /// `WPM_MEMORY_MIB`) is set to something invalid, or wasmtime rejects the settings.
    pub fn new(config: Config) -> Result<Runtime, HostError> {
        config::check_env()?;
        let mut wasmtime_config = engine_config(config.backend)?;
        let mut pooled = use_pool(&mut wasmtime_config, &config.limits);
        let engine = match Engine::new(&wasmtime_config) {
            Ok(engine) => Ok(engine),
            // The pool reserves address space up front; where that is refused (a low
            // `ulimit -v`, say), instances get their memory one at a time instead.
            Err(_) if pooled => {
                pooled = false;
                wasmtime_config.allocation_strategy(wasmtime::InstanceAllocationStrategy::OnDemand);
                Engine::new(&wasmtime_config)
            }
            Err(e) => Err(e),
        }
        .map_err(|e| HostError::runtime(format!("cannot create the {} engine: {e:#}", config.backend.as_str())))?;
        let mut linker = Linker::new(&engine);
        imports::define(&mut linker).map_err(|e| HostError::runtime(format!("cannot define host functions: {e:#}")))?;
        let cache = config.cache_dir.clone().map(Cache::new);
        Ok(Runtime { engine, linker, config, cache, pooled })
    }

    /// Whether instances come from wasmtime's pooling allocator (reused, pre-mapped
    /// slots) rather than being mapped one at a time.
    pub fn is_pooled(&self) -> bool {
        self.pooled
    }

    /// The settings this runtime was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Loads, validates and compiles (or fetches from the cache) the module at `path`.
    ///
    /// # Errors
    /// A [`HostError`] naming the file: unreadable, not wasm, invalid, importing anything
    /// but `wpm-1` functions, missing an export, built for another ABI version, or with a
    /// bad manifest.
    pub fn load(&self, path: &Path) -> Result<MacroModule, HostError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| HostError::module(&name, format!("cannot be read: {e}")))?;
        self.load_bytes(&name, &bytes)
    }

    /// Same from bytes; `name` is used in error messages in place of a file name.
    ///
    /// # Errors
    /// As for [`Runtime::load`].
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) -> Result<MacroModule, HostError> {
        let started = Instant::now();
        check::header(name, bytes)?;
        let key = self.cache.as_ref().map(|_| cache::key(&self.engine, self.config.backend, bytes));
        let cached = match (&self.cache, &key) {
            (Some(c), Some(k)) => c.load(&self.engine, k),
            _ => None,
        };
        let from_cache = cached.is_some();
        let module = match cached {
            Some(m) => m,
            None => {
                check::validate(name, bytes)?;
                let m = Module::new(&self.engine, bytes)
                    .map_err(|e| HostError::module(name, format!("cannot be compiled: {e:#}")))?;
                if let (Some(c), Some(k)) = (&self.cache, &key) {
                    // Best effort: a failed store only means the next load compiles again.
                    let _ = c.store(k, &m);
                }
                m
            }
        };
        check::interface(name, &module)?;
        let pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(|e| HostError::module(name, format!("cannot be linked: {e:#}")))?;
        let info = LoadInfo { from_cache, load_time: started.elapsed() };
        MacroModule::new(name, pre, self.config.limits, info)
    }
}

/// Instances the pool keeps slots for: the most that may be alive at once, one per
/// expansion in progress (one per rustc thread at most) plus manifest reads.
#[cfg(not(target_family = "wasm"))]
const POOL_SLOTS: u32 = 128;

/// Bytes of each freed pooled memory kept mapped for the next instance.
#[cfg(not(target_family = "wasm"))]
const KEEP_RESIDENT: usize = 16 << 20;

/// Turns on wasmtime's pooling allocator where the host has virtual memory to pool:
/// every expansion instantiates afresh, and a pooled slot that last held the same module
/// is reused without new mappings. Returns whether it did.
#[cfg(not(target_family = "wasm"))]
fn use_pool(c: &mut wasmtime::Config, limits: &Limits) -> bool {
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

#[cfg(target_family = "wasm")]
fn use_pool(_: &mut wasmtime::Config, _: &Limits) -> bool {
    false
}

fn engine_config(backend: Backend) -> Result<wasmtime::Config, HostError> {
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
