//! Primitive encoding: LEB128 `u32`s, bytes and length-prefixed UTF-8 strings.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Why a buffer could not be decoded. Carries the byte offset of the problem.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DecodeError {
    /// Byte offset in the buffer where decoding failed.
    pub offset: usize,
    /// What was wrong there.
    pub reason: &'static str,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed wpm data at byte {}: {}", self.offset, self.reason)
    }
}

impl core::error::Error for DecodeError {}

pub(crate) struct Writer<'a> {
    pub(crate) out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    pub(crate) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    pub(crate) fn u32(&mut self, mut v: u32) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }

    pub(crate) fn usize(&mut self, v: usize) {
        // Lengths beyond u32 cannot occur in a 32-bit guest; saturate rather than wrap so
        // that a decoder reports the problem instead of reading a wrong length.
        self.u32(u32::try_from(v).unwrap_or(u32::MAX));
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.usize(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }
}

pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    pub(crate) fn err(&self, reason: &'static str) -> DecodeError {
        DecodeError { offset: self.pos, reason }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub(crate) fn finish(&self) -> Result<(), DecodeError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(self.err("trailing bytes after the encoded value"))
        }
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| self.err("unexpected end of data"))?;
        self.pos += 1;
        Ok(b)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        let mut result: u32 = 0;
        for shift in (0..35).step_by(7) {
            let byte = self.u8()?;
            let bits = u32::from(byte & 0x7f);
            if shift == 28 && bits > 0x0f {
                return Err(self.err("varint overflows u32"));
            }
            result |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(result);
            }
        }
        Err(self.err("varint longer than 5 bytes"))
    }

    pub(crate) fn bytes(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        if len > self.remaining() {
            return Err(self.err("length runs past the end of data"));
        }
        let s = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(s)
    }

    pub(crate) fn str(&mut self) -> Result<&'a str, DecodeError> {
        let len = self.u32()? as usize;
        let start = self.pos;
        let bytes = self.bytes(len)?;
        core::str::from_utf8(bytes).map_err(|_| DecodeError { offset: start, reason: "string is not UTF-8" })
    }

    pub(crate) fn string(&mut self) -> Result<String, DecodeError> {
        self.str().map(String::from)
    }

    /// Reads an element count, rejecting counts the remaining data could not hold, so that
    /// the count is also safe to use as an allocation capacity.
    pub(crate) fn count(&mut self, min_elem_size: usize) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n > self.remaining() / min_elem_size.max(1) {
            return Err(self.err("element count exceeds the remaining data"));
        }
        Ok(n)
    }
}
