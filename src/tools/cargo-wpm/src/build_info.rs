//! Writes the module's build metadata: the custom section `wpm.build` (`docs/abi.md`,
//! "Build metadata") with the macro crate's edition and features. The reader, and the
//! types, are `wpm_host`'s (`wpm_host::read_build_info`), used by the shims and the fork.

use wasm_encoder::{CustomSection, Encode, Section};
use wpm_host::{BuildInfo, BUILD_INFO_SECTION, BUILD_INFO_VERSION};

/// The build metadata of a package whose lib target has edition `edition`, that declares
/// `declared` features (in the order given) and was built with `enabled` (as cargo
/// reported them).
///
/// # Errors
/// A message when the edition is not one the hosts know, or a feature name is not one
/// (the hosts would refuse the module).
pub(crate) fn build_info(edition: &str, declared: &[String], enabled: &[String]) -> Result<BuildInfo, String> {
    let edition = wpm_host::Edition::parse(edition).ok_or_else(|| {
        let known: Vec<&str> = wpm_host::Edition::ALL.iter().map(|e| e.as_str()).collect();
        format!("its edition `{edition}` is not one the wasm hosts know ({})", known.join(", "))
    })?;
    let mut features = Vec::with_capacity(declared.len());
    for name in declared {
        if !wpm_host::is_feature_name(name) {
            return Err(format!("its feature `{}` is not a name the wasm hosts accept", name.escape_debug()));
        }
        features.push(wpm_host::Feature { name: name.clone(), enabled: enabled.contains(name) });
    }
    Ok(BuildInfo { edition, features, recorded: true })
}

/// `module` with the `wpm.build` section holding `info` appended (a custom section may
/// come last; the module's other sections are untouched).
pub(crate) fn append(module: &mut Vec<u8>, info: &BuildInfo) {
    let mut data = Vec::new();
    BUILD_INFO_VERSION.encode(&mut data);
    info.edition.as_str().encode(&mut data);
    info.features.len().encode(&mut data);
    for feature in &info.features {
        feature.name.encode(&mut data);
        u32::from(feature.enabled).encode(&mut data);
    }
    CustomSection { name: BUILD_INFO_SECTION.into(), data: data.into() }.append_to(module);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid module with a function and an export, built with wasm-encoder.
    fn module() -> Vec<u8> {
        let mut m = wasm_encoder::Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], [wasm_encoder::ValType::I32]);
        m.section(&types);
        let mut funcs = wasm_encoder::FunctionSection::new();
        funcs.function(0);
        m.section(&funcs);
        let mut exports = wasm_encoder::ExportSection::new();
        exports.export("wpm_abi_version", wasm_encoder::ExportKind::Func, 0);
        m.section(&exports);
        let mut code = wasm_encoder::CodeSection::new();
        let mut f = wasm_encoder::Function::new([]);
        f.instructions().i32_const(1).end();
        code.function(&f);
        m.section(&code);
        m.finish()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn round_trip_through_the_hosts_reader() {
        let declared = names(&["default", "std", "config", "serde_json"]);
        let info = build_info("2015", &declared, &names(&["default", "std"])).unwrap();
        let mut bytes = module();
        append(&mut bytes, &info);
        wasmparser::Validator::new().validate_all(&bytes).expect("still a valid module");
        let read = wpm_host::read_build_info("m.wasm", &bytes).unwrap();
        assert_eq!(read, info);
        assert_eq!(read.edition, wpm_host::Edition::E2015);
        let enabled: Vec<(&str, bool)> = read.features.iter().map(|f| (f.name.as_str(), f.enabled)).collect();
        assert_eq!(enabled, [("default", true), ("std", true), ("config", false), ("serde_json", false)]);
        // Without the section: the defaults of old modules.
        assert_eq!(wpm_host::read_build_info("m.wasm", &module()).unwrap(), BuildInfo::default());
        // Every edition, and no features at all.
        for edition in wpm_host::Edition::ALL {
            let mut bytes = module();
            append(&mut bytes, &build_info(edition.as_str(), &[], &[]).unwrap());
            let read = wpm_host::read_build_info("m.wasm", &bytes).unwrap();
            assert_eq!((read.edition, read.features.len(), read.recorded), (edition, 0, true));
        }
    }

    #[test]
    fn a_second_section_is_refused_by_the_reader() {
        let info = build_info("2021", &[], &[]).unwrap();
        let mut bytes = module();
        append(&mut bytes, &info);
        append(&mut bytes, &info);
        let err = wpm_host::read_build_info("m.wasm", &bytes).unwrap_err().to_string();
        assert!(err.contains("m.wasm") && err.contains("two `wpm.build`"), "{err}");
    }

    /// What a shim generated from a module with the section says (the consumer in the
    /// stock-toolchain path; `wpm_shim`'s tests cover the rendering itself).
    #[test]
    fn a_shim_takes_the_edition_and_features_from_the_section() {
        let dir = std::env::temp_dir().join(format!("cargo-wpm-build-info-{}", std::process::id()));
        let manifest = wpm_abi::Manifest { abi_version: wpm_abi::ABI_VERSION, macros: Vec::new() };
        let generate = |bytes: &[u8]| {
            wpm_shim::generate_from_manifest(&manifest, bytes, "old-1.0.0", &dir, &wpm_shim::ShimOptions::default())
                .map_err(|e| e.to_string())
        };
        let mut bytes = module();
        append(&mut bytes, &build_info("2015", &names(&["config", "std"]), &names(&["std"])).unwrap());
        let shim = generate(&bytes).unwrap();
        assert_eq!(shim.build_info.edition, wpm_host::Edition::E2015);
        let toml = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(
            toml.contains("edition = \"2015\"") && toml.contains("[features]\n\"config\" = []\n\"std\" = []\n"),
            "{toml}"
        );
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        assert!(lib.contains("#[cfg(feature = \"config\")]\ncompile_error!(") && !lib.contains("\"std\""), "{lib}");
        // An edition no host knows (a newer builder): refused, naming the module.
        let mut data = Vec::new();
        BUILD_INFO_VERSION.encode(&mut data);
        "2027".encode(&mut data);
        0u32.encode(&mut data);
        let mut bytes = module();
        CustomSection { name: BUILD_INFO_SECTION.into(), data: data.into() }.append_to(&mut bytes);
        let err = generate(&bytes).unwrap_err();
        assert!(err.contains("module `old-1.0.0.wasm`") && err.contains("names edition `2027`"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unknown_editions_and_bad_feature_names_are_refused() {
        let err = build_info("2027", &[], &[]).unwrap_err();
        assert!(err.contains("edition `2027` is not one the wasm hosts know (2015, 2018, 2021, 2024)"), "{err}");
        let err = build_info("2021", &names(&["ok", "dep:x"]), &[]).unwrap_err();
        assert!(err.contains("feature `dep:x`"), "{err}");
    }
}
