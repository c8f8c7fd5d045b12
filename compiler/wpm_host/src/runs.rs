//! Guest output prepared for rustc: runs of call-site tokens written as source text, so
//! that the adapter builds them by lexing (one `TokenStream::from_str` for all runs of an
//! expansion) instead of one `proc_macro` bridge call per token, and the rest as trees
//! ([`Piece`]). [`trees`] reads runs back, for callers that want the guest's trees.
//!
//! Most of a derive's output is `quote!`'d code at `Span::call_site()`, and tokens parsed
//! from a string get exactly that span. Building such tokens one by one costs a bridge
//! round trip each (the bulk of converting guest output, and of a cache hit); lexing the
//! text of every run of an expansion costs one. A run only holds tokens whose text lexes back to the same token trees
//! with the same spacing where spacing matters (between puncts), and whose checks are
//! those of the token-by-token path, so the two paths build the same stream. Pure text
//! rules, free of `proc_macro`, so they are unit-testable.
//!
//! The host prepares the pieces once, when the guest ran, and the expansion cache stores
//! them: a hit neither decodes run tokens one by one nor looks for runs again.

use wpm_abi::ident::{can_be_raw, is_ident};
use wpm_abi::tokens::MAX_NESTING;
use wpm_abi::{Delimiter, Group, Ident, LitKind, Literal, Punct, Spacing, SpanHandle, TokenTree};

/// Guest output, or a group's stream, in the order rustc gets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// The source text of a run of at least [`MIN_RUN_TOKENS`] call-site tokens, which
    /// lexes back to exactly those tokens.
    Run(String),
    /// Trees to build one by one (a group among them has a stream to build one by one).
    Trees(Vec<TokenTree>),
    /// A group whose stream is built from pieces: its header (its stream left empty) and
    /// the stream's pieces.
    Group(Group, Vec<Piece>),
}

/// Whether the identifier `name` (written `r#name` when `is_raw`) can be built.
fn valid_ident(name: &str, is_raw: bool) -> bool {
    is_ident(name) && (!is_raw || can_be_raw(name))
}

/// Runs of fewer tokens are built token by token. The adapter lexes all runs of an
/// expansion with one `TokenStream::from_str` (each call adds a source file to rustc's
/// source map, which costs more than lexing a short run), so short runs pay too; by
/// measurement (serde_derive, warm expansion cache), 8 and 16 are best, 32 loses 5-10% on
/// a 1000-field struct (its field names cut the output into short stretches).
pub const MIN_RUN_TOKENS: usize = 16;

/// Which trees of `trees` can be written as text where they stand: runs are the maximal
/// stretches of `true`. `inner[i]` says whether group `i`'s stream is wholly writable (its
/// own flags all `true`); it is ignored for other trees. Each level is looked at once:
/// the caller computes `inner` bottom-up.
fn writable_flags(trees: &[TokenTree], inner: &[bool]) -> Vec<bool> {
    let mut flags: Vec<bool> = trees
        .iter()
        .enumerate()
        .map(|(i, tree)| match tree {
            TokenTree::Group(g) => {
                // Text gives all three spans the call site's: [`trees`] reads them back so.
                [g.span, g.span_open, g.span_close].iter().all(|s| *s == SpanHandle::CALL_SITE)
                    && g.delimiter != Delimiter::None
                    && inner[i]
            }
            _ => writable(tree, trees.get(i + 1)),
        })
        .collect();
    // A joint punct's spacing survives the text only when the next punct is in the text too.
    for i in (0..flags.len()).rev() {
        let next_in_text = flags.get(i + 1).copied().unwrap_or(false);
        if !next_in_text && matches!(&trees[i], TokenTree::Punct(p) if p.spacing == Spacing::Joint) {
            flags[i] = false;
        }
    }
    flags
}

