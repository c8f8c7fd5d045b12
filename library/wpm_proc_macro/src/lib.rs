//! `proc_macro` for wasm proc macros: the public API of rustc's `proc_macro` crate,
//! implemented inside the guest module and talking to the host through the wpm ABI.
//!
//! Guest builds pass `--extern proc_macro=<this rlib>`, so the macro crate, proc-macro2,
//! syn and quote all run on this crate. Token streams live entirely in the guest (shared,
//! copy-on-write vectors); only the macro's input and output cross the boundary, once
//! each. Spans are handles into the host's table; questions about them are host calls
//! (see `host`). Off `wasm32` there is no host and span queries answer "unknown"; see
//! `docs/guest.md` for what is supported and what fails loudly.
//!
//! **Invariant:** every host call is in `host.rs`; nothing here depends on wasmtime or
//! rustc; an API this crate cannot honour panics naming itself, never returns a guess.

#![warn(missing_docs)]

mod abi;
mod diagnostic;
mod glue;
mod host;
mod lexer;
mod literal;
mod pp;
mod print;
mod span;
mod stream;
mod tree;

use std::fmt;

pub use diagnostic::{Children, Diagnostic, Level, MultiSpan};
#[doc(hidden)]
pub use glue::__wpm;
pub use literal::{ConversionErrorKind, EscapeError, Literal};
pub use span::Span;
pub use stream::{token_stream, ExpandError, TokenStream};
pub use tree::{Delimiter, Group, Ident, Punct, Spacing, TokenTree};

/// Whether the proc_macro API can be used here: always, in the guest and natively alike,
/// because this implementation needs no compiler bridge.
pub fn is_available() -> bool {
    true
}

/// Error returned from `TokenStream::from_str` and `Literal::from_str`.
#[derive(Debug)]
#[non_exhaustive]
pub struct LexError(String);

impl LexError {
    pub(crate) fn new(msg: String) -> LexError {
        LexError(msg)
    }
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LexError {}

/// Fails loudly for an API this implementation cannot provide.
#[track_caller]
pub(crate) fn unsupported(what: &str) -> ! {
    panic!("proc_macro::{what} is not supported by wpm")
}

/// Tracked access to the build environment. A guest has no environment and no file
/// system, so both functions fail loudly.
pub mod tracked {
    use std::env::VarError;
    use std::ffi::OsStr;
    use std::path::Path;

    /// `proc_macro::tracked::env_var`; not supported.
    pub fn env_var<K: AsRef<OsStr> + AsRef<str>>(key: K) -> Result<String, VarError> {
        let _ = key;
        crate::unsupported("tracked::env_var")
    }

    /// `proc_macro::tracked::path`; not supported.
    pub fn path<P: AsRef<Path>>(path: P) {
        let _ = path;
        crate::unsupported("tracked::path")
    }
}
