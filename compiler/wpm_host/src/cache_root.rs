//! The cache root every wpm tool shares: `$WPM_CACHE_DIR`, else `$XDG_CACHE_HOME/wpm`,
//! else `$HOME/.cache/wpm`. `WPM_CACHE_DIR` set but empty means no cache at all: each
//! tool then works without one or, if it cannot, stops with an error; none falls back to
//! another directory.
//!
//! This file depends on `std` alone: `wpm_host` includes it as a module, and `wpm_shim`
//! writes it unchanged next to each shim's build script (which cannot depend on
//! `wpm_host`; see `wpm_host::CACHE_ROOT_SOURCE`), so the rule is written once.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

/// Environment variable that sets the cache root; set but empty turns every cache off.
pub const ENV_CACHE_DIR: &str = "WPM_CACHE_DIR";

/// The environment variables the cache root is taken from, first match wins.
pub const CACHE_ROOT_VARS: [&str; 3] = [ENV_CACHE_DIR, "XDG_CACHE_HOME", "HOME"];

/// Why there is no cache root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoCacheRoot {
    /// `WPM_CACHE_DIR` is set but empty: caching is off.
    Disabled,
    /// None of `WPM_CACHE_DIR`, `XDG_CACHE_HOME` and `HOME` is set to a directory.
    Unknown,
}

impl fmt::Display for NoCacheRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoCacheRoot::Disabled => write!(f, "{ENV_CACHE_DIR} is set but empty, which turns every wpm cache off"),
            NoCacheRoot::Unknown => write!(f, "none of {} is set", CACHE_ROOT_VARS.join(", ")),
        }
    }
}

impl std::error::Error for NoCacheRoot {}

/// The cache root from the process environment (see the module documentation).
///
/// # Errors
/// [`NoCacheRoot`] when caching is off or no location is known.
pub fn cache_root() -> Result<PathBuf, NoCacheRoot> {
    cache_root_from(|name| std::env::var_os(name))
}

/// The cache root, reading variables through `var` (so that it can be tested without
/// touching the process environment). An empty `XDG_CACHE_HOME` or `HOME` counts as
/// unset; an empty `WPM_CACHE_DIR` turns caching off.
///
/// # Errors
/// [`NoCacheRoot`] when caching is off or no location is known.
pub fn cache_root_from(var: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, NoCacheRoot> {
    if let Some(dir) = var(ENV_CACHE_DIR) {
        return if dir.is_empty() { Err(NoCacheRoot::Disabled) } else { Ok(PathBuf::from(dir)) };
    }
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(xdg) = set("XDG_CACHE_HOME") {
        return Ok(xdg.join("wpm"));
    }
    set("HOME").map(|home| home.join(".cache").join("wpm")).ok_or(NoCacheRoot::Unknown)
}
