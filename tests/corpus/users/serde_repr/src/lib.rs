//! serde_repr: enums (de)serialized as their integer discriminants.
use serde_repr::{Deserialize_repr, Serialize_repr};

/// A status code.
#[derive(Debug, PartialEq, Serialize_repr, Deserialize_repr)]
#[repr(u16)]
pub enum Status {
    Ok = 200,
    NotFound = 404,
    Teapot = 418,
}

/// Signed, with implicit discriminants.
#[derive(Debug, Serialize_repr, Deserialize_repr)]
#[repr(i8)]
pub enum Trend {
    Down = -1,
    Flat,
    Up,
}
