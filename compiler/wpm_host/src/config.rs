//! Engine settings: backend, limits, cache directory, and their environment overrides.

use std::path::PathBuf;

use crate::cache_root::cache_root;
use crate::error::HostError;

/// Environment variable that picks the backend: `cranelift` or `pulley`.
pub const ENV_BACKEND: &str = "WPM_BACKEND";
/// Environment variable that overrides [`Limits::fuel`].
pub const ENV_FUEL: &str = "WPM_FUEL";
/// Environment variable that overrides [`Limits::memory_bytes`], in MiB.
pub const ENV_MEMORY_MIB: &str = "WPM_MEMORY_MIB";
/// Environment variable that overrides [`Limits::output_bytes`], in KiB.
pub const ENV_OUTPUT_KIB: &str = "WPM_OUTPUT_KIB";
/// Environment variable that overrides [`Limits::manifest_bytes`], in KiB.
pub const ENV_MANIFEST_KIB: &str = "WPM_MANIFEST_KIB";
/// Environment variable that overrides [`Limits::host_call_fuel`].
pub const ENV_HOST_CALL_FUEL: &str = "WPM_HOST_CALL_FUEL";
/// Environment variable that overrides [`Limits::span_handles`].
pub const ENV_MAX_SPAN_HANDLES: &str = "WPM_MAX_SPAN_HANDLES";
/// Environment variable that overrides [`Limits::diagnostics`].
pub const ENV_MAX_DIAGNOSTICS: &str = "WPM_MAX_DIAGNOSTICS";
/// Environment variable that overrides [`Limits::diagnostic_bytes`], in KiB.
pub const ENV_DIAGNOSTIC_KIB: &str = "WPM_DIAGNOSTIC_KIB";
/// Environment variable that turns the expansion cache off when set to `0`.
pub const ENV_EXPANSION_CACHE: &str = "WPM_EXPANSION_CACHE";
/// Environment variable that overrides [`Config::expansion_cache_bytes`], in MiB.
pub const ENV_EXPANSION_CACHE_MIB: &str = "WPM_EXPANSION_CACHE_MIB";
/// Environment variable naming what to log on stderr; `cache` logs each expansion-cache
/// hit and miss with running counts.
pub const ENV_LOG: &str = "WPM_LOG";

/// Default fuel per expansion (see [`Limits::fuel`]).
pub const DEFAULT_FUEL: u64 = 10_000_000_000;
/// Default linear-memory cap (see [`Limits::memory_bytes`]): 1 GiB, or 256 MiB on a wasm
/// host, whose guest memories are heap blocks in rustc's own 4 GiB.
pub const DEFAULT_MEMORY_BYTES: usize = if cfg!(target_family = "wasm") { 256 << 20 } else { 1 << 30 };
/// Default output cap (see [`Limits::output_bytes`]).
pub const DEFAULT_OUTPUT_BYTES: usize = 16 << 20;

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

/// Limits one expansion is held to: every cost a guest can make the host pay draws on one
/// of them. Every field states its default and the environment variable that overrides it
/// (see [`LIMIT_VARS`]); each exhaustion is a [`crate::MacroError`] naming the limit, except
/// for diagnostics, which past their cap are dropped and counted in one closing note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Fuel per expansion, spent by guest instructions and by host calls (see
    /// `host_call_fuel`). By default 10_000_000_000 (about 10-20 s of guest code).
    /// `WPM_FUEL`.
    pub fuel: u64,
    /// Cap on guest linear memory in bytes. By default 1 GiB (256 MiB on a wasm host).
    /// `WPM_MEMORY_MIB`.
    pub memory_bytes: usize,
    /// Cap on the encoded output size in bytes. By default 16 MiB (the largest expansion in
    /// the tests, serde on a 400-field struct, is about 1 MiB); decoding allocates at most
    /// a small constant times this. `WPM_OUTPUT_KIB`.
    pub output_bytes: usize,
    /// Cap on the encoded manifest in bytes. By default 1 MiB (serde_derive's is 60 bytes).
    /// `WPM_MANIFEST_KIB`.
    pub manifest_bytes: usize,
    /// Fuel every host call costs, on top of one unit per byte it copies in or out. By
    /// default 10_000, so the default fuel pays for at most a million host calls.
    /// `WPM_HOST_CALL_FUEL`.
    pub host_call_fuel: u64,
    /// Cap on the span handles the host creates for one expansion (every `edge`, `join`,
    /// `resolved_at` and `located_at` may create one). By default 100_000 (a tenth of what
    /// the default fuel pays for in host calls).
    /// `WPM_MAX_SPAN_HANDLES`.
    pub span_handles: u64,
    /// Diagnostics passed on per expansion; later ones are dropped and counted in one
    /// note. By default 100. `WPM_MAX_DIAGNOSTICS`.
    pub diagnostics: u64,
    /// Total message bytes of the diagnostics passed on per expansion; a diagnostic that
    /// does not fit is dropped and counted. By default 256 KiB. `WPM_DIAGNOSTIC_KIB`.
    pub diagnostic_bytes: usize,
}

