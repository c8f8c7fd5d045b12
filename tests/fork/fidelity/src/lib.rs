//! Macros for tests/fork's `compare-native` cases: each calls one part of `proc_macro`'s
//! unstable Span or Diagnostic API, so that the same crate built natively and as a wasm
//! module must give the same diagnostics and the same program output under the fork.
//! Plain `proc_macro`, no syn/quote.
//!
//! - `span_report!{NAME = TOKENS}`: `pub const NAME: &str` describing the spans of
//!   TOKENS (joins, byte ranges, start/end lines and columns), and a warning at the
//!   joined span with a note at its start and a help at its end.
//! - `def_site_helper!()`: `fn helper() -> u32 { 1 }` named at `Span::def_site()`, and
//!   `fn from_macro() -> u32` that calls it: the caller's own `helper` does not clash.
//! - `warn_at!(A B C)`: a warning at A with a note at B and a help at C.
//! - `note_at!(A)`, `help_at!(A)`: a note (help) by itself at A.
//! - `error_at!(A B)`: an error at A with a note at B; the output is still used.
//! - `#[derive(Warns)]`: a warning at the item's name with a help at the derive's call site.
//!
//! Natively the gates are needed; the guest's `proc_macro` has these APIs without gates,
//! and declaring them for wasm would be "unknown feature".
#![cfg_attr(not(target_family = "wasm"), feature(proc_macro_def_site, proc_macro_diagnostic, proc_macro_span))]

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

fn tokens(input: TokenStream) -> Vec<TokenTree> {
    input.into_iter().collect()
}

/// The span of token `i`, or the call site when there are fewer tokens.
fn span_of(toks: &[TokenTree], i: usize) -> Span {
    toks.get(i).map_or_else(Span::call_site, TokenTree::span)
}

fn describe(span: Span) -> String {
    let r = span.byte_range();
    let (start, end) = (span.start(), span.end());
    format!("{}..{} {}:{}-{}:{}", r.start, r.end, start.line(), start.column(), end.line(), end.column())
}

/// `span_report!{NAME = TOKENS}`: see the crate docs.
#[proc_macro]
pub fn span_report(input: TokenStream) -> TokenStream {
    let toks = tokens(input);
    let name = match toks.first() {
        Some(TokenTree::Ident(i)) => i.clone(),
        _ => Ident::new("REPORT", Span::call_site()),
    };
    let probed = toks.get(2..).unwrap_or_default();
    let (first, last) = (span_of(probed, 0), span_of(probed, probed.len().saturating_sub(1)));
    let mut lines = vec![format!("first {}", describe(first)), format!("last {}", describe(last))];
    let joined = first.join(last);
    match joined {
        Some(j) => {
            lines.push(format!("joined {}", describe(j)));
            lines.push(format!("joined text {:?}", j.source_text()));
            j.warning("the probed tokens")
                .span_note(j.start(), "they start here")
                .span_help(j.end(), "and end here")
                .emit();
        }
        None => lines.push("joined none".to_owned()),
    }
    let call = Span::call_site();
    lines.push(format!("call site {}", describe(call)));
    lines.push(format!("call site joins first: {}", call.join(first).is_some()));
    let mut out: TokenStream = "pub const".parse().unwrap();
    out.extend([TokenTree::Ident(name)]);
    out.extend(": &str =".parse::<TokenStream>().unwrap());
    out.extend([
        TokenTree::Literal(Literal::string(&lines.join("\n"))),
        TokenTree::Punct(Punct::new(';', Spacing::Alone)),
    ]);
    out
}

/// `def_site_helper!()`: see the crate docs.
#[proc_macro]
pub fn def_site_helper(_input: TokenStream) -> TokenStream {
    let helper = || TokenTree::Ident(Ident::new("helper", Span::def_site()));
    let mut out: TokenStream = "fn".parse().unwrap();
    out.extend([helper()]);
    out.extend("() -> u32 { 1 } fn from_macro() -> u32".parse::<TokenStream>().unwrap());
    let mut body: TokenStream = [helper()].into_iter().collect();
    body.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, TokenStream::new()))]);
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, body))]);
    out
}

/// `warn_at!(A B C)`: see the crate docs.
#[proc_macro]
pub fn warn_at(input: TokenStream) -> TokenStream {
    let toks = tokens(input);
    span_of(&toks, 0)
        .warning("a warning from the macro")
        .span_note(span_of(&toks, 1), "a note on the second token")
        .span_help(span_of(&toks, 2), "a help on the third token")
        .emit();
    TokenStream::new()
}

/// `note_at!(A)`: see the crate docs.
#[proc_macro]
pub fn note_at(input: TokenStream) -> TokenStream {
    span_of(&tokens(input), 0).note("a note by itself").emit();
    TokenStream::new()
}

/// `help_at!(A)`: see the crate docs.
#[proc_macro]
pub fn help_at(input: TokenStream) -> TokenStream {
    span_of(&tokens(input), 0).help("a help by itself").emit();
    TokenStream::new()
}

/// `error_at!(A B)`: see the crate docs. Expands to `fn error_output() {}`, which the
/// caller can use: a macro's error does not replace its output.
#[proc_macro]
pub fn error_at(input: TokenStream) -> TokenStream {
    let toks = tokens(input);
    span_of(&toks, 0)
        .error("an error from the macro")
        .span_note(span_of(&toks, 1), "a note on the second token")
        .emit();
    "fn error_output() {}".parse().unwrap()
}

/// `#[derive(Warns)]`: see the crate docs.
#[proc_macro_derive(Warns)]
pub fn warns(input: TokenStream) -> TokenStream {
    let toks = tokens(input);
    let name = toks
        .iter()
        .skip_while(|t| !matches!(t, TokenTree::Ident(i) if i.to_string() == "struct"))
        .nth(1)
        .map_or_else(Span::call_site, TokenTree::span);
    name.warning("derived with a warning").span_help(Span::call_site(), "the derive is here").emit();
    TokenStream::new()
}