/// Whether token `tree` (not a group; followed by `next`) lexes back from its text as
/// itself, at the call site.
fn writable(tree: &TokenTree, next: Option<&TokenTree>) -> bool {
    match tree {
        TokenTree::Ident(i) => i.span == SpanHandle::CALL_SITE && valid_ident(&i.name, i.is_raw),
        // A lifetime: `'` joint with a plain identifier lexes back from `'a` as exactly
        // these two tokens (`'a'` cannot form: `write_run` puts a space after identifiers).
        TokenTree::Punct(p) if p.ch == b'\'' => {
            p.span == SpanHandle::CALL_SITE
                && p.spacing == Spacing::Joint
                && matches!(next, Some(TokenTree::Ident(i))
                    if !i.is_raw && i.span == SpanHandle::CALL_SITE && is_ident(&i.name))
        }
        TokenTree::Punct(p) => {
            let joins_next = match next {
                Some(TokenTree::Punct(n)) => n.ch,
                _ => 0,
            };
            p.span == SpanHandle::CALL_SITE
                && Punct::is_valid_char(p.ch)
                // A joint `/` before `/` or `*` would open a comment.
                && !(p.ch == b'/' && p.spacing == Spacing::Joint && matches!(joins_next, b'/' | b'*'))
                // Lexed, a punct glued to a lifetime (`&'a`) is not joint: a lifetime is no punct.
                && !(p.spacing == Spacing::Joint && joins_next == b'\'')
                // A joint punct must be followed by a punct: `+` glued to `x` is not `+x`'s
                // spacing. (`writable_flags` also drops a joint punct whose next punct is
                // not written.)
                && (p.spacing == Spacing::Alone || joins_next != 0)
        }
        TokenTree::Literal(l) => l.span == SpanHandle::CALL_SITE && plain_literal(l),
        TokenTree::Group(_) => false,
    }
}

/// Literals whose text is unambiguous and valid by construction: canonical decimal
/// integers with an integer suffix or none, and strings or chars of printable ASCII
/// without escapes or quotes (what the token-by-token path builds with constructors).
fn plain_literal(l: &Literal) -> bool {
    let printable = |s: &str, quote: u8| s.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'\\' && b != quote);
    match l.kind {
        LitKind::Integer => {
            let s = l.symbol.as_str();
            !s.is_empty()
                && s.bytes().all(|b| b.is_ascii_digit())
                && (s == "0" || !s.starts_with('0'))
                && matches!(
                    l.suffix.as_str(),
                    "" | "u8"
                        | "u16"
                        | "u32"
                        | "u64"
                        | "u128"
                        | "usize"
                        | "i8"
                        | "i16"
                        | "i32"
                        | "i64"
                        | "i128"
                        | "isize"
                )
        }
        LitKind::Str => l.suffix.is_empty() && printable(&l.symbol, b'"'),
        LitKind::Char => l.suffix.is_empty() && l.symbol.len() == 1 && printable(&l.symbol, b'\''),
        _ => false,
    }
}

/// Writes `trees`, a whole run as found by [`writable_flags`], as source text.
fn write_run(trees: &[TokenTree], out: &mut String) {
    for tree in trees {
        match tree {
            TokenTree::Ident(i) => {
                if i.is_raw {
                    out.push_str("r#");
                }
                out.push_str(&i.name);
                out.push(' ');
            }
            TokenTree::Punct(Punct { ch, spacing, .. }) => {
                out.push(char::from(*ch));
                if *spacing == Spacing::Alone {
                    out.push(' ');
                }
            }
            TokenTree::Literal(l) => {
                // Writing into a String cannot fail.
                let _ = l.write_source(out);
                out.push(' ');
            }
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter {
                    Delimiter::Parenthesis => ('(', ')'),
                    Delimiter::Brace => ('{', '}'),
                    Delimiter::Bracket => ('[', ']'),
                    // `writable` keeps invisible groups out of runs.
                    Delimiter::None => unreachable!("invisible group in a source run"),
                };
                // A space after the opening delimiter as after every other token: lexed
                // without one, the delimiter would be joint to its first token, and rustc
                // prints token streams (a `macro_rules!` body in the output) by spacing.
                out.push(open);
                out.push(' ');
                write_run(&g.stream, out);
                out.push(close);
                out.push(' ');
            }
        }
    }
}

