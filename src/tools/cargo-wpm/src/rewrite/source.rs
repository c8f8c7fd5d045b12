//! Rewrites a proc-macro crate root so that it builds as a wasm `cdylib`.
//!
//! The edits are textual, at byte ranges found with `syn` (spans with locations), so
//! everything else in the file (comments, formatting, line numbers) is preserved:
//! - every `#[proc_macro]`, `#[proc_macro_derive(..)]` and `#[proc_macro_attribute]`
//!   attribute on a top-level function is removed (replaced by nothing on its line);
//! - crate-level `forbid` lint attributes become `deny`, so that the generated module's
//!   `#[allow(unsafe_code, ...)]` is accepted;
//! - a module `__wpm_macros` is appended that registers every macro, in declaration order,
//!   with the guest library's `Registry` (see [`super::registration`]).

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt as _;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, Item, Meta, Token};

use wpm_abi::MacroKind;

/// One macro the crate declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MacroDef {
    /// Its kind.
    pub(crate) kind: MacroKind,
    /// The name users write (derive trait name, or function name), without `r#`.
    pub(crate) name: String,
    /// Derive helper attributes.
    pub(crate) helpers: Vec<String>,
    /// The function implementing it, as written (may be `r#...`).
    pub(crate) fn_ident: String,
    /// Verbatim `#[cfg(...)]` attributes of the function.
    pub(crate) cfgs: Vec<String>,
}

/// The rewritten crate root.
#[derive(Debug)]
pub(crate) struct Rewritten {
    /// The new source text.
    pub(crate) text: String,
    /// The macros found, in declaration order.
    pub(crate) macros: Vec<MacroDef>,
}

/// A replacement of `range` in the original text.
struct Edit {
    range: std::ops::Range<usize>,
    with: &'static str,
}

/// Finds the macros of the crate root `src` and rewrites it.
///
/// # Errors
/// A message when the file does not parse or a proc-macro attribute is malformed
/// (rustc would reject it too).
pub(crate) fn rewrite_root(src: &str) -> Result<Rewritten, String> {
    // proc-macro2 counts from the first byte it sees; keep a BOM out of its way.
    let bom = if src.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let body = &src[bom..];
    let tokens: TokenStream = body.parse().map_err(|e| format!("cannot tokenize: {e}"))?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| located(e.span(), &e.to_string()))?;

    let mut edits = Vec::new();
    for attr in &file.attrs {
        forbid_to_deny(attr, &mut edits);
    }
    let mut macros = Vec::new();
    for item in &file.items {
        if let Item::Macro(mac) = item {
            if mac.mac.path.is_ident("macro_rules") && mentions_proc_macro_attr(mac.mac.tokens.clone()) {
                let name = mac.ident.as_ref().map_or_else(String::new, |i| format!(" {i}"));
                return Err(located(
                    mac.mac.bang_token.span,
                    &format!(
                        "`macro_rules!{name}` generates proc-macro functions; cargo-wpm only rewrites \
                         `#[proc_macro*]` attributes written directly on crate-root functions"
                    ),
                ));
            }
        }
        let Item::Fn(func) = item else { continue };
        let mut found: Option<(MacroKind, String, Vec<String>)> = None;
        let mut cfgs = Vec::new();
        for attr in &func.attrs {
            let Some(ident) = attr.path().get_ident() else { continue };
            let kind = match ident.to_string().as_str() {
                "proc_macro" => MacroKind::Function,
                "proc_macro_attribute" => MacroKind::Attribute,
                "proc_macro_derive" => MacroKind::Derive,
                "cfg" => {
                    cfgs.push(body[attr_range(attr)].to_owned());
                    continue;
                }
                _ => continue,
            };
            if found.is_some() {
                return Err(located(attr.pound_token.span, "a function with two proc-macro attributes"));
            }
            let fn_name = func.sig.ident.unraw().to_string();
            let (name, helpers) = match kind {
                MacroKind::Derive => parse_derive_args(attr).map_err(|e| located(e.span(), &e.to_string()))?,
                _ => (fn_name, Vec::new()),
            };
            found = Some((kind, name, helpers));
            edits.push(Edit { range: attr_range(attr), with: "" });
        }
        if let Some((kind, name, helpers)) = found {
            macros.push(MacroDef { kind, name, helpers, fn_ident: func.sig.ident.to_string(), cfgs });
        }
    }

    edits.sort_by_key(|e| e.range.start);
    let mut text = String::with_capacity(src.len() + 512);
    text.push_str(&src[..bom]);
    let mut at = 0;
    for edit in &edits {
        text.push_str(&body[at..edit.range.start]);
        text.push_str(edit.with);
        at = edit.range.end;
    }
    text.push_str(&body[at..]);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&super::registration::module(&macros));
    Ok(Rewritten { text, macros })
}

