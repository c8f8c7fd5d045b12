//! failure's `Fail` derive (synstructure's `decl_derive!`, copied into the module's crate
//! root by the builder): display formats, causes, backtraces, generics.
use failure::{Backtrace, Fail};

/// Errors of a config loader.
#[derive(Fail, Debug)]
pub enum ConfigError {
    #[fail(display = "cannot read {}: {}", path, cause)]
    Read {
        path: String,
        #[fail(cause)]
        cause: std::io::Error,
    },
    #[fail(display = "line {}: expected `{}`", _0, _1)]
    Syntax(usize, &'static str),
    #[fail(display = "missing")]
    Missing,
}

/// A struct error with a backtrace.
#[derive(Fail, Debug)]
#[fail(display = "request {} failed", id)]
pub struct RequestError {
    pub id: u32,
    #[cause]
    pub cause: std::io::Error,
    pub backtrace: Backtrace,
}

/// A generic error.
#[derive(Fail, Debug)]
pub enum Wrapped<E: Fail> {
    #[fail(display = "inner: {}", _0)]
    Inner(#[fail(cause)] E),
    #[fail(display = "parse error")]
    Parse(std::num::ParseIntError),
}

/// An error without a display attribute uses none.
#[derive(Fail, Debug)]
#[fail(display = "unit")]
pub struct Unit;

pub fn describe(e: &ConfigError) -> String {
    format!("{} ({:?})", e, e.cause().map(|c| c.to_string()))
}
