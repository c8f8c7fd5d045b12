//! `TokenStream::to_string`: rustc's token pretty-printer, reproduced.
//!
//! rustc prints a proc-macro stream by first turning it into compiler tokens — adjacent
//! joint puncts glue into operators (`!` `=` → `!=`), `'` + ident into a lifetime, a
//! negative number into `-` and the number — and then printing those with
//! `print_tts`: a space between two tokens unless the first is joint or the pair is one of
//! a few known tight pairs (`x.y`, `f(`, `x,`, `#[`, `$x`, `m!`), braces as boxes that break
//! onto indented lines past the margin. This module does the same over our trees.

use crate::pp::Doc;
use crate::tree::{Group, Ident};
use crate::{Delimiter, TokenTree};

/// rustc's `Spacing`: `Joint` (next is a punct, no space), `JointHidden` (next is not a
/// punct, no space) or `Alone`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sp {
    Alone,
    Joint,
    Hidden,
}

enum Kind<'a> {
    /// An identifier: whether it is reserved (and so not tight before `!` or `(`), and
    /// whether it is one of the keywords that are tight before `(` anyway.
    Ident {
        tight_bang: bool,
        tight_paren: bool,
    },
    Lifetime,
    Literal,
    /// An operator after gluing, e.g. `.`, `..=`, `::`.
    Op(&'static str),
    /// A doc comment still in comment form; `line` for `///` and `//!`.
    Doc {
        line: bool,
    },
    Group(&'a Group),
}

struct Tok<'a> {
    kind: Kind<'a>,
    text: String,
    spacing: Sp,
}

fn sp(joint: bool, hidden: bool) -> Sp {
    if joint {
        Sp::Joint
    } else if hidden {
        Sp::Hidden
    } else {
        Sp::Alone
    }
}

/// The operator `a` followed by the single char `b` glues into, as rustc's `Token::glue`.
fn glue(a: &str, b: u8) -> Option<&'static str> {
    Some(match (a, b) {
        ("=", b'=') => "==",
        ("=", b'>') => "=>",
        ("<", b'=') => "<=",
        ("<", b'<') => "<<",
        ("<", b'-') => "<-",
        (">", b'=') => ">=",
        (">", b'>') => ">>",
        ("!", b'=') => "!=",
        ("+", b'=') => "+=",
        ("-", b'=') => "-=",
        ("-", b'>') => "->",
        ("*", b'=') => "*=",
        ("/", b'=') => "/=",
        ("%", b'=') => "%=",
        ("^", b'=') => "^=",
        ("&", b'=') => "&=",
        ("&", b'&') => "&&",
        ("|", b'=') => "|=",
        ("|", b'|') => "||",
        ("<<", b'=') => "<<=",
        (">>", b'=') => ">>=",
        (".", b'.') => "..",
        ("..", b'.') => "...",
        ("..", b'=') => "..=",
        (":", b':') => "::",
        _ => return None,
    })
}

fn single(ch: u8) -> &'static str {
    const ALL: &str = "=<>!~+-*/%^&|@.,;:#$?'";
    match ALL.bytes().position(|c| c == ch) {
        Some(i) => &ALL[i..i + 1],
        None => "?",
    }
}

/// Keywords and reserved words (edition 2021; `gen` is reserved only from 2024).
fn is_reserved(s: &str) -> bool {
    matches!(
        s,
        "$crate"
            | "{{root}}"
            | "_"
            | "as"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "async"
            | "await"
            | "dyn"
            | "try"
    )
}

fn ident_kind<'a>(i: &Ident) -> Kind<'a> {
    let reserved = !i.is_raw && is_reserved(&i.sym);
    Kind::Ident { tight_bang: !reserved, tight_paren: !reserved || matches!(&*i.sym, "fn" | "Self" | "pub") }
}

fn push_op<'a>(toks: &mut Vec<Tok<'a>>, ch: u8, spacing: Sp) {
    if let Some(last) = toks.last_mut() {
        if let Kind::Op(op) = last.kind {
            if last.spacing != Sp::Alone {
                if let Some(glued) = glue(op, ch) {
                    last.kind = Kind::Op(glued);
                    last.text = glued.to_owned();
                    last.spacing = spacing;
                    return;
                }
            }
        }
    }
    let op = single(ch);
    toks.push(Tok { kind: Kind::Op(op), text: op.to_owned(), spacing });
}

