//! The manifest: which macros a module provides, in declaration order.

use alloc::string::String;
use alloc::vec::Vec;

use crate::wire::{Reader, Writer};
use crate::DecodeError;

/// Magic bytes that start an encoded manifest.
const MAGIC: &[u8; 4] = b"wpmM";

/// The three kinds of procedural macro.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[repr(u8)]
pub enum MacroKind {
    /// `#[proc_macro_derive(Name, attributes(...))]`.
    Derive = 0,
    /// `#[proc_macro_attribute]`.
    Attribute = 1,
    /// `#[proc_macro]` (function-like).
    Function = 2,
}

impl MacroKind {
    /// The name used in `cargo wpm inspect --json`: `derive`, `attribute` or `function`.
    pub fn as_str(self) -> &'static str {
        match self {
            MacroKind::Derive => "derive",
            MacroKind::Attribute => "attribute",
            MacroKind::Function => "function",
        }
    }

    fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            0 => MacroKind::Derive,
            1 => MacroKind::Attribute,
            2 => MacroKind::Function,
            _ => return None,
        })
    }
}

/// One macro a module provides.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MacroDecl {
    /// Its kind.
    pub kind: MacroKind,
    /// The name users write: the derive's trait name, or the function's name.
    pub name: String,
    /// Helper attributes of a derive (`attributes(serde)`); empty for other kinds.
    pub helpers: Vec<String>,
}

/// Everything a host needs to register a module as a proc-macro crate.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Manifest {
    /// The ABI version the module was built for.
    pub abi_version: u32,
    /// The macros, in the order the crate declares them. A macro's index in this list is
    /// the `macro_index` passed to [`crate::exports::EXPAND`].
    pub macros: Vec<MacroDecl>,
}

impl Manifest {
    /// Encodes the manifest: magic, ABI version, then each macro.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        let mut w = Writer { out: &mut out };
        w.u32(self.abi_version);
        w.usize(self.macros.len());
        for m in &self.macros {
            w.u8(m.kind as u8);
            w.str(&m.name);
            w.usize(m.helpers.len());
            for h in &m.helpers {
                w.str(h);
            }
        }
        out
    }

    /// The Rust function name a generated proc-macro crate (a shim, the fork's stub crate)
    /// gives each macro, in order: attribute and function-like macros are named after
    /// themselves, as rustc requires; derives get `__wpm_derive_<n>` (n counting derives),
    /// with `_` appended until it differs from every other macro's name, so a module that
    /// exports a function-like macro of that name still makes a valid crate.
    pub fn function_names(&self) -> Vec<String> {
        let taken = |f: &str| self.macros.iter().any(|m| m.kind != MacroKind::Derive && m.name == f);
        let mut derives = 0usize;
        self.macros
            .iter()
            .map(|m| {
                if m.kind != MacroKind::Derive {
                    return m.name.clone();
                }
                let mut f = alloc::format!("__wpm_derive_{derives}");
                derives += 1;
                while taken(&f) {
                    f.push('_');
                }
                f
            })
            .collect()
    }

    /// Decodes a manifest produced by [`Manifest::encode`].
    ///
    /// # Errors
    /// A [`DecodeError`] naming the offset of the first malformed byte.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        if r.bytes(4)? != MAGIC {
            return Err(DecodeError { offset: 0, reason: "manifest does not start with `wpmM`" });
        }
        let abi_version = r.u32()?;
        let n = r.count(3)?;
        let mut macros = Vec::with_capacity(n);
        // Helper lists reserve from one budget (each helper takes at least a byte), so
        // their counts cannot make the decoder reserve more than the data could hold.
        let mut helper_budget = r.remaining();
        for _ in 0..n {
            let kind = MacroKind::from_u8(r.u8()?).ok_or_else(|| r.err("unknown macro kind"))?;
            let name = r.string()?;
            let nh = r.count(1)?;
            let take = nh.min(helper_budget);
            helper_budget -= take;
            let mut helpers = Vec::with_capacity(take);
            for _ in 0..nh {
                helpers.push(r.string()?);
            }
            macros.push(MacroDecl { kind, name, helpers });
        }
        r.finish()?;
        Ok(Manifest { abi_version, macros })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn derive_functions_avoid_other_names() {
        let decl = |kind, name: &str| MacroDecl { kind, name: name.into(), helpers: Vec::new() };
        let m = Manifest {
            abi_version: 1,
            macros: vec![
                decl(MacroKind::Derive, "A"),
                decl(MacroKind::Function, "__wpm_derive_1"),
                decl(MacroKind::Derive, "B"),
                decl(MacroKind::Attribute, "a"),
                decl(MacroKind::Function, "__wpm_derive_1_"),
            ],
        };
        assert_eq!(
            m.function_names(),
            ["__wpm_derive_0", "__wpm_derive_1", "__wpm_derive_1__", "a", "__wpm_derive_1_"]
        );
    }

    #[test]
    fn manifest_round_trips() {
        let m = Manifest {
            abi_version: crate::ABI_VERSION,
            macros: vec![
                MacroDecl { kind: MacroKind::Derive, name: "Serialize".into(), helpers: vec!["serde".into()] },
                MacroDecl { kind: MacroKind::Attribute, name: "async_trait".into(), helpers: vec![] },
                MacroDecl { kind: MacroKind::Function, name: "html".into(), helpers: vec![] },
            ],
        };
        assert_eq!(Manifest::decode(&m.encode()).unwrap(), m);
    }

    #[test]
    fn bad_magic_and_kind_are_errors() {
        assert!(Manifest::decode(b"nope").is_err());
        let mut bytes = Manifest {
            abi_version: 1,
            macros: vec![MacroDecl { kind: MacroKind::Derive, name: "A".into(), helpers: vec![] }],
        }
        .encode();
        bytes[6] = 9; // the kind byte of the first macro
        assert_eq!(Manifest::decode(&bytes).unwrap_err().reason, "unknown macro kind");
    }
}
