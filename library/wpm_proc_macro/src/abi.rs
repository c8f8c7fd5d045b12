//! Conversion between our trees and `wpm_abi`'s wire trees.
//!
//! Input trees come from the host, which is trusted by the guest: a tree the host should
//! never send (an illegal punct char) is a host bug and panics with a message saying so.

use std::rc::Rc;

use wpm_abi as abi;

use crate::tree::{Group, Ident, Punct, Tight, LEGAL_PUNCT};
use crate::{Delimiter, Literal, Span, TokenStream, TokenTree};

fn delimiter_from(d: abi::Delimiter) -> Delimiter {
    match d {
        abi::Delimiter::Parenthesis => Delimiter::Parenthesis,
        abi::Delimiter::Brace => Delimiter::Brace,
        abi::Delimiter::Bracket => Delimiter::Bracket,
        abi::Delimiter::None => Delimiter::None,
    }
}

fn delimiter_to(d: Delimiter) -> abi::Delimiter {
    match d {
        Delimiter::Parenthesis => abi::Delimiter::Parenthesis,
        Delimiter::Brace => abi::Delimiter::Brace,
        Delimiter::Bracket => abi::Delimiter::Bracket,
        Delimiter::None => abi::Delimiter::None,
    }
}

/// Builds a stream from trees the host sent. Each tree remembers the span of the tree
/// that followed it (the close delimiter's for the last one in a group), so that printing
/// can ask whether the two touched, as rustc's own spacing says ([`Tight::Ask`]).
pub(crate) fn stream_from_abi(trees: Vec<abi::TokenTree>) -> TokenStream {
    stream_followed_by(trees, None)
}

/// The span a tree starts with: its own, or its opening delimiter's.
fn first_span(tree: &abi::TokenTree) -> abi::SpanHandle {
    match tree {
        abi::TokenTree::Group(g) => g.span_open,
        abi::TokenTree::Ident(i) => i.span,
        abi::TokenTree::Punct(p) => p.span,
        abi::TokenTree::Literal(l) => l.span,
    }
}

/// [`stream_from_abi`] for trees followed by a tree spanning `after` (`None`: nothing).
fn stream_followed_by(trees: Vec<abi::TokenTree>, after: Option<abi::SpanHandle>) -> TokenStream {
    let mut out = Vec::with_capacity(trees.len());
    let mut trees = trees.into_iter().peekable();
    while let Some(tree) = trees.next() {
        let next = trees.peek().map(first_span).or(after);
        out.push(tree_from_abi(tree, next));
    }
    TokenStream::from_vec(out)
}

fn tree_from_abi(tree: abi::TokenTree, next: Option<abi::SpanHandle>) -> TokenTree {
    let hidden = next.map_or(Tight::No, Tight::Ask);
    match tree {
        abi::TokenTree::Group(g) => {
            let open_hidden = Tight::Ask(g.stream.first().map_or(g.span_close, first_span));
            TokenTree::Group(Group {
                delimiter: delimiter_from(g.delimiter),
                stream: stream_followed_by(g.stream, Some(g.span_close)),
                span: Span::from_handle(g.span),
                span_open: Span::from_handle(g.span_open),
                span_close: Span::from_handle(g.span_close),
                open_hidden,
                close_hidden: hidden,
            })
        }
        abi::TokenTree::Ident(i) => {
            TokenTree::Ident(Ident { sym: Rc::from(i.name), is_raw: i.is_raw, hidden, span: Span::from_handle(i.span) })
        }
        abi::TokenTree::Punct(p) => {
            if !LEGAL_PUNCT.contains(&p.ch) {
                panic!("wpm: the host sent an invalid punct character {:?}", p.ch as char);
            }
            let joint = p.spacing == abi::Spacing::Joint;
            TokenTree::Punct(Punct {
                ch: p.ch,
                joint,
                hidden: if joint { Tight::No } else { hidden },
                doc: None,
                span: Span::from_handle(p.span),
            })
        }
        abi::TokenTree::Literal(l) => {
            let suffix = (!l.suffix.is_empty()).then(|| Rc::from(l.suffix));
            TokenTree::Literal(Literal {
                kind: l.kind,
                symbol: Rc::from(l.symbol),
                suffix,
                hidden,
                span: Span::from_handle(l.span),
            })
        }
    }
}

/// Converts a stream for sending to the host.
pub(crate) fn stream_to_abi(stream: &TokenStream) -> Vec<abi::TokenTree> {
    stream.trees().iter().map(tree_to_abi).collect()
}

fn tree_to_abi(tree: &TokenTree) -> abi::TokenTree {
    match tree {
        TokenTree::Group(g) => abi::TokenTree::Group(abi::Group {
            delimiter: delimiter_to(g.delimiter),
            span: g.span.handle,
            span_open: g.span_open.handle,
            span_close: g.span_close.handle,
            stream: stream_to_abi(&g.stream),
        }),
        TokenTree::Ident(i) => {
            abi::TokenTree::Ident(abi::Ident { name: i.sym.to_string(), is_raw: i.is_raw, span: i.span.handle })
        }
        TokenTree::Punct(p) => abi::TokenTree::Punct(abi::Punct {
            ch: p.ch,
            spacing: if p.joint { abi::Spacing::Joint } else { abi::Spacing::Alone },
            span: p.span.handle,
        }),
        TokenTree::Literal(l) => abi::TokenTree::Literal(abi::Literal {
            kind: l.kind,
            symbol: l.symbol.to_string(),
            suffix: l.suffix.as_deref().unwrap_or("").to_owned(),
            span: l.span.handle,
        }),
    }
}
