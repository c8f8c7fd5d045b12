//! The [`Runtime`]: a configured wasmtime engine, the host-function linker and the cache.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use sha2::{Digest as _, Sha256};
use wasmtime::{Engine, InstancePre, Linker};
use wpm_abi::ABI_VERSION;

use crate::check;
use crate::config::{self, Backend, Config};
use crate::error::HostError;
use crate::expansions::{ExpansionCache, ExpansionStats};
use crate::imports;
use crate::module::{self, Code, LoadInfo, MacroModule};
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
    compiler: Arc<Compiler>,
    config: Config,
    expansions: Option<Arc<ExpansionCache>>,
    pooled: bool,
}

/// What compiling a module takes: the engine, the host functions, the code cache.
pub(crate) struct Compiler {
    engine: Engine,
    linker: Linker<HostState>,
    cache: platform::CodeCache,
    backend: Backend,
}

impl Compiler {
    /// Validates and compiles `bytes` (or fetches the code from the cache: then `true`),
    /// checks its interface and links it against the host functions.
    pub(crate) fn compile(&self, name: &str, bytes: &[u8]) -> Result<(InstancePre<HostState>, bool), HostError> {
        let (module, from_cache) = platform::load_module(&self.engine, &self.cache, self.backend, name, bytes)?;
        check::interface(name, &module)?;
        let pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(|e| HostError::module(name, format!("cannot be linked: {e:#}")))?;
        Ok((pre, from_cache))
    }
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
            .map(Arc::new);
        let compiler = Arc::new(Compiler { engine, linker, cache, backend: config.backend });
        Ok(Runtime { compiler, config, expansions, pooled })
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
    /// With the expansion cache on, a module that loaded before (same bytes, ABI version
    /// and limits) has its manifest on record and is not compiled until an expansion
    /// misses the cache; a compile error then comes from [`MacroModule::expand`].
    ///
    /// # Errors
    /// As for [`Runtime::load`].
    pub fn load_bytes(&self, name: &str, bytes: &[u8]) -> Result<MacroModule, HostError> {
        let started = Instant::now();
        let limits = self.config.limits;
        check::header(name, bytes)?;
        let expansions = self.expansions.clone().map(|cache| (cache, <[u8; 32]>::from(Sha256::digest(bytes))));
        let recorded = expansions
            .as_ref()
            .and_then(|(cache, hash)| cache.manifest(hash, &limits))
            .filter(|manifest| module::check_manifest(name, manifest, ABI_VERSION).is_ok());
        let (manifest, code, from_cache, compiled) = match recorded {
            Some(manifest) => (manifest, Code::deferred(self.compiler.clone(), bytes), false, false),
            None => {
                let (pre, from_cache) = self.compiler.compile(name, bytes)?;
                let manifest = module::read_manifest(name, &pre, limits)?;
                if let Some((cache, hash)) = &expansions {
                    cache.store_manifest(hash, &limits, &manifest);
                }
                (manifest, Code::ready(pre), from_cache, true)
            }
        };
        let info = LoadInfo { from_cache, compiled, load_time: started.elapsed() };
        Ok(MacroModule::new(name, manifest, code, limits, info, expansions))
    }
}

#[cfg(test)]
mod tests {
    use wpm_abi::{MacroDecl, MacroKind, Manifest, Request};

    use super::*;
    use crate::{Limits, NoSpans};

    #[test]
    fn a_manifest_on_record_does_not_skip_validation() {
        let dir = std::env::temp_dir().join(format!("wpm-host-unit-{}-planted", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config =
            Config { expansion_cache_dir: Some(dir.clone()), ..Config::new(Backend::Cranelift, Limits::default()) };
        let rt = Runtime::new(config).unwrap();
        // A wasm header, then a section that cannot decode: no record makes it compile.
        let bytes = b"\0asm\x01\0\0\0\x01\xff".to_vec();
        let decl = MacroDecl { kind: MacroKind::Function, name: "m".into(), helpers: vec![] };
        let manifest = Manifest { abi_version: ABI_VERSION, macros: vec![decl] };
        let hash: [u8; 32] = Sha256::digest(&bytes).into();
        rt.expansions.as_ref().unwrap().store_manifest(&hash, &rt.config.limits, &manifest);
        let m = rt.load_bytes("planted.wasm", &bytes).unwrap();
        assert!(!m.load_info().compiled && !m.is_compiled());
        for _ in 0..2 {
            let e = m.expand(0, &Request::default(), &mut NoSpans).unwrap_err();
            assert_eq!(e.file(), "planted.wasm", "{e}");
            assert!(e.message().starts_with("is not a valid WebAssembly module"), "{e}");
            assert!(!m.is_compiled());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
