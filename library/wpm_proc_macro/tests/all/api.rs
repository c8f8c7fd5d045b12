//! Direct behaviour checks, including the unstable API the oracle cannot exercise on stable.

use std::panic::catch_unwind;

use proc_macro::{
    ConversionErrorKind, Delimiter, Diagnostic, Group, Ident, Level, Literal, Punct, Spacing, Span, TokenStream,
    TokenTree,
};

fn lit(src: &str) -> Literal {
    src.parse().unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = catch_unwind(f).expect_err("expected a panic");
    err.downcast_ref::<String>().cloned().or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string())).unwrap()
}

#[test]
fn constructors_reject_what_rustc_rejects() {
    assert_eq!(panic_message(|| drop(Punct::new('a', Spacing::Alone))), "unsupported character `'a'`");
    assert_eq!(panic_message(|| drop(Ident::new("a b", Span::call_site()))), "`\"a b\"` is not a valid identifier");
    assert_eq!(panic_message(|| drop(Ident::new_raw("self", Span::call_site()))), "`self` cannot be a raw identifier");
    assert_eq!(panic_message(|| drop(Literal::f32_unsuffixed(f32::NAN))), "Invalid float literal NaN");
    assert_eq!(panic_message(|| drop(Literal::f64_suffixed(f64::INFINITY))), "Invalid float literal inf");
    assert_eq!(Ident::new("$crate", Span::call_site()).to_string(), "$crate");
}

#[test]
fn unsupported_apis_fail_loudly_with_their_name() {
    assert_eq!(
        panic_message(|| drop(TokenStream::new().expand_expr())),
        "proc_macro::TokenStream::expand_expr is not supported by wpm"
    );
    assert_eq!(
        panic_message(|| drop(proc_macro::tracked::env_var("X"))),
        "proc_macro::tracked::env_var is not supported by wpm"
    );
    assert_eq!(panic_message(|| proc_macro::tracked::path("x")), "proc_macro::tracked::path is not supported by wpm");
    assert_eq!(
        panic_message(|| {
            let _ = Span::call_site().save_span();
        }),
        "proc_macro::Span::save_span is not supported by wpm"
    );
}

