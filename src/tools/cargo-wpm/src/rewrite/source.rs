//! Rewrites a proc-macro crate root so that it builds as a wasm `cdylib`.
//!
//! The edits are textual, at byte ranges found with `syn` (spans with locations), so
//! everything else in the file (comments, formatting, line numbers) is preserved:
//! - every `#[proc_macro]`, `#[proc_macro_derive(..)]` and `#[proc_macro_attribute]`
//!   attribute on a top-level function is removed (replaced by nothing on its line);
//!   inside `#[cfg_attr(PRED, ..)]` (at any depth) only the proc-macro attribute goes,
//!   and its registration gets `#[cfg(PRED)]`, so the manifest follows the features and
//!   cfgs the crate is built with, as rustc's own declaration would;
//! - proc-macro-error's `#[proc_macro_error]` on such a function (also path-qualified or
//!   inside `cfg_attr`) gets the settings `allow_not_macro, assert_unwind_safe`: it refuses
//!   a function without a proc-macro attribute, and sets the second itself for one with;
//! - the same attributes are removed from the bodies of crate-root `macro_rules!` (the
//!   *generators*, e.g. derive_more-impl's `create_derive!`); which functions those
//!   generate is learnt from a native expansion (see [`super::generated`]);
//! - another crate's generator invoked at the root gets a localized copy before its first
//!   invocation, and the invocations call the copy (see [`super::borrowed`]);
//! - crate-level `forbid` lint attributes become `deny`, so that the generated module's
//!   `#[allow(unsafe_code, ...)]` is accepted;
//! - a module `__wpm_macros` is appended ([`Rewritten::with_registrations`]) that
//!   registers every macro, in declaration order, with the guest library's `Registry`
//!   (see [`super::registration`]).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::ext::IdentExt as _;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Attribute, Ident, Item, ItemFn, Meta, Token};

use wpm_abi::MacroKind;

use super::borrowed::{Borrowed, Invocation};

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

/// The rewritten crate root, before the registration module is appended.
#[derive(Debug)]
pub(crate) struct Rewritten {
    /// The edited source text.
    pub(crate) text: String,
    /// The macros written directly on crate-root functions, in declaration order.
    pub(crate) macros: Vec<MacroDef>,
    /// Names of the crate-root `macro_rules!` whose bodies declare proc-macro functions
    /// (their proc-macro attributes are removed); empty for most crates.
    pub(crate) generators: Vec<String>,
    /// Identifiers (without `r#`) in the generators' bodies and in crate-root invocations
    /// of the crate's own crate-root `macro_rules!`: the names a generated function can have.
    pub(crate) traceable: BTreeSet<String>,
}

impl Rewritten {
    /// The final crate root: the edited text with the registration module for `macros`.
    pub(crate) fn with_registrations(&self, macros: &[MacroDef]) -> String {
        let mut text = self.text.clone();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&super::registration::module(macros));
        text
    }
}

/// A replacement of `range` in the original text.
struct Edit {
    range: std::ops::Range<usize>,
    with: String,
}

impl Edit {
    /// Removes `range`.
    fn remove(range: std::ops::Range<usize>) -> Self {
        Edit { range, with: String::new() }
    }

    /// Replaces `range` of `body` with `with`, padded with newlines so that the lines after
    /// it keep their numbers.
    fn keeping_lines(range: std::ops::Range<usize>, mut with: String, body: &str) -> Self {
        let lines = body[range.clone()].matches('\n').count();
        with.push_str(&"\n".repeat(lines.saturating_sub(with.matches('\n').count())));
        Edit { range, with }
    }
}

