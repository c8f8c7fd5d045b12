//! Errors of `cargo wpm`, one variant per stage of the pipeline.
//!
//! Every error displays as one paragraph (a headline, then any tool output that explains
//! it, such as rustc's own diagnostics) and makes the process exit non-zero.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A failure of `cargo wpm build` or `cargo wpm inspect`.
#[derive(Debug)]
pub(crate) enum Error {
    /// A required tool (guest rustc, guest cargo, std sources, wasm-opt) is missing.
    Toolchain {
        /// What is missing, e.g. "`/usr/bin/rustc` (the guest toolchain)".
        what: String,
    },
    /// The SPEC does not name a package cargo can find.
    Resolve {
        /// The SPEC as given.
        spec: String,
        /// Cargo's explanation.
        detail: String,
    },
    /// The package exists but its lib target is not a proc-macro.
    NotProcMacro {
        /// Package name.
        name: String,
        /// What its lib target is instead (`lib`, `rlib`, `none`...).
        lib_kind: String,
    },
    /// The package's manifest or crate root cannot be rewritten for wasm.
    Rewrite {
        /// The file.
        file: PathBuf,
        /// Why.
        detail: String,
    },
    /// The native expansion of the unmodified crate (run to find the proc-macro functions
    /// its crate-root `macro_rules!` generate) failed.
    Expand {
        /// Package name and version.
        package: String,
        /// Cargo's and rustc's output.
        output: String,
    },
    /// The guest target (specification and sysroot) cannot be prepared.
    GuestTarget {
        /// Why.
        detail: String,
    },
    /// The guest library (our `proc_macro`) failed to build: a bug of cargo-wpm.
    GuestLibBuild {
        /// Compiler and cargo output.
        output: String,
    },
    /// The macro crate failed to build for wasm32.
    CrateBuild {
        /// Package name and version.
        package: String,
        /// Rustc's and cargo's output.
        output: String,
    },
    /// The linked module is not what the ABI requires (bad import, missing export...).
    InvalidModule {
        /// The file or stage that produced it.
        what: String,
        /// Why.
        detail: String,
    },
    /// `wasm-opt` failed.
    WasmOpt {
        /// Its output.
        output: String,
    },
    /// The host runtime could not load a module (inspect).
    Host {
        /// The file.
        file: PathBuf,
        /// The runtime's message.
        detail: String,
    },
    /// There is no cache directory to work in.
    NoCache {
        /// Why not.
        why: wpm_host::NoCacheRoot,
    },
    /// An I/O failure outside any tool.
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        source: io::Error,
    },
}

/// Where to look when the toolchain is missing.
const INSTALL_HINT: &str = "run dist-scripts/install-deps.sh from the rustc-wasi repository to install it";

impl Error {
    /// Wraps an I/O error with what was being done.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Toolchain { what } => write!(f, "{what} is missing; {INSTALL_HINT}"),
            Error::Resolve { spec, detail } => write!(f, "cannot find package `{spec}`: {}", detail.trim_end()),
            Error::NotProcMacro { name, lib_kind } => {
                write!(f, "`{name}` is not a proc-macro crate (its lib target is {lib_kind})")
            }
            Error::Rewrite { file, detail } => {
                write!(f, "cannot prepare {} for wasm: {}", file.display(), detail.trim_end())
            }
            Error::Expand { package, output } => write!(
                f,
                "expanding {package} natively (to find the proc-macro functions its crate-root \
                 `macro_rules!` generate) failed:\n{}",
                output.trim_end()
            ),
            Error::GuestTarget { detail } => write!(f, "preparing the guest target failed: {detail}"),
            Error::GuestLibBuild { output } => write!(
                f,
                "building the guest proc_macro library failed (a bug of cargo-wpm, not of your crate):\n{}",
                output.trim_end()
            ),
            Error::CrateBuild { package, output } => {
                write!(f, "building {package} for wasm32 failed:\n{}", output.trim_end())
            }
            Error::InvalidModule { what, detail } => write!(f, "{what} is not a valid wpm module: {detail}"),
            Error::WasmOpt { output } => write!(f, "wasm-opt failed:\n{}", output.trim_end()),
            Error::Host { file, detail } => write!(f, "cannot load {}: {detail}", file.display()),
            Error::NoCache { why } => write!(
                f,
                "`cargo wpm build` keeps its work in the wpm cache, and there is none: {why}; point \
                 WPM_CACHE_DIR at a directory"
            ),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

impl std::error::Error for Error {}

/// Result with [`Error`].
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
