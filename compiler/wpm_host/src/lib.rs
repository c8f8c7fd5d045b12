//! Runs wasm proc-macro modules (see `wpm_abi`) in wasmtime.
//!
//! A [`Runtime`] is a configured engine (Cranelift or Pulley, see [`Backend`]) with the
//! host functions of import module `wpm-1` and an on-disk compiled-code cache.
//! [`Runtime::load`] checks a module (header, validity, imports, exports, ABI version),
//! compiles it or fetches it from the cache, and reads its manifest. Each
//! [`MacroModule::expand`] runs in a fresh instance in a fresh store, held to the
//! [`Limits`]; span questions go to the caller's [`SpanServer`]. An expansion that already
//! ran with the same module, macro, input and limits, and whose span questions get the
//! same answers now, is answered from the expansion cache without running the guest.
//!
//! Errors come in two layers: [`HostError`] (the module cannot be used) and
//! [`MacroError`] (one expansion failed; the message is for the call site).
//!
//! **Invariant:** nothing here links WASI or gives guests any system access; the only
//! imports a guest can have are the functions of `wpm-1`.
//!
//! # Examples
//! ```no_run
//! use wpm_host::{Config, NoSpans, Request, Runtime};
//! let runtime = Runtime::new(Config::default())?;
//! let module = runtime.load("serde_derive.wasm".as_ref())?;
//! let output = module.expand(0, &Request::default(), &mut NoSpans)?;
//! # Ok::<(), wpm_host::HostError>(())
//! ```

mod build_info;
#[cfg(not(target_family = "wasm"))]
mod cache;
mod cache_root;
mod check;
mod config;
mod error;
mod expansions;
mod imports;
mod macro_arg;
mod module;
mod platform;
mod runs;
mod runtime;
mod session;
mod spans;
mod state;
mod trust;
mod unique_tag;

pub use build_info::{
    is_feature_name, read_build_info, BuildInfo, Edition, Feature, BUILD_INFO_SECTION, BUILD_INFO_VERSION,
};
pub use cache_root::{cache_root, cache_root_from, NoCacheRoot, CACHE_ROOT_VARS, ENV_CACHE_DIR};
pub use config::{
    check_env, Backend, Config, LimitVar, Limits, DEFAULT_FUEL, DEFAULT_MEMORY_BYTES, DEFAULT_OUTPUT_BYTES,
    ENV_BACKEND, ENV_DIAGNOSTIC_KIB, ENV_EXPANSION_CACHE, ENV_EXPANSION_CACHE_MIB, ENV_FUEL, ENV_HOST_CALL_FUEL,
    ENV_LOG, ENV_MANIFEST_KIB, ENV_MAX_DIAGNOSTICS, ENV_MAX_SPAN_HANDLES, ENV_MEMORY_MIB, ENV_OUTPUT_KIB, LIMIT_VARS,
};
pub use error::{HostError, MacroError};
pub use expansions::ExpansionStats;
pub use macro_arg::{parse_macro_arg, MacroArg, MacroArgError, WASM_PROC_MACRO_OPTION};
pub use module::{LoadInfo, MacroModule};
pub use runs::{pieces, Piece, MIN_RUN_TOKENS};
pub use runtime::{Runtime, MAX_WASM_STACK};
pub use spans::{NoSpans, SpanServer};
pub use trust::ensure_private_dir;
pub use unique_tag::unique_tag;
/// The source of the module [`cache_root`] lives in, which depends on `std` alone:
/// `wpm_shim` writes it next to each shim's build script, which cannot depend on this
/// crate, so that there is one copy of the cache-root rule.
pub const CACHE_ROOT_SOURCE: &str = include_str!("cache_root.rs");
pub use wpm_abi::{DecodeError, DiagnosticLevel, Manifest, Request, SpanHandle, SpanLocation, TokenTree};

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn shared_types_are_send_and_sync() {
        assert_send_sync::<Runtime>();
        assert_send_sync::<MacroModule>();
    }
}