/// Finds the macros of the crate root `src` and rewrites it, copying in the `borrowed`
/// generators it invokes.
///
/// # Errors
/// A message when the file does not parse or a proc-macro attribute is malformed
/// (rustc would reject it too).
pub(crate) fn rewrite_root(src: &str, borrowed: &[Borrowed]) -> Result<Rewritten, String> {
    let (bom, file) = parse_root(src)?;
    let body = &src[bom..];

    let mut edits = Vec::new();
    for attr in &file.attrs {
        forbid_to_deny(attr, &mut edits);
    }
    let local_macro_rules = local_macro_rules(&file);
    let mut macros = Vec::new();
    let mut generators = Vec::new();
    let mut traceable = BTreeSet::new();
    let mut defined = BTreeSet::new();
    for item in &file.items {
        if let Item::Macro(mac) = item {
            let name = mac.mac.path.segments.last().map(|s| s.ident.unraw().to_string());
            if mac.mac.path.is_ident("macro_rules") {
                if strip_in_macro_body(mac.mac.tokens.clone(), &mut edits) > 0 {
                    generators.push(mac.ident.as_ref().map_or_else(String::new, |i| i.unraw().to_string()));
                    collect_idents(mac.mac.tokens.clone(), &mut traceable);
                }
            } else if mac.mac.path.get_ident().is_some_and(|i| local_macro_rules.contains(&i.unraw().to_string())) {
                collect_idents(mac.mac.tokens.clone(), &mut traceable);
            } else if let Some(b) = borrowed.iter().find(|b| Some(&b.name) == name.as_ref()) {
                // The copy goes before the first invocation (textual scope), on its line.
                let start = mac.attrs.first().map_or_else(|| path_range(&mac.mac.path).start, |a| attr_range(a).start);
                if defined.insert(b.name.clone()) {
                    edits.push(Edit { range: start..start, with: format!("{} ", b.definition()) });
                    generators.push(b.name.clone());
                    collect_idents(b.rules.clone(), &mut traceable);
                }
                edits.push(Edit { range: path_range(&mac.mac.path), with: b.local.clone() });
                collect_idents(mac.mac.tokens.clone(), &mut traceable);
            }
        }
        let Item::Fn(func) = item else { continue };
        declarations(func, body, &mut macros, &mut edits).map_err(|e| located(e.span(), &e.to_string()))?;
    }

    edits.sort_by_key(|e| e.range.start);
    let mut text = String::with_capacity(src.len() + 512);
    text.push_str(&src[..bom]);
    let mut at = 0;
    for edit in &edits {
        text.push_str(&body[at..edit.range.start]);
        text.push_str(&edit.with);
        at = edit.range.end;
    }
    text.push_str(&body[at..]);
    Ok(Rewritten { text, macros, generators, traceable })
}

/// The crate root `src` parsed, and the length of its byte-order mark (kept out of
/// proc-macro2's way: it counts from the first byte it sees).
fn parse_root(src: &str) -> Result<(usize, syn::File), String> {
    let bom = if src.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let tokens: TokenStream = src[bom..].parse().map_err(|e| format!("cannot tokenize: {e}"))?;
    let file = syn::parse2(tokens).map_err(|e| located(e.span(), &e.to_string()))?;
    Ok((bom, file))
}

/// Names of the crate-root `macro_rules!` of `file`.
fn local_macro_rules(file: &syn::File) -> BTreeSet<String> {
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Macro(mac) if mac.mac.path.is_ident("macro_rules") => {
                mac.ident.as_ref().map(|i| i.unraw().to_string())
            }
            _ => None,
        })
        .collect()
}

/// What the crate root `src` invokes at the top level that it does not define (possible
/// borrowed generators, see [`super::borrowed`]), and the renames of its crate-root
/// `extern crate NAME as ALIAS;` items (NAME to ALIAS).
///
/// # Errors
/// A message when the file does not parse.
pub(crate) fn root_invocations(src: &str) -> Result<(Vec<Invocation>, BTreeMap<String, String>), String> {
    let (_, file) = parse_root(src)?;
    let local = local_macro_rules(&file);
    let mut invocations = Vec::new();
    let mut aliases = BTreeMap::new();
    for item in &file.items {
        match item {
            Item::Macro(mac) if !mac.mac.path.is_ident("macro_rules") => {
                let segments = &mac.mac.path.segments;
                let Some(last) = segments.last() else { continue };
                let name = last.ident.unraw().to_string();
                if segments.len() == 1 && local.contains(&name) {
                    continue;
                }
                let krate = (segments.len() > 1).then(|| segments[0].ident.unraw().to_string());
                let invocation = Invocation { krate, name };
                if !invocations.contains(&invocation) {
                    invocations.push(invocation);
                }
            }
            Item::ExternCrate(ext) => {
                if let Some((_, alias)) = &ext.rename {
                    aliases.insert(ext.ident.unraw().to_string(), alias.unraw().to_string());
                }
            }
            _ => {}
        }
    }
    Ok((invocations, aliases))
}

