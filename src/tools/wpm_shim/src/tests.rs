//! Generation tests on hand-written manifests (no wasm runtime involved).

use super::*;
use wpm_abi::MacroDecl;

fn decl(kind: MacroKind, name: &str, helpers: &[&str]) -> MacroDecl {
    MacroDecl { kind, name: name.into(), helpers: helpers.iter().map(|h| (*h).into()).collect() }
}

fn manifest(macros: Vec<MacroDecl>) -> Manifest {
    Manifest { abi_version: wpm_abi::ABI_VERSION, macros }
}

/// A module without build metadata (the header alone: generation never runs it).
const MODULE: &[u8] = b"\0asm\x01\0\0\0";

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
    let shim = generate_from_manifest(&m, MODULE, "serde_derive", &dir, &ShimOptions::default()).unwrap();
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
    assert_eq!(fs::read(dir.join("module.wasm")).unwrap(), MODULE);
    let toml = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(toml.contains("name = \"serde_derive\"\nversion = \"0.0.0\""), "{toml}");
    assert!(toml.contains("proc-macro = true"), "{toml}");
    // No build metadata: the edition hosts assumed before it existed, no features.
    assert!(toml.contains("edition = \"2021\""), "{toml}");
    assert!(!toml.contains("[features]"), "{toml}");
    assert!(shim.build_info == wpm_host::BuildInfo::default());
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
    let shim = generate_from_manifest(&m, MODULE, "thiserror-impl-2.0.12", &dir, &ShimOptions::default()).unwrap();
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
    let shim = generate_from_manifest(&m, MODULE, "whatever", &dir, &opts).unwrap();
    assert_eq!((shim.package.as_str(), shim.version.as_str()), ("my-macros", "3.1.4-rc.1"));
    let build = fs::read_to_string(dir.join("build.rs")).unwrap();
    assert!(build.contains("const WPM_ROOT: &str = \"/opt/wpm\";"), "{build}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rejects_bad_names_versions_and_duplicates() {
    let dir = scratch("reject");
    let ok = manifest(vec![decl(MacroKind::Function, "m", &[])]);
    let gen = |m: &Manifest, stem: &str, opts: &ShimOptions| generate_from_manifest(m, MODULE, stem, &dir, opts);
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
    generate_from_manifest(&m, MODULE, "x", &dir, &ShimOptions::default()).unwrap();
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
    generate_from_manifest(&m, MODULE, "we`ird\n\"name", &dir, &opts).unwrap();
    let lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains("we_ird__name.wasm"), "{lib}");
    assert_eq!(declared(&lib).len(), 1);
    fs::remove_dir_all(&dir).unwrap();
}

/// The shim of `m` rendered with build metadata `edition` and `features` (`(name, enabled)`)
/// into `dir`, as `generate_from_manifest` writes it; returns `(Cargo.toml, src/lib.rs)`.
fn render_with(m: &Manifest, edition: &str, features: &[(&str, bool)], dir: &Path) -> (String, String) {
    let features: Vec<wpm_host::Feature> =
        features.iter().map(|(name, enabled)| wpm_host::Feature { name: (*name).into(), enabled: *enabled }).collect();
    let plan = render::Plan {
        package: "old-macros",
        lib: "old_macros",
        version: "1.0.150",
        wpm_root: Path::new("/opt/wpm"),
        module_file: "old-macros-1.0.150.wasm",
        module_sha256: "00",
        macros: plan_macros(m).unwrap(),
        edition,
        features: &features,
    };
    let (toml, lib) = (render::cargo_toml(&plan), render::lib_rs(&plan));
    write(&dir.join("Cargo.toml"), toml.as_bytes()).unwrap();
    write(&dir.join("build.rs"), render::build_rs(&plan).as_bytes()).unwrap();
    write(&dir.join(render::CACHE_ROOT_FILE), wpm_host::CACHE_ROOT_SOURCE.as_bytes()).unwrap();
    write(&dir.join(render::PRUNE_RUNTIME_FILE), render::PRUNE_RUNTIME.as_bytes()).unwrap();
    write(&dir.join("src/lib.rs"), lib.as_bytes()).unwrap();
    write(&dir.join(render::MODULE_FILE), MODULE).unwrap();
    (toml, lib)
}

fn every_kind() -> Manifest {
    manifest(vec![
        decl(MacroKind::Derive, "Serialize", &["serde"]),
        decl(MacroKind::Attribute, "route", &[]),
        decl(MacroKind::Function, "html", &[]),
    ])
}

