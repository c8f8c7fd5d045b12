//! `proc_macro::TokenStream` ⇄ wire token trees. Going out, every span is interned in the
//! expansion's [`SpanTable`]; coming back (as the host's [`Piece`]s), every handle,
//! identifier, punct and literal from the guest is checked before a `proc_macro`
//! constructor (which could panic) sees it.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use wpm_abi as abi;
use wpm_host::Piece;

use crate::spans::SpanTable;
use crate::text;

/// Converts a stream for the guest, interning its spans.
pub(crate) fn to_wire(stream: TokenStream, table: &mut SpanTable) -> Vec<abi::TokenTree> {
    stream.into_iter().map(|tree| tree_to_wire(tree, table)).collect()
}

fn tree_to_wire(tree: TokenTree, table: &mut SpanTable) -> abi::TokenTree {
    match tree {
        TokenTree::Group(g) => abi::TokenTree::Group(abi::Group {
            delimiter: match g.delimiter() {
                Delimiter::Parenthesis => abi::Delimiter::Parenthesis,
                Delimiter::Brace => abi::Delimiter::Brace,
                Delimiter::Bracket => abi::Delimiter::Bracket,
                Delimiter::None => abi::Delimiter::None,
            },
            span: table.intern(g.span()),
            span_open: table.intern(g.span_open()),
            span_close: table.intern(g.span_close()),
            stream: to_wire(g.stream(), table),
        }),
        TokenTree::Ident(i) => {
            let text = i.to_string();
            let (name, is_raw) = match text.strip_prefix("r#") {
                Some(rest) => (rest.to_owned(), true),
                None => (text, false),
            };
            abi::TokenTree::Ident(abi::Ident { name, is_raw, span: table.intern(i.span()) })
        }
        TokenTree::Punct(p) => abi::TokenTree::Punct(abi::Punct {
            // Punct chars are ASCII by construction (see `text::check_punct`).
            ch: u8::try_from(p.as_char()).unwrap_or(b'?'),
            spacing: match p.spacing() {
                Spacing::Joint => abi::Spacing::Joint,
                Spacing::Alone => abi::Spacing::Alone,
            },
            span: table.intern(p.span()),
        }),
        TokenTree::Literal(l) => {
            let source = l.to_string();
            let (kind, symbol, suffix) = text::split_literal(&source);
            abi::TokenTree::Literal(abi::Literal {
                kind,
                symbol: symbol.to_owned(),
                suffix: suffix.to_owned(),
                span: table.intern(l.span()),
            })
        }
    }
}

/// Builds guest output, prepared by the host ([`wpm_host::pieces`]), as a real token
/// stream: the runs from their source text, all lexed by one `TokenStream::from_str`
/// (see [`lex_runs`]), the other trees token by token, every handle, identifier, punct
/// and literal checked first.
///
/// # Errors
/// A message naming the first invalid token (unknown span handle, invalid identifier,
/// punct or literal), or runs rustc does not lex (runs lex by construction: only an entry
/// damaged in the cache could hold one).
pub(crate) fn from_pieces(pieces: &[Piece], table: &SpanTable) -> Result<TokenStream, String> {
    let mut runs = lex_runs(pieces)?.into_iter();
    build(pieces, table, &mut runs)
}

/// The stream of every [`Piece::Run`] in `pieces` (groups' pieces included), in the order
/// [`build`] takes them, from one `TokenStream::from_str`.
///
/// Each `from_str` adds a source file to rustc's source map, which costs more than
/// lexing a short run; so the runs are written one after the other, each in parentheses
/// (`( run1 ) ( run2 ) ...`), lexed once, and each run is the stream of its group. A
/// space after every opening parenthesis keeps the run's first token as it lexes alone
/// (see `wpm_host::runs`), and every run's text ends in a space, so the closing one
/// changes nothing either.
fn lex_runs(pieces: &[Piece]) -> Result<Vec<TokenStream>, String> {
    fn write(pieces: &[Piece], text: &mut String, count: &mut usize) {
        for piece in pieces {
            match piece {
                Piece::Run(run) => {
                    text.push_str("( ");
                    text.push_str(run);
                    text.push_str(") ");
                    *count += 1;
                }
                Piece::Trees(_) => {}
                Piece::Group(_, inner) => write(inner, text, count),
            }
        }
    }
    let (mut text, mut count) = (String::new(), 0);
    write(pieces, &mut text, &mut count);
    if count == 0 {
        return Ok(Vec::new());
    }
    let does_not_lex = || {
        let head: String = text.chars().take(80).collect();
        format!("the runs of call-site tokens do not lex: `{}`", head.escape_debug())
    };
    let lexed: TokenStream = text.parse().map_err(|_| does_not_lex())?;
    let mut runs = Vec::with_capacity(count);
    for tree in lexed {
        match tree {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => runs.push(g.stream()),
            _ => return Err(does_not_lex()),
        }
    }
    if runs.len() != count {
        return Err(does_not_lex());
    }
    Ok(runs)
}

