//! Generation tests on hand-written manifests (no wasm runtime involved).

use super::*;
use wpm_abi::MacroDecl;

fn decl(kind: MacroKind, name: &str, helpers: &[&str]) -> MacroDecl {
    MacroDecl { kind, name: name.into(), helpers: helpers.iter().map(|h| (*h).into()).collect() }
}

fn manifest(macros: Vec<MacroDecl>) -> Manifest {
    Manifest { abi_version: wpm_abi::ABI_VERSION, macros }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wpm_shim-test-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// The `proc_macro*` attribute of each function in the generated file, with the function name.
fn declared(lib_rs: &str) -> Vec<(String, String)> {
    let file = syn::parse_file(lib_rs).expect("generated lib.rs parses as Rust");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(f) => {
                let attr = f
                    .attrs
                    .iter()
                    .find(|a| a.path().get_ident().is_some_and(|i| i.to_string().starts_with("proc_macro")))?;
                let text = match &attr.meta {
                    syn::Meta::List(l) => format!("{}({})", l.path.get_ident()?, l.tokens),
                    other => other.path().get_ident()?.to_string(),
                };
                Some((text, f.sig.ident.to_string()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn generates_one_macro_per_entry_with_indices() {
    let dir = scratch("entries");
    let m = manifest(vec![
        decl(MacroKind::Derive, "Serialize", &["serde"]),
        decl(MacroKind::Derive, "Deserialize", &["serde", "other"]),
        decl(MacroKind::Attribute, "route", &[]),
        decl(MacroKind::Function, "Html", &[]),
        decl(MacroKind::Derive, "Plain", &[]),
    ]);
    let shim = generate_from_manifest(&m, b"\0asm-bytes", "serde_derive", &dir, &ShimOptions::default()).unwrap();
    assert_eq!(
        (shim.package.as_str(), shim.lib.as_str(), shim.version.as_str()),
        ("serde_derive", "serde_derive", DEFAULT_VERSION)
    );
    let lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert_eq!(
        declared(&lib),
        [
            ("proc_macro_derive(Serialize , attributes (serde))".to_owned(), "__wpm_derive_0".to_owned()),
            ("proc_macro_derive(Deserialize , attributes (serde , other))".to_owned(), "__wpm_derive_1".to_owned()),
            ("proc_macro_attribute".to_owned(), "route".to_owned()),
            ("proc_macro".to_owned(), "Html".to_owned()),
            ("proc_macro_derive(Plain)".to_owned(), "__wpm_derive_2".to_owned()),
        ]
    );
    // Each function forwards with its own manifest index.
    assert!(lib.contains("expand_derive(module, 1, input)"), "{lib}");
    assert!(lib.contains("expand_attribute(module, 2, args, item)"), "{lib}");
    assert!(lib.contains("expand_function(module, 3, input)"), "{lib}");
    assert!(lib.contains("expand_derive(module, 4, input)"), "{lib}");
    assert!(lib.contains("load_error(\"Deserialize\", &message)"), "{lib}");
    assert_eq!(fs::read(dir.join("module.wasm")).unwrap(), b"\0asm-bytes");
    let toml = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(toml.contains("name = \"serde_derive\"\nversion = \"0.0.0\""), "{toml}");
    assert!(toml.contains("proc-macro = true"), "{toml}");
    // No dependencies: the build script provides the runtime, from the checkout.
    assert!(!toml.contains("[dependencies]"), "{toml}");
    assert!(toml.contains("build = \"build.rs\""), "{toml}");
    let adapter = default_wpm_root().join("compiler/wpm_adapter");
    assert!(adapter.join("Cargo.toml").is_file(), "default root {} is the checkout", default_wpm_root().display());
    let build = fs::read_to_string(dir.join("build.rs")).unwrap();
    assert!(build.contains(&format!("const WPM_ROOT: &str = {:?};", default_wpm_root().to_string_lossy())), "{build}");
    assert!(lib.contains("extern crate wpm_adapter;"), "{lib}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn name_and_version_come_from_the_stem_or_options() {
    let dir = scratch("names");
    let m = manifest(vec![decl(MacroKind::Derive, "Error", &["error", "from", "source"])]);
    let shim = generate_from_manifest(&m, b"", "thiserror-impl-2.0.12", &dir, &ShimOptions::default()).unwrap();
    assert_eq!(
        (shim.package.as_str(), shim.lib.as_str(), shim.version.as_str()),
        ("thiserror-impl", "thiserror_impl", "2.0.12")
    );
    let toml = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(toml.contains("name = \"thiserror-impl\"\nversion = \"2.0.12\""), "{toml}");
    assert!(toml.contains("name = \"thiserror_impl\"\npath"), "{toml}");

    let opts = ShimOptions {
        name: Some("my-macros".into()),
        version: Some("3.1.4-rc.1".into()),
        wpm_root: Some("/opt/wpm".into()),
    };
    let shim = generate_from_manifest(&m, b"", "whatever", &dir, &opts).unwrap();
    assert_eq!((shim.package.as_str(), shim.version.as_str()), ("my-macros", "3.1.4-rc.1"));
    let build = fs::read_to_string(dir.join("build.rs")).unwrap();
    assert!(build.contains("const WPM_ROOT: &str = \"/opt/wpm\";"), "{build}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rejects_bad_names_versions_and_duplicates() {
    let dir = scratch("reject");
    let ok = manifest(vec![decl(MacroKind::Function, "m", &[])]);
    let gen = |m: &Manifest, stem: &str, opts: &ShimOptions| generate_from_manifest(m, b"", stem, &dir, opts);
    assert!(matches!(gen(&ok, "9lives", &ShimOptions::default()), Err(ShimError::BadName(_))));
    assert!(matches!(gen(&ok, "a b", &ShimOptions::default()), Err(ShimError::BadName(_))));
    let v = ShimOptions { version: Some("1.0".into()), ..Default::default() };
    assert!(matches!(gen(&ok, "x", &v), Err(ShimError::BadVersion(_))));
    // A guest trying to smuggle code into the generated crate.
    let evil = manifest(vec![decl(MacroKind::Derive, "A)] pub fn evil() {} #[proc_macro_derive(B", &[])]);
    assert!(matches!(gen(&evil, "x", &ShimOptions::default()), Err(ShimError::BadMacroName(_))));
    let evil_helper = manifest(vec![decl(MacroKind::Derive, "A", &["x))]"])]);
    assert!(matches!(gen(&evil_helper, "x", &ShimOptions::default()), Err(ShimError::BadMacroName(_))));
    let keyword = manifest(vec![decl(MacroKind::Function, "fn", &[])]);
    assert!(matches!(gen(&keyword, "x", &ShimOptions::default()), Err(ShimError::BadMacroName(_))));
    let dup = manifest(vec![decl(MacroKind::Derive, "A", &[]), decl(MacroKind::Function, "A", &[])]);
    assert!(matches!(gen(&dup, "x", &ShimOptions::default()), Err(ShimError::DuplicateMacro(_))));
    assert!(!dir.exists(), "nothing is written when validation fails");
}

#[test]
fn derive_functions_do_not_clash_with_function_macros() {
    let dir = scratch("clash");
    let m = manifest(vec![decl(MacroKind::Derive, "D", &[]), decl(MacroKind::Function, "__wpm_derive_0", &[])]);
    generate_from_manifest(&m, b"", "x", &dir, &ShimOptions::default()).unwrap();
    let lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let fns: Vec<String> = declared(&lib).into_iter().map(|(_, f)| f).collect();
    assert_eq!(fns, ["__wpm_derive_0_", "__wpm_derive_0"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn odd_file_names_stay_out_of_generated_code() {
    let dir = scratch("odd");
    let m = manifest(vec![decl(MacroKind::Function, "m", &[])]);
    let opts = ShimOptions { name: Some("m".into()), ..Default::default() };
    generate_from_manifest(&m, b"", "we`ird\n\"name", &dir, &opts).unwrap();
    let lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains("we_ird__name.wasm"), "{lib}");
    assert_eq!(declared(&lib).len(), 1);
    fs::remove_dir_all(&dir).unwrap();
}