/// `trees` (a guest's output) as pieces: each maximal stretch of writable trees of at
/// least [`MIN_RUN_TOKENS`] tokens (a group counts its delimiters and its stream) as one
/// [`Piece::Run`], the rest as trees. Each level is looked at once, bottom-up.
pub fn pieces(trees: Vec<TokenTree>) -> Vec<Piece> {
    match level(trees) {
        Level::Built(pieces) => pieces,
        Level::Writable(trees, count) => writable_stream(trees, count),
    }
}

/// One level of output, looked at once, bottom-up.
enum Level {
    /// Every tree can be written as text; nothing is decided yet (the enclosing level
    /// decides whether as text or token by token). The trees, and their number of tokens.
    Writable(Vec<TokenTree>, usize),
    /// Some tree cannot be written as text: the level's pieces.
    Built(Vec<Piece>),
}

fn level(mut trees: Vec<TokenTree>) -> Level {
    // Groups first: each stream is either wholly writable or split into pieces now, once.
    let mut inner = vec![false; trees.len()];
    let mut counts = vec![1; trees.len()];
    let mut built: Vec<Option<Vec<Piece>>> = Vec::new();
    built.resize_with(trees.len(), || None);
    for (i, tree) in trees.iter_mut().enumerate() {
        if let TokenTree::Group(g) = tree {
            match level(std::mem::take(&mut g.stream)) {
                Level::Writable(stream, count) => {
                    g.stream = stream;
                    inner[i] = true;
                    counts[i] = count + 2;
                }
                Level::Built(pieces) => built[i] = Some(pieces),
            }
        }
    }
    let flags = writable_flags(&trees, &inner);
    if flags.iter().all(|f| *f) {
        let count = counts.iter().sum();
        return Level::Writable(trees, count);
    }
    let mut out: Vec<Piece> = Vec::new();
    let mut pending: Vec<TokenTree> = Vec::new();
    let flush = |pending: &mut Vec<TokenTree>, out: &mut Vec<Piece>| {
        if !pending.is_empty() {
            out.push(Piece::Trees(std::mem::take(pending)));
        }
    };
    let mut i = 0;
    let mut trees = trees.into_iter();
    while i < flags.len() {
        if flags[i] {
            let end = flags[i..].iter().position(|f| !f).map_or(flags.len(), |n| i + n);
            let run: Vec<TokenTree> = trees.by_ref().take(end - i).collect();
            if counts[i..end].iter().sum::<usize>() >= MIN_RUN_TOKENS {
                flush(&mut pending, &mut out);
                let mut text = String::new();
                write_run(&run, &mut text);
                out.push(Piece::Run(text));
            } else {
                pending.extend(run);
            }
            i = end;
            continue;
        }
        let Some(tree) = trees.next() else { break };
        match (tree, built[i].take()) {
            (TokenTree::Group(g), Some(pieces)) => {
                flush(&mut pending, &mut out);
                out.push(Piece::Group(g, pieces));
            }
            (TokenTree::Group(mut g), None) => {
                // A wholly writable stream in a group that is not (its span is not the
                // call site's, or it is invisible).
                let stream = std::mem::take(&mut g.stream);
                flush(&mut pending, &mut out);
                out.push(Piece::Group(g, writable_stream(stream, counts[i] - 2)));
            }
            (tree, _) => pending.push(tree),
        }
        i += 1;
    }
    flush(&mut pending, &mut out);
    Level::Built(out)
}

