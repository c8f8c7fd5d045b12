//! Which strings are Rust identifiers, and which may name a macro or a crate.
//!
//! Names in a manifest and identifiers in a token stream come from an untrusted guest;
//! hosts paste names into generated source and hand identifiers to `proc_macro`
//! constructors that panic on bad input. Every host and the guest check them with these
//! functions, so there is one rule.

/// Rust's strict and reserved keywords (any edition up to 2024) plus `_`: none of them can
/// name a macro, a helper attribute or a crate without `r#`, which generated code never
/// writes. Weak keywords (`union`, `raw`, `safe`, `macro_rules`) are ordinary names.
const KEYWORDS: &[&str] = &[
    "_", "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Identifiers `proc_macro::Ident::new_raw` refuses (`r#self` and the like do not exist).
const NOT_RAW: &[&str] = &["_", "crate", "self", "super", "Self"];

/// Whether `s` is an identifier by Rust's lexical rules: `_` or a `XID_Start` character,
/// then `XID_Continue` characters (Unicode, as rustc's lexer; not NFC-normalized).
/// Keywords and `_` alone count; `r#` is not part of an identifier.
pub fn is_ident(s: &str) -> bool {
    if s.is_ascii() {
        // The common case, without decoding: ASCII XID_Start is a letter, XID_Continue
        // adds digits and `_`.
        return match s.as_bytes() {
            [first, rest @ ..] => {
                (*first == b'_' || first.is_ascii_alphabetic())
                    && rest.iter().all(|b| *b == b'_' || b.is_ascii_alphanumeric())
            }
            [] => false,
        };
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => {
            (first == '_' || unicode_ident::is_xid_start(first)) && chars.all(unicode_ident::is_xid_continue)
        }
        None => false,
    }
}

/// Whether `s` is a keyword (strict or reserved) or `_`.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Whether `s` may be written as a raw identifier `r#s`: an identifier other than
/// `_`, `crate`, `self`, `super` and `Self`.
pub fn can_be_raw(s: &str) -> bool {
    is_ident(s) && !NOT_RAW.contains(&s)
}

/// Whether `s` can name a macro or a helper attribute in generated source: an identifier
/// that is not a keyword (names are never written raw).
pub fn is_macro_name(s: &str) -> bool {
    is_ident(s) && !is_keyword(s)
}

/// Whether `s` can name a crate (`--extern NAME`, `--wasm-proc-macro NAME=PATH`): a
/// macro name that is also ASCII, since rustc takes only ASCII crate names.
pub fn is_crate_name(s: &str) -> bool {
    s.is_ascii() && is_macro_name(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_follow_xid() {
        for ok in ["Serialize", "_x", "_", "r2d2", "été", "Δ", "__wpm_derive_0", "fn", "Self"] {
            assert!(is_ident(ok), "{ok}");
        }
        for bad in ["", "1a", "a-b", "a b", "a::b", "a)]", "x\n", "r#x", "$crate", "\u{301}a", "a\u{200b}"] {
            assert!(!is_ident(bad), "{bad:?}");
        }
    }

    #[test]
    fn keywords_cannot_name_macros_or_crates() {
        for kw in ["fn", "async", "self", "Self", "crate", "super", "_", "gen", "try", "yield"] {
            assert!(is_keyword(kw) && !is_macro_name(kw) && !is_crate_name(kw), "{kw}");
        }
        for weak in ["union", "raw", "safe", "macro_rules", "r#fn"] {
            assert!(!is_keyword(weak), "{weak}");
        }
        assert!(is_macro_name("Serialize") && is_macro_name("été"));
        assert!(is_crate_name("serde_derive") && !is_crate_name("été") && !is_crate_name("my-crate"));
    }

    #[test]
    fn raw_identifiers() {
        assert!(can_be_raw("type") && can_be_raw("fn") && can_be_raw("x"));
        for bad in ["_", "crate", "self", "super", "Self", "$crate", "1"] {
            assert!(!can_be_raw(bad), "{bad}");
        }
    }
}
