//! num-derive 0.3 (syn 1): conversions from and to primitives, newtype arithmetic.
#[macro_use]
extern crate num_derive;

use num_traits::{FromPrimitive, ToPrimitive};

/// A colour channel.
#[derive(Debug, PartialEq, FromPrimitive, ToPrimitive)]
pub enum Channel {
    Red = 1,
    Green = 2,
    Blue = 4,
    Alpha,
}

/// A newtype with the numeric traits of its field.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, NumOps, One, Zero, Num, NumCast, ToPrimitive, FromPrimitive)]
pub struct Meters(f64);

pub fn channel(v: i64) -> Option<Channel> {
    Channel::from_i64(v)
}

pub fn twice(m: Meters) -> Option<f64> {
    (m + m).to_f64()
}