/// [`from_pieces`] once the runs are lexed: `runs` yields them in order.
fn build(
    pieces: &[Piece],
    table: &SpanTable,
    runs: &mut impl Iterator<Item = TokenStream>,
) -> Result<TokenStream, String> {
    let mut streams: Vec<TokenStream> = Vec::new();
    let mut pending: Vec<TokenTree> = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Run(_) => {
                // `lex_runs` gave one stream per run.
                let run = runs.next().ok_or("a run was not lexed")?;
                if !pending.is_empty() {
                    streams.push(pending.drain(..).collect());
                }
                streams.push(run);
            }
            Piece::Trees(trees) => {
                for tree in trees {
                    pending.push(tree_from_wire(tree, table)?);
                }
            }
            Piece::Group(g, inner) => pending.push(group(g, build(inner, table, runs)?, table)?),
        }
    }
    if streams.is_empty() {
        return Ok(pending.into_iter().collect());
    }
    if !pending.is_empty() {
        streams.push(pending.into_iter().collect());
    }
    Ok(streams.into_iter().collect())
}

/// A stream built token by token.
fn one_by_one(trees: &[abi::TokenTree], table: &SpanTable) -> Result<TokenStream, String> {
    trees.iter().map(|tree| tree_from_wire(tree, table)).collect()
}

/// Group `g` holding `stream`, at `g`'s span.
fn group(g: &abi::Group, stream: TokenStream, table: &SpanTable) -> Result<TokenTree, String> {
    let delimiter = match g.delimiter {
        abi::Delimiter::Parenthesis => Delimiter::Parenthesis,
        abi::Delimiter::Brace => Delimiter::Brace,
        abi::Delimiter::Bracket => Delimiter::Bracket,
        abi::Delimiter::None => Delimiter::None,
    };
    // Stable proc_macro can only set the whole group's span; the open/close spans follow
    // from it.
    let mut group = Group::new(delimiter, stream);
    group.set_span(span(table, g.span)?);
    Ok(TokenTree::Group(group))
}

fn span(table: &SpanTable, handle: abi::SpanHandle) -> Result<Span, String> {
    table.get(handle).ok_or_else(|| format!("span handle {} was never handed out", handle.0))
}

/// One tree, token by token (a group with its whole stream).
fn tree_from_wire(tree: &abi::TokenTree, table: &SpanTable) -> Result<TokenTree, String> {
    Ok(match tree {
        abi::TokenTree::Group(g) => group(g, one_by_one(&g.stream, table)?, table)?,
        abi::TokenTree::Ident(i) => {
            text::check_ident(&i.name, i.is_raw)?;
            let s = span(table, i.span)?;
            TokenTree::Ident(if i.is_raw { Ident::new_raw(&i.name, s) } else { Ident::new(&i.name, s) })
        }
        abi::TokenTree::Punct(p) => {
            let ch = text::check_punct(p.ch)?;
            let spacing = match p.spacing {
                abi::Spacing::Joint => Spacing::Joint,
                abi::Spacing::Alone => Spacing::Alone,
            };
            let mut punct = Punct::new(ch, spacing);
            punct.set_span(span(table, p.span)?);
            TokenTree::Punct(punct)
        }
        abi::TokenTree::Literal(l) => {
            let mut lit = match built_literal(l) {
                Some(lit) => lit,
                None => {
                    let mut source = String::new();
                    // Writing into a String cannot fail.
                    let _ = l.write_source(&mut source);
                    source.parse().map_err(|_| format!("`{}` is not a valid literal", source.escape_debug()))?
                }
            };
            lit.set_span(span(table, l.span)?);
            TokenTree::Literal(lit)
        }
    })
}

/// The literal built by a `proc_macro` constructor, for the common literals a constructor
/// reproduces exactly (same kind, symbol and suffix as rustc's lexer would give): plain
/// decimal integers and strings or chars of printable ASCII without escapes. `None` for
/// the rest, which go through `Literal::from_str` (a round trip through rustc's lexer,
/// several times slower).
fn built_literal(l: &abi::Literal) -> Option<Literal> {
    let printable = |s: &str, quote: u8| s.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'\\' && b != quote);
    match l.kind {
        abi::LitKind::Integer => integer_literal(&l.symbol, &l.suffix),
        abi::LitKind::Str if l.suffix.is_empty() && printable(&l.symbol, b'"') => Some(Literal::string(&l.symbol)),
        abi::LitKind::Char if l.suffix.is_empty() && l.symbol.len() == 1 && printable(&l.symbol, b'\'') => {
            Some(Literal::character(char::from(l.symbol.as_bytes()[0])))
        }
        _ => None,
    }
}

/// `symbol` + `suffix` as a literal when `symbol` is the canonical decimal form of a value
/// that fits the suffix's type (what the integer constructors print), else `None`.
fn integer_literal(symbol: &str, suffix: &str) -> Option<Literal> {
    let canonical =
        !symbol.is_empty() && symbol.bytes().all(|b| b.is_ascii_digit()) && (symbol == "0" || !symbol.starts_with('0'));
    if !canonical {
        return None;
    }
    let value: u128 = symbol.parse().ok()?;
    macro_rules! suffixed {
        ($($suffix:literal => $ty:ty, $ctor:ident;)*) => {
            match suffix {
                "" => Some(Literal::u128_unsuffixed(value)),
                $($suffix => <$ty>::try_from(value).ok().map(Literal::$ctor),)*
                _ => None,
            }
        };
    }
    suffixed! {
        "u8" => u8, u8_suffixed;
        "u16" => u16, u16_suffixed;
        "u32" => u32, u32_suffixed;
        "u64" => u64, u64_suffixed;
        "u128" => u128, u128_suffixed;
        "usize" => usize, usize_suffixed;
        "i8" => i8, i8_suffixed;
        "i16" => i16, i16_suffixed;
        "i32" => i32, i32_suffixed;
        "i64" => i64, i64_suffixed;
        "i128" => i128, i128_suffixed;
        "isize" => isize, isize_suffixed;
    }
}
