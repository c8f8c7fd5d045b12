//! The module side of the ABI, driven natively: manifest and expansion round trips.

use proc_macro::__wpm::Registry;
use proc_macro::{Span, TokenStream, TokenTree};
use wpm_abi::{
    tokens, Delimiter, Group, Ident, LitKind, Literal, MacroKind, Manifest, Punct, Request, Spacing, SpanHandle,
};

fn upper(input: TokenStream) -> TokenStream {
    input.to_string().to_uppercase().parse().unwrap()
}

fn attr(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut out = item;
    out.extend(args);
    out
}

/// Keeps every tree but moves identifiers to the mixed-site span.
fn respan(input: TokenStream) -> TokenStream {
    input
        .into_iter()
        .map(|mut t| {
            if let TokenTree::Ident(i) = &mut t {
                i.set_span(Span::mixed_site());
            }
            t
        })
        .collect()
}

/// The input's text, as a string literal.
fn show(input: TokenStream) -> TokenStream {
    TokenTree::Literal(proc_macro::Literal::string(&input.to_string())).into()
}

/// The text of the input taken apart into trees and put back together.
fn show_rebuilt(input: TokenStream) -> TokenStream {
    show(input.into_iter().collect())
}

fn registry() -> Registry {
    let mut r = Registry::new();
    r.derive("Upper", &["upper", "up"], upper);
    r.attribute("attr", attr);
    r.function("respan", respan);
    r.function("show", show);
    r.function("show_rebuilt", show_rebuilt);
    r
}

fn ident(name: &str, span: u32) -> wpm_abi::TokenTree {
    wpm_abi::TokenTree::Ident(Ident { name: name.into(), is_raw: false, span: SpanHandle(span) })
}

fn punct(ch: u8, joint: bool, span: u32) -> wpm_abi::TokenTree {
    let spacing = if joint { Spacing::Joint } else { Spacing::Alone };
    wpm_abi::TokenTree::Punct(Punct { ch, spacing, span: SpanHandle(span) })
}

fn sample() -> Vec<wpm_abi::TokenTree> {
    vec![
        ident("struct", 10),
        ident("a", 11),
        wpm_abi::TokenTree::Group(Group {
            delimiter: Delimiter::Brace,
            span: SpanHandle(12),
            span_open: SpanHandle(13),
            span_close: SpanHandle(14),
            stream: vec![
                ident("x", 15),
                punct(b':', false, 16),
                wpm_abi::TokenTree::Literal(Literal {
                    kind: LitKind::StrRaw(1),
                    symbol: "q".into(),
                    suffix: "s".into(),
                    span: SpanHandle(17),
                }),
            ],
        }),
        punct(b'+', true, 18),
        punct(b'=', false, 19),
    ]
}

fn expand(
    index: usize,
    attr_args: Option<Vec<wpm_abi::TokenTree>>,
    input: Vec<wpm_abi::TokenTree>,
) -> Vec<wpm_abi::TokenTree> {
    tokens::decode_stream(&registry().expand(index, &Request { attr_args, input }.encode())).unwrap()
}

#[test]
fn manifest_lists_macros_in_order() {
    let m = Manifest::decode(&registry().manifest()).unwrap();
    assert_eq!(m.abi_version, wpm_abi::ABI_VERSION);
    let got: Vec<(MacroKind, &str, Vec<String>)> =
        m.macros.iter().map(|d| (d.kind, d.name.as_str(), d.helpers.clone())).collect();
    assert_eq!(
        got,
        vec![
            (MacroKind::Derive, "Upper", vec!["upper".to_owned(), "up".to_owned()]),
            (MacroKind::Attribute, "attr", vec![]),
            (MacroKind::Function, "respan", vec![]),
            (MacroKind::Function, "show", vec![]),
            (MacroKind::Function, "show_rebuilt", vec![]),
        ]
    );
}

#[test]
fn trees_and_spans_survive_the_round_trip() {
    let mut want = sample();
    for t in &mut want {
        if let wpm_abi::TokenTree::Ident(i) = t {
            i.span = SpanHandle::MIXED_SITE;
        }
    }
    assert_eq!(expand(2, None, sample()), want);
}

