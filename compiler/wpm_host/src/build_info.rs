//! Optional build metadata of a module: the custom section [`BUILD_INFO_SECTION`] that
//! `cargo wpm build` appends (`docs/abi.md`, "Build metadata").
//!
//! It records what the hosts need to stand in for the macro crate beyond the manifest: the
//! crate's edition (tokens a macro emits with call-site spans take the edition of the macro's
//! crate, so a shim or stub crate must be compiled with it) and its Cargo features, with the
//! ones the module was built with. Running a module never needs it; a module without it
//! (built before the section existed, or by another tool) reads as edition 2021 with no
//! features, what the hosts assumed before.
//!
//! Written by `src/tools/cargo-wpm/src/build_info.rs` with wasm-encoder; read here with
//! wasmparser. [`read_build_info`] is the one reader: `wpm_shim` and the fork's
//! `rustc_wasm_proc_macro` both call it.

use std::fmt;

use wasmparser::{BinaryReader, Parser, Payload};

use crate::error::HostError;

/// Name of the custom section.
pub const BUILD_INFO_SECTION: &str = "wpm.build";

/// The payload version this reader understands (the first field of the payload).
pub const BUILD_INFO_VERSION: u32 = 1;

/// A Rust edition, as Cargo and rustc spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    /// `2015`.
    E2015,
    /// `2018`.
    E2018,
    /// `2021`, also what a module without build metadata reads as.
    E2021,
    /// `2024`.
    E2024,
}

impl Edition {
    /// Every edition this crate knows, oldest first.
    pub const ALL: [Edition; 4] = [Edition::E2015, Edition::E2018, Edition::E2021, Edition::E2024];

    /// `"2015"`, `"2018"`, ...: the value of Cargo's `edition` and rustc's `--edition`.
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::E2015 => "2015",
            Edition::E2018 => "2018",
            Edition::E2021 => "2021",
            Edition::E2024 => "2024",
        }
    }

    /// The edition spelt `s`, if it is one of [`Edition::ALL`].
    pub fn parse(s: &str) -> Option<Edition> {
        Edition::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Cargo feature of the macro crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feature {
    /// Its name (checked by [`is_feature_name`]).
    pub name: String,
    /// Whether the module was built with it enabled.
    pub enabled: bool,
}

/// What a module's build metadata says (or the defaults, when it has none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildInfo {
    /// The edition of the macro crate's lib target.
    pub edition: Edition,
    /// Every feature the macro crate declares (implicit ones of optional dependencies
    /// included), in the section's order (cargo-wpm writes them sorted by name).
    pub features: Vec<Feature>,
    /// Whether the module carries the section; `false` means the defaults above.
    pub recorded: bool,
}

impl Default for BuildInfo {
    /// What a module without the section reads as: edition 2021, no features.
    fn default() -> Self {
        BuildInfo { edition: Edition::E2021, features: Vec::new(), recorded: false }
    }
}

/// Whether `name` can be a Cargo feature name: letters, digits, `_`, `-`, `+` and `.`,
/// starting with a letter, digit or `_`, at most 256 bytes (Cargo's rule, a little wider:
/// names come from the module, and hosts write them into generated manifests and `cfg`s,
/// escaped, so this only has to keep out what is no feature at all).
pub fn is_feature_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 256
        && chars.next().is_some_and(|c| c.is_alphanumeric() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || "_-+.".contains(c))
}

/// Reads the build metadata of the module `bytes`; `file` names it in errors (a path or a
/// display name, as for `Runtime::load_bytes`).
///
/// Only the section is read (the module is not validated here). A module without the
/// section gives [`BuildInfo::default`].
///
/// # Errors
/// A [`HostError`] naming `file` when the module's sections cannot be parsed, the section
/// appears twice, its version is not [`BUILD_INFO_VERSION`], or its payload is malformed
/// (truncated, trailing bytes, an edition this crate does not know, a bad or repeated
/// feature name).
pub fn read_build_info(file: &str, bytes: &[u8]) -> Result<BuildInfo, HostError> {
    let mut found: Option<BuildInfo> = None;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| HostError::module(file, format!("cannot read its sections: {e}")))?;
        let Payload::CustomSection(section) = payload else { continue };
        if section.name() != BUILD_INFO_SECTION {
            continue;
        }
        if found.is_some() {
            return Err(HostError::module(file, format!("it has two `{BUILD_INFO_SECTION}` custom sections")));
        }
        let info = decode(section.data_reader()).map_err(|detail| {
            HostError::module(file, format!("its build metadata (custom section `{BUILD_INFO_SECTION}`) {detail}"))
        })?;
        found = Some(info);
    }
    Ok(found.unwrap_or_default())
}

