//! Checks a module before it is used: header, validity, and its interface (imports from
//! `wpm-1` only, the exports the ABI requires, with the right signatures).

use wasmtime::{ExternType, FuncType, Module, ValType};
use wpm_abi::{exports, ABI_VERSION, IMPORT_MODULE};

use crate::error::HostError;
use crate::imports::{Sig, SIGNATURES};

/// The exported functions the ABI requires, with their signatures.
const REQUIRED_EXPORTS: &[(&str, Sig)] = &[
    (exports::ABI_VERSION, ("", "i")),
    (exports::MANIFEST, ("", "I")),
    (exports::ALLOC, ("ii", "i")),
    (exports::EXPAND, ("iii", "I")),
];

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
        let Some((_, sig)) = SIGNATURES.iter().find(|(s, _)| *s == n) else {
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
        if !matches(&ty, *sig) {
            return Err(HostError::module(
                name,
                format!("imports {m}::{n} with type {}, but the ABI defines it as {}", show(&ty), show_sig(*sig)),
            ));
        }
    }
    for (export, sig) in REQUIRED_EXPORTS {
        match module.get_export(export) {
            None => {
                return Err(HostError::module(name, format!("does not export `{export}`, which the wpm ABI requires")))
            }
            Some(ExternType::Func(ty)) if matches(&ty, *sig) => {}
            Some(ExternType::Func(ty)) => {
                return Err(HostError::module(
                    name,
                    format!("exports `{export}` with type {}, but the ABI requires {}", show(&ty), show_sig(*sig)),
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

fn code(t: &ValType) -> char {
    match t {
        ValType::I32 => 'i',
        ValType::I64 => 'I',
        _ => '?',
    }
}

fn matches(ty: &FuncType, (params, results): Sig) -> bool {
    ty.params().map(|t| code(&t)).eq(params.chars()) && ty.results().map(|t| code(&t)).eq(results.chars())
}

fn show(ty: &FuncType) -> String {
    let list = |it: &mut dyn Iterator<Item = ValType>| it.map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(&mut ty.params()), list(&mut ty.results()))
}

fn show_sig((params, results): Sig) -> String {
    let list = |s: &str| s.chars().map(|c| if c == 'i' { "i32" } else { "i64" }).collect::<Vec<_>>().join(", ");
    format!("({}) -> ({})", list(params), list(results))
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
    fn signature_text() {
        assert_eq!(show_sig(("iii", "I")), "(i32, i32, i32) -> (i64)");
    }
}
