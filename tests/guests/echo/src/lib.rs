//! A hand-written wasm proc-macro module: what the builder generates, minus the macro crate.
//! `Echo` (derive) and `echo` (function-like) return their input; `echo_attr` returns the
//! item followed by the attribute's arguments; `lexed` re-lexes its input's text, which
//! exercises the lexer and printer inside the guest; `boom` panics; `span_info` calls every
//! span import and returns the answers as a tuple of literals (see its doc).

extern crate wpm_pm as proc_macro;

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

fn echo(input: TokenStream) -> TokenStream {
    input
}

fn echo_attr(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut out = item;
    out.extend(args);
    out
}

fn lexed(input: TokenStream) -> TokenStream {
    match input.to_string().parse() {
        Ok(ts) => ts,
        Err(e) => panic!("re-lexing failed: {e}"),
    }
}

fn boom(_: TokenStream) -> TokenStream {
    panic!("boom")
}

/// For the span of the first input token `f` and of the last `l`, returns
/// `(f.line(), f.column(), f.end().line(), f.end().column(), f.file(), f.local_file()
/// .is_some(), f.byte_range().start, f.byte_range().end, f.join(l)?.source_text(),
/// f.source_text(), ident_resolved_at_mixed_site, ident_located_at_f)`, with `""` for a
/// failed join, and emits a warning at `f` and a note at `l`.
fn span_info(input: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = input.into_iter().collect();
    let f = trees.first().map_or_else(Span::call_site, TokenTree::span);
    let l = trees.last().map_or_else(Span::call_site, TokenTree::span);
    let joined = f.join(l).and_then(|s| s.source_text()).unwrap_or_default();
    let range = f.byte_range();
    let items = vec![
        TokenTree::Literal(Literal::usize_unsuffixed(f.line())),
        TokenTree::Literal(Literal::usize_unsuffixed(f.column())),
        TokenTree::Literal(Literal::usize_unsuffixed(f.end().line())),
        TokenTree::Literal(Literal::usize_unsuffixed(f.end().column())),
        TokenTree::Literal(Literal::string(&f.file())),
        TokenTree::Ident(Ident::new(if f.local_file().is_some() { "true" } else { "false" }, Span::call_site())),
        TokenTree::Literal(Literal::usize_unsuffixed(range.start)),
        TokenTree::Literal(Literal::usize_unsuffixed(range.end)),
        TokenTree::Literal(Literal::string(&joined)),
        TokenTree::Literal(Literal::string(&f.source_text().unwrap_or_default())),
        TokenTree::Ident(Ident::new("resolved", f.resolved_at(Span::mixed_site()))),
        TokenTree::Ident(Ident::new("located", Span::mixed_site().located_at(f))),
    ];
    f.warning("span_info: first token").emit();
    l.note("span_info: last token").emit();
    let mut body = TokenStream::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            body.extend([TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
        }
        body.extend([item]);
    }
    TokenTree::Group(Group::new(Delimiter::Parenthesis, body)).into()
}

/// The registration function the builder would generate.
#[unsafe(no_mangle)]
pub fn __wpm_register_macros(r: &mut proc_macro::__wpm::Registry) {
    r.derive("Echo", &["echo"], echo);
    r.function("echo", echo);
    r.attribute("echo_attr", echo_attr);
    r.function("lexed", lexed);
    r.function("boom", boom);
    r.function("span_info", span_info);
}