impl Default for Limits {
    /// The documented defaults; environment variables are applied by [`Config::default`].
    fn default() -> Self {
        Limits {
            fuel: DEFAULT_FUEL,
            memory_bytes: DEFAULT_MEMORY_BYTES,
            output_bytes: DEFAULT_OUTPUT_BYTES,
            manifest_bytes: 1 << 20,
            host_call_fuel: 10_000,
            span_handles: 100_000,
            diagnostics: 100,
            diagnostic_bytes: 256 << 10,
        }
    }
}

/// An environment variable that overrides one [`Limits`] field.
#[derive(Clone, Copy, Debug)]
pub struct LimitVar {
    /// The variable's name.
    pub name: &'static str,
    /// What the limit caps, as messages name it.
    pub what: &'static str,
    /// Bytes (or units) per unit of the variable's value: `1 << 20` for a `_MIB` variable.
    pub scale: u64,
    get: fn(&Limits) -> u64,
    set: fn(&mut Limits, u64),
}

impl LimitVar {
    /// The field's value in `limits`, in the variable's unit (rounded down).
    pub fn value(&self, limits: &Limits) -> u64 {
        (self.get)(limits) / self.scale
    }
}

/// A [`LimitVar`] for the field `$field`, whose variable counts in units of `$scale`.
macro_rules! limit_var {
    ($name:expr, $what:expr, $scale:expr, $field:ident) => {
        LimitVar {
            name: $name,
            what: $what,
            scale: $scale,
            #[allow(clippy::unnecessary_cast)]
            get: |l| l.$field as u64,
            set: |l, v| l.$field = Saturate::saturate(v),
        }
    };
}

/// The variables that override [`Limits`], one per field.
pub const LIMIT_VARS: &[LimitVar] = &[
    limit_var!(ENV_FUEL, "fuel units", 1, fuel),
    limit_var!(ENV_MEMORY_MIB, "MiB of guest memory", 1 << 20, memory_bytes),
    limit_var!(ENV_OUTPUT_KIB, "KiB of output", 1 << 10, output_bytes),
    limit_var!(ENV_MANIFEST_KIB, "KiB of manifest", 1 << 10, manifest_bytes),
    limit_var!(ENV_HOST_CALL_FUEL, "fuel units per host call", 1, host_call_fuel),
    limit_var!(ENV_MAX_SPAN_HANDLES, "new span handles", 1, span_handles),
    limit_var!(ENV_MAX_DIAGNOSTICS, "diagnostics", 1, diagnostics),
    limit_var!(ENV_DIAGNOSTIC_KIB, "KiB of diagnostic messages", 1 << 10, diagnostic_bytes),
];

/// A `u64` into a field's type, saturating.
trait Saturate {
    fn saturate(v: u64) -> Self;
}

impl Saturate for u64 {
    fn saturate(v: u64) -> Self {
        v
    }
}

impl Saturate for usize {
    fn saturate(v: u64) -> Self {
        usize::try_from(v).unwrap_or(usize::MAX)
    }
}

/// The entry of [`LIMIT_VARS`] called `name`, for messages.
pub(crate) fn limit_var(name: &str) -> &'static LimitVar {
    LIMIT_VARS.iter().find(|v| v.name == name).unwrap_or(&LIMIT_VARS[0])
}

