//! The two error layers: the host cannot use a module ([`HostError`]), or one expansion
//! failed ([`MacroError`]).

use std::fmt;

use wpm_abi::DecodeError;

use crate::config::{DEFAULT_FUEL, ENV_FUEL, ENV_MEMORY_MIB, ENV_OUTPUT_KIB};

/// A failure of the host: the module cannot be used at all (missing file, invalid wasm,
/// wrong ABI version, missing export, bad manifest, cache I/O problems...).
/// The message names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    file: String,
    message: String,
}

impl HostError {
    /// An error about the module called `file` (a path or the name given to `load_bytes`).
    pub(crate) fn module(file: &str, message: impl Into<String>) -> Self {
        HostError { file: file.to_owned(), message: message.into() }
    }

    /// An error about the runtime itself (engine settings, environment variables).
    pub(crate) fn runtime(message: impl Into<String>) -> Self {
        HostError { file: String::new(), message: message.into() }
    }

    /// The module's file name or display name; empty for errors of the runtime itself.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// What went wrong, without the file name.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.is_empty() {
            write!(f, "wasm proc-macro runtime: {}", self.message)
        } else {
            write!(f, "wasm proc-macro module `{}`: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for HostError {}

/// A failure of one expansion: the macro panicked, trapped, ran out of fuel or memory,
/// produced too much or malformed output. Displayed as the message to show at the call site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MacroError {
    /// The guest reported a panic through `wpm-1::panic` and then trapped.
    Panicked(String),
    /// The guest trapped (or broke the ABI in a host call); the message says how.
    Trapped(String),
    /// The fuel limit (the field) was used up.
    OutOfFuel(u64),
    /// The guest tried to grow its memory past the limit (the field, in bytes).
    OutOfMemory(usize),
    /// The output was larger than the limit.
    OutputTooLarge {
        /// Size of the output the guest produced, in bytes.
        len: usize,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The output bytes do not decode as a token stream.
    MalformedOutput(DecodeError),
    /// Another [`crate::Limits`] field ran out (span handles, for one).
    LimitReached {
        /// What the limit caps, as [`crate::LimitVar::what`] says it.
        what: &'static str,
        /// The limit, in the unit of `what`.
        limit: u64,
        /// The environment variable that sets it.
        var: &'static str,
    },
}

impl MacroError {
    /// The error for the limit that `var` (an entry of [`crate::LIMIT_VARS`]) sets.
    pub(crate) fn limit(var: &str, limits: &crate::Limits) -> MacroError {
        let var = crate::config::limit_var(var);
        MacroError::LimitReached { what: var.what, limit: var.value(limits), var: var.name }
    }
}

impl fmt::Display for MacroError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MacroError::Panicked(msg) => write!(f, "proc macro panicked: {msg}"),
            MacroError::Trapped(msg) => write!(f, "proc macro trapped: {msg}"),
            MacroError::OutOfFuel(limit) => write!(
                f,
                "proc macro exceeded its fuel limit ({limit} units); the limit is set by the \
                 {ENV_FUEL} environment variable (default {DEFAULT_FUEL})"
            ),
            MacroError::OutOfMemory(limit) => write!(
                f,
                "proc macro exceeded its memory limit of {} MiB (set by the {ENV_MEMORY_MIB} \
                 environment variable)",
                limit >> 20
            ),
            MacroError::OutputTooLarge { len, limit } => {
                write!(
                    f,
                    "proc macro output is {len} bytes, more than the limit of {limit} bytes (set by the \
                     {ENV_OUTPUT_KIB} environment variable)"
                )
            }
            MacroError::MalformedOutput(e) => write!(f, "proc macro returned malformed output: {e}"),
            MacroError::LimitReached { what, limit, var } => {
                write!(f, "proc macro exceeded its limit of {limit} {what} (set by the {var} environment variable)")
            }
        }
    }
}

impl std::error::Error for MacroError {}
