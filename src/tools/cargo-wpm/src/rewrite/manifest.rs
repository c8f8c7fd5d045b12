//! Rewrites a proc-macro package's `Cargo.toml` into a standalone wasm `cdylib` package.
//!
//! Edits, with `toml_edit` so that everything else stays as written:
//! - `[lib] proc-macro = true` becomes `crate-type = ["cdylib"]`;
//! - an empty `[workspace]` makes the copy its own workspace root;
//! - `[profile]` is replaced by [`set_guest_profile`]'s, identical for every guest build so
//!   that std and shared dependencies are compiled once;
//! - dev-dependencies and non-lib targets are dropped (only the lib is built);
//! - `forbid` lint levels in `[lints]` become `deny` (the generated module allows
//!   `unsafe_code` for its `#[unsafe(no_mangle)]`);
//! - relative `path` dependencies are made absolute (the copy lives elsewhere);
//! - for a workspace member, `x.workspace = true` is replaced by the workspace root's value,
//!   as `cargo package` does ([`inherit`]).
//!
//! Features are kept unchanged.
//!
//! [`native_manifest`] makes the lighter copy used to expand the original crate natively
//! (see `crate::expand`): standalone and without dev-dependencies, but still a proc-macro.

use std::path::Path;

use toml_edit::{Array, DocumentMut, Item, Table, Value};

/// The workspace a member package inherits from: its root manifest's text and directory.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Workspace<'a> {
    /// The root `Cargo.toml`.
    pub(crate) manifest: &'a str,
    /// The directory holding it (inherited relative paths are relative to it).
    pub(crate) dir: &'a Path,
}

/// Rewrites `text`, the manifest of the package in `original_dir`, a member of `workspace`
/// if given.
///
/// # Errors
/// A message if the manifest does not parse, has no `[lib]` table, or relies on workspace
/// inheritance that `workspace` cannot resolve.
pub(crate) fn rewrite_manifest(
    text: &str,
    original_dir: &Path,
    workspace: Option<Workspace<'_>>,
) -> Result<String, String> {
    let mut doc = standalone(text, original_dir, workspace)?;
    let lib = doc
        .get_mut("lib")
        .and_then(Item::as_table_like_mut)
        .ok_or("Cargo.toml has no [lib] table, so it is not a proc-macro package")?;
    lib.remove("proc-macro");
    lib.remove("proc_macro");
    lib.remove("crate-type");
    lib.remove("crate_type");
    let mut types = Array::new();
    types.push("cdylib");
    lib.insert("crate-type", Item::Value(Value::Array(types)));

    let root = doc.as_table_mut();
    if let Some(lints) = root.get_mut("lints").and_then(Item::as_table_like_mut) {
        for (_, tool) in lints.iter_mut() {
            if let Some(tool) = tool.as_table_like_mut() {
                for (_, level) in tool.iter_mut() {
                    downgrade_forbid(level);
                }
            }
        }
    }
    set_guest_profile(&mut doc);
    Ok(doc.to_string())
}

/// Rewrites `text`, the manifest of the package in `original_dir`, into a standalone
/// proc-macro package for a native build of the unmodified crate: the edits of
/// [`rewrite_manifest`] except the lib type, the lints and the profile.
///
/// # Errors
/// As [`rewrite_manifest`].
pub(crate) fn native_manifest(
    text: &str,
    original_dir: &Path,
    workspace: Option<Workspace<'_>>,
) -> Result<String, String> {
    let doc = standalone(text, original_dir, workspace)?;
    if doc.get("lib").and_then(Item::as_table_like).is_none() {
        return Err("Cargo.toml has no [lib] table, so it is not a proc-macro package".into());
    }
    Ok(doc.to_string())
}

