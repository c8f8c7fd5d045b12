//! Generates the `__wpm_macros` module appended to a rewritten crate root.
//!
//! The module defines `__wpm_register_macros`, which the guest library
//! (`library/wpm_proc_macro`, module `__wpm`) calls once to learn the crate's macros. Its
//! `Registry` methods are the contract with the guest library:
//! `derive(name, helpers, fn)`, `attribute(name, fn)`, `function(name, fn)`.

use std::fmt::Write as _;

use wpm_abi::MacroKind;

use super::source::MacroDef;

/// Lints the generated module must not trip, even in crates that deny them.
const ALLOWED_LINTS: &str = "unsafe_code, missing_docs, non_snake_case, unused_qualifications, \
                             unreachable_pub, rust_2018_idioms, clippy::all";

/// The module's source text, registering `macros` in order.
pub(crate) fn module(macros: &[MacroDef]) -> String {
    let mut out = String::new();
    out.push_str("\n// Added by cargo-wpm: registers this crate's macros with the wasm guest library.\n");
    out.push_str("#[doc(hidden)]\n");
    let _ = writeln!(out, "#[allow({ALLOWED_LINTS})]");
    out.push_str("mod __wpm_macros {\n");
    out.push_str("    extern crate proc_macro as __wpm_proc_macro;\n");
    out.push_str("    #[unsafe(no_mangle)]\n");
    out.push_str("    pub fn __wpm_register_macros(r: &mut __wpm_proc_macro::__wpm::Registry) {\n");
    for m in macros {
        for cfg in &m.cfgs {
            let _ = writeln!(out, "        {cfg}");
        }
        let call = match m.kind {
            MacroKind::Derive => format!("derive({:?}, &{:?}, super::{})", m.name, m.helpers, m.fn_ident),
            MacroKind::Attribute => format!("attribute({:?}, super::{})", m.name, m.fn_ident),
            MacroKind::Function => format!("function({:?}, super::{})", m.name, m.fn_ident),
        };
        let _ = writeln!(out, "        r.{call};");
    }
    if macros.is_empty() {
        out.push_str("        let _ = r;\n");
    }
    out.push_str("    }\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_text() {
        let macros = vec![
            MacroDef {
                kind: MacroKind::Derive,
                name: "Serialize".into(),
                helpers: vec!["serde".into()],
                fn_ident: "derive_serialize".into(),
                cfgs: vec!["#[cfg(feature = \"x\")]".into()],
            },
            MacroDef {
                kind: MacroKind::Attribute,
                name: "a".into(),
                helpers: vec![],
                fn_ident: "r#a".into(),
                cfgs: vec![],
            },
            MacroDef {
                kind: MacroKind::Function,
                name: "html".into(),
                helpers: vec![],
                fn_ident: "html".into(),
                cfgs: vec![],
            },
            MacroDef { kind: MacroKind::Derive, name: "P".into(), helpers: vec![], fn_ident: "p".into(), cfgs: vec![] },
        ];
        let text = module(&macros);
        let body: Vec<&str> = text.lines().map(str::trim).skip_while(|l| !l.starts_with("pub fn")).collect();
        assert_eq!(
            body,
            vec![
                "pub fn __wpm_register_macros(r: &mut __wpm_proc_macro::__wpm::Registry) {",
                "#[cfg(feature = \"x\")]",
                "r.derive(\"Serialize\", &[\"serde\"], super::derive_serialize);",
                "r.attribute(\"a\", super::r#a);",
                "r.function(\"html\", super::html);",
                "r.derive(\"P\", &[], super::p);",
                "}",
                "}",
            ]
        );
        syn::parse_file(&text).unwrap();
    }
}
