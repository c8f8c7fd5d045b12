//! `Literal`: constructors, printing and the unstable value accessors.

use std::ffi::CStr;
use std::fmt;
use std::ops::RangeBounds;
use std::rc::Rc;
use std::str::FromStr;

pub use rustc_literal_escaper::EscapeError;
use rustc_literal_escaper::{unescape_byte, unescape_byte_str, unescape_c_str, unescape_char, unescape_str, MixedUnit};
use wpm_abi::LitKind;

use crate::tree::Tight;
use crate::{LexError, Span};

/// Why a literal's value could not be produced.
#[derive(Debug, PartialEq, Eq)]
pub enum ConversionErrorKind {
    /// The literal's escapes are malformed.
    FailedToUnescape(EscapeError),
    /// The literal is not of the kind asked for.
    InvalidLiteralKind,
}

/// A literal string (`"hello"`), byte string (`b"hello"`), C string (`c"hello"`), character
/// (`'a'`), byte character (`b'a'`), integer or float (`1`, `1u8`, `2.3`, `2.3f32`).
#[derive(Clone)]
pub struct Literal {
    pub(crate) kind: LitKind,
    pub(crate) symbol: Rc<str>,
    pub(crate) suffix: Option<Rc<str>>,
    /// Spacing for printing; see the `tree` module.
    pub(crate) hidden: Tight,
    pub(crate) span: Span,
}

macro_rules! int_literals {
    ($($name:ident => $kind:ident, $suffixed:literal;)*) => ($(
        #[doc = concat!("An integer literal from a `", stringify!($kind), "` (suffixed: ", stringify!($suffixed), ").")]
        pub fn $name(n: $kind) -> Literal {
            Literal::new(LitKind::Integer, &n.to_string(), if $suffixed { Some(stringify!($kind)) } else { None })
        }
    )*)
}

/// Escapes text the way `proc_macro`'s literal constructors do.
#[derive(Copy, Clone)]
struct Escape {
    single_quote: bool,
    double_quote: bool,
    nonascii: bool,
}

fn escape_byte(b: u8, opt: Escape, out: &mut String) {
    match b {
        0 => out.push_str("\\0"),
        b'\'' if !opt.single_quote => out.push('\''),
        b'"' if !opt.double_quote => out.push('"'),
        _ => out.extend(b.escape_ascii().map(char::from)),
    }
}

fn escape(bytes: &[u8], opt: Escape) -> String {
    let mut out = String::with_capacity(bytes.len());
    if opt.nonascii {
        bytes.iter().for_each(|&b| escape_byte(b, opt, &mut out));
        return out;
    }
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\'' if !opt.single_quote => out.push(c),
                '"' if !opt.double_quote => out.push(c),
                _ => out.extend(c.escape_debug()),
            }
        }
        chunk.invalid().iter().for_each(|&b| escape_byte(b, opt, &mut out));
    }
    out
}

fn float_repr(n: impl fmt::Display, finite: bool, add_dot: bool) -> String {
    if !finite {
        panic!("Invalid float literal {n}");
    }
    let mut repr = n.to_string();
    if add_dot && !repr.contains('.') {
        repr.push_str(".0");
    }
    repr
}

impl Literal {
    pub(crate) fn new(kind: LitKind, symbol: &str, suffix: Option<&str>) -> Literal {
        Literal {
            kind,
            symbol: Rc::from(symbol),
            suffix: suffix.map(Rc::from),
            hidden: Tight::No,
            span: Span::call_site(),
        }
    }

    int_literals! {
        u8_suffixed => u8, true; u16_suffixed => u16, true; u32_suffixed => u32, true;
        u64_suffixed => u64, true; u128_suffixed => u128, true; usize_suffixed => usize, true;
        i8_suffixed => i8, true; i16_suffixed => i16, true; i32_suffixed => i32, true;
        i64_suffixed => i64, true; i128_suffixed => i128, true; isize_suffixed => isize, true;
        u8_unsuffixed => u8, false; u16_unsuffixed => u16, false; u32_unsuffixed => u32, false;
        u64_unsuffixed => u64, false; u128_unsuffixed => u128, false; usize_unsuffixed => usize, false;
        i8_unsuffixed => i8, false; i16_unsuffixed => i16, false; i32_unsuffixed => i32, false;
        i64_unsuffixed => i64, false; i128_unsuffixed => i128, false; isize_unsuffixed => isize, false;
    }