/// Parses `Name` or `Name, attributes(a, b)` (a trailing comma allowed).
fn parse_derive_args(attr: &Attribute) -> syn::Result<(String, Vec<String>)> {
    let parser = |input: ParseStream<'_>| {
        let path: syn::Path = input.parse()?;
        let name = single_word(&path)?;
        let mut helpers = Vec::new();
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: Ident = input.parse()?;
            if key != "attributes" {
                return Err(syn::Error::new(key.span(), "expected `attributes(...)`"));
            }
            let content;
            syn::parenthesized!(content in input);
            let list = Punctuated::<syn::Path, Token![,]>::parse_terminated(&content)?;
            for helper in &list {
                helpers.push(single_word(helper)?);
            }
            input.parse::<Option<Token![,]>>()?;
        }
        Ok((name, helpers))
    };
    match &attr.meta {
        Meta::List(list) => parser.parse2(list.tokens.clone()),
        _ => Err(syn::Error::new(attr.pound_token.span, "expected `#[proc_macro_derive(Name)]`")),
    }
}

/// The one identifier of a derive or helper name (rustc accepts nothing longer).
fn single_word(path: &syn::Path) -> syn::Result<String> {
    match path.get_ident() {
        Some(ident) => Ok(ident.unraw().to_string()),
        None => Err(syn::Error::new_spanned(path, "must be a single identifier")),
    }
}

/// Whether `tokens` contain `[proc_macro...]` (an attribute body) at any depth.
fn mentions_proc_macro_attr(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Group(group) => {
            let first = group.stream().into_iter().next();
            let is_attr = group.delimiter() == proc_macro2::Delimiter::Bracket
                && matches!(&first, Some(TokenTree::Ident(i)) if i == "proc_macro" || i == "proc_macro_derive" || i == "proc_macro_attribute");
            is_attr || mentions_proc_macro_attr(group.stream())
        }
        _ => false,
    })
}

/// Byte range of a whole attribute, `#` to `]`.
fn attr_range(attr: &Attribute) -> std::ops::Range<usize> {
    attr.pound_token.span.byte_range().start..attr.bracket_token.span.close().byte_range().end
}

/// Queues `forbid` → `deny` for `#![forbid(..)]` and `#![cfg_attr(.., forbid(..))]`.
fn forbid_to_deny(attr: &Attribute, edits: &mut Vec<Edit>) {
    let Meta::List(list) = &attr.meta else { return };
    if list.path.is_ident("forbid") {
        if let Some(ident) = list.path.get_ident() {
            edits.push(Edit { range: ident.span().byte_range(), with: "deny" });
        }
    } else if list.path.is_ident("cfg_attr") {
        let tokens: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
        for pair in tokens.windows(2) {
            if let (TokenTree::Ident(ident), TokenTree::Group(_)) = (&pair[0], &pair[1]) {
                if ident == "forbid" {
                    edits.push(Edit { range: ident.span().byte_range(), with: "deny" });
                }
            }
        }
    }
}

