//! The Rust lexer behind `TokenStream::from_str` and `Literal::from_str`.
//!
//! It follows rustc's lexer (`rustc_lexer` plus the token-tree pass of `rustc_parse`):
//! the same token boundaries, literal kinds, symbols and suffixes, the same spacing
//! (`Joint` when a punct is directly followed by another punct), doc comments desugared
//! to `#[doc = "..."]` as rustc hands them to macros, and an error wherever rustc reports
//! one while lexing (unbalanced delimiters, unterminated literals, bad escapes, ...).

use std::rc::Rc;

use rustc_literal_escaper::{check_for_errors, Mode};
use wpm_abi::LitKind;

use crate::tree::{can_be_raw, DocComment, Group, Ident, Punct, Tight, LEGAL_PUNCT};
use crate::{Delimiter, Literal, Span, TokenStream, TokenTree};

/// A token before tree building.
enum Raw {
    Ident { name: String, raw: bool },
    Lifetime { name: String, raw: bool },
    Lit { kind: LitKind, symbol: String, suffix: Option<String> },
    Punct(u8),
    Open(Delimiter),
    Close(Delimiter),
    Doc { inner: bool, block: bool, text: String },
}

fn is_whitespace(c: char) -> bool {
    // Unicode Pattern_White_Space, as rustc_lexer.
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
    )
}

fn is_id_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

fn is_id_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}