/// The edits every copy needs: its own workspace, no dev-dependencies or non-lib targets,
/// absolute `path` dependencies, inherited values resolved from `workspace`.
fn standalone(text: &str, original_dir: &Path, workspace: Option<Workspace<'_>>) -> Result<DocumentMut, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("Cargo.toml does not parse: {e}"))?;
    let root = doc.as_table_mut();
    // Dropped before inheritance: a dev-dependency the workspace lacks must not stop the build.
    for key in ["dev-dependencies", "dev_dependencies"] {
        root.remove(key);
    }
    if let Some(targets) = root.get_mut("target").and_then(Item::as_table_like_mut) {
        for (_, platform) in targets.iter_mut() {
            if let Some(platform) = platform.as_table_like_mut() {
                platform.remove("dev-dependencies");
                platform.remove("dev_dependencies");
            }
        }
    }
    if let Some(workspace) = workspace {
        inherit(&mut doc, workspace)?;
    }
    if let Some(key) = find_inheritance(doc.as_table(), "") {
        return Err(format!(
            "Cargo.toml inherits `{key}` from its workspace, but no workspace root declares it; \
             build the package from its workspace, or replace `workspace = true` with values"
        ));
    }
    let root = doc.as_table_mut();
    for key in ["bin", "example", "test", "bench", "patch", "replace"] {
        root.remove(key);
    }
    if let Some(package) = root.get_mut("package").and_then(Item::as_table_like_mut) {
        package.remove("workspace");
        for key in ["autobins", "autoexamples", "autotests", "autobenches"] {
            package.insert(key, toml_edit::value(false));
        }
    }
    absolutize_paths(root, original_dir);
    root.insert("workspace", Item::Table(Table::new()));
    Ok(doc)
}

/// Replaces `[profile]` with the one profile every guest build uses.
///
/// It must be identical for the guest library's build and every macro crate's build: the
/// profile is part of std's build, and both link the same std.
pub(crate) fn set_guest_profile(doc: &mut DocumentMut) {
    let mut release = Table::new();
    release.insert("opt-level", toml_edit::value(3));
    release.insert("debug", toml_edit::value(false));
    release.insert("panic", toml_edit::value("abort"));
    release.insert("lto", toml_edit::value(false));
    release.insert("incremental", toml_edit::value(false));
    release.insert("codegen-units", toml_edit::value(16));
    let mut profile = Table::new();
    profile.set_implicit(true);
    profile.insert("release", Item::Table(release));
    doc.as_table_mut().insert("profile", Item::Table(profile));
}

/// `[package]` keys whose inherited value is a path relative to the workspace root.
const INHERITED_PATHS: &[&str] = &["readme", "license-file"];

/// Replaces every `workspace = true` of the member manifest `doc` with the value it
/// inherits from `workspace`, the way `cargo package` normalizes a member:
/// - `[package] x.workspace = true` takes `[workspace.package] x` (paths made absolute);
/// - a dependency `{ workspace = true, .. }` takes `[workspace.dependencies]`'s entry
///   (a `path` made absolute against the root), plus the member's `features` (added to the
///   root's), `optional` and `public`;
/// - `[lints] workspace = true` takes `[workspace.lints]`.
///
/// # Errors
/// A message naming the key when the root does not parse or lacks the inherited value.
fn inherit(doc: &mut DocumentMut, workspace: Workspace<'_>) -> Result<(), String> {
    let ws_doc: DocumentMut =
        workspace.manifest.parse().map_err(|e| format!("the workspace root's Cargo.toml does not parse: {e}"))?;
    let ws = ws_doc.get("workspace").and_then(Item::as_table_like);
    let section = |name: &str| ws.and_then(|w| w.get(name)).and_then(Item::as_table_like);
    let missing = |key: &str, section: &str| {
        format!("Cargo.toml inherits `{key}`, but the workspace root has no `[workspace.{section}]` entry for it")
    };
    let root = doc.as_table_mut();
    if let Some(package) = root.get_mut("package").and_then(Item::as_table_like_mut) {
        let keys: Vec<String> = package.iter().filter(|(_, v)| is_inherited(v)).map(|(k, _)| k.to_owned()).collect();
        for key in keys {
            let value = section("package")
                .and_then(|p| p.get(&key))
                .ok_or_else(|| missing(&format!("package.{key}"), "package"))?;
            let mut value = value.clone();
            if INHERITED_PATHS.contains(&key.as_str()) {
                if let Some(path) = value.as_str().filter(|p| Path::new(p).is_relative()) {
                    value = toml_edit::value(workspace.dir.join(path).display().to_string());
                }
            }
            package.insert(&key, value);
        }
    }
    let ws_deps = section("dependencies");
    let fix_deps = |deps: &mut Item, prefix: &str| -> Result<(), String> {
        let Some(deps) = deps.as_table_like_mut() else { return Ok(()) };
        let names: Vec<String> = deps.iter().filter(|(_, v)| is_inherited(v)).map(|(k, _)| k.to_owned()).collect();
        for name in names {
            let base = ws_deps
                .and_then(|d| d.get(&name))
                .ok_or_else(|| missing(&format!("{prefix}.{name}"), "dependencies"))?;
            let merged = merge_dependency(base, deps.get(&name), workspace.dir);
            deps.insert(&name, merged);
        }
        Ok(())
    };
    for key in ["dependencies", "build-dependencies", "build_dependencies"] {
        if let Some(deps) = root.get_mut(key) {
            fix_deps(deps, key)?;
        }
    }
    if let Some(targets) = root.get_mut("target").and_then(Item::as_table_like_mut) {
        for (platform_name, platform) in targets.iter_mut() {
            let Some(platform) = platform.as_table_like_mut() else { continue };
            for key in ["dependencies", "build-dependencies", "build_dependencies"] {
                if let Some(deps) = platform.get_mut(key) {
                    fix_deps(deps, &format!("target.{platform_name}.{key}"))?;
                }
            }
        }
    }
    if root.get("lints").is_some_and(is_inherited) {
        let lints = section("lints").ok_or_else(|| missing("lints", "lints"))?;
        let mut table = Table::new();
        for (tool, levels) in lints.iter() {
            table.insert(tool, levels.clone());
        }
        root.insert("lints", Item::Table(table));
    }
    Ok(())
}