/// The bytes of `path` in the source, from its leading `::` or first segment to its last.
fn path_range(path: &syn::Path) -> std::ops::Range<usize> {
    let first = path.segments.first().map_or(0, |s| s.ident.span().byte_range().start);
    let start = path.leading_colon.map_or(first, |c| c.spans[0].byte_range().start);
    let end = path.segments.last().map_or(start, |s| s.ident.span().byte_range().end);
    start..end
}

/// Adds the macros `func` declares to `macros`, each with the function's `#[cfg]`s (and
/// the predicates of the `cfg_attr`s around its attribute), and the edits that remove
/// their attributes (and adjust its `#[proc_macro_error]`s) to `edits`.
fn declarations(func: &ItemFn, body: &str, macros: &mut Vec<MacroDef>, edits: &mut Vec<Edit>) -> syn::Result<()> {
    let cfgs: Vec<String> =
        func.attrs.iter().filter(|a| a.path().is_ident("cfg")).map(|a| body[attr_range(a)].to_owned()).collect();
    let fix_errors = func.attrs.iter().any(|a| any_attr(&a.meta, &is_proc_macro_path));
    if let Some((mut def, attr)) = declaration(func)? {
        def.cfgs.clone_from(&cfgs);
        edits.push(Edit::remove(attr_range(attr)));
        macros.push(def);
    }
    for attr in &func.attrs {
        if fix_errors && is_proc_macro_error(attr.path()) {
            edits.push(Edit::keeping_lines(
                attr_range(attr),
                format!("#[{}]", allow_not_macro(&attr.meta, body)),
                body,
            ));
            continue;
        }
        let Meta::List(list) = &attr.meta else { continue };
        if !list.path.is_ident("cfg_attr") {
            continue;
        }
        let before = macros.len();
        let kept = split_cfg_attr(list.tokens.clone(), func, body, &cfgs, fix_errors, macros)?;
        if macros.len() == before && !(fix_errors && any_attr(&attr.meta, &is_proc_macro_error)) {
            continue;
        }
        let with = kept.map_or_else(String::new, |kept| format!("#[{kept}]"));
        edits.push(Edit::keeping_lines(attr_range(attr), with, body));
    }
    Ok(())
}

/// Parses the arguments `PRED, ATTR, ...` of a `cfg_attr`.
fn cfg_attr_args(input: ParseStream<'_>) -> syn::Result<(Meta, Punctuated<Meta, Token![,]>)> {
    let predicate: Meta = input.parse()?;
    input.parse::<Token![,]>()?;
    Ok((predicate, Punctuated::parse_terminated(input)?))
}

/// Whether attribute body `meta`, or one inside it when it is a `cfg_attr` (at any depth),
/// has a path that passes `test`.
fn any_attr(meta: &Meta, test: &dyn Fn(&syn::Path) -> bool) -> bool {
    match meta {
        Meta::List(list) if list.path.is_ident("cfg_attr") => {
            cfg_attr_args.parse2(list.tokens.clone()).is_ok_and(|(_, attrs)| attrs.iter().any(|m| any_attr(m, test)))
        }
        _ => test(meta.path()),
    }
}

