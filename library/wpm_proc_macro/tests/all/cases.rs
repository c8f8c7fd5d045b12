// Behaviour cases shared by two builds: `include!`d by the oracle proc-macro crate (compiled
// against rustc's real `proc_macro`, run by the compiler) and by the `all` test (compiled
// against wpm's `proc_macro`). Each case produces a string; the test asserts that both
// implementations produce the same one. Only stable `proc_macro` API may be used here.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// One line per token tree, groups nested: kind, text, and a punct's spacing.
pub fn describe(stream: TokenStream) -> String {
    fn walk(stream: TokenStream, depth: usize, out: &mut String) {
        for tree in stream {
            for _ in 0..depth {
                out.push(' ');
            }
            match tree {
                TokenTree::Group(g) => {
                    out.push_str(&format!("G{:?}\n", g.delimiter()));
                    walk(g.stream(), depth + 1, out);
                }
                TokenTree::Ident(i) => out.push_str(&format!("I {i}\n")),
                TokenTree::Punct(p) => out.push_str(&format!("P {} {:?}\n", p.as_char(), p.spacing())),
                TokenTree::Literal(l) => out.push_str(&format!("L {l}\n")),
            }
        }
    }
    let mut out = String::new();
    walk(stream, 0, &mut out);
    out
}

/// The stream rebuilt tree by tree, as a macro that reassembles its input would.
pub fn rebuild(stream: TokenStream) -> TokenStream {
    stream
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(g) => {
                let mut n = Group::new(g.delimiter(), rebuild(g.stream()));
                n.set_span(g.span());
                TokenTree::Group(n)
            }
            other => other,
        })
        .collect()
}

fn lexed(src: &str) -> TokenStream {
    src.parse().unwrap_or_else(|e| panic!("lexing {src:?}: {e}"))
}

fn p(ch: char, joint: bool) -> TokenTree {
    TokenTree::Punct(Punct::new(ch, if joint { Spacing::Joint } else { Spacing::Alone }))
}

fn id(s: &str) -> TokenTree {
    TokenTree::Ident(Ident::new(s, Span::call_site()))
}

fn lit(l: Literal) -> TokenTree {
    TokenTree::Literal(l)
}

fn group(d: Delimiter, trees: Vec<TokenTree>) -> TokenTree {
    TokenTree::Group(Group::new(d, trees.into_iter().collect()))
}

/// Sources whose lexing and printing both implementations must agree on.
pub const SOURCES: &[&str] = &[
    "a != b", "a!=b", "x.y.z", "tup.0.1", "a..b", "a..=b", "..", "a ... b", "x::y::<T>", "Vec<Vec<u8>>",
    "fn f() -> u8 { 1 }", "match x { A => 1, _ => 2 }", "&'a T", "'a: loop {}", "'static", "&&x", "a&&b",
    "#[derive(Debug)] struct S;", "#![allow(x)]", "$x $($y)*", "m!(x)", "vec![1, 2]", "f(x)", "if (x) {}",
    "let (a, b) = (1, 2);", "fn(x: u8)", "pub(crate) fn f() {}", "Self(1)", "r#if(1)", "r#type", "_(x)",
    "x = -1", "a<-1", "1.", "1..2", "1.0e5", "1e-3f64", "0x1f_u8", "1_000i64", "2.e3", "1.0.0", "x.0.1",
    "b'a' b\"x\\n\" br#\"y\"# c\"z\" cr\"w\" r##\"a\"#b\"##", "'\\u{1F600}' '\\'' \"\\\"\"", "\"a\"suffix 1suf",
    "/// outer doc\nfn a() {}", "//! inner doc\n", "/** block doc */ x", "/*! inner block */ y", "/* c */ a // d\n b",
    "/*/**/*/ x", "a/**/b", "{} [] () {x} { x }", "{ a } + {b}", "x<<=y>>=z", "a->b=>c", "x ? y : z", "~!@#$%^&*",
    "ünïcödé _x αβγ", "println!(\"{}\", x)", "if !x { y }", "Option::<u8>::None", "impl<T: Clone> Foo for Bar<T> where T: Copy {}",
    "struct S { a: u8, b: u16, c: u32, d: u64, e: u128, f: usize, g: i8, h: i16, i: i32, j: i64, k: i128, l: isize }",
    "fn long_function_name(argument_one: SomeType, argument_two: AnotherType, argument_three: YetAnother) -> Result<(), Error> { let value = compute(argument_one, argument_two); if value > threshold { return Err(Error::TooBig(value)); } Ok(()) }",
    "mod m { mod n { fn deeply_nested_function_name() { let a_long_variable_name = another_function_call(with, many, arguments, here); } } }",
];