/// Turns trees into compiler-like tokens.
fn tokens(trees: &[TokenTree]) -> Vec<Tok<'_>> {
    let mut toks: Vec<Tok<'_>> = Vec::with_capacity(trees.len());
    let mut skip = 0;
    for tree in trees {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        match tree {
            TokenTree::Punct(p) => match &p.doc {
                Some(doc) => {
                    skip = doc.trees;
                    let spacing = sp(false, p.hidden.resolve(p.span));
                    toks.push(Tok { kind: Kind::Doc { line: doc.line }, text: doc.source.clone(), spacing });
                }
                None => push_op(&mut toks, p.ch, sp(p.joint, !p.joint && p.hidden.resolve(p.span))),
            },
            TokenTree::Ident(i) => {
                let spacing = sp(false, i.hidden.resolve(i.span));
                let text = i.to_string();
                if let Some(last) = toks.last_mut() {
                    if matches!(last.kind, Kind::Op("'")) && last.spacing != Sp::Alone {
                        *last = Tok { kind: Kind::Lifetime, text: format!("'{text}"), spacing };
                        continue;
                    }
                }
                toks.push(Tok { kind: ident_kind(i), text, spacing });
            }
            TokenTree::Literal(l) => {
                let spacing = sp(false, l.hidden.resolve(l.span));
                let numeric = matches!(l.kind, wpm_abi::LitKind::Integer | wpm_abi::LitKind::Float);
                if let (true, Some(rest)) = (numeric, l.symbol.strip_prefix('-')) {
                    push_op(&mut toks, b'-', Sp::Hidden);
                    let mut text = rest.to_owned();
                    text.push_str(l.suffix.as_deref().unwrap_or(""));
                    toks.push(Tok { kind: Kind::Literal, text, spacing });
                } else {
                    toks.push(Tok { kind: Kind::Literal, text: l.to_string(), spacing });
                }
            }
            TokenTree::Group(g) => toks.push(Tok {
                kind: Kind::Group(g),
                text: String::new(),
                spacing: sp(false, g.close_hidden.resolve(g.span_close)),
            }),
        }
    }
    toks
}

fn is_punct(t: &Tok<'_>) -> bool {
    matches!(t.kind, Kind::Op(_))
}

/// rustc's `space_between`: whether an `Alone` token still gets a space before the next.
fn space_between(a: &Tok<'_>, b: &Tok<'_>) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::Doc { line: true }, _) => false,
        (Kind::Op("."), _) if !is_punct(b) => false,
        (Kind::Op("$"), Kind::Ident { .. }) => false,
        (_, Kind::Op("," | ";" | ".")) if !is_punct(a) => false,
        (Kind::Ident { tight_bang: true, .. }, Kind::Op("!")) => false,
        (Kind::Ident { tight_paren: true, .. }, Kind::Group(g)) if g.delimiter == Delimiter::Parenthesis => false,
        (Kind::Op("#"), Kind::Group(g)) if g.delimiter == Delimiter::Bracket => false,
        _ => true,
    }
}

fn print_trees(doc: &mut Doc, trees: &[TokenTree]) {
    let toks = tokens(trees);
    for (i, tok) in toks.iter().enumerate() {
        match tok.kind {
            Kind::Group(g) => print_group(doc, g),
            Kind::Doc { .. } => {
                doc.word(tok.text.as_str());
                doc.hardbreak();
            }
            _ => doc.word(tok.text.as_str()),
        }
        if let Some(next) = toks.get(i + 1) {
            let both_idents = matches!(tok.kind, Kind::Ident { .. }) && matches!(next.kind, Kind::Ident { .. });
            if (tok.spacing == Sp::Alone && space_between(tok, next)) || (tok.spacing != Sp::Alone && both_idents) {
                doc.space();
            }
        }
    }
}

fn print_group(doc: &mut Doc, g: &Group) {
    let inner = g.stream.trees();
    let (open, close) = match g.delimiter {
        Delimiter::Parenthesis => ("(", ")"),
        Delimiter::Bracket => ("[", "]"),
        Delimiter::None => ("", ""),
        Delimiter::Brace => {
            doc.begin(4, true);
            doc.word("{");
            let open_space = !inner.is_empty() && !g.open_hidden.resolve(g.span_open);
            if open_space {
                doc.space();
            }
            doc.begin(0, false);
            print_trees(doc, inner);
            doc.end();
            if open_space {
                doc.brk(1, -4);
            }
            doc.word("}");
            doc.end();
            return;
        }
    };
    doc.word(open);
    doc.begin(0, false);
    print_trees(doc, inner);
    doc.end();
    doc.word(close);
}

/// Prints trees as `proc_macro::TokenStream`'s `Display` does.
pub(crate) fn trees_to_string(trees: &[TokenTree]) -> String {
    let mut doc = Doc::default();
    print_trees(&mut doc, trees);
    doc.finish()
}