/// Reads the arguments `PRED, ATTR, ...` of a `cfg_attr` on `func`: each proc-macro
/// attribute among them (also in nested `cfg_attr`s) is added to `macros` with
/// `#[cfg(PRED)]` after `cfgs`, and with `fix_errors` each `proc_macro_error` gets
/// [`allow_not_macro`]. Returns the `cfg_attr(...)` text without those attributes, or
/// `None` if nothing is left of it.
fn split_cfg_attr(
    tokens: TokenStream,
    func: &ItemFn,
    body: &str,
    cfgs: &[String],
    fix_errors: bool,
    macros: &mut Vec<MacroDef>,
) -> syn::Result<Option<String>> {
    let (predicate, attrs) = cfg_attr_args.parse2(tokens)?;
    let predicate = &body[predicate.span().byte_range()];
    let mut cfgs = cfgs.to_vec();
    cfgs.push(format!("#[cfg({predicate})]"));
    let mut kept = Vec::new();
    for meta in &attrs {
        let kind = meta.path().get_ident().and_then(|i| proc_macro_kind(&i.to_string()));
        if let Some(kind) = kind {
            let mut def = macro_def(kind, meta, func)?;
            def.cfgs.clone_from(&cfgs);
            macros.push(def);
        } else if let (true, Meta::List(list)) = (meta.path().is_ident("cfg_attr"), meta) {
            kept.extend(split_cfg_attr(list.tokens.clone(), func, body, &cfgs, fix_errors, macros)?);
        } else if fix_errors && is_proc_macro_error(meta.path()) {
            kept.push(allow_not_macro(meta, body));
        } else {
            kept.push(body[meta.span().byte_range()].to_owned());
        }
    }
    Ok((!kept.is_empty()).then(|| format!("cfg_attr({predicate}, {})", kept.join(", "))))
}

/// The settings that proc-macro-error's `#[proc_macro_error]` needs on a function whose
/// proc-macro attribute is gone: `allow_not_macro`, or it refuses the function ("can be
/// used only with procedural macros"), and `assert_unwind_safe`, which it sets by itself
/// for a proc macro (so the body is wrapped as natively, in `AssertUnwindSafe`).
const PROC_MACRO_ERROR_SETTINGS: [&str; 2] = ["allow_not_macro", "assert_unwind_safe"];

/// Whether attribute path `path` names proc-macro-error's `proc_macro_error` (1.x, or
/// proc-macro-error2), possibly qualified (`proc_macro_error2::proc_macro_error`).
fn is_proc_macro_error(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|s| s.ident == "proc_macro_error")
}

/// Whether attribute path `path` is a proc-macro attribute.
fn is_proc_macro_path(path: &syn::Path) -> bool {
    path.get_ident().is_some_and(|i| proc_macro_kind(&i.to_string()).is_some())
}

/// The text of `proc_macro_error` attribute body `meta` with the
/// [`PROC_MACRO_ERROR_SETTINGS`] it lacks appended to its arguments (rustc and
/// proc-macro-error reject the `name = value` form; it is returned as it is).
fn allow_not_macro(meta: &Meta, body: &str) -> String {
    let range = meta.span().byte_range();
    let (insert_at, present) = match meta {
        Meta::Path(_) => (range.end, Vec::new()),
        Meta::List(list) => {
            let inner = list.delimiter.span().open().byte_range().end..list.delimiter.span().close().byte_range().start;
            let present = list.tokens.clone().into_iter().filter_map(|t| match t {
                TokenTree::Ident(i) => Some(i.to_string()),
                _ => None,
            });
            (inner.start + body[inner].trim_end().len(), present.collect())
        }
        Meta::NameValue(_) => return body[range].to_owned(),
    };
    let missing: Vec<&str> =
        PROC_MACRO_ERROR_SETTINGS.into_iter().filter(|s| !present.iter().any(|p| p == s)).collect();
    if missing.is_empty() {
        return body[range].to_owned();
    }
    let before = &body[range.start..insert_at];
    let settings = missing.join(", ");
    let inserted = match meta {
        Meta::Path(_) => format!("({settings})"),
        _ if before.ends_with('(') => settings,
        _ if before.ends_with(',') => format!(" {settings}"),
        _ => format!(", {settings}"),
    };
    format!("{before}{inserted}{}", &body[insert_at..range.end])
}

/// The macro that proc-macro attribute `meta` (of kind `kind`) declares on `func`,
/// without `cfgs`.
fn macro_def(kind: MacroKind, meta: &Meta, func: &ItemFn) -> syn::Result<MacroDef> {
    let (name, helpers) = match kind {
        MacroKind::Derive => parse_derive_args(meta)?,
        _ => (func.sig.ident.unraw().to_string(), Vec::new()),
    };
    Ok(MacroDef { kind, name, helpers, fn_ident: func.sig.ident.to_string(), cfgs: Vec::new() })
}