/// Every case: a name and what the implementation printed.
pub fn cases() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |name: String, value: String| out.push((name, value));

    for src in SOURCES {
        let ts = lexed(src);
        add(format!("describe {src:?}"), describe(ts.clone()));
        add(format!("print {src:?}"), ts.to_string());
        add(format!("print rebuilt {src:?}"), rebuild(ts.clone()).to_string());
        let groups: Vec<String> = ts
            .into_iter()
            .filter_map(|t| match t {
                TokenTree::Group(g) => Some(g.to_string()),
                _ => None,
            })
            .collect();
        add(format!("groups {src:?}"), groups.join(" | "));
    }

    // Streams built by hand, the way quote! builds them.
    let built: Vec<(&str, Vec<TokenTree>)> = vec![
        ("path", vec![id("a"), p(':', true), p(':', false), id("b")]),
        ("ne", vec![id("a"), p('!', true), p('=', false), id("b")]),
        ("bang alone", vec![id("a"), p('!', false), p('=', false), id("b")]),
        ("lifetime", vec![p('&', false), p('\'', true), id("a"), id("T")]),
        ("dots", vec![id("a"), p('.', true), p('.', false), id("b"), p('.', false), id("c")]),
        ("neg", vec![id("x"), p('=', false), lit(Literal::i32_unsuffixed(-1)), p(',', false), lit(Literal::f64_suffixed(-2.5))]),
        ("larrow", vec![id("a"), p('<', true), lit(Literal::i8_unsuffixed(-1))]),
        ("attr", vec![p('#', false), group(Delimiter::Bracket, vec![id("inline")]), id("fn"), id("f"), group(Delimiter::Parenthesis, vec![]), group(Delimiter::Brace, vec![])]),
        ("none group", vec![id("a"), group(Delimiter::None, vec![id("b"), p('+', false), id("c")]), id("d")]),
        ("keywords", vec![id("if"), group(Delimiter::Parenthesis, vec![id("x")]), id("match"), p('!', false), id("fn"), group(Delimiter::Parenthesis, vec![])]),
        ("raw", vec![TokenTree::Ident(Ident::new_raw("match", Span::call_site())), group(Delimiter::Parenthesis, vec![])]),
        ("dollar", vec![p('$', false), id("crate"), p(':', true), p(':', false), id("x")]),
    ];
    for (name, trees) in built {
        add(format!("built {name}"), trees.into_iter().collect::<TokenStream>().to_string());
    }

    // A long stream built by hand: breaks lines like rustc's printer.
    let mut fields = Vec::new();
    for i in 0..30 {
        fields.extend([id(&format!("field_{i}")), p(':', false), id("u32"), p(',', false)]);
    }
    let item = vec![id("pub"), id("struct"), id("Big"), group(Delimiter::Brace, fields)];
    add("built long struct".into(), item.into_iter().collect::<TokenStream>().to_string());

    // Streams joined with extend / FromIterator<TokenStream> glue at the seams like rustc's.
    let mut joined: TokenStream = vec![id("a"), p('=', true)].into_iter().collect();
    joined.extend(vec![TokenStream::from(p('=', false)), TokenStream::from(id("b"))]);
    add("extend glue".into(), joined.to_string());
    let from_streams: TokenStream = vec![TokenStream::from(p('-', true)), TokenStream::from(p('>', false))].into_iter().collect();
    add("streams glue".into(), from_streams.to_string());

    // Literal constructors.
    let lits = vec![
        Literal::u8_suffixed(255), Literal::u16_suffixed(1), Literal::u32_suffixed(2), Literal::u64_suffixed(3),
        Literal::u128_suffixed(u128::MAX), Literal::usize_suffixed(4), Literal::i8_suffixed(-128), Literal::i16_suffixed(5),
        Literal::i32_suffixed(-6), Literal::i64_suffixed(7), Literal::i128_suffixed(i128::MIN), Literal::isize_suffixed(8),
        Literal::u8_unsuffixed(9), Literal::u128_unsuffixed(10), Literal::i64_unsuffixed(-11), Literal::isize_unsuffixed(12),
        Literal::f32_unsuffixed(1.0), Literal::f32_unsuffixed(0.1), Literal::f32_suffixed(1.5), Literal::f64_unsuffixed(1e100),
        Literal::f64_unsuffixed(-0.0), Literal::f64_suffixed(2.0), Literal::f64_unsuffixed(1e-7),
        Literal::string("plain"), Literal::string("quote \" apostrophe ' backslash \\ nul \0 tab \t cr \r nl \n"),
        Literal::string("ünï 😀 \u{300}combining \u{7f} \u{200b}"), Literal::character('\''), Literal::character('"'),
        Literal::character('\n'), Literal::character('😀'), Literal::character('\u{300}'), Literal::byte_character(b'\''),
        Literal::byte_character(0xff), Literal::byte_character(b'"'), Literal::byte_string(b"a\"b'c\x00\xff\n"),
        Literal::c_string(c"c \" str ü"),
    ];
    for (i, l) in lits.into_iter().enumerate() {
        add(format!("literal #{i}"), l.to_string());
    }

    // Literal::from_str, accepted or not. (Inputs that rustc reports as compile errors,
    // rather than returning `Err`, are in api.rs: the oracle's build would fail on them.)
    for src in [
        "1u8", "-1", "-1.5e3f32", "- 1", "-\"x\"", "r#\"x\"#", "1.0e5", "b'a'", "'\\u{1F600}'", "c\"x\"", " 1", "1 ",
        "/*c*/1", "true", "1 2", "x", "-x", "'a",
    ] {
        let r = match src.parse::<Literal>() {
            Ok(l) => format!("ok {l}"),
            Err(_) => "err".to_owned(),
        };
        add(format!("literal from_str {src:?}"), r);
    }

    // TokenStream::from_str errors are checked in api.rs only: rustc 1.95 ICEs ("no
    // diagnostic has a message") when a proc macro lexes unbalanced delimiters.

    // Identifiers.
    add("ident".into(), Ident::new("hello", Span::call_site()).to_string());
    add("ident raw".into(), Ident::new_raw("fn", Span::call_site()).to_string());
    add("ident unicode".into(), Ident::new("über", Span::call_site()).to_string());
    add("empty stream".into(), TokenStream::new().to_string());
    add("is_empty".into(), format!("{} {}", TokenStream::new().is_empty(), lexed("x").is_empty()));
    out
}