/// A wholly writable stream of `count` tokens: one run if it is long enough, else trees.
fn writable_stream(trees: Vec<TokenTree>, count: usize) -> Vec<Piece> {
    if trees.is_empty() {
        Vec::new()
    } else if count >= MIN_RUN_TOKENS {
        let mut text = String::new();
        write_run(&trees, &mut text);
        vec![Piece::Run(text)]
    } else {
        vec![Piece::Trees(trees)]
    }
}

/// The trees that `pieces` stand for: [`pieces`] undone, each run read back from its
/// text. `None` if a run's text is not one [`write_run`] writes (only a damaged cache
/// entry holds one); nesting stays within [`MAX_NESTING`].
pub fn trees(pieces: Vec<Piece>) -> Option<Vec<TokenTree>> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Run(text) => read_run(&text, &mut out)?,
            Piece::Trees(trees) => out.extend(trees),
            Piece::Group(mut g, inner) => {
                g.stream = trees(inner)?;
                out.push(TokenTree::Group(g));
            }
        }
    }
    Some(out)
}

/// Appends the trees of a run's `text` to `out`: the inverse of [`write_run`], which puts
/// one space after every token but a joint punct, and writes only what [`writable`]
/// allows (so no escapes, comments, floats or invisible groups to consider).
fn read_run(text: &str, out: &mut Vec<TokenTree>) -> Option<()> {
    const CS: SpanHandle = SpanHandle::CALL_SITE;
    let b = text.as_bytes();
    // The byte after a token must be its space.
    let spaced = |end: usize| (b.get(end) == Some(&b' ')).then_some(end + 1);
    let literal = |kind, symbol: &str, suffix: &str| {
        let l = Literal { kind, symbol: symbol.to_owned(), suffix: suffix.to_owned(), span: CS };
        plain_literal(&l).then_some(TokenTree::Literal(l))
    };
    let mut open: Vec<(Delimiter, Vec<TokenTree>)> = Vec::new();
    let mut cur: Vec<TokenTree> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let (tree, next) = match b[i] {
            c @ (b'(' | b'[' | b'{') => {
                if open.len() >= MAX_NESTING {
                    return None;
                }
                let delimiter = match c {
                    b'(' => Delimiter::Parenthesis,
                    b'[' => Delimiter::Bracket,
                    _ => Delimiter::Brace,
                };
                open.push((delimiter, std::mem::take(&mut cur)));
                i = spaced(i + 1)?;
                continue;
            }
            c @ (b')' | b']' | b'}') => {
                let (delimiter, parent) = open.pop()?;
                let expected = match delimiter {
                    Delimiter::Parenthesis => b')',
                    Delimiter::Bracket => b']',
                    _ => b'}',
                };
                if c != expected {
                    return None;
                }
                let stream = std::mem::replace(&mut cur, parent);
                let g = Group { delimiter, span: CS, span_open: CS, span_close: CS, stream };
                (TokenTree::Group(g), spaced(i + 1)?)
            }
            b'"' => {
                let len = b[i + 1..].iter().position(|&c| c == b'"')?;
                (literal(LitKind::Str, &text[i + 1..i + 1 + len], "")?, spaced(i + len + 2)?)
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') => {
                (literal(LitKind::Char, text.get(i + 1..i + 2)?, "")?, spaced(i + 3)?)
            }
            b'0'..=b'9' => {
                let end = b[i..].iter().position(|&c| c == b' ').map_or(b.len(), |n| i + n);
                let digits = b[i..end].iter().take_while(|c| c.is_ascii_digit()).count();
                (literal(LitKind::Integer, &text[i..i + digits], &text[i + digits..end])?, spaced(end)?)
            }
            ch if Punct::is_valid_char(ch) => {
                let spacing = if b.get(i + 1) == Some(&b' ') && ch != b'\'' { Spacing::Alone } else { Spacing::Joint };
                // A joint punct is followed by a punct; `'` is always joint, to an identifier.
                let joins = |c: u8| match ch {
                    b'\'' => c == b'_' || c.is_ascii_alphabetic() || !c.is_ascii(),
                    _ => Punct::is_valid_char(c) && c != b'\'',
                };
                if spacing == Spacing::Joint && !b.get(i + 1).is_some_and(|&c| joins(c)) {
                    return None;
                }
                let next = if spacing == Spacing::Alone { i + 2 } else { i + 1 };
                (TokenTree::Punct(Punct { ch, spacing, span: CS }), next)
            }
            _ => {
                let end = b[i..].iter().position(|&c| c == b' ').map_or(b.len(), |n| i + n);
                let word = &text[i..end];
                let (name, is_raw) = match word.strip_prefix("r#") {
                    Some(name) => (name, true),
                    None => (word, false),
                };
                if !valid_ident(name, is_raw) {
                    return None;
                }
                (TokenTree::Ident(Ident { name: name.to_owned(), is_raw, span: CS }), spaced(end)?)
            }
        };
        cur.push(tree);
        i = next;
    }
    if !open.is_empty() {
        return None;
    }
    out.extend(cur);
    Some(())
}