/// The macro `func` declares, if it carries a proc-macro attribute, and that attribute.
/// The returned definition has no `cfgs`.
///
/// # Errors
/// Two proc-macro attributes on one function, or malformed `proc_macro_derive` arguments.
pub(crate) fn declaration(func: &ItemFn) -> syn::Result<Option<(MacroDef, &Attribute)>> {
    let mut found: Option<(MacroDef, &Attribute)> = None;
    for attr in &func.attrs {
        let Some(kind) = attr.path().get_ident().and_then(|i| proc_macro_kind(&i.to_string())) else { continue };
        if found.is_some() {
            return Err(syn::Error::new(attr.pound_token.span, "a function with two proc-macro attributes"));
        }
        found = Some((macro_def(kind, &attr.meta, func)?, attr));
    }
    Ok(found)
}

/// The macro kind a proc-macro attribute name declares.
fn proc_macro_kind(attr_name: &str) -> Option<MacroKind> {
    match attr_name {
        "proc_macro" => Some(MacroKind::Function),
        "proc_macro_attribute" => Some(MacroKind::Attribute),
        "proc_macro_derive" => Some(MacroKind::Derive),
        _ => None,
    }
}

/// Whether `tree` is a `[proc_macro...]` attribute body.
pub(crate) fn is_proc_macro_attr_body(tree: &TokenTree) -> bool {
    let TokenTree::Group(group) = tree else { return false };
    group.delimiter() == Delimiter::Bracket
        && matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(i)) if proc_macro_kind(&i.to_string()).is_some())
}

/// Queues the removal of every `#[proc_macro...]` in a `macro_rules!` body, at any depth.
/// Returns how many there are.
fn strip_in_macro_body(tokens: TokenStream, edits: &mut Vec<Edit>) -> usize {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut count = 0;
    for (i, tree) in trees.iter().enumerate() {
        if let TokenTree::Group(group) = tree {
            let after_pound = i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '#');
            if after_pound && is_proc_macro_attr_body(tree) {
                let start = trees[i - 1].span().byte_range().start;
                edits.push(Edit::remove(start..group.span_close().byte_range().end));
                count += 1;
            } else {
                count += strip_in_macro_body(group.stream(), edits);
            }
        }
    }
    count
}

/// Adds every identifier in `tokens` (any depth, without `r#`) to `out`.
fn collect_idents(tokens: TokenStream, out: &mut BTreeSet<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => {
                out.insert(ident.unraw().to_string());
            }
            TokenTree::Group(group) => collect_idents(group.stream(), out),
            TokenTree::Punct(_) | TokenTree::Literal(_) => {}
        }
    }
}

/// Parses `Name` or `Name, attributes(a, b)` (a trailing comma allowed).
fn parse_derive_args(meta: &Meta) -> syn::Result<(String, Vec<String>)> {
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
    match meta {
        Meta::List(list) => parser.parse2(list.tokens.clone()),
        _ => Err(syn::Error::new(meta.span(), "expected `#[proc_macro_derive(Name)]`")),
    }
}