struct Cursor<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self, n: usize) -> Option<char> {
        self.src[self.pos..].chars().nth(n)
    }

    fn first(&self) -> Option<char> {
        self.peek(0)
    }

    fn is(&self, n: usize, c: char) -> bool {
        self.peek(n) == Some(c)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.first()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat_while(&mut self, f: impl Fn(char) -> bool) {
        while self.first().is_some_and(&f) {
            self.bump();
        }
    }

    /// Eats digits and `_`; whether any digit (in `radix`) was seen.
    fn eat_digits(&mut self, radix: u32) -> bool {
        let mut any = false;
        while let Some(c) = self.first() {
            if c == '_' {
            } else if c.is_digit(radix) {
                any = true;
            } else {
                break;
            }
            self.bump();
        }
        any
    }

    fn eat_suffix(&mut self) -> Option<String> {
        let start = self.pos;
        if self.first().is_some_and(is_id_start) {
            self.bump();
            self.eat_while(is_id_continue);
            Some(self.src[start..self.pos].to_owned())
        } else {
            None
        }
    }

    /// Skips a `/* */` comment (nested) whose `/*` has been eaten.
    fn block_comment_body(&mut self) -> Result<(), String> {
        let mut depth = 1;
        while depth > 0 {
            match self.bump() {
                None => return Err("unterminated block comment".into()),
                Some('/') if self.first() == Some('*') => {
                    self.bump();
                    depth += 1;
                }
                Some('*') if self.first() == Some('/') => {
                    self.bump();
                    depth -= 1;
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// A quoted body: returns the text between the quotes, the closing quote eaten.
    fn quoted(&mut self, quote: char, what: &str) -> Result<String, String> {
        let start = self.pos;
        loop {
            match self.bump() {
                None => return Err(format!("unterminated {what}")),
                Some('\\') => {
                    self.bump();
                }
                Some(c) if c == quote => return Ok(self.src[start..self.pos - 1].to_owned()),
                Some(_) => {}
            }
        }
    }

    /// A raw string after its `r`: hashes, quote, body, quote, hashes.
    fn raw_string(&mut self) -> Result<(u8, String), String> {
        let mut n = 0usize;
        while self.first() == Some('#') {
            self.bump();
            n += 1;
        }
        if self.bump() != Some('"') {
            return Err("found invalid character; only `#` is allowed in raw string delimitation".into());
        }
        let hashes = u8::try_from(n).map_err(|_| {
            format!("too many `#` symbols: raw strings may be delimited by up to 255 `#` symbols, but found {n}")
        })?;
        let start = self.pos;
        loop {
            match self.bump() {
                None => return Err("unterminated raw string".into()),
                Some('"') => {
                    let body_end = self.pos - 1;
                    if (0..n).all(|i| self.is(i, '#')) {
                        for _ in 0..n {
                            self.bump();
                        }
                        return Ok((hashes, self.src[start..body_end].to_owned()));
                    }
                }
                Some(_) => {}
            }
        }
    }

    fn number(&mut self, first: char) -> Result<Raw, String> {
        let start = self.pos - 1;
        let mut radix = 10;
        let mut kind = LitKind::Integer;
        let mut prefixed = false;
        if first == '0' {
            match self.first() {
                Some(c @ ('b' | 'o' | 'x')) => {
                    radix = match c {
                        'b' => 2,
                        'o' => 8,
                        _ => 16,
                    };
                    prefixed = true;
                    self.bump();
                    // Binary and octal digits are checked when the literal is parsed, not here.
                    if !self.eat_digits(if radix == 16 { 16 } else { 10 }) {
                        return Err("no valid digits found for number".into());
                    }
                }
                Some('0'..='9' | '_') => {
                    self.eat_digits(10);
                }
                _ => {}
            }
        } else {
            self.eat_digits(10);
        }
        let exponent = |cur: &mut Self| -> Result<(), String> {
            cur.bump();
            if matches!(cur.first(), Some('+' | '-')) {
                cur.bump();
            }
            if cur.eat_digits(10) {
                Ok(())
            } else {
                Err("expected at least one digit in exponent".into())
            }
        };
        match self.first() {
            Some('.') if !self.is(1, '.') && !self.peek(1).is_some_and(is_id_start) => {
                self.bump();
                kind = LitKind::Float;
                if self.first().is_some_and(|c| c.is_ascii_digit()) {
                    self.eat_digits(10);
                    if matches!(self.first(), Some('e' | 'E')) {
                        exponent(self)?;
                    }
                }
            }
            Some('e' | 'E') if radix != 16 => {
                kind = LitKind::Float;
                exponent(self)?;
            }
            _ => {}
        }
        if kind == LitKind::Float && prefixed {
            let base = match radix {
                2 => "binary",
                8 => "octal",
                _ => "hexadecimal",
            };
            return Err(format!("{base} float literal is not supported"));
        }
        let symbol = self.src[start..self.pos].to_owned();
        let suffix = self.eat_suffix();
        Ok(Raw::Lit { kind, symbol, suffix })
    }

    fn lifetime_or_char(&mut self) -> Result<Raw, String> {
        let can_be_lifetime = !self.is(1, '\'') && self.first().is_some_and(|c| is_id_start(c) || c.is_ascii_digit());
        if !can_be_lifetime {
            let symbol = self.quoted('\'', "character literal")?;
            let suffix = self.eat_suffix();
            return Ok(Raw::Lit { kind: LitKind::Char, symbol, suffix });
        }
        if self.is(0, 'r') && self.is(1, '#') && self.peek(2).is_some_and(is_id_start) {
            self.bump();
            self.bump();
            let start = self.pos;
            self.eat_while(is_id_continue);
            let name = self.src[start..self.pos].to_owned();
            return Ok(Raw::Lifetime { name, raw: true });
        }
        let start = self.pos;
        let starts_with_number = self.first().is_some_and(|c| c.is_ascii_digit());
        self.bump();
        self.eat_while(is_id_continue);
        if self.first() == Some('\'') {
            // `'ab'`: a character literal of more than one char, which rustc rejects.
            return Err("character literal may only contain one codepoint".into());
        }
        if starts_with_number {
            return Err("lifetimes cannot start with a number".into());
        }
        Ok(Raw::Lifetime { name: self.src[start..self.pos].to_owned(), raw: false })
    }

    fn doc_or_comment_line(&mut self) -> Result<Option<Raw>, String> {
        // `//` has been eaten.
        let inner = self.first() == Some('!');
        let outer = self.first() == Some('/') && !self.is(1, '/');
        if inner || outer {
            self.bump();
        }
        let start = self.pos;
        self.eat_while(|c| c != '\n');
        if !(inner || outer) {
            return Ok(None);
        }
        let text = &self.src[start..self.pos];
        if text.contains('\r') {
            return Err("bare CR not allowed in doc-comment".into());
        }
        Ok(Some(Raw::Doc { inner, block: false, text: text.to_owned() }))
    }

    fn doc_or_comment_block(&mut self) -> Result<Option<Raw>, String> {
        // `/*` has been eaten.
        let inner = self.first() == Some('!');
        let outer = self.first() == Some('*') && !matches!(self.peek(1), Some('*' | '/'));
        let start = self.pos + usize::from(inner || outer);
        self.block_comment_body()?;
        if !(inner || outer) {
            return Ok(None);
        }
        let text = &self.src[start..self.pos - 2];
        if text.contains('\r') {
            return Err("bare CR not allowed in block doc-comment".into());
        }
        Ok(Some(Raw::Doc { inner, block: true, text: text.to_owned() }))
    }

    /// The next token and whether whitespace or a comment came before it.
    fn next(&mut self) -> Result<Option<(Raw, bool)>, String> {
        let mut ws = false;
        loop {
            let Some(c) = self.bump() else { return Ok(None) };
            let tok = match c {
                c if is_whitespace(c) => {
                    ws = true;
                    continue;
                }
                '/' if self.first() == Some('/') => {
                    self.bump();
                    match self.doc_or_comment_line()? {
                        Some(doc) => doc,
                        None => {
                            ws = true;
                            continue;
                        }
                    }
                }
                '/' if self.first() == Some('*') => {
                    self.bump();
                    match self.doc_or_comment_block()? {
                        Some(doc) => doc,
                        None => {
                            ws = true;
                            continue;
                        }
                    }
                }
                'r' if self.is(0, '#') && self.peek(1).is_some_and(is_id_start) => {
                    self.bump();
                    let start = self.pos;
                    self.eat_while(is_id_continue);
                    let name = self.src[start..self.pos].to_owned();
                    if !can_be_raw(&name) {
                        return Err(format!("`{name}` cannot be a raw identifier"));
                    }
                    Raw::Ident { name, raw: true }
                }
                'r' if matches!(self.first(), Some('"' | '#')) => self.raw_lit(LitKind::StrRaw)?,
                'b' if self.is(0, 'r') && matches!(self.peek(1), Some('"' | '#')) => {
                    self.bump();
                    self.raw_lit(LitKind::ByteStrRaw)?
                }
                'c' if self.is(0, 'r') && matches!(self.peek(1), Some('"' | '#')) => {
                    self.bump();
                    self.raw_lit(LitKind::CStrRaw)?
                }
                'b' if self.is(0, '\'') => {
                    self.bump();
                    self.quoted_lit('\'', LitKind::Byte, "byte constant")?
                }
                'b' if self.is(0, '"') => {
                    self.bump();
                    self.quoted_lit('"', LitKind::ByteStr, "double quote byte string")?
                }
                'c' if self.is(0, '"') => {
                    self.bump();
                    self.quoted_lit('"', LitKind::CStr, "double quote c string")?
                }
                '"' => self.quoted_lit('"', LitKind::Str, "double quote string")?,
                '\'' => self.lifetime_or_char()?,
                c if is_id_start(c) => {
                    let start = self.pos - c.len_utf8();
                    self.eat_while(is_id_continue);
                    Raw::Ident { name: self.src[start..self.pos].to_owned(), raw: false }
                }
                '0'..='9' => self.number(c)?,
                '(' => Raw::Open(Delimiter::Parenthesis),
                '[' => Raw::Open(Delimiter::Bracket),
                '{' => Raw::Open(Delimiter::Brace),
                ')' => Raw::Close(Delimiter::Parenthesis),
                ']' => Raw::Close(Delimiter::Bracket),
                '}' => Raw::Close(Delimiter::Brace),
                c if c.is_ascii() && LEGAL_PUNCT.contains(&(c as u8)) => Raw::Punct(c as u8),
                c => return Err(format!("unknown start of token: {}", c.escape_debug())),
            };
            return Ok(Some((tok, ws)));
        }
    }

    fn quoted_lit(&mut self, quote: char, kind: LitKind, what: &str) -> Result<Raw, String> {
        let symbol = self.quoted(quote, what)?;
        let suffix = self.eat_suffix();
        Ok(Raw::Lit { kind, symbol, suffix })
    }

    fn raw_lit(&mut self, kind: fn(u8) -> LitKind) -> Result<Raw, String> {
        let (n, symbol) = self.raw_string()?;
        let suffix = self.eat_suffix();
        Ok(Raw::Lit { kind: kind(n), symbol, suffix })
    }
}

/// Rejects literals whose escapes rustc's lexer reports as errors.
fn check_literal(kind: LitKind, symbol: &str) -> Result<(), String> {
    let mode = match kind {
        LitKind::Char => Mode::Char,
        LitKind::Byte => Mode::Byte,
        LitKind::Str => Mode::Str,
        LitKind::StrRaw(_) => Mode::RawStr,
        LitKind::ByteStr => Mode::ByteStr,
        LitKind::ByteStrRaw(_) => Mode::RawByteStr,
        LitKind::CStr => Mode::CStr,
        LitKind::CStrRaw(_) => Mode::RawCStr,
        LitKind::Integer | LitKind::Float | LitKind::Err => return Ok(()),
    };
    let mut error = None;
    check_for_errors(symbol, mode, |_, e| {
        if e.is_fatal() && error.is_none() {
            error = Some(e);
        }
    });
    match error {
        Some(e) => Err(format!("invalid literal `{symbol}`: {e:?}")),
        None => Ok(()),
    }
}

fn lex_raw(src: &str) -> Result<Vec<(Raw, bool)>, String> {
    let mut cur = Cursor { src, pos: 0 };
    let mut out = Vec::new();
    while let Some((tok, ws)) = cur.next()? {
        if let Raw::Lit { kind, symbol, .. } = &tok {
            check_literal(*kind, symbol)?;
        }
        out.push((tok, ws));
    }
    Ok(out)
}

/// Rust source as rustc loads it: without a byte-order mark, with `\n` line ends.
fn normalize(src: &str) -> std::borrow::Cow<'_, str> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    if src.contains("\r\n") {
        src.replace("\r\n", "\n").into()
    } else {
        src.into()
    }
}

fn doc_trees(inner: bool, block: bool, text: &str, hidden: bool, out: &mut Vec<TokenTree>) {
    let cs = Span::call_site();
    let escaped: String = text.chars().flat_map(char::escape_debug).collect();
    let punct = |ch| TokenTree::Punct(Punct { ch, joint: false, hidden: Tight::No, doc: None, span: cs });
    let source = match (block, inner) {
        (false, false) => format!("///{text}"),
        (false, true) => format!("//!{text}"),
        (true, false) => format!("/**{text}*/"),
        (true, true) => format!("/*!{text}*/"),
    };
    let doc = DocComment { source, line: !block, trees: if inner { 2 } else { 1 } };
    out.push(TokenTree::Punct(Punct {
        ch: b'#',
        joint: false,
        hidden: Tight::from_lexer(hidden),
        doc: Some(Rc::new(doc)),
        span: cs,
    }));
    if inner {
        out.push(punct(b'!'));
    }
    let body = vec![
        TokenTree::Ident(Ident { sym: Rc::from("doc"), is_raw: false, hidden: Tight::No, span: cs }),
        punct(b'='),
        TokenTree::Literal(Literal::new(LitKind::Str, &escaped, None)),
    ];
    out.push(TokenTree::Group(Group::new(Delimiter::Bracket, TokenStream::from_vec(body))));
}

/// Lexes `src` into token trees, every span the call site.
pub(crate) fn lex(src: &str) -> Result<Vec<TokenTree>, String> {
    let src = normalize(src);
    let raws = lex_raw(&src)?;
    let cs = Span::call_site();
    // `hidden` of token i: no whitespace before token i + 1 (rustc's Joint or JointHidden).
    let tight = |i: usize| raws.get(i + 1).is_some_and(|(_, ws)| !ws);
    let punct_next = |i: usize| matches!(raws.get(i + 1), Some((Raw::Punct(_), false)));
    let mut stack: Vec<(Delimiter, Tight, Vec<TokenTree>)> = Vec::new();
    let mut cur: Vec<TokenTree> = Vec::new();
    for (i, (raw, _)) in raws.iter().enumerate() {
        let tight_after = tight(i);
        let hidden = Tight::from_lexer(tight_after);
        match raw {
            Raw::Ident { name, raw } => {
                cur.push(TokenTree::Ident(Ident { sym: Rc::from(name.as_str()), is_raw: *raw, hidden, span: cs }))
            }
            Raw::Lifetime { name, raw } => {
                cur.push(TokenTree::Punct(Punct { ch: b'\'', joint: true, hidden: Tight::No, doc: None, span: cs }));
                cur.push(TokenTree::Ident(Ident { sym: Rc::from(name.as_str()), is_raw: *raw, hidden, span: cs }));
            }
            Raw::Lit { kind, symbol, suffix } => {
                let mut lit = Literal::new(*kind, symbol, suffix.as_deref());
                lit.hidden = hidden;
                cur.push(TokenTree::Literal(lit));
            }
            Raw::Punct(ch) => {
                let joint = punct_next(i);
                let hidden = Tight::from_lexer(tight_after && !joint);
                cur.push(TokenTree::Punct(Punct { ch: *ch, joint, hidden, doc: None, span: cs }));
            }
            Raw::Doc { inner, block, text } => doc_trees(*inner, *block, text, tight_after, &mut cur),
            Raw::Open(d) => stack.push((*d, hidden, std::mem::take(&mut cur))),
            Raw::Close(d) => {
                let Some((open, open_hidden, parent)) = stack.pop() else {
                    return Err(format!("unexpected closing delimiter: `{}`", close_char(*d)));
                };
                if open != *d {
                    return Err(format!("mismatched closing delimiter: `{}`", close_char(*d)));
                }
                let inner = std::mem::replace(&mut cur, parent);
                let mut g = Group::new(open, TokenStream::from_vec(inner));
                g.open_hidden = open_hidden;
                g.close_hidden = hidden;
                cur.push(TokenTree::Group(g));
            }
        }
    }
    if !stack.is_empty() {
        return Err("this file contains an unclosed delimiter".into());
    }
    Ok(cur)
}

fn close_char(d: Delimiter) -> char {
    match d {
        Delimiter::Parenthesis => ')',
        Delimiter::Bracket => ']',
        Delimiter::Brace => '}',
        Delimiter::None => ' ',
    }
}

/// `Literal::from_str`: one literal, optionally a negated number, nothing around it.
pub(crate) fn literal_from_str(src: &str) -> Result<Literal, String> {
    let (negative, body) = match src.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, src),
    };
    let mut cur = Cursor { src: body, pos: 0 };
    let (tok, ws) = match cur.next()? {
        Some(t) => t,
        None => return Err("not a literal".into()),
    };
    let Raw::Lit { kind, symbol, suffix } = tok else { return Err("not a literal".into()) };
    if cur.pos != body.len() || (ws && !negative) {
        return Err("comment or whitespace around literal".into());
    }
    if ws {
        return Err("comment or whitespace after minus".into());
    }
    check_literal(kind, &symbol)?;
    if negative && !matches!(kind, LitKind::Integer | LitKind::Float) {
        return Err("non-numeric literal may not be negated".into());
    }
    let symbol = if negative { format!("-{symbol}") } else { symbol };
    Ok(Literal::new(kind, &symbol, suffix.as_deref()))
}