/// Whether `item` is `{ workspace = true, .. }` (in any table form).
fn is_inherited(item: &Item) -> bool {
    item.as_table_like().and_then(|t| t.get("workspace")).and_then(Item::as_bool) == Some(true)
}

/// The workspace's dependency `base` (`"1.0"` or a table) with what the member's entry
/// `member` (`{ workspace = true, .. }`) may add, as one inline table.
fn merge_dependency(base: &Item, member: Option<&Item>, ws_dir: &Path) -> Item {
    let mut out = toml_edit::InlineTable::new();
    if let Some(version) = base.as_str() {
        out.insert("version", version.into());
    } else if let Some(table) = base.as_table_like() {
        for (key, value) in table.iter() {
            if let Some(value) = value.as_value() {
                out.insert(key, value.clone());
            }
        }
    }
    if let Some(path) = out.get("path").and_then(Value::as_str).filter(|p| Path::new(p).is_relative()) {
        let abs = ws_dir.join(path).display().to_string();
        out.insert("path", abs.into());
    }
    let Some(member) = member.and_then(Item::as_table_like) else { return Item::Value(Value::InlineTable(out)) };
    for key in ["optional", "public"] {
        if let Some(value) = member.get(key).and_then(Item::as_value) {
            out.insert(key, value.clone());
        }
    }
    if let Some(extra) = member.get("features").and_then(Item::as_array) {
        let mut features = out.get("features").and_then(Value::as_array).cloned().unwrap_or_default();
        for feature in extra.iter() {
            if !features.iter().any(|f| f.as_str() == feature.as_str()) {
                features.push(feature.clone());
            }
        }
        out.insert("features", Value::Array(features));
    }
    Item::Value(Value::InlineTable(out))
}

/// The dotted key of the first `workspace = true` found under `table`.
fn find_inheritance(table: &dyn toml_edit::TableLike, prefix: &str) -> Option<String> {
    for (key, item) in table.iter() {
        if prefix.is_empty() && key == "workspace" {
            continue; // the package's own [workspace] table, not inheritance
        }
        if key == "metadata" {
            continue; // free-form, for other tools
        }
        if let Some(sub) = item.as_table_like() {
            if key == "workspace" {
                return Some(prefix.trim_end_matches('.').to_owned());
            }
            if let Some(found) = find_inheritance(sub, &format!("{prefix}{key}.")) {
                return Some(found);
            }
        } else if key == "workspace" && item.as_bool() == Some(true) {
            return Some(prefix.trim_end_matches('.').to_owned());
        }
    }
    None
}

