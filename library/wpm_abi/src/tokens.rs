//! Token trees as they cross the boundary, and their encoding.
//!
//! A token stream is encoded as a count followed by that many trees, each a tag byte and
//! its fields; groups nest their stream inline. Spans are [`SpanHandle`]s (LEB128), so a
//! typical identifier costs 3 bytes plus its text. One stream crosses in one call.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::wire::{Reader, Writer};
use crate::{DecodeError, SpanHandle};

/// Groups nested deeper than this are rejected by the decoder, so a hostile buffer cannot
/// exhaust the host's stack.
pub const MAX_NESTING: usize = 1024;

const TAG_GROUP: u8 = 0;
const TAG_IDENT: u8 = 1;
const TAG_PUNCT: u8 = 2;
const TAG_LITERAL: u8 = 3;

/// A delimiter of a [`Group`], as in `proc_macro::Delimiter`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[repr(u8)]
pub enum Delimiter {
    /// `( ... )`
    Parenthesis = 0,
    /// `{ ... }`
    Brace = 1,
    /// `[ ... ]`
    Bracket = 2,
    /// An invisible delimiter (e.g. around a `$var` substituted by `macro_rules!`).
    None = 3,
}

/// Whether a [`Punct`] is followed immediately by another punct, as in `proc_macro::Spacing`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[repr(u8)]
pub enum Spacing {
    /// Followed by whitespace or a non-punct token.
    Alone = 0,
    /// Immediately followed by another punct (`+=` is `+` Joint, `=` Alone).
    Joint = 1,
}

/// The kind of a [`Literal`], mirroring rustc's `token::LitKind`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum LitKind {
    /// `b'a'`
    Byte,
    /// `'a'`
    Char,
    /// `1`, `0x1f`
    Integer,
    /// `1.0`, `1e3`
    Float,
    /// `"a"`
    Str,
    /// `r#"a"#`, with the number of `#`s.
    StrRaw(u8),
    /// `b"a"`
    ByteStr,
    /// `br#"a"#`
    ByteStrRaw(u8),
    /// `c"a"`
    CStr,
    /// `cr#"a"#`
    CStrRaw(u8),
    /// A literal the lexer could not make sense of; carried through unchanged.
    Err,
}

impl LitKind {
    fn encode(self) -> (u8, u8) {
        match self {
            LitKind::Byte => (0, 0),
            LitKind::Char => (1, 0),
            LitKind::Integer => (2, 0),
            LitKind::Float => (3, 0),
            LitKind::Str => (4, 0),
            LitKind::StrRaw(n) => (5, n),
            LitKind::ByteStr => (6, 0),
            LitKind::ByteStrRaw(n) => (7, n),
            LitKind::CStr => (8, 0),
            LitKind::CStrRaw(n) => (9, n),
            LitKind::Err => (10, 0),
        }
    }

    fn decode(tag: u8, hashes: u8) -> Option<Self> {
        Some(match tag {
            0 => LitKind::Byte,
            1 => LitKind::Char,
            2 => LitKind::Integer,
            3 => LitKind::Float,
            4 => LitKind::Str,
            5 => LitKind::StrRaw(hashes),
            6 => LitKind::ByteStr,
            7 => LitKind::ByteStrRaw(hashes),
            8 => LitKind::CStr,
            9 => LitKind::CStrRaw(hashes),
            10 => LitKind::Err,
            _ => return None,
        })
    }
}

/// A delimited token stream.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Group {
    /// The delimiter.
    pub delimiter: Delimiter,
    /// Span of the whole group, delimiters included.
    pub span: SpanHandle,
    /// Span of the opening delimiter.
    pub span_open: SpanHandle,
    /// Span of the closing delimiter.
    pub span_close: SpanHandle,
    /// The tokens between the delimiters.
    pub stream: Vec<TokenTree>,
}

/// An identifier or keyword.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Ident {
    /// Its text, without any `r#` prefix.
    pub name: String,
    /// `true` for a raw identifier (`r#type`).
    pub is_raw: bool,
    /// Its span.
    pub span: SpanHandle,
}

/// A single punctuation character.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Punct {
    /// The character; one of ``= < > ! ~ + - * / % ^ & | @ . , ; : # $ ? '``.
    pub ch: u8,
    /// Its spacing.
    pub spacing: Spacing,
    /// Its span.
    pub span: SpanHandle,
}

