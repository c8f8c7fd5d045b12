//! zerocopy's derives on packed and C-layout structs and enums.
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, TryFromBytes, Unaligned};

/// A packet header.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Debug)]
#[repr(C, packed)]
pub struct Header {
    pub magic: [u8; 4],
    pub version: u8,
    pub flags: u8,
    pub length: zerocopy::byteorder::U16<zerocopy::byteorder::BigEndian>,
}

/// A C struct.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Clone, Copy, Debug)]
#[repr(C)]
pub struct Vector {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub w: f32,
}

/// A fieldless enum.
#[derive(TryFromBytes, IntoBytes, KnownLayout, Immutable, Debug, PartialEq)]
#[repr(u8)]
pub enum Kind {
    Data = 1,
    Ack = 2,
    Close = 0xff,
}

/// A generic transparent wrapper.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(transparent)]
pub struct Wrapper<T>(pub T);

/// Reading a header from bytes.
pub fn header(bytes: &[u8]) -> Option<&Header> {
    Header::ref_from_prefix(bytes).ok().map(|(h, _)| h)
}