    /// A float literal without suffix (`1.0`); `.0` is added to integral values.
    ///
    /// # Panics
    /// If `n` is infinite or NaN.
    pub fn f32_unsuffixed(n: f32) -> Literal {
        Literal::new(LitKind::Float, &float_repr(n, n.is_finite(), true), None)
    }

    /// A float literal with suffix `f32` (`1f32`).
    ///
    /// # Panics
    /// If `n` is infinite or NaN.
    pub fn f32_suffixed(n: f32) -> Literal {
        Literal::new(LitKind::Float, &float_repr(n, n.is_finite(), false), Some("f32"))
    }

    /// A float literal without suffix (`1.0`); `.0` is added to integral values.
    ///
    /// # Panics
    /// If `n` is infinite or NaN.
    pub fn f64_unsuffixed(n: f64) -> Literal {
        Literal::new(LitKind::Float, &float_repr(n, n.is_finite(), true), None)
    }

    /// A float literal with suffix `f64` (`1f64`).
    ///
    /// # Panics
    /// If `n` is infinite or NaN.
    pub fn f64_suffixed(n: f64) -> Literal {
        Literal::new(LitKind::Float, &float_repr(n, n.is_finite(), false), Some("f64"))
    }

    /// A string literal.
    pub fn string(string: &str) -> Literal {
        let opt = Escape { single_quote: false, double_quote: true, nonascii: false };
        Literal::new(LitKind::Str, &escape(string.as_bytes(), opt), None)
    }

    /// A character literal.
    pub fn character(ch: char) -> Literal {
        let opt = Escape { single_quote: true, double_quote: false, nonascii: false };
        Literal::new(LitKind::Char, &escape(ch.encode_utf8(&mut [0; 4]).as_bytes(), opt), None)
    }

    /// A byte character literal.
    pub fn byte_character(byte: u8) -> Literal {
        let opt = Escape { single_quote: true, double_quote: false, nonascii: true };
        Literal::new(LitKind::Byte, &escape(&[byte], opt), None)
    }

    /// A byte string literal.
    pub fn byte_string(bytes: &[u8]) -> Literal {
        let opt = Escape { single_quote: false, double_quote: true, nonascii: true };
        Literal::new(LitKind::ByteStr, &escape(bytes, opt), None)
    }

    /// A C string literal.
    pub fn c_string(string: &CStr) -> Literal {
        let opt = Escape { single_quote: false, double_quote: true, nonascii: false };
        Literal::new(LitKind::CStr, &escape(string.to_bytes(), opt), None)
    }

    /// The span.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Sets the span.
    pub fn set_span(&mut self, span: Span) {
        self.span = span;
    }

    /// A span covering part of the literal's source. The ABI has no query for it, so this
    /// is always `None`.
    pub fn subspan<R: RangeBounds<usize>>(&self, range: R) -> Option<Span> {
        let _ = range;
        None
    }

    /// The value of a byte character literal (`b'a'`).
    ///
    /// # Errors
    /// [`ConversionErrorKind`] if the literal is of another kind or badly escaped.
    pub fn byte_character_value(&self) -> Result<u8, ConversionErrorKind> {
        match self.kind {
            LitKind::Byte => unescape_byte(&self.symbol).map_err(ConversionErrorKind::FailedToUnescape),
            _ => Err(ConversionErrorKind::InvalidLiteralKind),
        }
    }

    /// The value of a character literal.
    ///
    /// # Errors
    /// [`ConversionErrorKind`] if the literal is of another kind or badly escaped.
    pub fn character_value(&self) -> Result<char, ConversionErrorKind> {
        match self.kind {
            LitKind::Char => unescape_char(&self.symbol).map_err(ConversionErrorKind::FailedToUnescape),
            _ => Err(ConversionErrorKind::InvalidLiteralKind),
        }
    }

    /// The value of a string literal, raw or not.
    ///
    /// # Errors
    /// [`ConversionErrorKind`] if the literal is of another kind or badly escaped.
    pub fn str_value(&self) -> Result<String, ConversionErrorKind> {
        match self.kind {
            LitKind::Str => {
                let mut buf = String::with_capacity(self.symbol.len());
                let mut error = None;
                unescape_str(&self.symbol, |_, c| match c {
                    Ok(c) => buf.push(c),
                    Err(e) if e.is_fatal() => error = Some(ConversionErrorKind::FailedToUnescape(e)),
                    Err(_) => {}
                });
                error.map_or(Ok(buf), Err)
            }
            LitKind::StrRaw(_) => Ok(self.symbol.to_string()),
            _ => Err(ConversionErrorKind::InvalidLiteralKind),
        }
    }