/// Decodes a payload (everything after the section's name).
fn decode(mut r: BinaryReader<'_>) -> Result<BuildInfo, String> {
    let malformed = |e: wasmparser::BinaryReaderError| format!("is malformed: {}", e.message());
    let version = r.read_var_u32().map_err(malformed)?;
    if version != BUILD_INFO_VERSION {
        return Err(format!(
            "has version {version}, and this tool reads version {BUILD_INFO_VERSION}: use a rustc-wasi as \
             new as the cargo-wpm that built the module"
        ));
    }
    let edition = r.read_string().map_err(malformed)?;
    let edition = Edition::parse(edition).ok_or_else(|| {
        let known: Vec<&str> = Edition::ALL.iter().map(|e| e.as_str()).collect();
        format!(
            "names edition `{}`, which this tool does not know (it knows {})",
            edition.escape_debug(),
            known.join(", ")
        )
    })?;
    let count = r.read_var_u32().map_err(malformed)?;
    let mut features: Vec<Feature> = Vec::new();
    for _ in 0..count {
        let name = r.read_string().map_err(malformed)?;
        if !is_feature_name(name) {
            return Err(format!("names feature `{}`, which is not a Cargo feature name", name.escape_debug()));
        }
        if features.iter().any(|f| f.name == name) {
            return Err(format!("names feature `{name}` twice"));
        }
        let enabled = match r.read_var_u32().map_err(malformed)? {
            0 => false,
            1 => true,
            other => return Err(format!("gives feature `{name}` the flag {other} (0 or 1 expected)")),
        };
        features.push(Feature { name: name.to_owned(), enabled });
    }
    if !r.eof() {
        return Err(format!("is malformed: {} bytes follow the last field", r.bytes_remaining()));
    }
    Ok(BuildInfo { edition, features, recorded: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest module: the header.
    const EMPTY: &[u8] = b"\0asm\x01\0\0\0";

    /// `EMPTY` plus a custom section `name` holding `data`; by hand, to test the reader
    /// against bytes the writer (cargo-wpm, wasm-encoder) would never produce.
    fn with_section(name: &str, data: &[u8]) -> Vec<u8> {
        let mut body = vec![name.len() as u8];
        body.extend(name.as_bytes());
        body.extend(data);
        let mut bytes = EMPTY.to_vec();
        bytes.push(0);
        bytes.push(body.len() as u8);
        bytes.extend(body);
        bytes
    }

    /// A version-1 payload; features as `(name, flag)`.
    fn payload(version: u8, edition: &str, features: &[(&str, u8)]) -> Vec<u8> {
        let mut data = vec![version, edition.len() as u8];
        data.extend(edition.as_bytes());
        data.push(features.len() as u8);
        for (name, flag) in features {
            data.push(name.len() as u8);
            data.extend(name.as_bytes());
            data.push(*flag);
        }
        data
    }

    fn read(bytes: &[u8]) -> Result<BuildInfo, String> {
        read_build_info("m.wasm", bytes).map_err(|e| e.to_string())
    }

    #[test]
    fn a_module_without_the_section_reads_as_2021_without_features() {
        assert_eq!(read(EMPTY).unwrap(), BuildInfo::default());
        assert_eq!(read(&with_section("other", b"xyz")).unwrap(), BuildInfo::default());
        assert_eq!(BuildInfo::default().edition.as_str(), "2021");
    }

    #[test]
    fn reads_edition_and_features() {
        let info = read(&with_section(BUILD_INFO_SECTION, &payload(1, "2015", &[("std", 1), ("x-y.z+1", 0)]))).unwrap();
        assert_eq!(info.edition, Edition::E2015);
        assert!(info.recorded);
        assert_eq!(
            info.features,
            [Feature { name: "std".into(), enabled: true }, Feature { name: "x-y.z+1".into(), enabled: false }]
        );
        for e in Edition::ALL {
            assert_eq!(read(&with_section(BUILD_INFO_SECTION, &payload(1, e.as_str(), &[]))).unwrap().edition, e);
        }
    }

    #[test]
    fn rejects_bad_payloads_naming_the_file() {
        let cases: &[(Vec<u8>, &str)] = &[
            (payload(1, "2027", &[]), "names edition `2027`, which this tool does not know (it knows 2015, 2018"),
            (payload(1, "", &[]), "names edition ``"),
            (payload(2, "2021", &[]), "has version 2, and this tool reads version 1"),
            (payload(1, "2021", &[("a", 1), ("a", 0)]), "names feature `a` twice"),
            (payload(1, "2021", &[("a", 2)]), "gives feature `a` the flag 2"),
            (payload(1, "2021", &[("\"]\n", 1)]), "which is not a Cargo feature name"),
            (payload(1, "2021", &[("dep:x", 1)]), "which is not a Cargo feature name"),
            (payload(1, "2021", &[("-x", 1)]), "which is not a Cargo feature name"),
            (vec![1, 4, b'2', b'0'], "is malformed"),
            (vec![], "is malformed"),
            ([payload(1, "2021", &[]), vec![0]].concat(), "is malformed: 1 bytes follow the last field"),
        ];
        for (data, expected) in cases {
            let err = read(&with_section(BUILD_INFO_SECTION, data)).unwrap_err();
            assert!(err.starts_with("wasm proc-macro module `m.wasm`: "), "{err}");
            assert!(err.contains(expected), "{data:?}: {err}");
        }
        let section = with_section(BUILD_INFO_SECTION, &payload(1, "2021", &[]));
        let twice = [section.clone(), section[EMPTY.len()..].to_vec()].concat();
        assert!(read(&twice).unwrap_err().contains("two `wpm.build` custom sections"));
        assert!(read(b"\0asm\x01\0\0\0\0\x09").unwrap_err().contains("cannot read its sections"));
        assert!(read(b"not wasm").unwrap_err().contains("m.wasm"));
    }

    #[test]
    fn feature_names() {
        for ok in ["std", "serde_json", "full", "a-b", "v1.2", "c++", "_x", "9lives", "é"] {
            assert!(is_feature_name(ok), "{ok}");
        }
        for bad in ["", "dep:x", "a/b", "-a", ".a", "a b", "a\"", "a\n", &"x".repeat(257)] {
            assert!(!is_feature_name(bad), "{bad}");
        }
    }
}