impl Punct {
    /// The characters a punct may be (what `proc_macro::Punct::new` accepts).
    pub const CHARS: &'static str = "=<>!~+-*/%^&|@.,;:#$?'";

    /// Whether `ch` is one of [`Punct::CHARS`] (a table lookup: hosts check every punct
    /// of a guest's output).
    pub fn is_valid_char(ch: u8) -> bool {
        const TABLE: [bool; 128] = {
            let mut table = [false; 128];
            let chars = Punct::CHARS.as_bytes();
            let mut i = 0;
            while i < chars.len() {
                table[chars[i] as usize] = true;
                i += 1;
            }
            table
        };
        TABLE.get(usize::from(ch)).copied().unwrap_or(false)
    }
}

/// A literal, split as rustc splits it: kind, symbol (the text between the quotes, or the
/// digits) and optional suffix.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Literal {
    /// Its kind.
    pub kind: LitKind,
    /// The text without quotes, prefix and suffix, escapes left as written.
    pub symbol: String,
    /// The suffix (`u8`, `f32`, ...); empty for none.
    pub suffix: String,
    /// Its span.
    pub span: SpanHandle,
}

impl Literal {
    /// Writes the literal as it appears in source: `b"a"`, `r#"x"#`, `1u8`.
    pub fn write_source(&self, f: &mut impl fmt::Write) -> fmt::Result {
        fn raw(f: &mut impl fmt::Write, prefix: &str, n: u8, sym: &str) -> fmt::Result {
            f.write_str(prefix)?;
            for _ in 0..n {
                f.write_char('#')?;
            }
            write!(f, "\"{sym}\"")?;
            for _ in 0..n {
                f.write_char('#')?;
            }
            Ok(())
        }
        let sym = self.symbol.as_str();
        match self.kind {
            LitKind::Byte => write!(f, "b'{sym}'")?,
            LitKind::Char => write!(f, "'{sym}'")?,
            LitKind::Integer | LitKind::Float | LitKind::Err => f.write_str(sym)?,
            LitKind::Str => write!(f, "\"{sym}\"")?,
            LitKind::StrRaw(n) => raw(f, "r", n, sym)?,
            LitKind::ByteStr => write!(f, "b\"{sym}\"")?,
            LitKind::ByteStrRaw(n) => raw(f, "br", n, sym)?,
            LitKind::CStr => write!(f, "c\"{sym}\"")?,
            LitKind::CStrRaw(n) => raw(f, "cr", n, sym)?,
        }
        f.write_str(&self.suffix)
    }
}

/// One token tree.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TokenTree {
    /// A delimited group.
    Group(Group),
    /// An identifier.
    Ident(Ident),
    /// A punctuation character.
    Punct(Punct),
    /// A literal.
    Literal(Literal),
}

/// The input of one expansion, as passed to [`crate::exports::EXPAND`].
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Request {
    /// For an attribute macro, the tokens inside `#[name(...)]`; `None` for the other kinds.
    pub attr_args: Option<Vec<TokenTree>>,
    /// The macro's input: the item for derives and attributes, the tokens inside `name!(...)`
    /// for function-like macros.
    pub input: Vec<TokenTree>,
}

impl Request {
    /// Encodes the request: a flag, the attribute arguments if any, then the input.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = Writer { out: &mut out };
        match &self.attr_args {
            None => w.u8(0),
            Some(args) => {
                w.u8(1);
                write_stream(&mut w, args);
            }
        }
        write_stream(&mut w, &self.input);
        out
    }

    /// Decodes a request produced by [`Request::encode`].
    ///
    /// # Errors
    /// A [`DecodeError`] naming the offset of the first malformed byte.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let attr_args = match r.u8()? {
            0 => None,
            1 => Some(read_stream(&mut r)?),
            _ => return Err(r.err("request flag must be 0 or 1")),
        };
        let input = read_stream(&mut r)?;
        r.finish()?;
        Ok(Request { attr_args, input })
    }
}

/// Encodes a token stream into `out` (appending).
pub fn encode_stream(trees: &[TokenTree], out: &mut Vec<u8>) {
    write_stream(&mut Writer { out }, trees);
}

