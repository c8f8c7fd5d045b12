//! The [`Runtime`]: a configured wasmtime engine, the host-function linker and the cache.

use std::path::Path;
use std::time::Instant;

use sha2::Digest as _;
use wasmtime::{Engine, Linker};

use crate::check;
use crate::config::{self, Config};
use crate::error::HostError;
use crate::expansions::{ExpansionCache, ExpansionStats};
use crate::imports;
use crate::module::{LoadInfo, MacroModule};
use crate::platform;
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
    cache: platform::CodeCache,
    expansions: Option<std::sync::Arc<ExpansionCache>>,
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
        let mut wasmtime_config = platform::engine_config(config.backend)?;
        let mut pooled = platform::use_pool(&mut wasmtime_config, &config.limits);
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
        let cache = platform::code_cache(config.cache_dir.clone());
        let expansions = config
            .expansion_cache_dir
            .clone()
            .and_then(|dir| ExpansionCache::open(dir, config.expansion_cache_bytes, config.log_cache))
            .map(std::sync::Arc::new);
        Ok(Runtime { engine, linker, config, cache, expansions, pooled })
    }

    /// Whether instances come from wasmtime's pooling allocator (reused, pre-mapped
    /// slots) rather than being mapped one at a time.
    pub fn is_pooled(&self) -> bool {
        self.pooled
    }

    /// What the expansion cache did so far (zeros when it is off).
    pub fn expansion_stats(&self) -> ExpansionStats {
        self.expansions.as_ref().map(|c| c.stats()).unwrap_or_default()
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
        let (module, from_cache) = platform::load_module(&self.engine, &self.cache, self.config.backend, name, bytes)?;
        check::interface(name, &module)?;
        let pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(|e| HostError::module(name, format!("cannot be linked: {e:#}")))?;
        let info = LoadInfo { from_cache, load_time: started.elapsed() };
        let expansions = self.expansions.clone().map(|cache| (cache, sha2::Sha256::digest(bytes).into()));
        MacroModule::new(name, pre, self.config.limits, info, expansions)
    }
}
