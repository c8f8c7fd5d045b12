//! Token trees: `TokenTree`, `Group`, `Ident`, `Punct` and their enums.
//!
//! Besides the public fields each leaf carries `hidden` ([`Tight`]): rustc's `JointHidden`
//! spacing, i.e. "the source had no whitespace after this token". The lexer sets it for the
//! streams it makes; trees the host sends carry the span of the token that followed them,
//! and the printer asks the host whether the two touch. Only the printer reads it, and
//! iterating a stream clears it (as crossing rustc's bridge does), so it never changes what
//! a macro can observe except through `to_string`.

use std::fmt;
use std::rc::Rc;

use wpm_abi::{SpanHandle, SpanLocation};

use crate::{host, Literal, Span, TokenStream};

/// Whether a token had no whitespace after it in the source (rustc's `JointHidden`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Tight {
    /// Whitespace followed, or nothing is known (every token a macro makes).
    No,
    /// The lexer saw the next token right after it.
    Yes,
    /// A token from the host, which sent this span for the token after it: tight if its
    /// own span ends where that one starts. Asked only when printing.
    Ask(SpanHandle),
}

impl Tight {
    /// From the lexer's answer.
    pub(crate) fn from_lexer(tight: bool) -> Tight {
        if tight {
            Tight::Yes
        } else {
            Tight::No
        }
    }

    /// The answer for a token spanning `own`, asking the host if need be (four location
    /// queries: lines and columns, which every host answers; byte offsets are not).
    pub(crate) fn resolve(self, own: Span) -> bool {
        match self {
            Tight::No => false,
            Tight::Yes => true,
            Tight::Ask(next) => {
                let at =
                    |span: SpanHandle, line, column| Some((host::location(span, line)?, host::location(span, column)?));
                let end = at(own.handle, SpanLocation::EndLine, SpanLocation::EndColumn);
                end.is_some() && end == at(next, SpanLocation::StartLine, SpanLocation::StartColumn)
            }
        }
    }
}

/// A single token or a delimited sequence of token trees.
#[derive(Clone)]
pub enum TokenTree {
    /// A token stream surrounded by bracket delimiters.
    Group(Group),
    /// An identifier.
    Ident(Ident),
    /// A single punctuation character.
    Punct(Punct),
    /// A literal character, string or number.
    Literal(Literal),
}

impl TokenTree {
    /// The span of this tree.
    pub fn span(&self) -> Span {
        match self {
            TokenTree::Group(t) => t.span(),
            TokenTree::Ident(t) => t.span(),
            TokenTree::Punct(t) => t.span(),
            TokenTree::Literal(t) => t.span(),
        }
    }

    /// Sets the span of this tree (for a group, of its delimiters).
    pub fn set_span(&mut self, span: Span) {
        match self {
            TokenTree::Group(t) => t.set_span(span),
            TokenTree::Ident(t) => t.set_span(span),
            TokenTree::Punct(t) => t.set_span(span),
            TokenTree::Literal(t) => t.set_span(span),
        }
    }

    /// Forgets lexer-only spacing, as rustc does when a stream is handed out as trees.
    pub(crate) fn clear_hidden(&mut self) {
        match self {
            TokenTree::Group(t) => {
                t.open_hidden = Tight::No;
                t.close_hidden = Tight::No;
            }
            TokenTree::Ident(t) => t.hidden = Tight::No,
            TokenTree::Punct(t) => {
                t.hidden = Tight::No;
                t.doc = None;
            }
            TokenTree::Literal(t) => t.hidden = Tight::No,
        }
    }
}

impl fmt::Debug for TokenTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenTree::Group(t) => t.fmt(f),
            TokenTree::Ident(t) => t.fmt(f),
            TokenTree::Punct(t) => t.fmt(f),
            TokenTree::Literal(t) => t.fmt(f),
        }
    }
}

impl fmt::Display for TokenTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenTree::Group(t) => t.fmt(f),
            TokenTree::Ident(t) => t.fmt(f),
            TokenTree::Punct(t) => t.fmt(f),
            TokenTree::Literal(t) => t.fmt(f),
        }
    }
}

macro_rules! tree_from {
    ($($t:ident),*) => {$(
        impl From<$t> for TokenTree {
            fn from(t: $t) -> TokenTree {
                TokenTree::$t(t)
            }
        }
    )*};
}
tree_from!(Group, Ident, Punct, Literal);

/// How a [`Group`] is delimited.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Delimiter {
    /// `( ... )`
    Parenthesis,
    /// `{ ... }`
    Brace,
    /// `[ ... ]`
    Bracket,
    /// An invisible delimiter, e.g. around a `$var` substituted by `macro_rules!`.
    None,
}

/// A delimited token stream.
#[derive(Clone)]
pub struct Group {
    pub(crate) delimiter: Delimiter,
    pub(crate) stream: TokenStream,
    pub(crate) span: Span,
    pub(crate) span_open: Span,
    pub(crate) span_close: Span,
    /// No whitespace after the opening delimiter.
    pub(crate) open_hidden: Tight,
    /// No whitespace after the closing delimiter.
    pub(crate) close_hidden: Tight,
}

impl Group {
    /// A new group with the given delimiter and stream, spanning the call site.
    pub fn new(delimiter: Delimiter, stream: TokenStream) -> Group {
        let cs = Span::call_site();
        Group {
            delimiter,
            stream,
            span: cs,
            span_open: cs,
            span_close: cs,
            open_hidden: Tight::No,
            close_hidden: Tight::No,
        }
    }