/// Decodes a token stream produced by [`encode_stream`]; the whole buffer must be used.
///
/// # Errors
/// A [`DecodeError`] naming the offset of the first malformed byte.
pub fn decode_stream(bytes: &[u8]) -> Result<Vec<TokenTree>, DecodeError> {
    let mut r = Reader::new(bytes);
    let trees = read_stream(&mut r)?;
    r.finish()?;
    Ok(trees)
}

fn write_stream(w: &mut Writer<'_>, trees: &[TokenTree]) {
    w.usize(trees.len());
    for tree in trees {
        match tree {
            TokenTree::Group(g) => {
                w.u8(TAG_GROUP);
                w.u8(g.delimiter as u8);
                w.u32(g.span.0);
                w.u32(g.span_open.0);
                w.u32(g.span_close.0);
                write_stream(w, &g.stream);
            }
            TokenTree::Ident(i) => {
                w.u8(TAG_IDENT);
                w.u32(i.span.0);
                w.u8(u8::from(i.is_raw));
                w.str(&i.name);
            }
            TokenTree::Punct(p) => {
                w.u8(TAG_PUNCT);
                w.u32(p.span.0);
                w.u8(p.ch);
                w.u8(p.spacing as u8);
            }
            TokenTree::Literal(l) => {
                w.u8(TAG_LITERAL);
                w.u32(l.span.0);
                let (kind, hashes) = l.kind.encode();
                w.u8(kind);
                w.u8(hashes);
                w.str(&l.symbol);
                w.str(&l.suffix);
            }
        }
    }
}

/// A group whose header has been read and whose stream is being filled.
struct OpenGroup {
    header: Group,
    trees: Vec<TokenTree>,
    left: usize,
}