/// Prefixes a message with the line and column of `span`.
fn located(span: Span, message: &str) -> String {
    let start = span.start();
    format!("line {}, column {}: {message}", start.line, start.column + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_attributes_and_registers_in_order() {
        let src = "\
//! Docs.
#![forbid(unsafe_code)]
use proc_macro::TokenStream;

/// Derives it.
#[proc_macro_derive(Serialize, attributes(serde))]
pub fn derive_serialize(input: TokenStream) -> TokenStream { input }

#[cfg(feature = \"x\")]
#[proc_macro_attribute]
pub fn r#async(_a: TokenStream, i: TokenStream) -> TokenStream { i }

#[proc_macro]
pub fn html(i: TokenStream) -> TokenStream { i }

#[proc_macro_derive(Plain)]
pub fn plain(i: TokenStream) -> TokenStream { i }

#[proc_macro_derive(Empty, attributes())]
pub fn empty(i: TokenStream) -> TokenStream { i }

fn helper() {}
";
        let out = rewrite_root(src).unwrap();
        let names: Vec<_> = out.macros.iter().map(|m| (m.kind, m.name.as_str(), m.helpers.clone())).collect();
        assert_eq!(
            names,
            vec![
                (MacroKind::Derive, "Serialize", vec!["serde".to_owned()]),
                (MacroKind::Attribute, "async", vec![]),
                (MacroKind::Function, "html", vec![]),
                (MacroKind::Derive, "Plain", vec![]),
                (MacroKind::Derive, "Empty", vec![]),
            ]
        );
        assert_eq!(out.macros[1].cfgs, vec!["#[cfg(feature = \"x\")]".to_owned()]);
        assert_eq!(out.macros[1].fn_ident, "r#async");
        assert!(!out.text.contains("#[proc_macro"), "{}", out.text);
        assert!(out.text.contains("#![deny(unsafe_code)]"));
        // Line numbers of the remaining code are unchanged.
        let line_of = |t: &str, needle: &str| t.lines().position(|l| l.contains(needle)).unwrap();
        assert_eq!(line_of(src, "fn helper"), line_of(&out.text, "fn helper"));
        assert_eq!(line_of(src, "pub fn html"), line_of(&out.text, "pub fn html"));
        // Everything outside the edits is untouched.
        assert!(out.text.starts_with("//! Docs.\n#![deny(unsafe_code)]\nuse proc_macro::TokenStream;\n\n/// Derives it.\n\npub fn"));
        // The output still parses.
        syn::parse_file(&out.text).unwrap();
    }

    #[test]
    fn forbid_inside_cfg_attr_and_bom() {
        let src = "\u{feff}#![cfg_attr(not(test), forbid(unsafe_code, missing_docs))]\n#[proc_macro]\npub fn m(i: proc_macro::TokenStream) -> proc_macro::TokenStream { i }\n";
        let out = rewrite_root(src).unwrap();
        assert!(out.text.starts_with("\u{feff}#![cfg_attr(not(test), deny(unsafe_code, missing_docs))]\n\npub fn m"));
        assert_eq!(out.macros.len(), 1);
    }

    #[test]
    fn non_ascii_text_keeps_byte_offsets_right() {
        let src = "/// Größe → 大きさ\n#[proc_macro_derive(Grösse, attributes(größe,),)]\npub fn g(i: proc_macro::TokenStream) -> proc_macro::TokenStream { i }\n";
        let out = rewrite_root(src).unwrap();
        assert!(out.text.starts_with("/// Größe → 大きさ\n\npub fn g"), "{}", out.text);
        assert_eq!(out.macros[0].name, "Grösse");
        assert_eq!(out.macros[0].helpers, vec!["größe".to_owned()]);
    }

    #[test]
    fn proc_macros_generated_by_macro_rules_are_refused_clearly() {
        let src = "macro_rules! make {\n    ($n:ident) => { #[proc_macro_derive($n)] pub fn f(i: T) -> T { i } };\n}\nmake!(A);\n";
        let err = rewrite_root(src).unwrap_err();
        assert!(err.starts_with("line 1,") && err.contains("`macro_rules! make` generates proc-macro functions"), "{err}");
        // An ordinary macro_rules! is fine.
        assert!(rewrite_root("macro_rules! m { () => { #[inline] fn g() {} } }\n").is_ok());
    }

    #[test]
    fn malformed_derive_is_an_error_with_a_location() {
        let err = rewrite_root("\n#[proc_macro_derive(a::B)]\npub fn f(i: T) -> T { i }\n").unwrap_err();
        assert!(err.starts_with("line 2,"), "{err}");
        assert!(err.contains("single identifier"), "{err}");
        assert!(rewrite_root("fn (").is_err());
    }
}
