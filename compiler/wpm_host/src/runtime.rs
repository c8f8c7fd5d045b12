//! The [`Runtime`]: a configured wasmtime engine, the host-function linker and the cache.

use std::path::Path;
use std::time::Instant;

use wasmtime::{Engine, Linker, Module};

use crate::cache::{self, Cache};
use crate::check;
use crate::config::{self, Backend, Config};
use crate::error::HostError;
use crate::imports;
use crate::module::{LoadInfo, MacroModule};
use crate::state::HostState;

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
        let engine = Engine::new(&engine_config(config.backend)?)
            .map_err(|e| HostError::runtime(format!("cannot create the {} engine: {e:#}", config.backend.as_str())))?;
        let mut linker = Linker::new(&engine);
        imports::define(&mut linker).map_err(|e| HostError::runtime(format!("cannot define host functions: {e:#}")))?;
        let cache = config.cache_dir.clone().map(Cache::new);
        Ok(Runtime { engine, linker, config, cache })
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