// Iterative, so that nesting depth costs heap rather than host stack.
//
// Memory is bounded by the input, whatever the counts say: every count is checked against
// the bytes left, and capacity is reserved from one budget of `bytes / 4` trees for the
// whole buffer (the most an honest buffer can hold: the smallest tree, a punct, takes 4
// bytes). A hostile buffer whose nested headers each claim the rest of the data gets its
// reservations from the budget, then grows by pushing (at most three trees' worth of
// capacity per tree decoded, counting the copy made while a vector grows). So decoding
// allocates at most about `size_of::<TokenTree>()` bytes per input byte, plus the strings'
// own bytes (tests/amplification.rs measures it).
fn read_stream(r: &mut Reader<'_>) -> Result<Vec<TokenTree>, DecodeError> {
    let mut budget = r.remaining() / 4;
    let mut reserve = |n: usize| {
        let take = n.min(budget);
        budget -= take;
        Vec::with_capacity(take)
    };
    let n = r.count(4)?;
    let mut stack: Vec<OpenGroup> = Vec::new();
    let mut cur = OpenGroup {
        header: Group {
            delimiter: Delimiter::None,
            span: SpanHandle::NONE,
            span_open: SpanHandle::NONE,
            span_close: SpanHandle::NONE,
            stream: Vec::new(),
        },
        trees: reserve(n),
        left: n,
    };
    loop {
        if cur.left == 0 {
            let Some(mut parent) = stack.pop() else { return Ok(cur.trees) };
            let mut group = cur.header;
            group.stream = cur.trees;
            parent.trees.push(TokenTree::Group(group));
            cur = parent;
            continue;
        }
        cur.left -= 1;
        let tree = match r.u8()? {
            TAG_GROUP => {
                let delimiter = match r.u8()? {
                    0 => Delimiter::Parenthesis,
                    1 => Delimiter::Brace,
                    2 => Delimiter::Bracket,
                    3 => Delimiter::None,
                    _ => return Err(r.err("unknown delimiter")),
                };
                let span = SpanHandle(r.u32()?);
                let span_open = SpanHandle(r.u32()?);
                let span_close = SpanHandle(r.u32()?);
                if stack.len() >= MAX_NESTING {
                    return Err(r.err("groups nested too deeply"));
                }
                let n = r.count(4)?;
                let header = Group { delimiter, span, span_open, span_close, stream: Vec::new() };
                let child = OpenGroup { header, trees: reserve(n), left: n };
                stack.push(core::mem::replace(&mut cur, child));
                continue;
            }
            TAG_IDENT => {
                let span = SpanHandle(r.u32()?);
                let is_raw = match r.u8()? {
                    0 => false,
                    1 => true,
                    _ => return Err(r.err("raw flag must be 0 or 1")),
                };
                let name = r.string()?;
                TokenTree::Ident(Ident { name, is_raw, span })
            }
            TAG_PUNCT => {
                let span = SpanHandle(r.u32()?);
                let ch = r.u8()?;
                let spacing = match r.u8()? {
                    0 => Spacing::Alone,
                    1 => Spacing::Joint,
                    _ => return Err(r.err("spacing must be 0 or 1")),
                };
                TokenTree::Punct(Punct { ch, spacing, span })
            }
            TAG_LITERAL => {
                let span = SpanHandle(r.u32()?);
                let tag = r.u8()?;
                let hashes = r.u8()?;
                let kind = LitKind::decode(tag, hashes).ok_or_else(|| r.err("unknown literal kind"))?;
                let symbol = r.string()?;
                let suffix = r.string()?;
                TokenTree::Literal(Literal { kind, symbol, suffix, span })
            }
            _ => return Err(r.err("unknown token tree tag")),
        };
        cur.trees.push(tree);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn ident(name: &str, span: u32) -> TokenTree {
        TokenTree::Ident(Ident { name: name.to_string(), is_raw: false, span: SpanHandle(span) })
    }

    fn sample() -> Vec<TokenTree> {
        vec![
            ident("struct", 3),
            TokenTree::Ident(Ident { name: "type".into(), is_raw: true, span: SpanHandle(300) }),
            TokenTree::Group(Group {
                delimiter: Delimiter::Brace,
                span: SpanHandle(5),
                span_open: SpanHandle(6),
                span_close: SpanHandle(7),
                stream: vec![
                    TokenTree::Punct(Punct { ch: b'+', spacing: Spacing::Joint, span: SpanHandle(0) }),
                    TokenTree::Literal(Literal {
                        kind: LitKind::StrRaw(2),
                        symbol: "a\"b".into(),
                        suffix: "".into(),
                        span: SpanHandle(u32::MAX),
                    }),
                ],
            }),
        ]
    }

    #[test]
    fn stream_round_trips() {
        let trees = sample();
        let mut buf = Vec::new();
        encode_stream(&trees, &mut buf);
        assert_eq!(decode_stream(&buf).unwrap(), trees);
    }

    #[test]
    fn request_round_trips_with_and_without_attr() {
        for attr_args in [None, Some(vec![ident("x", 9)])] {
            let req = Request { attr_args, input: sample() };
            assert_eq!(Request::decode(&req.encode()).unwrap(), req);
        }
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let mut buf = Vec::new();
        encode_stream(&sample(), &mut buf);
        for len in 0..buf.len() {
            assert!(decode_stream(&buf[..len]).is_err(), "prefix of {len} bytes decoded");
        }
    }

    #[test]
    fn huge_counts_are_rejected_before_allocating() {
        let buf = [0xff, 0xff, 0xff, 0xff, 0x0f];
        let err = decode_stream(&buf).unwrap_err();
        assert_eq!(err.reason, "element count exceeds the remaining data");
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let mut buf = Vec::new();
        for _ in 0..=MAX_NESTING + 1 {
            buf.extend_from_slice(&[1, TAG_GROUP, 0, 0, 0, 0]);
        }
        buf.push(0);
        assert_eq!(decode_stream(&buf).unwrap_err().reason, "groups nested too deeply");
    }

    #[test]
    fn literal_source_text() {
        let lit = |kind, symbol: &str, suffix: &str| {
            let mut s = String::new();
            Literal { kind, symbol: symbol.into(), suffix: suffix.into(), span: SpanHandle(0) }
                .write_source(&mut s)
                .unwrap();
            s
        };
        assert_eq!(lit(LitKind::Integer, "1", "u8"), "1u8");
        assert_eq!(lit(LitKind::StrRaw(1), "x", ""), "r#\"x\"#");
        assert_eq!(lit(LitKind::ByteStr, "a\\n", ""), "b\"a\\n\"");
        assert_eq!(lit(LitKind::CStrRaw(0), "c", ""), "cr\"c\"");
        assert_eq!(lit(LitKind::Byte, "a", ""), "b'a'");
    }
}
