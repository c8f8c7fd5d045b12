//! The process-wide runtime and module cache, so a native shim that embeds a module's
//! bytes compiles (or fetches from the disk cache) and reads its manifest once per
//! rustc process, however many times its macros are called.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use wpm_host::{Config, MacroModule, Runtime};

/// The runtime every module of this process is loaded in, built from
/// [`Config::default()`] (so `WPM_BACKEND`, `WPM_FUEL`, `WPM_MEMORY_MIB` and
/// `WPM_CACHE_DIR` apply).
///
/// # Errors
/// The runtime's error message, if it could not be built (for example an invalid
/// `WPM_BACKEND`). The failure is remembered for the life of the process.
pub fn runtime() -> Result<&'static Runtime, String> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new(Config::default()).map_err(|e| e.to_string())).as_ref().map_err(Clone::clone)
}

type Modules = HashMap<(usize, usize), Result<&'static MacroModule, String>>;

/// The module whose bytes are `bytes`, loaded on first use and kept (leaked) for the
/// life of the process. Entries are keyed by the address and length of `bytes`: a shim's
/// `include_bytes!` static has one address for the whole process, so the key is free to
/// compute and two shims never collide. `name` appears in error messages.
///
/// # Errors
/// The load error (a [`wpm_host::HostError`] message naming `name`); it is remembered,
/// so a broken module is not recompiled at every macro call.
pub fn module_from_bytes(name: &str, bytes: &'static [u8]) -> Result<&'static MacroModule, String> {
    static MODULES: OnceLock<Mutex<Modules>> = OnceLock::new();
    let key = (bytes.as_ptr() as usize, bytes.len());
    // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
    let mut modules = MODULES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(entry) = modules.get(&key) {
        return entry.clone();
    }
    // Loading under the lock: a second thread asking for the same module waits for this
    // compile instead of starting its own.
    let entry = runtime()
        .and_then(|rt| rt.load_bytes(name, bytes).map(|m| &*Box::leak(Box::new(m))).map_err(|e| e.to_string()));
    modules.insert(key, entry.clone());
    entry
}
