//! num_enum's derives: primitive conversions both ways, defaults, catch-alls, alternatives.
use num_enum::{FromPrimitive, IntoPrimitive, TryFromPrimitive, UnsafeFromPrimitive};

/// A wire opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoPrimitive, TryFromPrimitive)]
#[repr(u8)]
pub enum Opcode {
    Nop = 0,
    Load = 1,
    #[num_enum(alternatives = [3, 4])]
    Store = 2,
    Jump = 0x10,
}

/// Unknown values fall back to the default.
#[derive(Debug, PartialEq, Eq, FromPrimitive, IntoPrimitive)]
#[repr(i16)]
pub enum Level {
    Low = -1,
    #[num_enum(default)]
    Mid = 0,
    High = 1,
}

/// Unknown values are kept.
#[derive(Debug, PartialEq, Eq, FromPrimitive)]
#[repr(u32)]
pub enum Tagged {
    Known = 7,
    #[num_enum(catch_all)]
    Other(u32),
}

/// Conversions the caller vouches for.
#[derive(Debug, Clone, Copy, UnsafeFromPrimitive)]
#[repr(u8)]
pub enum Bit {
    Zero,
    One,
}

pub fn decode(b: u8) -> Option<Opcode> {
    Opcode::try_from(b).ok()
}

pub fn level(v: i16) -> (Level, i16) {
    (Level::from(v), Level::High.into())
}
