//! The oracle for `wpm_proc_macro`'s tests: proc macros that run the shared behaviour cases
//! (`../all/cases.rs`) and lex whole source files with rustc's own `proc_macro`, and expand
//! to what rustc produced, for the tests to compare with wpm's answers.

extern crate proc_macro;

use proc_macro::{Delimiter, Group, Literal, Punct, Spacing, TokenStream, TokenTree};
use std::path::{Path, PathBuf};

#[allow(dead_code)]
mod cases {
    include!("../../all/cases.rs");
}

fn s(v: &str) -> TokenTree {
    TokenTree::Literal(Literal::string(v))
}

fn tuple(items: Vec<TokenTree>) -> TokenTree {
    let mut ts = TokenStream::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            ts.extend([TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
        }
        ts.extend([item]);
    }
    TokenTree::Group(Group::new(Delimiter::Parenthesis, ts))
}

/// `&[...]` of the given elements.
fn slice(items: Vec<TokenTree>) -> TokenStream {
    let mut inner = TokenStream::new();
    for item in items {
        inner.extend([item, TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
    }
    let mut out: TokenStream = TokenTree::Punct(Punct::new('&', Spacing::Alone)).into();
    out.extend([TokenTree::Group(Group::new(Delimiter::Bracket, inner))]);
    out
}

/// `&[(name, output), ...]` for every shared case, as rustc's proc_macro computes them.
#[proc_macro]
pub fn real_cases(_: TokenStream) -> TokenStream {
    slice(cases::cases().iter().map(|(n, v)| tuple(vec![s(n), s(v)])).collect())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("oracle: cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("oracle: directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The newest `proc-macro2-1.*` source directory in the Cargo registry.
fn registry_crate(prefix: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("oracle: neither CARGO_HOME nor HOME is set");
    let mut found = Vec::new();
    for index in std::fs::read_dir(home.join("registry/src")).expect("oracle: no Cargo registry sources").flatten() {
        for krate in std::fs::read_dir(index.path()).into_iter().flatten().flatten() {
            if krate.file_name().to_string_lossy().starts_with(prefix) {
                found.push(krate.path());
            }
        }
    }
    found.sort();
    found.pop().unwrap_or_else(|| panic!("oracle: no {prefix}* in the Cargo registry"))
}

/// The source files of the lexing corpus: parts of the std sources the guest toolchain
/// ships and proc-macro2's sources (a dev-dependency, so always fetched).
fn corpus() -> Vec<PathBuf> {
    let std_root = Path::new("/usr/lib/rustlib/src/rust/library");
    let mut files = Vec::new();
    for dir in
        ["core/src/fmt", "core/src/iter", "core/src/str", "alloc/src/collections/btree", "std/src/io", "proc_macro/src"]
    {
        rust_files(&std_root.join(dir), &mut files);
    }
    rust_files(&registry_crate("proc-macro2-1.").join("src"), &mut files);
    files
}

/// `&[(path, describe, printed, printed_rebuilt), ...]` for every corpus file.
#[proc_macro]
pub fn real_lex_corpus(_: TokenStream) -> TokenStream {
    let mut rows = Vec::new();
    for path in corpus() {
        let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("oracle: {}: {e}", path.display()));
        let ts: TokenStream =
            src.parse().unwrap_or_else(|e| panic!("oracle: rustc cannot lex {}: {e}", path.display()));
        let describe = cases::describe(ts.clone());
        let printed = ts.to_string();
        let rebuilt = cases::rebuild(ts).to_string();
        rows.push(tuple(vec![s(&path.display().to_string()), s(&describe), s(&printed), s(&rebuilt)]));
    }
    slice(rows)
}
