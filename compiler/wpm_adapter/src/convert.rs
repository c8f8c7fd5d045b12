//! `proc_macro::TokenStream` ⇄ wire token trees. Going out, every span is interned in the
//! expansion's [`SpanTable`]; coming back, every handle, identifier, punct and literal
//! from the guest is checked before a `proc_macro` constructor (which could panic) sees it.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use wpm_abi as abi;

use crate::source_runs;
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

/// Converts guest output back into a real token stream.
///
/// # Errors
/// A message naming the first invalid token (unknown span handle, invalid identifier,
/// punct or literal).
///
/// Runs of call-site tokens are built from their source text in one call (see
/// [`source_runs`]); the rest token by token.
pub(crate) fn from_wire(trees: &[abi::TokenTree], table: &SpanTable) -> Result<TokenStream, String> {
    match level(trees, table)? {
        Level::Built(stream) => Ok(stream),
        Level::Writable(count) => writable_stream(trees, count, table),
    }
}

/// One level of guest output, looked at once, bottom-up.
enum Level {
    /// Every tree can be written as text: nothing is built yet (the enclosing level
    /// decides whether as text or token by token). The number of tokens.
    Writable(usize),
    /// Built, since some tree cannot be written as text.
    Built(TokenStream),
}

fn level(trees: &[abi::TokenTree], table: &SpanTable) -> Result<Level, String> {
    // Groups first: each stream is either wholly writable or built now, once.
    let mut inner = vec![false; trees.len()];
    let mut counts = vec![1; trees.len()];
    let mut built: Vec<Option<TokenStream>> = Vec::new();
    built.resize_with(trees.len(), || None);
    for (i, tree) in trees.iter().enumerate() {
        if let abi::TokenTree::Group(g) = tree {
            match level(&g.stream, table)? {
                Level::Writable(count) => {
                    inner[i] = true;
                    counts[i] = count + 2;
                }
                Level::Built(stream) => built[i] = Some(stream),
            }
        }
    }
    let flags = source_runs::writable_flags(trees, &inner);
    if flags.iter().all(|f| *f) {
        return Ok(Level::Writable(counts.iter().sum()));
    }
    let mut streams: Vec<TokenStream> = Vec::new();
    let mut pending: Vec<TokenTree> = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        if flags[i] {
            let end = flags[i..].iter().position(|f| !f).map_or(trees.len(), |n| i + n);
            let run = &trees[i..end];
            let count: usize = counts[i..end].iter().sum();
            if count >= source_runs::MIN_RUN_TOKENS {
                if let Some(stream) = parse_run(run) {
                    if !pending.is_empty() {
                        streams.push(pending.drain(..).collect());
                    }
                    streams.push(stream);
                    i = end;
                    continue;
                }
            }
            for tree in run {
                pending.push(tree_from_wire(tree, table)?);
            }
            i = end;
            continue;
        }
        let tree = &trees[i];
        pending.push(match (tree, built[i].take()) {
            (abi::TokenTree::Group(g), Some(stream)) => group(g, stream, table)?,
            (abi::TokenTree::Group(g), None) => {
                // A wholly writable stream in a group that is not (its span is not the
                // call site's, or it is invisible).
                group(g, writable_stream(&g.stream, counts[i] - 2, table)?, table)?
            }
            _ => tree_from_wire(tree, table)?,
        });
        i += 1;
    }
    if streams.is_empty() {
        return Ok(Level::Built(pending.into_iter().collect()));
    }
    if !pending.is_empty() {
        streams.push(pending.into_iter().collect());
    }
    Ok(Level::Built(streams.into_iter().collect()))
}

/// Builds a wholly writable stream of `count` tokens: as one text run if it is long
/// enough, else token by token.
fn writable_stream(trees: &[abi::TokenTree], count: usize, table: &SpanTable) -> Result<TokenStream, String> {
    if count >= source_runs::MIN_RUN_TOKENS {
        if let Some(stream) = parse_run(trees) {
            return Ok(stream);
        }
    }
    one_by_one(trees, table)
}

/// A wholly writable stream built token by token. Only reached for streams shorter than a
/// run (so no run inside them is long enough either) or, as a fallback, for a run rustc
/// refused to lex: nothing to look for, nothing looked at again.
fn one_by_one(trees: &[abi::TokenTree], table: &SpanTable) -> Result<TokenStream, String> {
    trees.iter().map(|tree| tree_from_wire(tree, table)).collect()
}

/// `run` built from its source text. The run lexes by construction; should rustc still
/// refuse it (`None`), its tokens are built one by one instead.
fn parse_run(run: &[abi::TokenTree]) -> Option<TokenStream> {
    let mut text = String::new();
    source_runs::write_run(run, &mut text);
    text.parse::<TokenStream>().ok()
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

/// One tree, token by token. A group reaches here only from a wholly writable stream
/// (see [`one_by_one`]); other groups are built by [`level`].
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