impl Limits {
    /// The defaults with every set and valid `LIMIT_VARS` variable applied.
    pub fn from_env() -> Limits {
        let mut limits = Limits::default();
        for var in LIMIT_VARS {
            if let Some(Ok(v)) = env(var.name).map(|v| v.trim().parse::<u64>()) {
                (var.set)(&mut limits, v.saturating_mul(var.scale));
            }
        }
        limits
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
    /// under the cache root shared with the builder and the shims ([`crate::cache_root`]:
    /// `$WPM_CACHE_DIR`, else `$XDG_CACHE_HOME/wpm`, else `$HOME/.cache/wpm`; none when
    /// `WPM_CACHE_DIR` is set but empty).
    pub cache_dir: Option<PathBuf>,
    /// Directory of the expansion cache (see `docs/host.md`); `None` disables it. By
    /// default `expansions/` under the cache root, unless `WPM_EXPANSION_CACHE=0`.
    pub expansion_cache_dir: Option<PathBuf>,
    /// Bound on the expansion cache's size; least recently used entries go first. By
    /// default 512 MiB, or `WPM_EXPANSION_CACHE_MIB`.
    pub expansion_cache_bytes: u64,
    /// Log each expansion-cache hit and miss on stderr (`WPM_LOG=cache`).
    pub log_cache: bool,
}

impl Config {
    /// `backend` and `limits` with both caches off and no logging, whatever the
    /// environment says (tests, benchmarks, tools that only inspect).
    pub fn new(backend: Backend, limits: Limits) -> Config {
        Config {
            backend,
            limits,
            cache_dir: None,
            expansion_cache_dir: None,
            expansion_cache_bytes: crate::expansions::DEFAULT_MAX_BYTES,
            log_cache: false,
        }
    }
}

impl Default for Config {
    /// The defaults, overridden by `WPM_BACKEND`, `WPM_CACHE_DIR`, `WPM_EXPANSION_CACHE`,
    /// `WPM_EXPANSION_CACHE_MIB`, `WPM_LOG` and the [`LIMIT_VARS`].
    /// Values that do not parse are ignored here and reported by [`crate::Runtime::new`]
    /// (see [`check_env`]).
    fn default() -> Self {
        let limits = Limits::from_env();
        let backend = env(ENV_BACKEND).and_then(|v| Backend::parse(&v)).unwrap_or(Backend::NATIVE_DEFAULT);
        let expansions_off = env(ENV_EXPANSION_CACHE).is_some_and(|v| v.trim() == "0");
        let expansion_cache_dir =
            if expansions_off { None } else { cache_root().ok().map(|root| root.join("expansions")) };
        let expansion_cache_bytes = env(ENV_EXPANSION_CACHE_MIB)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(crate::expansions::DEFAULT_MAX_BYTES, |mib| mib.saturating_mul(1 << 20));
        let log_cache = env(ENV_LOG).is_some_and(|v| v.split(',').any(|w| w.trim() == "cache"));
        Config {
            backend,
            limits,
            cache_dir: default_cache_dir(),
            expansion_cache_dir,
            expansion_cache_bytes,
            log_cache,
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn default_cache_dir() -> Option<PathBuf> {
    cache_root().ok().map(|root| root.join("code"))
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
    if let Some(v) = env(ENV_EXPANSION_CACHE_MIB) {
        if v.trim().parse::<u64>().is_err() {
            return bad(ENV_EXPANSION_CACHE_MIB, &v, "a whole number of MiB");
        }
    }
    for var in LIMIT_VARS {
        if let Some(v) = env(var.name) {
            if v.trim().parse::<u64>().is_err() {
                return bad(var.name, &v, &format!("a whole number of {}", var.what));
            }
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
    fn cache_root_precedence_and_the_empty_rule() {
        use crate::cache_root::{cache_root_from, NoCacheRoot};
        use std::ffi::OsString;
        let root = |vars: &[(&str, &str)]| {
            cache_root_from(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v)))
        };
        let all = [("WPM_CACHE_DIR", "/w"), ("XDG_CACHE_HOME", "/x"), ("HOME", "/h")];
        assert_eq!(root(&all), Ok(PathBuf::from("/w")));
        assert_eq!(root(&all[1..]), Ok(PathBuf::from("/x/wpm")));
        assert_eq!(root(&all[2..]), Ok(PathBuf::from("/h/.cache/wpm")));
        assert_eq!(root(&[]), Err(NoCacheRoot::Unknown));
        // Set but empty: caching off, whatever else is set; never a fallback.
        assert_eq!(
            root(&[("WPM_CACHE_DIR", ""), ("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]),
            Err(NoCacheRoot::Disabled)
        );
        // An empty XDG_CACHE_HOME or HOME is as good as unset.
        assert_eq!(root(&[("XDG_CACHE_HOME", ""), ("HOME", "/h")]), Ok(PathBuf::from("/h/.cache/wpm")));
        assert_eq!(root(&[("HOME", "")]), Err(NoCacheRoot::Unknown));
        assert!(NoCacheRoot::Disabled.to_string().contains("WPM_CACHE_DIR is set but empty"));
    }

    #[test]
    fn pulley_target_matches_pointer_width() {
        let t = Backend::pulley_target();
        assert!(t.starts_with(if cfg!(target_pointer_width = "64") { "pulley64" } else { "pulley32" }), "{t}");
    }
}