/// Replaces every span handle of `pieces` with `f(handle)`.
pub(crate) fn map_piece_spans(pieces: &mut [Piece], f: &mut impl FnMut(SpanHandle) -> SpanHandle) {
    for piece in pieces {
        match piece {
            Piece::Run(_) => {}
            Piece::Trees(trees) => crate::expansions::map_spans(trees, f),
            Piece::Group(g, inner) => {
                g.span = f(g.span);
                g.span_open = f(g.span_open);
                g.span_close = f(g.span_close);
                map_piece_spans(inner, f);
            }
        }
    }
}

/// The flags of `trees`, groups' streams looked at recursively.
#[cfg(test)]
fn flags(trees: &[TokenTree]) -> Vec<bool> {
    let inner: Vec<bool> = trees
        .iter()
        .map(|t| match t {
            TokenTree::Group(g) => flags(&g.stream).iter().all(|f| *f),
            _ => false,
        })
        .collect();
    writable_flags(trees, &inner)
}

/// How many trees at the start of `trees` form a run.
#[cfg(test)]
fn run_len(trees: &[TokenTree]) -> usize {
    flags(trees).iter().take_while(|f| **f).count()
}

/// `trees` as source text, if all of it is one run.
#[cfg(test)]
fn source(trees: &[TokenTree]) -> Option<String> {
    (run_len(trees) == trees.len()).then(|| {
        let mut s = String::new();
        write_run(trees, &mut s);
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CS: SpanHandle = SpanHandle::CALL_SITE;

    fn ident(name: &str) -> TokenTree {
        TokenTree::Ident(Ident { name: name.into(), is_raw: false, span: CS })
    }
    fn punct(ch: u8, spacing: Spacing) -> TokenTree {
        TokenTree::Punct(Punct { ch, spacing, span: CS })
    }
    fn lit(kind: LitKind, symbol: &str, suffix: &str) -> TokenTree {
        TokenTree::Literal(Literal { kind, symbol: symbol.into(), suffix: suffix.into(), span: CS })
    }
    fn group(delimiter: Delimiter, stream: Vec<TokenTree>) -> TokenTree {
        TokenTree::Group(Group { delimiter, span: CS, span_open: CS, span_close: CS, stream })
    }

    #[test]
    fn call_site_code_is_written_with_its_spacing() {
        use Spacing::*;
        let trees = vec![
            ident("impl"),
            ident("_serde"),
            punct(b':', Joint),
            punct(b':', Alone),
            ident("Serialize"),
            ident("for"),
            ident("S"),
            group(
                Delimiter::Brace,
                vec![
                    ident("let"),
                    TokenTree::Ident(Ident { name: "type".into(), is_raw: true, span: CS }),
                    punct(b'=', Alone),
                    lit(LitKind::Integer, "10", "u8"),
                    punct(b'+', Alone),
                    lit(LitKind::Str, "a b", ""),
                    punct(b';', Alone),
                ],
            ),
        ];
        assert_eq!(source(&trees).unwrap(), "impl _serde :: Serialize for S { let r#type = 10u8 + \"a b\" ; } ");
    }

    #[test]
    fn lifetimes_are_written_glued() {
        use Spacing::*;
        let trees = vec![
            ident("impl"),
            punct(b'<', Alone),
            punct(b'\'', Joint),
            ident("de"),
            punct(b'>', Alone),
            punct(b'&', Alone),
            punct(b'\'', Joint),
            ident("_"),
            ident("T"),
        ];
        assert_eq!(source(&trees).unwrap(), "impl < 'de > & '_ T ");
    }

    #[test]
    fn pieces_split_output_into_runs_and_trees() {
        let input = |name: &str| TokenTree::Ident(Ident { name: name.into(), is_raw: false, span: SpanHandle(3) });
        let long: Vec<TokenTree> = (0..MIN_RUN_TOKENS).map(|i| ident(&format!("a{i}"))).collect();
        let long_text = source(&long).unwrap();
        // A long call-site stretch is a run; an input-spanned token and a short stretch are trees.
        let mut trees = long.clone();
        trees.push(input("field"));
        trees.push(ident("b"));
        assert_eq!(pieces(trees), vec![Piece::Run(long_text.clone()), Piece::Trees(vec![input("field"), ident("b")])]);
        // A group holding such a token is a group piece, with the runs of its stream inside;
        // a wholly writable stream too short for a run stays whole, as trees.
        let mut stream = long.clone();
        stream.push(input("x"));
        let short = vec![ident("c"), group(Delimiter::Parenthesis, vec![ident("d")])];
        let out = pieces(vec![group(Delimiter::Brace, stream), short[0].clone(), short[1].clone()]);
        let header = Group { delimiter: Delimiter::Brace, span: CS, span_open: CS, span_close: CS, stream: vec![] };
        assert_eq!(
            out,
            vec![
                Piece::Group(header, vec![Piece::Run(long_text.clone()), Piece::Trees(vec![input("x")])]),
                Piece::Trees(short.clone()),
            ]
        );
        // Wholly writable output: one run, or trees when short; nothing for nothing.
        assert_eq!(pieces(long), vec![Piece::Run(long_text)]);
        assert_eq!(pieces(short.clone()), vec![Piece::Trees(short)]);
        assert_eq!(pieces(vec![]), vec![]);
    }

    #[test]
    fn trees_read_back_from_runs() {
        use Spacing::*;
        let input = TokenTree::Ident(Ident { name: "field".into(), is_raw: false, span: SpanHandle(3) });
        // Every kind of token a run may hold, nested, beside trees and a group piece.
        let mut code = vec![
            ident("impl"),
            punct(b'<', Alone),
            punct(b'\'', Joint),
            ident("de"),
            punct(b'>', Alone),
            ident("_serde"),
            punct(b':', Joint),
            punct(b':', Alone),
            TokenTree::Ident(Ident { name: "type".into(), is_raw: true, span: CS }),
            ident("größe"),
            punct(b'-', Joint),
            punct(b'>', Alone),
            lit(LitKind::Integer, "0", ""),
            lit(LitKind::Integer, "1000", "usize"),
            lit(LitKind::Str, "struct Big with 1000 elements", ""),
            lit(LitKind::Str, "", ""),
            lit(LitKind::Char, "x", ""),
            lit(LitKind::Char, " ", ""),
            group(Delimiter::Bracket, vec![]),
            group(
                Delimiter::Parenthesis,
                vec![group(Delimiter::Brace, vec![punct(b'&', Alone), punct(b'\'', Joint), ident("_")])],
            ),
            punct(b'.', Joint),
            punct(b'.', Joint),
            punct(b'=', Alone),
        ];
        code.extend((0..MIN_RUN_TOKENS).map(|i| ident(&format!("t{i}"))));
        let mut output = code.clone();
        output.push(input.clone());
        output.push(group(Delimiter::Brace, [code.clone(), vec![input]].concat()));
        let pieces = pieces(output.clone());
        assert!(pieces.iter().any(|p| matches!(p, Piece::Run(_))));
        assert!(pieces.iter().any(|p| matches!(p, Piece::Group(..))));
        assert_eq!(trees(pieces), Some(output));
        // Text that `write_run` never writes is refused, whatever the damage.
        let bad = [
            "a", "a  b ", "( a ", "a ) ", "( a ] ", "+", "+a ", "'", "' a ", "\"a ", "'ab' ", "00 ", "1x ", "1.5 ",
            "r#self ", "a b", "\\ ", "'\\' ",
        ];
        for text in bad {
            assert_eq!(trees(vec![Piece::Run(text.into())]), None, "{text:?}");
        }
        let deep = format!("{}{}", "( ".repeat(MAX_NESTING + 1), ") ".repeat(MAX_NESTING + 1));
        assert_eq!(trees(vec![Piece::Run(deep)]), None);
        assert!(trees(vec![Piece::Run("( ".repeat(MAX_NESTING) + &") ".repeat(MAX_NESTING))]).is_some());
    }

    #[test]
    fn runs_stop_where_text_would_change_the_tokens() {
        use Spacing::*;
        let input_span = TokenTree::Ident(Ident { name: "field".into(), is_raw: false, span: SpanHandle(3) });
        // A token with another span ends the run, and so does a joint punct before it
        // (its jointness would not survive the text).
        assert_eq!(run_len(&[ident("a"), punct(b':', Joint), input_span.clone()]), 1);
        assert_eq!(run_len(&[ident("a"), ident("b"), input_span.clone(), ident("c")]), 2);
        // A group holding such a token is not written either.
        assert_eq!(run_len(&[ident("a"), group(Delimiter::Parenthesis, vec![input_span])]), 1);
        // Joint before a non-punct, `'`, `//`, invisible groups, escaped or negative literals.
        assert_eq!(run_len(&[punct(b'-', Joint), lit(LitKind::Integer, "1", "")]), 0);
        let raw = TokenTree::Ident(Ident { name: "a".into(), is_raw: true, span: CS });
        assert_eq!(run_len(&[punct(b'\'', Joint), raw]), 0);
        assert_eq!(run_len(&[punct(b'\'', Alone), ident("a")]), 0);
        assert_eq!(run_len(&[punct(b'\'', Joint), punct(b'a', Alone)]), 0);
        assert_eq!(run_len(&[punct(b'&', Joint), punct(b'\'', Joint), ident("a")]), 0);
        assert_eq!(run_len(&[ident("x"), punct(b'\'', Joint)]), 1);
        assert_eq!(run_len(&[ident("x"), punct(b'/', Joint), punct(b'/', Alone)]), 1);
        assert_eq!(run_len(&[punct(b'/', Alone), punct(b'/', Alone)]), 2);
        assert_eq!(run_len(&[group(Delimiter::None, vec![ident("a")])]), 0);
        assert_eq!(run_len(&[lit(LitKind::Str, "a\\nb", "")]), 0);
        assert_eq!(run_len(&[lit(LitKind::Str, "a\"b", "")]), 0);
        assert_eq!(run_len(&[lit(LitKind::Integer, "-1", "")]), 0);
        assert_eq!(run_len(&[lit(LitKind::Integer, "007", "")]), 0);
        assert_eq!(run_len(&[lit(LitKind::Integer, "1", "x")]), 0);
        assert_eq!(run_len(&[lit(LitKind::Float, "1.5", "")]), 0);
        // Invalid tokens are left to the checks of the token-by-token path.
        assert_eq!(run_len(&[ident("a b")]), 0);
        assert_eq!(run_len(&[punct(b'a', Alone)]), 0);
        assert_eq!(run_len(&[TokenTree::Ident(Ident { name: "self".into(), is_raw: true, span: CS })]), 0);
    }
}