    /// The bytes of a C string literal, with the terminating NUL.
    ///
    /// # Errors
    /// [`ConversionErrorKind`] if the literal is of another kind or badly escaped.
    pub fn cstr_value(&self) -> Result<Vec<u8>, ConversionErrorKind> {
        match self.kind {
            LitKind::CStr => {
                let mut buf = Vec::with_capacity(self.symbol.len() + 1);
                let mut error = None;
                unescape_c_str(&self.symbol, |_, res| match res {
                    Ok(MixedUnit::Char(c)) => buf.extend_from_slice(c.get().encode_utf8(&mut [0; 4]).as_bytes()),
                    Ok(MixedUnit::HighByte(b)) => buf.push(b.get()),
                    Err(e) if e.is_fatal() => error = Some(ConversionErrorKind::FailedToUnescape(e)),
                    Err(_) => {}
                });
                buf.push(0);
                error.map_or(Ok(buf), Err)
            }
            LitKind::CStrRaw(_) => {
                let mut buf = self.symbol.as_bytes().to_vec();
                buf.push(0);
                Ok(buf)
            }
            _ => Err(ConversionErrorKind::InvalidLiteralKind),
        }
    }

    /// The bytes of a byte string literal, raw or not.
    ///
    /// # Errors
    /// [`ConversionErrorKind`] if the literal is of another kind or badly escaped.
    pub fn byte_str_value(&self) -> Result<Vec<u8>, ConversionErrorKind> {
        match self.kind {
            LitKind::ByteStr => {
                let mut buf = Vec::with_capacity(self.symbol.len());
                let mut error = None;
                unescape_byte_str(&self.symbol, |_, res| match res {
                    Ok(b) => buf.push(b),
                    Err(e) if e.is_fatal() => error = Some(ConversionErrorKind::FailedToUnescape(e)),
                    Err(_) => {}
                });
                error.map_or(Ok(buf), Err)
            }
            LitKind::ByteStrRaw(_) => Ok(self.symbol.as_bytes().to_vec()),
            _ => Err(ConversionErrorKind::InvalidLiteralKind),
        }
    }

    /// Writes the literal as it appears in source.
    pub(crate) fn write_source(&self, out: &mut impl fmt::Write) -> fmt::Result {
        let raw = |out: &mut dyn fmt::Write, prefix: &str, n: u8, sym: &str| -> fmt::Result {
            let hashes = "#".repeat(n.into());
            write!(out, "{prefix}{hashes}\"{sym}\"{hashes}")
        };
        let sym = &*self.symbol;
        match self.kind {
            LitKind::Byte => write!(out, "b'{sym}'")?,
            LitKind::Char => write!(out, "'{sym}'")?,
            LitKind::Str => write!(out, "\"{sym}\"")?,
            LitKind::StrRaw(n) => raw(out, "r", n, sym)?,
            LitKind::ByteStr => write!(out, "b\"{sym}\"")?,
            LitKind::ByteStrRaw(n) => raw(out, "br", n, sym)?,
            LitKind::CStr => write!(out, "c\"{sym}\"")?,
            LitKind::CStrRaw(n) => raw(out, "cr", n, sym)?,
            LitKind::Integer | LitKind::Float | LitKind::Err => out.write_str(sym)?,
        }
        out.write_str(self.suffix.as_deref().unwrap_or(""))
    }
}

impl FromStr for Literal {
    type Err = LexError;

    /// Parses one literal, optionally preceded by `-` (numbers only), with nothing around it.
    fn from_str(src: &str) -> Result<Self, LexError> {
        crate::lexer::literal_from_str(src).map_err(LexError::new)
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_source(f)
    }
}

impl fmt::Debug for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Literal")
            .field("kind", &format_args!("{:?}", self.kind))
            .field("symbol", &&*self.symbol)
            .field("suffix", &format_args!("{:?}", self.suffix.as_deref()))
            .field("span", &self.span)
            .finish()
    }
}
