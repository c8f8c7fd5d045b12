//! Engine settings: backend, limits, cache directory, and their environment overrides.

use std::path::PathBuf;

use crate::error::HostError;

/// Environment variable that picks the backend: `cranelift` or `pulley`.
pub const ENV_BACKEND: &str = "WPM_BACKEND";
/// Environment variable that overrides [`Limits::fuel`].
pub const ENV_FUEL: &str = "WPM_FUEL";
/// Environment variable that overrides [`Limits::memory_bytes`], in MiB.
pub const ENV_MEMORY_MIB: &str = "WPM_MEMORY_MIB";
/// Environment variable that sets the cache directory; set but empty disables the cache.
pub const ENV_CACHE_DIR: &str = "WPM_CACHE_DIR";

/// Default fuel per expansion (see [`Limits::fuel`]).
pub const DEFAULT_FUEL: u64 = 10_000_000_000;
/// Default linear-memory cap (see [`Limits::memory_bytes`]).
pub const DEFAULT_MEMORY_BYTES: usize = 1 << 30;
/// Default output cap (see [`Limits::output_bytes`]).
pub const DEFAULT_OUTPUT_BYTES: usize = 64 << 20;

/// Which wasmtime backend compiles (or interprets) guest code.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Backend {
    /// Cranelift JIT for the host architecture. Default on native hosts.
    Cranelift,
    /// The Pulley interpreter (`pulley64`/`pulley32`, matching the host pointer width).
    /// Default where no JIT is possible (wasm hosts).
    Pulley,
}

impl Backend {
    /// The backend used when neither the caller nor `WPM_BACKEND` chooses one.
    pub const NATIVE_DEFAULT: Backend = if cfg!(target_family = "wasm") { Backend::Pulley } else { Backend::Cranelift };

    /// The name accepted by `WPM_BACKEND` and used in cache keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Cranelift => "cranelift",
            Backend::Pulley => "pulley",
        }
    }

    /// Parses a `WPM_BACKEND` value (case-insensitive).
    pub fn parse(s: &str) -> Option<Backend> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cranelift" => Some(Backend::Cranelift),
            "pulley" => Some(Backend::Pulley),
            _ => None,
        }
    }

    /// The wasmtime target triple for Pulley on this host, matching its pointer width
    /// and byte order.
    pub(crate) fn pulley_target() -> &'static str {
        match (cfg!(target_pointer_width = "64"), cfg!(target_endian = "big")) {
            (true, false) => "pulley64",
            (true, true) => "pulley64be",
            (false, false) => "pulley32",
            (false, true) => "pulley32be",
        }
    }
}

/// Limits one expansion is held to. Every field states its default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Fuel per expansion. By default 10_000_000_000 (about 10-20 s of guest code).
    pub fuel: u64,
    /// Cap on guest linear memory in bytes. By default 1 GiB.
    pub memory_bytes: usize,
    /// Cap on the encoded output size in bytes. By default 64 MiB.
    pub output_bytes: usize,
}

impl Default for Limits {
    /// The documented defaults; environment variables are applied by [`Config::default`].
    fn default() -> Self {
        Limits { fuel: DEFAULT_FUEL, memory_bytes: DEFAULT_MEMORY_BYTES, output_bytes: DEFAULT_OUTPUT_BYTES }
    }
}

/// Engine settings, validated once when the [`crate::Runtime`] is built.
#[derive(Clone, Debug)]
pub struct Config {
    /// The backend. By default [`Backend::Cranelift`] on native hosts, Pulley on wasm hosts.
    pub backend: Backend,
    /// Limits. By default [`Limits::default()`].
    pub limits: Limits,
    /// Directory for the compiled-code cache; `None` disables it. By default `code/`
    /// under the cache root shared with the builder and the shims: `$WPM_CACHE_DIR`,
    /// else `$XDG_CACHE_HOME/wpm`, else `$HOME/.cache/wpm`.
    pub cache_dir: Option<PathBuf>,
}

impl Default for Config {
    /// The defaults, overridden by `WPM_BACKEND`, `WPM_FUEL`, `WPM_MEMORY_MIB` and
    /// `WPM_CACHE_DIR`. Values that do not parse are ignored here and reported by
    /// [`crate::Runtime::new`] (see [`check_env`]).
    fn default() -> Self {
        let mut limits = Limits::default();
        if let Some(Ok(fuel)) = env(ENV_FUEL).map(|v| v.parse::<u64>()) {
            limits.fuel = fuel;
        }
        if let Some(Ok(mib)) = env(ENV_MEMORY_MIB).map(|v| v.parse::<usize>()) {
            limits.memory_bytes = mib.saturating_mul(1 << 20);
        }
        let backend = env(ENV_BACKEND).and_then(|v| Backend::parse(&v)).unwrap_or(Backend::NATIVE_DEFAULT);
        Config { backend, limits, cache_dir: default_cache_dir() }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn default_cache_dir() -> Option<PathBuf> {
    cache_root().map(|root| root.join("code"))
}

/// The cache root shared by the runtime (`code/`), the builder and the shims:
/// `$WPM_CACHE_DIR`, else `$XDG_CACHE_HOME/wpm`, else `$HOME/.cache/wpm`; `None` when
/// `WPM_CACHE_DIR` is set but empty (caching off) or no location is known.
pub fn cache_root() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(ENV_CACHE_DIR) {
        return if dir.is_empty() { None } else { Some(PathBuf::from(dir)) };
    }
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(xdg).join("wpm"));
    }
    std::env::var_os("HOME").filter(|d| !d.is_empty()).map(|h| PathBuf::from(h).join(".cache").join("wpm"))
}

/// Reports environment overrides that are set but do not parse, so that a typo in
/// `WPM_BACKEND=pully` fails loudly instead of silently using the default.
///
/// # Errors
/// A [`HostError`] naming the variable, its value and what it accepts.
pub fn check_env() -> Result<(), HostError> {
    let bad = |name: &str, value: &str, expected: &str| {
        Err(HostError::runtime(format!("environment variable {name}={value:?} is invalid: expected {expected}")))
    };
    if let Some(v) = env(ENV_BACKEND) {
        if Backend::parse(&v).is_none() {
            return bad(ENV_BACKEND, &v, "`cranelift` or `pulley`");
        }
    }
    if let Some(v) = env(ENV_FUEL) {
        if v.parse::<u64>().is_err() {
            return bad(ENV_FUEL, &v, "a whole number of fuel units");
        }
    }
    if let Some(v) = env(ENV_MEMORY_MIB) {
        if v.parse::<usize>().is_err() {
            return bad(ENV_MEMORY_MIB, &v, "a whole number of MiB");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_names_parse() {
        assert_eq!(Backend::parse("Pulley"), Some(Backend::Pulley));
        assert_eq!(Backend::parse(" cranelift "), Some(Backend::Cranelift));
        assert_eq!(Backend::parse("winch"), None);
        for b in [Backend::Cranelift, Backend::Pulley] {
            assert_eq!(Backend::parse(b.as_str()), Some(b));
        }
    }

    #[test]
    fn pulley_target_matches_pointer_width() {
        let t = Backend::pulley_target();
        assert!(t.starts_with(if cfg!(target_pointer_width = "64") { "pulley64" } else { "pulley32" }), "{t}");
    }
}
