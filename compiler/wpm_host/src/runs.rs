//! Guest output prepared for rustc: runs of call-site tokens written as source text, so
//! that one `TokenStream::from_str` builds each run instead of one `proc_macro` bridge
//! call per token, and the rest as trees ([`Piece`]).
//!
//! Most of a derive's output is `quote!`'d code at `Span::call_site()`, and tokens parsed
//! from a string get exactly that span. Building such tokens one by one costs a bridge
//! round trip each (the bulk of converting guest output, and of a cache hit); lexing their
//! text costs one. A run only holds tokens whose text lexes back to the same token trees
//! with the same spacing where spacing matters (between puncts), and whose checks are
//! those of the token-by-token path, so the two paths build the same stream. Pure text
//! rules, free of `proc_macro`, so they are unit-testable.
//!
//! The host prepares the pieces once, when the guest ran, and the expansion cache stores
//! them: a hit neither decodes run tokens one by one nor looks for runs again.

use wpm_abi::ident::{can_be_raw, is_ident};
use wpm_abi::{Delimiter, Group, LitKind, Literal, Punct, Spacing, SpanHandle, TokenTree};

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

/// Runs of fewer tokens are built token by token: each `from_str` adds a source file to
/// rustc's source map, which costs more than a few bridge calls. (serde_derive, warm
/// expansion cache: runs of 32+ tokens save about 8% of the macro time; shorter ones lose.)
pub const MIN_RUN_TOKENS: usize = 32;

/// Which trees of `trees` can be written as text where they stand: runs are the maximal
/// stretches of `true`. `inner[i]` says whether group `i`'s stream is wholly writable (its
/// own flags all `true`); it is ignored for other trees. Each level is looked at once:
/// the caller computes `inner` bottom-up.
fn writable_flags(trees: &[TokenTree], inner: &[bool]) -> Vec<bool> {
    let mut flags: Vec<bool> = trees
        .iter()
        .enumerate()
        .map(|(i, tree)| match tree {
            TokenTree::Group(g) => g.span == SpanHandle::CALL_SITE && g.delimiter != Delimiter::None && inner[i],
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
    use wpm_abi::{Group, Ident};

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