    /// The delimiter.
    pub fn delimiter(&self) -> Delimiter {
        self.delimiter
    }

    /// The tokens between the delimiters (a cheap clone).
    pub fn stream(&self) -> TokenStream {
        self.stream.clone()
    }

    /// The span of the whole group, delimiters included.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The span of the opening delimiter.
    pub fn span_open(&self) -> Span {
        self.span_open
    }

    /// The span of the closing delimiter.
    pub fn span_close(&self) -> Span {
        self.span_close
    }

    /// Sets the span of the group and both delimiters; the inner tokens keep theirs.
    pub fn set_span(&mut self, span: Span) {
        self.span = span;
        self.span_open = span;
        self.span_close = span;
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::print::trees_to_string(std::slice::from_ref(&TokenTree::Group(self.clone()))))
    }
}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group")
            .field("delimiter", &self.delimiter())
            .field("stream", &self.stream())
            .field("span", &self.span())
            .finish()
    }
}

/// Whether a [`Punct`] is immediately followed by another `Punct`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Spacing {
    /// Immediately followed by another punct: `+` in `+=`, `'` in `'a`.
    Joint,
    /// Anything else.
    Alone,
}

/// The characters a [`Punct`] may hold.
pub(crate) const LEGAL_PUNCT: &[u8] = b"=<>!~+-*/%^&|@.,;:#$?'";

/// A single punctuation character.
#[derive(Clone)]
pub struct Punct {
    pub(crate) ch: u8,
    pub(crate) joint: bool,
    pub(crate) hidden: Tight,
    /// Lexer-only: this `#` starts a desugared doc comment, which rustc still prints as
    /// the comment until the stream is taken apart.
    pub(crate) doc: Option<Rc<DocComment>>,
    pub(crate) span: Span,
}

/// A doc comment as written, kept for printing.
pub(crate) struct DocComment {
    /// `///text`, `//!text`, `/**text*/` or `/*!text*/`.
    pub(crate) source: String,
    /// A line comment (nothing is printed between it and the next token).
    pub(crate) line: bool,
    /// How many trees after the `#` belong to it (`[...]`, or `!` and `[...]`).
    pub(crate) trees: usize,
}

impl Punct {
    /// A new punct at the call site.
    ///
    /// # Panics
    /// If `ch` is not one of ``= < > ! ~ + - * / % ^ & | @ . , ; : # $ ? '``.
    pub fn new(ch: char, spacing: Spacing) -> Punct {
        if !ch.is_ascii() || !LEGAL_PUNCT.contains(&(ch as u8)) {
            panic!("unsupported character `{ch:?}`");
        }
        Punct { ch: ch as u8, joint: spacing == Spacing::Joint, hidden: Tight::No, doc: None, span: Span::call_site() }
    }

    /// The character.
    pub fn as_char(&self) -> char {
        self.ch as char
    }

    /// The spacing.
    pub fn spacing(&self) -> Spacing {
        if self.joint {
            Spacing::Joint
        } else {
            Spacing::Alone
        }
    }

    /// The span.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Sets the span.
    pub fn set_span(&mut self, span: Span) {
        self.span = span;
    }
}

impl fmt::Display for Punct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

impl fmt::Debug for Punct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Punct")
            .field("ch", &self.as_char())
            .field("spacing", &self.spacing())
            .field("span", &self.span())
            .finish()
    }
}

impl PartialEq<char> for Punct {
    fn eq(&self, rhs: &char) -> bool {
        self.as_char() == *rhs
    }
}

impl PartialEq<Punct> for char {
    fn eq(&self, rhs: &Punct) -> bool {
        *self == rhs.as_char()
    }
}

/// An identifier or keyword.
#[derive(Clone)]
pub struct Ident {
    pub(crate) sym: Rc<str>,
    pub(crate) is_raw: bool,
    pub(crate) hidden: Tight,
    pub(crate) span: Span,
}

pub(crate) use wpm_abi::ident::{can_be_raw, is_ident};

impl Ident {
    fn make(string: &str, is_raw: bool, span: Span) -> Ident {
        if !(is_ident(string) || string == "$crate") {
            panic!("`{string:?}` is not a valid identifier");
        }
        if is_raw && !can_be_raw(string) {
            panic!("`{string}` cannot be a raw identifier");
        }
        Ident { sym: Rc::from(string), is_raw, hidden: Tight::No, span }
    }

    /// A new identifier with the given text and span.
    ///
    /// # Panics
    /// If `string` is not a valid identifier. Non-ASCII identifiers are checked but not
    /// NFC-normalized (rustc normalizes them).
    pub fn new(string: &str, span: Span) -> Ident {
        Ident::make(string, false, span)
    }

    /// A new raw identifier (`r#string`).
    ///
    /// # Panics
    /// If `string` is not a valid identifier or is one of `_ super self Self crate`.
    pub fn new_raw(string: &str, span: Span) -> Ident {
        Ident::make(string, true, span)
    }

    /// The span.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Sets the span.
    pub fn set_span(&mut self, span: Span) {
        self.span = span;
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_raw {
            f.write_str("r#")?;
        }
        f.write_str(&self.sym)
    }
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ident").field("ident", &self.to_string()).field("span", &self.span()).finish()
    }
}
