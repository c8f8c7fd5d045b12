//! What differs between hosts, in one place.
//!
//! A native host compiles modules with Cranelift (to native code or Pulley bytecode), maps
//! guest memory copy-on-write and pools instance slots. A wasm host (rustc.wasm, on
//! `wasm32-wasip1-threads`) has no virtual memory and no Cranelift: wasmtime runs there on
//! its custom platform, interpreting Pulley bytecode, and needs a few platform hooks from
//! us (`wasm.rs`). Both expose the same functions.

#[cfg_attr(not(target_family = "wasm"), path = "native.rs")]
#[cfg_attr(target_family = "wasm", path = "wasm.rs")]
mod imp;

pub(crate) use imp::{code_cache, engine_config, load_module, use_pool, CodeCache};