/// Makes relative `path = ".."` of every dependency table absolute against `base`.
fn absolutize_paths(root: &mut Table, base: &Path) {
    let fix = |deps: &mut Item| {
        let Some(deps) = deps.as_table_like_mut() else { return };
        for (_, dep) in deps.iter_mut() {
            let Some(dep) = dep.as_table_like_mut() else { continue };
            let Some(path) = dep.get("path").and_then(Item::as_str) else { continue };
            if Path::new(path).is_relative() {
                let abs = base.join(path).display().to_string();
                dep.insert("path", toml_edit::value(abs));
            }
        }
    };
    for key in ["dependencies", "build-dependencies", "build_dependencies"] {
        if let Some(deps) = root.get_mut(key) {
            fix(deps);
        }
    }
    if let Some(targets) = root.get_mut("target").and_then(Item::as_table_like_mut) {
        for (_, platform) in targets.iter_mut() {
            let Some(platform) = platform.as_table_like_mut() else { continue };
            for key in ["dependencies", "build-dependencies", "build_dependencies"] {
                if let Some(deps) = platform.get_mut(key) {
                    fix(deps);
                }
            }
        }
    }
}

/// `"forbid"` → `"deny"`, also in the `{ level = "forbid", priority = N }` form.
fn downgrade_forbid(level: &mut Item) {
    if level.as_str() == Some("forbid") {
        *level = toml_edit::value("deny");
    } else if let Some(table) = level.as_table_like_mut() {
        if table.get("level").and_then(Item::as_str) == Some("forbid") {
            table.insert("level", toml_edit::value("deny"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERDE_LIKE: &str = r#"
[package]
edition = "2021"
name = "serde_derive"
version = "1.0.0"
autobenches = false

[features]
default = []
deserialize_in_place = []

[lib]
name = "serde_derive"
path = "src/lib.rs"
proc-macro = true

[[test]]
name = "t"
path = "tests/t.rs"

[dependencies.syn]
version = "2"
features = ["full"]

[dependencies.local]
path = "../local"

[dev-dependencies.serde]
version = "1"

[target.'cfg(unix)'.dev-dependencies]
libc = "0.2"

[lints.rust]
unsafe_code = "forbid"
missing_docs = { level = "forbid", priority = 1 }

[profile.release]
lto = true
"#;

    #[test]
    fn rewrites_a_normalized_manifest() {
        let out = rewrite_manifest(SERDE_LIKE, Path::new("/orig/serde_derive"), None).unwrap();
        let doc: DocumentMut = out.parse().unwrap();
        assert_eq!(
            doc["lib"]["crate-type"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>(),
            ["cdylib"]
        );
        assert!(doc["lib"].get("proc-macro").is_none());
        assert_eq!(doc["lib"]["path"].as_str(), Some("src/lib.rs"));
        assert!(doc["workspace"].as_table().unwrap().is_empty());
        assert!(doc.get("dev-dependencies").is_none() && doc.get("test").is_none());
        let unix = doc.get("target").and_then(|t| t.get("cfg(unix)"));
        assert!(unix.and_then(|t| t.get("dev-dependencies")).is_none());
        assert_eq!(doc["features"]["deserialize_in_place"].as_array().unwrap().len(), 0);
        assert_eq!(doc["dependencies"]["syn"]["version"].as_str(), Some("2"));
        assert_eq!(doc["dependencies"]["local"]["path"].as_str(), Some("/orig/serde_derive/../local"));
        assert_eq!(doc["lints"]["rust"]["unsafe_code"].as_str(), Some("deny"));
        assert_eq!(doc["lints"]["rust"]["missing_docs"]["level"].as_str(), Some("deny"));
        assert_eq!(doc["profile"]["release"]["panic"].as_str(), Some("abort"));
        assert!(doc["profile"]["release"].get("lto").unwrap().as_bool() == Some(false));
        assert_eq!(doc["package"]["autotests"].as_bool(), Some(false));
    }

    #[test]
    fn native_copy_stays_a_proc_macro() {
        let out = native_manifest(SERDE_LIKE, Path::new("/orig/serde_derive"), None).unwrap();
        let doc: DocumentMut = out.parse().unwrap();
        assert_eq!(doc["lib"]["proc-macro"].as_bool(), Some(true));
        assert!(doc["lib"].get("crate-type").is_none());
        assert!(doc["workspace"].as_table().unwrap().is_empty());
        assert!(doc.get("dev-dependencies").is_none() && doc.get("test").is_none());
        assert_eq!(doc["dependencies"]["local"]["path"].as_str(), Some("/orig/serde_derive/../local"));
        assert_eq!(doc["lints"]["rust"]["unsafe_code"].as_str(), Some("forbid"));
        assert_eq!(doc["profile"]["release"]["lto"].as_bool(), Some(true));
        assert!(native_manifest("[package]\nname='a'\n", Path::new("/x"), None).unwrap_err().contains("no [lib]"));
    }

    #[test]
    fn inline_lib_table_and_underscore_key() {
        let text = "[package]\nname='a'\nversion='0.1.0'\n[lib]\nproc_macro = true\n";
        let out = rewrite_manifest(text, Path::new("/x"), None).unwrap();
        assert!(out.contains("crate-type = [\"cdylib\"]") && !out.contains("proc_macro"), "{out}");
    }

    #[test]
    fn refuses_unresolvable_inheritance_and_missing_lib() {
        let err = rewrite_manifest(
            "[package]\nname='a'\nversion.workspace = true\n[lib]\nproc-macro=true\n",
            Path::new("/x"),
            None,
        )
        .unwrap_err();
        assert!(err.contains("`package.version`"), "{err}");
        let err = rewrite_manifest(
            "[package]\nname='a'\n[dependencies]\nsyn = { workspace = true }\n[lib]\nproc-macro=true\n",
            Path::new("/x"),
            None,
        )
        .unwrap_err();
        assert!(err.contains("`dependencies.syn`"), "{err}");
        let ws = Workspace { manifest: "[workspace]\n[workspace.dependencies]\n", dir: Path::new("/ws") };
        let err = rewrite_manifest(
            "[package]\nname='a'\n[dependencies]\nsyn = { workspace = true }\n[lib]\nproc-macro=true\n",
            Path::new("/ws/a"),
            Some(ws),
        )
        .unwrap_err();
        assert!(err.contains("`dependencies.syn`") && err.contains("[workspace.dependencies]"), "{err}");
        assert!(rewrite_manifest("[package]\nname='a'\n", Path::new("/x"), None).unwrap_err().contains("no [lib]"));
    }

    const WORKSPACE_ROOT: &str = r#"
[workspace]
members = ["macros"]

[workspace.package]
version = "0.3.0"
edition = "2021"
readme = "README.md"

[workspace.dependencies]
quote = "1"
proc-macro2 = { version = "1.0.50", default-features = false, features = ["proc-macro"] }
helper = { path = "helper" }
only-dev = "1"

[workspace.lints.rust]
unsafe_code = "forbid"
"#;

    #[test]
    fn resolves_workspace_inheritance_like_cargo_package() {
        let member = r#"
[package]
name = "macros"
version.workspace = true
edition = { workspace = true }
readme.workspace = true

[lib]
proc-macro = true

[dependencies]
quote.workspace = true
proc-macro2 = { workspace = true, features = ["span-locations"], optional = true }
helper = { workspace = true }

[dev-dependencies]
only-dev.workspace = true
missing-in-root.workspace = true

[lints]
workspace = true
"#;
        let ws = Workspace { manifest: WORKSPACE_ROOT, dir: Path::new("/ws") };
        let out = rewrite_manifest(member, Path::new("/ws/macros"), Some(ws)).unwrap();
        let doc: DocumentMut = out.parse().unwrap();
        assert_eq!(doc["package"]["version"].as_str(), Some("0.3.0"), "{out}");
        assert_eq!(doc["package"]["edition"].as_str(), Some("2021"), "{out}");
        assert_eq!(doc["package"]["readme"].as_str(), Some("/ws/README.md"), "{out}");
        assert_eq!(doc["dependencies"]["quote"]["version"].as_str(), Some("1"), "{out}");
        let pm2 = &doc["dependencies"]["proc-macro2"];
        assert_eq!(pm2["version"].as_str(), Some("1.0.50"), "{out}");
        assert_eq!(pm2["default-features"].as_bool(), Some(false), "{out}");
        assert_eq!(pm2["optional"].as_bool(), Some(true), "{out}");
        let features: Vec<_> = pm2["features"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        assert_eq!(features, ["proc-macro", "span-locations"], "{out}");
        assert_eq!(doc["dependencies"]["helper"]["path"].as_str(), Some("/ws/helper"), "{out}");
        assert!(doc.get("dev-dependencies").is_none(), "{out}");
        // Inherited lints, then `forbid` lowered as for any crate.
        assert_eq!(doc["lints"]["rust"]["unsafe_code"].as_str(), Some("deny"), "{out}");
        assert!(!out.contains("workspace = true"), "{out}");
    }
}