#[test]
fn literal_values() {
    assert_eq!(lit(r#""a\n\u{e9}\x41""#).str_value(), Ok("a\n\u{e9}A".to_owned()));
    assert_eq!(lit(r##"r#"a\n"#"##).str_value(), Ok("a\\n".to_owned()));
    assert_eq!(lit("'\\''").character_value(), Ok('\''));
    assert_eq!(lit("b'\\xff'").byte_character_value(), Ok(0xff));
    assert_eq!(lit(r#"b"a\x00\xff""#).byte_str_value(), Ok(vec![b'a', 0, 0xff]));
    assert_eq!(lit(r#"br"\x""#).byte_str_value(), Ok(b"\\x".to_vec()));
    assert_eq!(lit(r#"c"\u{e9}\xff""#).cstr_value(), Ok(vec![0xc3, 0xa9, 0xff, 0]));
    assert_eq!(lit(r#"cr"x""#).cstr_value(), Ok(vec![b'x', 0]));
    assert_eq!(lit("1").str_value(), Err(ConversionErrorKind::InvalidLiteralKind));
    assert_eq!(lit("'a'").byte_character_value(), Err(ConversionErrorKind::InvalidLiteralKind));
    // A constructed literal with a bad escape reports the escaper's error.
    assert!(matches!(Literal::string("x").str_value(), Ok(s) if s == "x"));
}

#[test]
fn literal_debug_shows_kind_symbol_suffix() {
    let d = format!("{:?}", Literal::u8_suffixed(7));
    assert!(
        d.starts_with("Literal { kind: Integer, symbol: \"7\", suffix: Some(\"u8\"), span: #0 bytes(0..0) }"),
        "{d}"
    );
    assert_eq!(format!("{:?}", Span::call_site()), "#0 bytes(0..0)");
}

#[test]
fn spans_answer_like_a_spanless_host_natively() {
    let s = Span::call_site();
    assert_eq!((s.line(), s.column()), (0, 0));
    assert_eq!(s.source_text(), None);
    assert_eq!(s.local_file(), None);
    assert_eq!(s.byte_range(), 0..0);
    assert!(s.join(Span::mixed_site()).is_none());
    assert!(s.start().eq(&s) && s.end().eq(&s) && s.source().eq(&s));
    assert!(s.parent().is_none());
    assert!(!s.eq(&Span::mixed_site()) && !Span::def_site().eq(&Span::mixed_site()));
    assert!(s.resolved_at(Span::mixed_site()).eq(&s));
    assert!(s.located_at(Span::mixed_site()).eq(&Span::mixed_site()));
    assert!(lit("\"abc\"").subspan(1..2).is_none());
}

#[test]
fn streams_are_shared_and_copied_on_write() {
    let a: TokenStream = "x y".parse().unwrap();
    let mut b = a.clone();
    b.extend([TokenTree::Ident(Ident::new("z", Span::call_site()))]);
    b.extend([Punct::new(';', Spacing::Alone)]);
    assert_eq!(a.to_string(), "x y");
    assert_eq!(b.to_string(), "x y z;");
    let mut empty = TokenStream::new();
    empty.extend([TokenStream::new(), a.clone()]);
    assert_eq!(empty.to_string(), "x y");
    assert_eq!(a.clone().into_iter().count(), 2);
    assert_eq!(a.into_iter().size_hint(), (2, Some(2)));
    assert!(TokenStream::default().is_empty());
    let g = Group::new(Delimiter::Bracket, "1".parse().unwrap());
    assert_eq!(format!("{:?}", TokenStream::from(TokenTree::Group(g))).lines().count(), 1);
}

#[test]
fn group_spans_and_accessors() {
    let mut g = Group::new(Delimiter::Brace, "a".parse().unwrap());
    assert_eq!(g.delimiter(), Delimiter::Brace);
    g.set_span(Span::mixed_site());
    assert!(
        g.span().eq(&Span::mixed_site())
            && g.span_open().eq(&Span::mixed_site())
            && g.span_close().eq(&Span::mixed_site())
    );
    assert_eq!(g.stream().to_string(), "a");
    let mut tt = TokenTree::from(g);
    tt.set_span(Span::call_site());
    assert!(tt.span().eq(&Span::call_site()));
    let p = Punct::new('+', Spacing::Joint);
    assert!(p == '+' && p.spacing() == Spacing::Joint);
    assert!('+' == p && '-' != p);
}

#[test]
fn diagnostics_build_like_std() {
    let d = Span::call_site().error("bad").span_note(Span::mixed_site(), "here").help("try this");
    assert!(matches!(d.level(), Level::Error));
    assert_eq!(d.message(), "bad");
    assert_eq!(d.spans().len(), 1);
    let kids: Vec<&Diagnostic> = d.children().collect();
    assert_eq!(kids.len(), 2);
    assert!(matches!(kids[1].level(), Level::Help) && kids[1].spans().is_empty());
    d.emit(); // natively: printed to stderr
}

#[test]
fn lex_errors_are_errors() {
    // Inputs rustc reports as errors while lexing (the oracle cannot run these: rustc
    // fails the whole compilation on them).
    for src in [
        "(",
        ")",
        "(]",
        "{)",
        "a ( b [ c ) ]",
        "\"abc",
        "'ab'",
        "0x",
        "1e",
        "0b1.0",
        "0x1.5",
        "r#self",
        "€",
        "a /* x",
        "r#\"x",
        "'1a",
        "\"\\q\"",
        "b'ab'",
        "'\\'",
    ] {
        assert!(src.parse::<TokenStream>().is_err(), "{src:?} lexed");
    }
    for src in ["\"unterminated", "0x", "1e", "0b1.0", "'ab'", "\"\\q\"", "1.0.0", "--1"] {
        assert!(src.parse::<Literal>().is_err(), "{src:?} parsed as a literal");
    }
    let e = "(".parse::<TokenStream>().unwrap_err();
    assert!(!e.to_string().is_empty());
    let _: &dyn std::error::Error = &e;
    assert!(proc_macro::is_available());
}