#[test]
fn derive_output_is_lexed_with_call_site_spans() {
    let out = expand(0, None, sample());
    let mut text = String::new();
    for t in &out {
        match t {
            wpm_abi::TokenTree::Ident(i) => {
                assert_eq!(i.span, SpanHandle::CALL_SITE);
                text.push_str(&i.name);
            }
            wpm_abi::TokenTree::Group(g) => text.push_str(&format!("{{{}}}", g.stream.len())),
            wpm_abi::TokenTree::Punct(p) => text.push(p.ch as char),
            wpm_abi::TokenTree::Literal(l) => l.write_source(&mut text).unwrap(),
        }
    }
    // `x : r#"q"#s` upper-cases to `X : R#"Q"#S`, which lexes as seven trees: an
    // upper-case `R` is no raw-string prefix.
    assert_eq!(text, "STRUCTA{7}+=");
}

#[test]
fn attribute_gets_its_arguments() {
    let out = expand(1, Some(vec![ident("x", 40)]), vec![ident("fn", 41)]);
    assert_eq!(out, vec![ident("fn", 41), ident("x", 40)]);
}

#[test]
#[should_panic(expected = "wpm: the host asked for macro #5, but the module has 5")]
fn bad_index_panics() {
    registry().expand(5, &Request::default().encode());
}

#[test]
#[should_panic(expected = "wpm: the host sent a malformed request")]
fn malformed_request_panics() {
    registry().expand(0, &[7]);
}

/// `std::time::Duration::from_secs(5) + {x}` as the host sends it: every token's span
/// handle is its first column, on line 1, so a handle and the next touch when the
/// token's width (`widths`) covers the gap.
fn source_sample() -> Vec<wpm_abi::TokenTree> {
    let group = |delimiter, open: u32, close: u32, stream| {
        wpm_abi::TokenTree::Group(Group {
            delimiter,
            span: SpanHandle(open),
            span_open: SpanHandle(open),
            span_close: SpanHandle(close),
            stream,
        })
    };
    let five = wpm_abi::TokenTree::Literal(Literal {
        kind: LitKind::Integer,
        symbol: "5".into(),
        suffix: String::new(),
        span: SpanHandle(32),
    });
    vec![
        ident("std", 3),
        punct(b':', true, 6),
        punct(b':', false, 7),
        ident("time", 8),
        punct(b':', true, 12),
        punct(b':', false, 13),
        ident("Duration", 14),
        punct(b':', true, 22),
        punct(b':', false, 23),
        ident("from_secs", 24),
        group(Delimiter::Parenthesis, 33 - 2, 33, vec![five]),
        punct(b'+', false, 35),
        group(Delimiter::Brace, 37, 39, vec![ident("x", 38)]),
    ]
}

/// Where the spans of [`source_sample`] lie: handle `h` starts at column `h` of line 1 and
/// is as wide as the token there.
fn sample_locations(span: SpanHandle, which: wpm_abi::SpanLocation) -> Option<u32> {
    use wpm_abi::SpanLocation::{EndColumn, EndLine, StartColumn, StartLine};
    let width = match span.0 {
        3 => 3,
        8 => 4,
        14 => 8,
        24 => 9,
        _ => 1,
    };
    match which {
        StartLine | EndLine => Some(1),
        StartColumn => Some(span.0),
        EndColumn => Some(span.0 + width),
        _ => None,
    }
}

fn shown(index: usize) -> String {
    match &expand(index, None, source_sample())[..] {
        [wpm_abi::TokenTree::Literal(l)] => l.symbol.clone(),
        other => panic!("expected one string literal, got {other:?}"),
    }
}

/// A stream the host sent prints with the source's spacing, as rustc prints its own
/// tokens: the printer asks where the spans lie. Taken apart into trees, it prints like a
/// stream the macro built; so does everything when the host cannot say.
#[test]
fn host_streams_print_with_the_source_spacing() {
    proc_macro::__wpm::set_native_span_locations(Some(sample_locations));
    assert_eq!(shown(3), "std::time::Duration::from_secs(5) + {x}");
    assert_eq!(shown(4), "std :: time :: Duration :: from_secs(5) + { x }");
    proc_macro::__wpm::set_native_span_locations(None);
    assert_eq!(shown(3), "std :: time :: Duration :: from_secs(5) + { x }");
}
