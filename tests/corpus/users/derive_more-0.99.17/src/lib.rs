//! derive_more 0.99's derives (syn 1).
use derive_more::{Add, AddAssign, Constructor, Deref, Display, From, Into, Mul, Not};

/// A newtype with arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Add, AddAssign, Mul, From, Into, Display, Deref, Not)]
#[display(fmt = "{}px", _0)]
pub struct Px(pub i32);

/// A point with constructor and addition.
#[derive(Debug, Clone, Copy, PartialEq, Add, Constructor, Display)]
#[display(fmt = "({}, {})", x, y)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

/// Enum conversions.
#[derive(Debug, From, Display)]
pub enum Value {
    #[display(fmt = "int {}", _0)]
    Int(i64),
    #[display(fmt = "text {}", _0)]
    Text(String),
    #[from(ignore)]
    #[display(fmt = "none")]
    Nothing,
}

/// An error type.
#[derive(Debug, Display, derive_more::Error)]
pub enum Failure {
    #[display(fmt = "not found")]
    NotFound,
    #[display(fmt = "io")]
    Io(std::io::Error),
}
