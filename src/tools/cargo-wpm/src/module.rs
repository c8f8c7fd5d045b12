//! Checks a wasm module against the ABI: valid, imports only `wpm-1` functions, exports
//! what a host needs. Uses wasmparser only (no instantiation).

use wasmparser::{Parser, Payload, TypeRef, Validator};

/// One import of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Import {
    /// The import module (`wpm-1` for a valid guest).
    pub(crate) module: String,
    /// The imported item's name.
    pub(crate) name: String,
    /// `func`, `memory`, `table`, `global` or `tag`.
    pub(crate) kind: &'static str,
}

/// What [`scan`] finds.
#[derive(Clone, Debug, Default)]
pub(crate) struct ModuleInfo {
    /// All imports.
    pub(crate) imports: Vec<Import>,
    /// Names of all exports.
    pub(crate) exports: Vec<String>,
}

/// Validates `bytes` and lists imports and exports.
///
/// # Errors
/// Wasmparser's message when the module is invalid.
pub(crate) fn scan(bytes: &[u8]) -> Result<ModuleInfo, String> {
    Validator::new().validate_all(bytes).map_err(|e| e.to_string())?;
    let mut info = ModuleInfo::default();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    let kind = match import.ty {
                        TypeRef::Func(_) | TypeRef::FuncExact(_) => "func",
                        TypeRef::Memory(_) => "memory",
                        TypeRef::Table(_) => "table",
                        TypeRef::Global(_) => "global",
                        TypeRef::Tag(_) => "tag",
                    };
                    info.imports.push(Import { module: import.module.to_owned(), name: import.name.to_owned(), kind });
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    info.exports.push(export.map_err(|e| e.to_string())?.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

/// Checks the ABI rules: imports are `wpm-1` functions, the required exports exist.
///
/// # Errors
/// A message naming the first offending import or missing export.
pub(crate) fn check_abi(info: &ModuleInfo) -> Result<(), String> {
    if let Some(bad) = info.imports.iter().find(|i| i.module != wpm_abi::IMPORT_MODULE || i.kind != "func") {
        return Err(format!(
            "it imports {} `{}` from module `{}`; a guest may only import functions from `{}` \
             (the macro crate or a dependency uses an API the sandbox does not provide)",
            bad.kind,
            bad.name,
            bad.module,
            wpm_abi::IMPORT_MODULE
        ));
    }
    use wpm_abi::exports;
    for name in [exports::ABI_VERSION, exports::MANIFEST, exports::ALLOC, exports::EXPAND, exports::MEMORY] {
        if !info.exports.iter().any(|e| e == name) {
            return Err(format!("it does not export `{name}`"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal module: `(import "m" "f" (func))` plus a memory export, built by hand.
    fn module_with_import(module: &str) -> Vec<u8> {
        let mut bytes = b"\0asm\x01\0\0\0".to_vec();
        bytes.extend([1, 4, 1, 0x60, 0, 0]); // type section: one type () -> ()
        let mut imports = vec![1, module.len() as u8];
        imports.extend(module.as_bytes());
        imports.extend([1, b'f', 0, 0]); // name "f", func of type 0
        bytes.push(2);
        bytes.push(imports.len() as u8);
        bytes.extend(imports);
        bytes.extend([5, 3, 1, 0, 1]); // memory section: one memory, min 1
        bytes.extend([7, 10, 1, 6]); // export section, "memory"
        bytes.extend(b"memory");
        bytes.extend([2, 0]);
        bytes
    }

    #[test]
    fn imports_outside_wpm_1_are_rejected() {
        let info = scan(&module_with_import("env")).unwrap();
        assert_eq!(info.imports, vec![Import { module: "env".into(), name: "f".into(), kind: "func" }]);
        assert_eq!(info.exports, vec!["memory".to_owned()]);
        assert!(check_abi(&info).unwrap_err().contains("from module `env`"));
        let info = scan(&module_with_import("wpm-1")).unwrap();
        assert!(check_abi(&info).unwrap_err().contains("does not export `wpm_abi_version`"));
        assert!(scan(b"\0asm\x01\0\0\0\x01").is_err());
    }
}
