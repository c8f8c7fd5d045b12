//! thiserror: `#[error(...)]` formats, `#[from]`, `#[source]`, `transparent`, generics.

use std::fmt::Debug;
use std::io;

use thiserror::Error;

/// Errors of a configuration loader.
#[derive(Error, Debug)]
pub enum ConfigError {
    /// A unit variant with a fixed message.
    #[error("no configuration file found")]
    NotFound,
    /// Positional fields in the message, with a format spec.
    #[error("line {0}: unexpected `{1}` (code {2:#06x})")]
    Syntax(usize, char, u16),
    /// Named fields, debug formatting and an extra format argument.
    #[error("key {key:?} is invalid: {reason}, limit {}", .limit * 2)]
    InvalidKey { key: String, reason: &'static str, limit: u32 },
    /// `#[from]` implies `#[source]` and a `From` impl.
    #[error("cannot read the file")]
    Io(#[from] io::Error),
    /// An explicit `#[source]` field.
    #[error("cannot parse {path}")]
    Parse {
        path: String,
        #[source]
        cause: ParseError,
    },
    /// Forwards `Display` and `source` to the inner error.
    #[error(transparent)]
    Other(#[from] OtherError),
}

/// A struct error with a source.
#[derive(Error, Debug)]
#[error("parse error at {offset}")]
pub struct ParseError {
    pub offset: usize,
    #[source]
    pub inner: io::Error,
}

/// A transparent struct wrapping a boxed error.
#[derive(Error, Debug)]
#[error(transparent)]
pub struct OtherError(#[from] Box<dyn std::error::Error + Send + Sync>);

/// A generic error with a bound on its parameter.
#[derive(Error, Debug)]
pub enum Lookup<K: Debug> {
    /// Uses the generic field in the message.
    #[error("missing key {0:?}")]
    Missing(K),
    /// Another variant.
    #[error("store closed")]
    Closed,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn display_strings() {
        assert_eq!(ConfigError::NotFound.to_string(), "no configuration file found");
        assert_eq!(ConfigError::Syntax(4, '}', 42).to_string(), "line 4: unexpected `}` (code 0x002a)");
        let e = ConfigError::InvalidKey { key: "a b".into(), reason: "space", limit: 8 };
        assert_eq!(e.to_string(), r#"key "a b" is invalid: space, limit 16"#);
        assert_eq!(Lookup::Missing("k").to_string(), r#"missing key "k""#);
        assert_eq!(Lookup::<u8>::Closed.to_string(), "store closed");
        let p = ParseError { offset: 9, inner: io::Error::other("bad byte") };
        assert_eq!(p.to_string(), "parse error at 9");
    }

    #[test]
    fn sources_and_from() {
        let e: ConfigError = io::Error::new(io::ErrorKind::NotFound, "gone").into();
        assert_eq!(e.to_string(), "cannot read the file");
        assert_eq!(e.source().map(|s| s.to_string()).as_deref(), Some("gone"));

        let e = ConfigError::Parse {
            path: "a.toml".into(),
            cause: ParseError { offset: 1, inner: io::Error::other("eof") },
        };
        assert_eq!(e.to_string(), "cannot parse a.toml");
        let cause = e.source().unwrap();
        assert_eq!(cause.to_string(), "parse error at 1");
        assert_eq!(cause.source().unwrap().to_string(), "eof");
        assert!(ConfigError::NotFound.source().is_none());
    }

    #[test]
    fn transparent_forwards() {
        let boxed: Box<dyn std::error::Error + Send + Sync> = "inner message".into();
        let e: ConfigError = OtherError::from(boxed).into();
        assert_eq!(e.to_string(), "inner message");
        assert!(e.source().is_none(), "transparent forwards source() to the inner error, which has none");
    }
}
