//! The wasm signature of every ABI function, as plain data: the exports a guest must
//! provide and the imports a host provides. Hosts check modules against these tables and
//! test that the functions they define match them.

use core::fmt;

use crate::{exports, imports};

/// A wasm value type the ABI uses. Handles, pointers and lengths are `i32`; packed
/// [`crate::Buffer`]s are `i64`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum ValType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
}

impl ValType {
    /// The name wasm text uses (`i32`, `i64`).
    pub fn as_str(self) -> &'static str {
        match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
        }
    }
}

/// The name and wasm type of one ABI function.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Signature {
    /// The export name, or the import name within [`crate::IMPORT_MODULE`].
    pub name: &'static str,
    /// Parameter types, in order.
    pub params: &'static [ValType],
    /// Result types, in order.
    pub results: &'static [ValType],
}

impl Signature {
    /// Whether a function with these parameter and result types has this signature.
    pub fn matches(
        &self,
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> bool {
        params.into_iter().eq(self.params.iter().copied()) && results.into_iter().eq(self.results.iter().copied())
    }
}

impl fmt::Display for Signature {
    /// The type as `(i32, i32) -> (i64)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, types: &[ValType]| {
            for (i, t) in types.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(t.as_str())?;
            }
            Ok(())
        };
        f.write_str("(")?;
        list(f, self.params)?;
        f.write_str(") -> (")?;
        list(f, self.results)?;
        f.write_str(")")
    }
}

use ValType::{I32, I64};

const fn sig(name: &'static str, params: &'static [ValType], results: &'static [ValType]) -> Signature {
    Signature { name, params, results }
}

/// Every function a guest must export (its memory, [`exports::MEMORY`], is not a
/// function and is checked apart). The types are those the [`exports`] docs give.
pub const EXPORTS: &[Signature] = &[
    sig(exports::ABI_VERSION, &[], &[I32]),
    sig(exports::MANIFEST, &[], &[I64]),
    sig(exports::ALLOC, &[I32, I32], &[I32]),
    sig(exports::EXPAND, &[I32, I32, I32], &[I64]),
];

/// Every function a guest may import from [`crate::IMPORT_MODULE`], with the types the
/// [`imports`] docs give.
pub const IMPORTS: &[Signature] = &[
    sig(imports::SPAN_SOURCE_TEXT, &[I32, I32, I32], &[I32]),
    sig(imports::SPAN_FILE, &[I32, I32, I32], &[I32]),
    sig(imports::SPAN_LOCAL_FILE, &[I32, I32, I32], &[I32]),
    sig(imports::SPAN_LOCATION, &[I32, I32], &[I32]),
    sig(imports::SPAN_EDGE, &[I32, I32], &[I32]),
    sig(imports::SPAN_JOIN, &[I32, I32], &[I32]),
    sig(imports::SPAN_RESOLVED_AT, &[I32, I32], &[I32]),
    sig(imports::SPAN_LOCATED_AT, &[I32, I32], &[I32]),
    sig(imports::DIAGNOSTIC, &[I32, I32, I32, I32], &[]),
    sig(imports::PANIC, &[I32, I32], &[]),
];

/// The signature of import `name`, or `None` if the ABI defines no such import.
pub fn import(name: &str) -> Option<&'static Signature> {
    IMPORTS.iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for table in [EXPORTS, IMPORTS] {
            for (i, s) in table.iter().enumerate() {
                assert!(table[i + 1..].iter().all(|o| o.name != s.name), "{} twice", s.name);
            }
        }
        assert_eq!(import(imports::PANIC).map(|s| s.params.len()), Some(2));
        assert_eq!(import(exports::EXPAND), None);
    }

    #[test]
    fn display_and_matches() {
        let expand = EXPORTS.iter().find(|s| s.name == exports::EXPAND).unwrap();
        assert_eq!(expand.to_string(), "(i32, i32, i32) -> (i64)");
        assert_eq!(import(imports::PANIC).unwrap().to_string(), "(i32, i32) -> ()");
        assert!(expand.matches([I32, I32, I32], [I64]));
        assert!(!expand.matches([I32, I32], [I64]));
        assert!(!expand.matches([I32, I32, I32], [I32]));
    }
}
