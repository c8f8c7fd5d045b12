//! Demo macros for tests/fork: one of each kind, written against the plain `proc_macro` API
//! (no syn/quote) so the module builds quickly.
//!
//! - `#[derive(SomeMacro)]` with helper `#[some(...)]`: `impl Type { fn describe() -> String }`
//!   listing the named fields and their `#[some(..)]` notes; each field type must be
//!   `Display`, checked with the user's own type tokens so errors point at the field.
//! - `#[derive(Explode)]`: panics with a message.
//! - `#[log_calls]`: wraps a fn body so it prints `enter NAME` first.
//! - `make_answer!(NAME)`: defines `fn NAME() -> u32 { 42 }`.
//! - `__wpm_derive_0!(ITEMS)`: expands to `ITEMS` (its name is the one hosts give derives).

use proc_macro::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

/// Name and brace-group of a `struct NAME { ... }` item.
fn struct_parts(input: TokenStream) -> (Ident, Option<Group>) {
    let mut name = None;
    let mut body = None;
    let mut saw_struct = false;
    for tt in input {
        match tt {
            TokenTree::Ident(i) if i.to_string() == "struct" => saw_struct = true,
            TokenTree::Ident(i) if saw_struct && name.is_none() => name = Some(i),
            TokenTree::Group(g) if name.is_some() && g.delimiter() == Delimiter::Brace => body = Some(g),
            _ => {}
        }
    }
    (name.expect("SomeMacro supports structs only"), body)
}

/// Fields of a braced struct body: (attribute notes, name, type tokens).
fn fields(body: &Group) -> Vec<(Vec<String>, Ident, TokenStream)> {
    let mut out = Vec::new();
    let toks: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut i = 0;
    while i < toks.len() {
        let mut notes = Vec::new();
        while let TokenTree::Punct(p) = &toks[i] {
            if p.as_char() != '#' {
                break;
            }
            if let Some(TokenTree::Group(g)) = toks.get(i + 1) {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                if let (Some(TokenTree::Ident(a)), Some(TokenTree::Group(args))) = (inner.first(), inner.get(1)) {
                    if a.to_string() == "some" {
                        notes.push(args.stream().to_string());
                    }
                }
            }
            i += 2;
        }
        if let Some(TokenTree::Ident(v)) = toks.get(i) {
            if v.to_string() == "pub" {
                i += 1;
            }
        }
        let Some(TokenTree::Ident(name)) = toks.get(i).cloned() else { break };
        i += 2; // name and ':'
        let mut ty = TokenStream::new();
        let mut depth = 0i32;
        while i < toks.len() {
            if let TokenTree::Punct(p) = &toks[i] {
                match p.as_char() {
                    '<' => depth += 1,
                    '>' => depth -= 1,
                    ',' if depth == 0 => break,
                    _ => {}
                }
            }
            ty.extend([toks[i].clone()]);
            i += 1;
        }
        i += 1; // ','
        out.push((notes, name, ty));
    }
    out
}

/// `#[derive(SomeMacro)]`: see the crate docs.
#[proc_macro_derive(SomeMacro, attributes(some))]
pub fn some_macro(input: TokenStream) -> TokenStream {
    let (name, body) = struct_parts(input);
    let fields = body.as_ref().map(fields).unwrap_or_default();
    let mut parts = Vec::new();
    let mut checks = TokenStream::new();
    for (notes, field, ty) in &fields {
        let notes = if notes.is_empty() { String::new() } else { format!(" [{}]", notes.join("; ")) };
        parts.push(format!("{field}{notes}"));
        // `_shown::<TYPE>();` with the user's own type tokens: a field type that is not
        // `Display` is reported at the user's field.
        checks.extend("_shown::<".parse::<TokenStream>().unwrap());
        checks.extend(ty.clone());
        checks.extend(">();".parse::<TokenStream>().unwrap());
    }
    let describe = format!("{name} {{ {} }}", parts.join(", "));
    let mut inner: TokenStream = format!(
        "pub fn describe() -> String {{ String::from({describe:?}) }} #[allow(dead_code)] fn _check() where Self: Sized"
    )
    .parse()
    .unwrap();
    let mut body: TokenStream = "fn _shown<T: ::std::fmt::Display + ?Sized>() {}".parse().unwrap();
    body.extend(checks);
    inner.extend([TokenTree::Group(Group::new(Delimiter::Brace, body))]);
    let mut out: TokenStream = format!("impl {name}").parse().unwrap();
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, inner))]);
    out
}

/// `#[derive(Explode)]`: always panics.
#[proc_macro_derive(Explode)]
pub fn explode(_input: TokenStream) -> TokenStream {
    panic!("Explode refuses to derive anything")
}

/// `#[log_calls]` on a fn: prints `enter NAME` before the body runs.
#[proc_macro_attribute]
pub fn log_calls(args: TokenStream, item: TokenStream) -> TokenStream {
    let prefix = if args.is_empty() { String::new() } else { format!("{args}: ") };
    let mut toks: Vec<TokenTree> = item.into_iter().collect();
    let name = toks
        .iter()
        .skip_while(|t| !matches!(t, TokenTree::Ident(i) if i.to_string() == "fn"))
        .nth(1)
        .map(|t| t.to_string())
        .expect("log_calls needs a fn");
    let Some(TokenTree::Group(body)) = toks.pop() else { panic!("log_calls needs a fn body") };
    let mut new_body: TokenStream = format!("println!(\"{prefix}enter {name}\");").parse().unwrap();
    new_body.extend(body.stream());
    let mut g = Group::new(Delimiter::Brace, new_body);
    g.set_span(body.span());
    toks.push(TokenTree::Group(g));
    toks.into_iter().collect()
}

/// `make_answer!(NAME)`: `fn NAME() -> u32 { 42 }`.
#[proc_macro]
pub fn make_answer(input: TokenStream) -> TokenStream {
    let name = match input.into_iter().next() {
        Some(TokenTree::Ident(i)) => i,
        _ => Ident::new("answer", Span::call_site()),
    };
    let mut out: TokenStream = "fn".parse().unwrap();
    out.extend([TokenTree::Ident(name)]);
    out.extend("() -> u32 { 42 }".parse::<TokenStream>().unwrap());
    out
}

/// `__wpm_derive_0!(ITEMS)`: expands to `ITEMS`. Its name is the one generated proc-macro
/// crates give their first derive's function, so a host that does not make derive
/// functions unique against the module's other macros generates a crate that fails with
/// E0428 (tests/fork/cases/clash_derive_function_name.rs).
#[proc_macro]
pub fn __wpm_derive_0(input: TokenStream) -> TokenStream {
    input
}
