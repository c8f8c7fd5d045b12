//! Checks a module before it is used: header, validity, and its interface (imports from
//! `wpm-1` only, the exports the ABI requires, with the right signatures).

use wasmtime::{ExternType, FuncType, Module, ValType};
use wpm_abi::signatures::{self, Signature};
use wpm_abi::{exports, ABI_VERSION, IMPORT_MODULE};

use crate::error::HostError;

const WASM_MAGIC: &[u8; 4] = b"\0asm";
const CORE_VERSION: [u8; 4] = [1, 0, 0, 0];

/// Rejects files that are not core wasm modules at all, before any expensive work.
pub(crate) fn header(name: &str, bytes: &[u8]) -> Result<(), HostError> {
    if bytes.len() < 8 || &bytes[..4] != WASM_MAGIC {
        return Err(HostError::module(name, "is not a WebAssembly module (it does not start with `\\0asm`)"));
    }
    if bytes[4..8] != CORE_VERSION {
        let what = if bytes[6..8] == [1, 0] { "a WebAssembly component" } else { "an unknown WebAssembly version" };
        return Err(HostError::module(name, format!("is {what}; wasm proc macros must be core modules (version 1)")));
    }
    Ok(())
}

/// Full validation with wasmparser, so that a broken module gets a precise message.
pub(crate) fn validate(name: &str, bytes: &[u8]) -> Result<(), HostError> {
    wasmparser::Validator::new()
        .validate_all(bytes)
        .map(drop)
        .map_err(|e| HostError::module(name, format!("is not a valid WebAssembly module: {e}")))
}

/// Checks imports and exports against ABI version 1.
pub(crate) fn interface(name: &str, module: &Module) -> Result<(), HostError> {
    for import in module.imports() {
        let (m, n) = (import.module(), import.name());
        if m != IMPORT_MODULE {
            if let Some(v) = m.strip_prefix("wpm-") {
                return Err(HostError::module(
                    name,
                    format!(
                        "imports {m}::{n}: it was built for wpm ABI version {v}; this host supports version {ABI_VERSION}"
                    ),
                ));
            }
            return Err(HostError::module(
                name,
                format!("imports {m}::{n}, which wpm does not provide: proc macros get no system access"),
            ));
        }
        let Some(sig) = signatures::import(n) else {
            return Err(HostError::module(
                name,
                format!("imports {m}::{n}, which wpm ABI version {ABI_VERSION} does not define"),
            ));
        };
        let ExternType::Func(ty) = import.ty() else {
            return Err(HostError::module(
                name,
                format!("imports {m}::{n} as a non-function; {m} provides only functions"),
            ));
        };
        if !matches(&ty, sig) {
            return Err(HostError::module(
                name,
                format!("imports {m}::{n} with type {}, but the ABI defines it as {sig}", show(&ty)),
            ));
        }
    }
    for sig in signatures::EXPORTS {
        let export = sig.name;
        match module.get_export(export) {
            None => {
                return Err(HostError::module(name, format!("does not export `{export}`, which the wpm ABI requires")))
            }
            Some(ExternType::Func(ty)) if matches(&ty, sig) => {}
            Some(ExternType::Func(ty)) => {
                return Err(HostError::module(
                    name,
                    format!("exports `{export}` with type {}, but the ABI requires {sig}", show(&ty)),
                ))
            }
            Some(_) => return Err(HostError::module(name, format!("exports `{export}` but it is not a function"))),
        }
    }
    match module.get_export(exports::MEMORY) {
        Some(ExternType::Memory(m)) if !m.is_64() && !m.is_shared() => Ok(()),
        Some(ExternType::Memory(_)) => {
            Err(HostError::module(name, "exports a 64-bit or shared memory; the ABI needs a plain 32-bit one"))
        }
        _ => Err(HostError::module(name, format!("does not export its memory as `{}`", exports::MEMORY))),
    }
}

/// The ABI's name for a wasm type; `None` for types the ABI never uses.
fn abi_type(t: &ValType) -> Option<signatures::ValType> {
    match t {
        ValType::I32 => Some(signatures::ValType::I32),
        ValType::I64 => Some(signatures::ValType::I64),
        _ => None,
    }
}

/// Whether `ty` is exactly `sig`. A type the ABI never uses makes the lists differ.
pub(crate) fn matches(ty: &FuncType, sig: &Signature) -> bool {
    let list = |it: &mut dyn Iterator<Item = ValType>| it.map(|t| abi_type(&t)).collect::<Option<Vec<_>>>();
    match (list(&mut ty.params()), list(&mut ty.results())) {
        (Some(params), Some(results)) => sig.matches(params, results),
        _ => false,
    }
}

fn show(ty: &FuncType) -> String {
    let list = |it: &mut dyn Iterator<Item = ValType>| it.map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(&mut ty.params()), list(&mut ty.results()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_rejects_non_wasm_and_components() {
        let e = header("x.wasm", b"#!/bin/sh\n").unwrap_err();
        assert!(e.to_string().contains("`x.wasm`: is not a WebAssembly module"), "{e}");
        let e = header("c.wasm", b"\0asm\x0d\0\x01\0").unwrap_err();
        assert!(e.message().contains("is a WebAssembly component"), "{e}");
        assert!(header("ok.wasm", b"\0asm\x01\0\0\0").is_ok());
    }

    #[test]
    fn types_match_the_abi_table() {
        let expand = signatures::EXPORTS.iter().find(|s| s.name == exports::EXPAND).unwrap();
        let ty = |params: &[ValType], results: &[ValType]| {
            FuncType::new(&wasmtime::Engine::default(), params.iter().cloned(), results.iter().cloned())
        };
        assert!(matches(&ty(&[ValType::I32, ValType::I32, ValType::I32], &[ValType::I64]), expand));
        assert!(!matches(&ty(&[ValType::I32, ValType::I32, ValType::I32], &[ValType::I32]), expand));
        assert!(!matches(&ty(&[ValType::I32, ValType::I32, ValType::F32], &[ValType::I64]), expand));
        assert_eq!(show(&ty(&[ValType::I32], &[ValType::I64])), "(i32) -> (i64)");
    }
}
