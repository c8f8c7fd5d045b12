//! thiserror's `Error` derive: messages, sources, `#[from]`, transparent variants, generics.
use std::io;

use thiserror::Error;

/// Errors of a config loader.
#[derive(Error, Debug)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("line {0}: expected `{1}`")]
    Syntax(usize, &'static str),
    #[error("invalid value {value:?} for {key} (max {})", Self::MAX)]
    Invalid { key: String, value: String },
    #[error(transparent)]
    Other(#[from] Box<dyn std::error::Error + Send + Sync>),
    #[error("missing")]
    Missing,
}

impl ConfigError {
    const MAX: usize = 10;
}

/// A struct error with a backtrace-free source chain.
#[derive(Error, Debug)]
#[error("request {id} failed")]
pub struct RequestError {
    pub id: u32,
    #[source]
    pub cause: io::Error,
}

/// A generic error.
#[derive(Error, Debug)]
pub enum Wrapped<E: std::error::Error + 'static> {
    #[error("inner: {0}")]
    Inner(#[source] E),
    #[error("parse error")]
    Parse(#[from] std::num::ParseIntError),
}

/// A transparent newtype.
#[derive(Error, Debug)]
#[error(transparent)]
pub struct Opaque(#[from] io::Error);