/// The one identifier of a derive or helper name (rustc accepts nothing longer).
fn single_word(path: &syn::Path) -> syn::Result<String> {
    match path.get_ident() {
        Some(ident) => Ok(ident.unraw().to_string()),
        None => Err(syn::Error::new_spanned(path, "must be a single identifier")),
    }
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
            edits.push(Edit { range: ident.span().byte_range(), with: "deny".into() });
        }
    } else if list.path.is_ident("cfg_attr") {
        let tokens: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
        for pair in tokens.windows(2) {
            if let (TokenTree::Ident(ident), TokenTree::Group(_)) = (&pair[0], &pair[1]) {
                if ident == "forbid" {
                    edits.push(Edit { range: ident.span().byte_range(), with: "deny".into() });
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
        let out = rewrite_root(src, &[]).unwrap();
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
        assert!(out.text.starts_with(
            "//! Docs.\n#![deny(unsafe_code)]\nuse proc_macro::TokenStream;\n\n/// Derives it.\n\npub fn"
        ));
        // The output still parses, with and without the registration module.
        syn::parse_file(&out.text).unwrap();
        let full = out.with_registrations(&out.macros);
        assert!(full.starts_with(&out.text) && full.contains("r.function(\"html\", super::html);"), "{full}");
        syn::parse_file(&full).unwrap();
        assert!(out.generators.is_empty());
    }

    #[test]
    fn forbid_inside_cfg_attr_and_bom() {
        let src = "\u{feff}#![cfg_attr(not(test), forbid(unsafe_code, missing_docs))]\n#[proc_macro]\npub fn m(i: proc_macro::TokenStream) -> proc_macro::TokenStream { i }\n";
        let out = rewrite_root(src, &[]).unwrap();
        assert!(out.text.starts_with("\u{feff}#![cfg_attr(not(test), deny(unsafe_code, missing_docs))]\n\npub fn m"));
        assert_eq!(out.macros.len(), 1);
    }

    #[test]
    fn non_ascii_text_keeps_byte_offsets_right() {
        let src = "/// Größe → 大きさ\n#[proc_macro_derive(Grösse, attributes(größe,),)]\npub fn g(i: proc_macro::TokenStream) -> proc_macro::TokenStream { i }\n";
        let out = rewrite_root(src, &[]).unwrap();
        assert!(out.text.starts_with("/// Größe → 大きさ\n\npub fn g"), "{}", out.text);
        assert_eq!(out.macros[0].name, "Grösse");
        assert_eq!(out.macros[0].helpers, vec!["größe".to_owned()]);
    }

    /// failure_derive's shape: another crate's generator, invoked at the root, bare and by
    /// path. The copy goes before the first invocation, on its line; both call it.
    #[test]
    fn borrowed_generators_are_copied_before_their_first_invocation() {
        let src = "\
#[macro_use]
extern crate synstructure as ss;
macro_rules! own { () => {} }
own!();
ss::helper!(X);
/// Docs.
decl_derive!([Fail, attributes(fail)] => fail_derive);
ss::decl_derive!([Other] => other_derive);
";
        let (invocations, aliases) = root_invocations(src).unwrap();
        let seen: Vec<_> = invocations.iter().map(|i| (i.krate.as_deref(), i.name.as_str())).collect();
        assert_eq!(seen, [(Some("ss"), "helper"), (None, "decl_derive"), (Some("ss"), "decl_derive")]);
        assert_eq!(aliases.get("synstructure").map(String::as_str), Some("ss"));

        let rules = "($d:ident) => { #[proc_macro_derive($d)] pub fn $d(i: $crate::T) {} };";
        let (rules, _) = super::super::borrowed::localize(rules.parse().unwrap(), "ss");
        let borrowed = Borrowed {
            name: "decl_derive".into(),
            from: "synstructure".into(),
            local: "__wpm_borrowed_decl_derive".into(),
            rules,
        };
        let out = rewrite_root(src, &[borrowed]).unwrap();
        let lines: Vec<&str> = out.text.lines().collect();
        assert_eq!(lines.len(), src.lines().count());
        assert_eq!(lines[4], "ss::helper!(X);");
        assert!(lines[5].starts_with("macro_rules! __wpm_borrowed_decl_derive { ($ d : ident) => {"), "{}", lines[5]);
        assert!(lines[5].ends_with("} /// Docs."), "{}", lines[5]);
        assert_eq!(lines[6], "__wpm_borrowed_decl_derive!([Fail, attributes(fail)] => fail_derive);");
        assert_eq!(lines[7], "__wpm_borrowed_decl_derive!([Other] => other_derive);");
        assert_eq!(out.generators, ["decl_derive"]);
        assert!(
            ["Fail", "Other", "fail_derive", "T"].iter().all(|i| out.traceable.contains(*i)),
            "{:?}",
            out.traceable
        );
        syn::parse_file(&out.text).unwrap();
    }

    /// derive_more-impl's shape: the attributes in a crate-root `macro_rules!` body go,
    /// at any depth, and nothing else in the body changes.
    #[test]
    fn removes_attributes_inside_macro_rules_bodies() {
        let src = "\
macro_rules! create_derive(
    ($feature:literal, $trait_:ident, $fn_name:ident $(,$attribute:ident)* $(,)?) => {
        #[cfg(feature = $feature)]
        #[proc_macro_derive($trait_, attributes($($attribute),*))]
        #[doc = concat!(\"Derives \", stringify!($trait_))]
        pub fn $fn_name(input: TokenStream) -> TokenStream { input }
    }
);
macro_rules! nested {
    ($n:ident) => { mod m { const _: () = { #[proc_macro] pub fn $n(i: T) -> T { i } }; } };
}
macro_rules! unrelated { () => { #[inline] fn g() {} } }
create_derive!(\"add\", Add, add_derive, add);
create_derive!(\"from\", From, from_derive);
unrelated!();
other::macro_from_elsewhere!(hidden_fn);
";
        let out = rewrite_root(src, &[]).unwrap();
        assert_eq!(out.generators, vec!["create_derive".to_owned(), "nested".to_owned()]);
        assert!(out.macros.is_empty());
        assert!(!out.text.contains("proc_macro"), "{}", out.text);
        let expected_body = "\
        #[cfg(feature = $feature)]
        
        #[doc = concat!(\"Derives \", stringify!($trait_))]
        pub fn $fn_name(input: TokenStream) -> TokenStream { input }";
        assert!(out.text.contains(expected_body), "{}", out.text);
        assert!(out.text.contains("mod m { const _: () = {  pub fn $n(i: T) -> T { i } }; }"), "{}", out.text);
        assert!(out.text.contains("macro_rules! unrelated { () => { #[inline] fn g() {} } }"));
        assert_eq!(src.lines().count(), out.text.lines().count());
        for name in ["add_derive", "from_derive", "Add", "fn_name"] {
            assert!(out.traceable.contains(name), "{name} not traceable: {:?}", out.traceable);
        }
        // Only invocations of the crate's own crate-root macro_rules! count.
        assert!(!out.traceable.contains("hidden_fn"));
        syn::parse_file(&out.with_registrations(&[])).unwrap();
        // A macro_rules! without proc-macro attributes is no generator.
        assert!(rewrite_root("macro_rules! m { () => { #[inline] fn g() {} } }\n", &[]).unwrap().generators.is_empty());
    }

    /// derivative's shape, a feature-dependent pair of helper lists, nesting, and other
    /// attributes sharing the `cfg_attr`.
    #[test]
    fn proc_macro_attributes_inside_cfg_attr() {
        let src = r#"
#[cfg_attr(not(test), proc_macro_derive(Derivative, attributes(derivative)))]
pub fn derivative(i: TokenStream) -> TokenStream { i }

#[cfg(feature = "on")]
#[cfg_attr(feature = "x", proc_macro_derive(Pair, attributes(a, b)))]
#[cfg_attr(
    not(feature = "x"),
    proc_macro_derive(Pair, attributes(a))
)]
pub fn pair(i: TokenStream) -> TokenStream { i }

#[cfg_attr(unix, inline, cfg_attr(feature = "y", proc_macro_attribute, doc = "d"), cold)]
pub fn nested(a: TokenStream, i: TokenStream) -> TokenStream { i }

#[cfg_attr(unix, inline)]
fn untouched() {}
"#;
        let out = rewrite_root(src, &[]).unwrap();
        let decls: Vec<_> =
            out.macros.iter().map(|m| (m.kind, m.name.as_str(), m.helpers.join(" "), m.cfgs.join(" "))).collect();
        let derive = MacroKind::Derive;
        assert_eq!(
            decls,
            vec![
                (derive, "Derivative", "derivative".into(), "#[cfg(not(test))]".into()),
                (derive, "Pair", "a b".into(), r#"#[cfg(feature = "on")] #[cfg(feature = "x")]"#.into()),
                (derive, "Pair", "a".into(), r#"#[cfg(feature = "on")] #[cfg(not(feature = "x"))]"#.into()),
                (MacroKind::Attribute, "nested", String::new(), r#"#[cfg(unix)] #[cfg(feature = "y")]"#.into()),
            ]
        );
        assert!(!out.text.contains("proc_macro"), "{}", out.text);
        assert!(out
            .text
            .contains("#[cfg_attr(unix, inline, cfg_attr(feature = \"y\", doc = \"d\"), cold)]\npub fn nested"));
        assert!(out.text.contains("#[cfg_attr(unix, inline)]\nfn untouched"));
        assert_eq!(src.lines().count(), out.text.lines().count(), "{}", out.text);
        let full = out.with_registrations(&out.macros);
        syn::parse_file(&full).unwrap();
        assert!(full.contains("#[cfg(not(test))]\n        r.derive(\"Derivative\""), "{full}");
    }

    /// proc-macro-error refuses a `#[proc_macro_error]` function without a proc-macro
    /// attribute: on a proc macro every form gets `allow_not_macro` (and
    /// `assert_unwind_safe`, which it sets for proc macros), before or after the removed
    /// attribute, with its own arguments kept; on other functions it stays as it is.
    #[test]
    fn proc_macro_error_allows_the_rewritten_function() {
        let src = r#"
#[proc_macro_derive(Plain)]
#[proc_macro_error]
pub fn plain(i: TokenStream) -> TokenStream { i }

#[proc_macro_error(proc_macro_hack)]
#[proc_macro]
pub fn hack(i: TokenStream) -> TokenStream { i }

#[proc_macro_attribute]
#[proc_macro_error::proc_macro_error(
    assert_unwind_safe,
)]
pub fn qualified(a: TokenStream, i: TokenStream) -> TokenStream { i }

#[proc_macro_error2::proc_macro_error(allow_not_macro, assert_unwind_safe)]
#[proc_macro]
pub fn complete(i: TokenStream) -> TokenStream { i }

#[cfg_attr(feature = "x", proc_macro_derive(Gated), proc_macro_error)]
pub fn gated(i: TokenStream) -> TokenStream { i }

#[proc_macro]
#[cfg_attr(all(), inline, cfg_attr(unix, proc_macro_error()))]
pub fn nested(i: TokenStream) -> TokenStream { i }

#[proc_macro_error]
fn helper() {}

#[cfg_attr(unix, proc_macro_error)]
fn other_helper() {}
"#;
        let out = rewrite_root(src, &[]).unwrap();
        let names: Vec<&str> = out.macros.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Plain", "hack", "qualified", "complete", "Gated", "nested"]);
        let settings = "allow_not_macro, assert_unwind_safe";
        for expected in [
            format!("\n\n#[proc_macro_error({settings})]\npub fn plain"),
            format!("\n#[proc_macro_error(proc_macro_hack, {settings})]\n\npub fn hack"),
            "\n\n#[proc_macro_error::proc_macro_error(\n    assert_unwind_safe, allow_not_macro\n)]\npub fn qualified"
                .to_owned(),
            format!("\n#[proc_macro_error2::proc_macro_error({settings})]\n\npub fn complete"),
            format!("\n#[cfg_attr(feature = \"x\", proc_macro_error({settings}))]\npub fn gated"),
            format!("\n\n#[cfg_attr(all(), inline, cfg_attr(unix, proc_macro_error({settings})))]\npub fn nested"),
            "\n#[proc_macro_error]\nfn helper".to_owned(),
            "\n#[cfg_attr(unix, proc_macro_error)]\nfn other_helper".to_owned(),
        ] {
            assert!(out.text.contains(&expected), "{expected:?} missing from:\n{}", out.text);
        }
        assert_eq!(src.lines().count(), out.text.lines().count(), "{}", out.text);
        syn::parse_file(&out.with_registrations(&out.macros)).unwrap();
    }

    #[test]
    fn malformed_derive_is_an_error_with_a_location() {
        let err = rewrite_root("\n#[proc_macro_derive(a::B)]\npub fn f(i: T) -> T { i }\n", &[]).unwrap_err();
        assert!(err.starts_with("line 2,"), "{err}");
        assert!(err.contains("single identifier"), "{err}");
        assert!(rewrite_root("fn (", &[]).is_err());
    }
}