/// What Cargo reads from the shim's manifest: `(edition, sorted feature names)`.
fn cargo_view(dir: &Path) -> (String, Vec<String>) {
    let out = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .output()
        .expect("running cargo metadata");
    assert!(out.status.success(), "cargo rejects the shim's manifest: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    // `"edition":"2015"` and `"features":{"a":[],"b":[]}` of the one package, without a JSON parser.
    let edition = text.split("\"edition\":\"").nth(1).and_then(|t| t.split('"').next()).unwrap().to_owned();
    let table = text.split("\"features\":{").nth(1).and_then(|t| t.split('}').next()).unwrap();
    let names = table.split("\":[]").filter_map(|n| n.rsplit('"').next()).filter(|n| !n.is_empty());
    (edition, names.map(str::to_owned).collect())
}

#[test]
fn renders_the_edition_and_the_features() {
    let dir = scratch("features");
    let features = [("default", true), ("std", true), ("config", false), ("serde-json", false)];
    let (toml, lib) = render_with(&every_kind(), "2015", &features, &dir);
    assert!(toml.contains("version = \"1.0.150\"\nedition = \"2015\"\n"), "{toml}");
    assert!(
        toml.contains("[features]\n\"default\" = []\n\"std\" = []\n\"config\" = []\n\"serde-json\" = []\n"),
        "{toml}"
    );
    assert_eq!(
        cargo_view(&dir),
        ("2015".to_owned(), ["config", "default", "serde-json", "std"].map(String::from).to_vec())
    );
    // Enabling a feature the module was built without stops the build, saying how to fix it.
    assert!(
        lib.contains(
            "#[cfg(feature = \"config\")]\ncompile_error!(\"the wasm module `old-macros-1.0.150.wasm` of `old-macros` \
         was built without its feature `config`, which this build enables; the module cannot change after its \
         build: build it again with `--features config` (or `--all-features`) and generate the shim again\");"
        ),
        "{lib}"
    );
    assert!(lib.contains("#[cfg(feature = \"serde-json\")]\ncompile_error!("), "{lib}");
    assert!(!lib.contains("feature = \"std\"") && !lib.contains("feature = \"default\""), "{lib}");
    // Built with `--no-default-features`: dependents that want the defaults are told.
    let (_, lib) = render_with(&every_kind(), "2021", &[("default", false)], &dir);
    assert!(lib.contains("build it again without `--no-default-features`"), "{lib}");
    // No features: no table (Cargo would accept an empty one, but there is nothing to say).
    let (toml, _) = render_with(&every_kind(), "2018", &[], &dir);
    assert!(toml.contains("edition = \"2018\"") && !toml.contains("[features]"), "{toml}");
    assert_eq!(cargo_view(&dir), ("2018".to_owned(), Vec::new()));
    fs::remove_dir_all(&dir).unwrap();
}

/// Runs rustc with `args` in `dir`; returns `(success, stderr)`.
fn rustc(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("running rustc");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The generated sources (`src/lib.rs` and `build.rs`) compile in every edition a macro crate
/// can have, against stand-ins of `wpm_host` and `wpm_adapter` with the adapter's signatures;
/// and a feature the module was built without fails the build with the generated message.
#[test]
fn generated_sources_compile_in_every_edition() {
    let dir = scratch("editions");
    let deps = dir.join("deps");
    fs::create_dir_all(&deps).unwrap();
    fs::write(deps.join("wpm_host.rs"), "pub struct MacroModule;\n").unwrap();
    fs::write(
        deps.join("wpm_adapter.rs"),
        "extern crate proc_macro;\n\
         use proc_macro::TokenStream;\n\
         use wpm_host::MacroModule;\n\
         pub fn module_from_bytes(_: &str, _: &'static [u8]) -> Result<&'static MacroModule, String> { Err(String::new()) }\n\
         pub fn expand_derive(_: &MacroModule, _: usize, item: TokenStream) -> TokenStream { item }\n\
         pub fn expand_attribute(_: &MacroModule, _: usize, _: TokenStream, item: TokenStream) -> TokenStream { item }\n\
         pub fn expand_function(_: &MacroModule, _: usize, input: TokenStream) -> TokenStream { input }\n\
         pub fn load_error(_: &str, _: &str) -> TokenStream { TokenStream::new() }\n",
    )
    .unwrap();
    for (name, extra) in [("wpm_host", &[][..]), ("wpm_adapter", &["--extern", "wpm_host", "-L", "."][..])] {
        let file = format!("{name}.rs");
        let args = [&["--edition", "2021", "--crate-type", "rlib", "--emit", "metadata", &file][..], extra].concat();
        let (ok, stderr) = rustc(&deps, &args);
        assert!(ok, "the stand-in {name} does not compile:\n{stderr}");
    }
    let deps_arg = deps.display().to_string();
    let out_arg = format!("--out-dir={}", dir.join("out").display());
    let shim = dir.join("shim");
    let lib_args = |edition: &'static str| -> Vec<String> {
        ["--edition", edition, "--crate-type", "proc-macro", "--crate-name", "old_macros", "--emit", "metadata"]
            .into_iter()
            .map(str::to_owned)
            .chain(["-L".to_owned(), deps_arg.clone(), out_arg.clone(), "-D".into(), "warnings".into()])
            .chain(["src/lib.rs".to_owned()])
            .collect()
    };
    for edition in wpm_host::Edition::ALL.map(wpm_host::Edition::as_str) {
        render_with(&every_kind(), edition, &[("std", true), ("config", false)], &shim);
        let args = lib_args(edition);
        let (ok, stderr) = rustc(&shim, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(ok, "the shim's src/lib.rs does not compile in edition {edition}:\n{stderr}");
        let (ok, stderr) =
            rustc(&shim, &["--edition", edition, "--crate-type", "bin", "--emit", "metadata", &out_arg, "build.rs"]);
        assert!(ok, "the shim's build.rs does not compile in edition {edition}:\n{stderr}");
        // The dependents ask for `config`, which the module lacks.
        let mut args = lib_args(edition);
        args.extend(["--cfg".to_owned(), "feature=\"config\"".to_owned()]);
        let (ok, stderr) = rustc(&shim, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(!ok && stderr.contains("was built without its feature `config`"), "edition {edition}:\n{stderr}");
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// The shim's build script gets the cache-root rule as the very text `wpm_host` compiles,
/// and the two files build together without warnings.
#[test]
fn build_script_uses_the_hosts_cache_root_module() {
    let dir = scratch("cache-root");
    let m = manifest(vec![decl(MacroKind::Function, "m", &[])]);
    generate_from_manifest(&m, MODULE, "x", &dir, &ShimOptions::default()).unwrap();
    assert_eq!(fs::read_to_string(dir.join("cache_root.rs")).unwrap(), wpm_host::CACHE_ROOT_SOURCE);
    let build = fs::read_to_string(dir.join("build.rs")).unwrap();
    assert!(build.contains("\nmod cache_root;\n") && !build.contains("fn cache_root"), "{build}");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = std::process::Command::new(rustc)
        .args(["--edition=2021", "--crate-type=bin", "--crate-name=build_script_build", "--emit=metadata"])
        .args(["-D", "warnings", "--out-dir"])
        .arg(dir.join("out"))
        .arg(dir.join("build.rs"))
        .output()
        .expect("run rustc");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    fs::remove_dir_all(&dir).unwrap();
}

#[path = "../templates/prune_runtime.rs"]
mod prune_runtime;

/// The build script keeps the frozen runtime it uses and those used within a day, and
/// deletes the other `lib-*` directories (each a 470 MB copy of the runtime).
#[test]
fn runtime_copies_unused_for_a_day_are_deleted() {
    let dir = scratch("prune");
    let old = std::time::SystemTime::now() - prune_runtime::UNUSED_FOR - std::time::Duration::from_secs(60);
    for name in ["lib-current", "lib-recent", "lib-stale", "lib-stale.tmp-7", "target"] {
        fs::create_dir_all(dir.join(name).join("sub")).unwrap();
        fs::write(dir.join(name).join("libx.rlib"), b"x").unwrap();
    }
    for name in ["lib-current", "lib-stale", "lib-stale.tmp-7", "target"] {
        fs::File::open(dir.join(name)).unwrap().set_modified(old).unwrap();
    }
    prune_runtime::prune_unused(&dir, &dir.join("lib-current"));
    assert!(dir.join("lib-current/libx.rlib").exists(), "the runtime in use stays");
    assert!(dir.join("lib-recent").exists(), "a runtime used within a day stays");
    assert!(!dir.join("lib-stale").exists() && !dir.join("lib-stale.tmp-7").exists());
    assert!(dir.join("target").exists(), "the Cargo target directory is not a frozen runtime");
    // Using `lib-current` marked it used: a later prune from another runtime keeps it.
    prune_runtime::prune_unused(&dir, &dir.join("lib-recent"));
    assert!(dir.join("lib-current").exists());
    fs::remove_dir_all(&dir).unwrap();
}
