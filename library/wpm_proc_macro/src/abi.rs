//! Conversion between our trees and `wpm_abi`'s wire trees.
//!
//! Input trees come from the host, which is trusted by the guest: a tree the host should
//! never send (an illegal punct char) is a host bug and panics with a message saying so.

use std::rc::Rc;

use wpm_abi as abi;

use crate::tree::{Group, Ident, Punct, LEGAL_PUNCT};
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

/// Builds a stream from trees the host sent.
pub(crate) fn stream_from_abi(trees: Vec<abi::TokenTree>) -> TokenStream {
    TokenStream::from_vec(trees.into_iter().map(tree_from_abi).collect())
}

fn tree_from_abi(tree: abi::TokenTree) -> TokenTree {
    match tree {
        abi::TokenTree::Group(g) => TokenTree::Group(Group {
            delimiter: delimiter_from(g.delimiter),
            stream: stream_from_abi(g.stream),
            span: Span::from_handle(g.span),
            span_open: Span::from_handle(g.span_open),
            span_close: Span::from_handle(g.span_close),
            open_hidden: false,
            close_hidden: false,
        }),
        abi::TokenTree::Ident(i) => TokenTree::Ident(Ident {
            sym: Rc::from(i.name),
            is_raw: i.is_raw,
            hidden: false,
            span: Span::from_handle(i.span),
        }),
        abi::TokenTree::Punct(p) => {
            if !LEGAL_PUNCT.contains(&p.ch) {
                panic!("wpm: the host sent an invalid punct character {:?}", p.ch as char);
            }
            TokenTree::Punct(Punct {
                ch: p.ch,
                joint: p.spacing == abi::Spacing::Joint,
                hidden: false,
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
                hidden: false,
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
