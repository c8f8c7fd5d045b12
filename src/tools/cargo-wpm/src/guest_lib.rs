//! The guest library's sources: embedded in the binary, written out to the cache.
//!
//! The guest library is `library/wpm_proc_macro` (lib name `proc_macro`) with its
//! dependency `library/wpm_abi`. `build.rs` embeds their files and the repository's
//! workspace manifest; here they are written to `<cache>/guest/<hash>/` under their
//! repository paths, with a generated workspace manifest that keeps the inherited
//! `[workspace.package]`, `[workspace.lints]` and `[workspace.dependencies]` and uses the
//! guest profile. The content hash names the directory, so each version of the sources
//! gets its own directory (and its own target directory, see [`GuestSources::hash`]).
//!
//! `WPM_GUEST_SOURCE_ROOT=<repo>` reads the same files from a checkout instead, for
//! working on the guest library without reinstalling cargo-wpm.

use std::fs;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table};

use crate::error::{Error, Result};
use crate::rewrite::manifest::set_guest_profile;

include!(concat!(env!("OUT_DIR"), "/guest_sources.rs"));

/// The package (relative to the repository root) whose lib is the guest `proc_macro`.
pub(crate) const GUEST_PACKAGE: &str = "library/wpm_proc_macro";

/// Environment variable naming a repository checkout to take the guest sources from.
pub(crate) const SOURCE_ROOT_ENV: &str = "WPM_GUEST_SOURCE_ROOT";

/// The set of files making up the guest library.
pub(crate) struct GuestSources {
    files: Vec<(String, Vec<u8>)>,
}

impl GuestSources {
    /// The sources embedded at build time, or those under `$WPM_GUEST_SOURCE_ROOT`.
    ///
    /// # Errors
    /// I/O errors reading the override directory.
    pub(crate) fn load() -> Result<Self> {
        let Some(root) = std::env::var_os(SOURCE_ROOT_ENV) else {
            let files = GUEST_FILES.iter().map(|(p, b)| ((*p).to_owned(), b.to_vec())).collect();
            return Ok(GuestSources { files });
        };
        let root = PathBuf::from(root);
        let mut files = Vec::new();
        for (rel, _) in GUEST_FILES {
            // Same file list as embedded, plus any new sources in the packages.
            if !rel.contains("/src/") {
                let bytes = fs::read(root.join(rel))
                    .map_err(|e| Error::io(format!("reading {}", root.join(rel).display()), e))?;
                files.push(((*rel).to_owned(), bytes));
            }
        }
        for pkg in ["library/wpm_abi", GUEST_PACKAGE] {
            collect(&root, &format!("{pkg}/src"), &mut files)?;
        }
        files.sort();
        Ok(GuestSources { files })
    }

    /// A hash of all file names and contents (FNV-1a, 64 bits).
    pub(crate) fn hash(&self) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for (rel, bytes) in &self.files {
            for b in rel.bytes().chain([0]).chain(bytes.iter().copied()).chain([0]) {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    }

    /// Writes the sources under `dir` (only files whose contents changed, so that cargo's
    /// fingerprints stay fresh) and returns the guest package's manifest path.
    ///
    /// # Errors
    /// I/O errors, or a workspace manifest that does not parse.
    pub(crate) fn write_to(&self, dir: &Path) -> Result<PathBuf> {
        for (rel, bytes) in &self.files {
            let bytes = if rel == "Cargo.toml" {
                workspace_manifest(bytes)?.into_bytes()
            } else if rel.ends_with("/Cargo.toml") {
                package_manifest(rel, bytes)?.into_bytes()
            } else {
                bytes.clone()
            };
            crate::fsutil::write_if_changed(&dir.join(rel), &bytes)?;
        }
        Ok(dir.join(GUEST_PACKAGE).join("Cargo.toml"))
    }
}

/// Adds every file under `root/rel` to `files`.
fn collect(root: &Path, rel: &str, files: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    let dir = root.join(rel);
    let entries = fs::read_dir(&dir).map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
        let name = format!("{rel}/{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() {
            collect(root, &name, files)?;
        } else {
            let bytes =
                fs::read(entry.path()).map_err(|e| Error::io(format!("reading {}", entry.path().display()), e))?;
            files.push((name, bytes));
        }
    }
    Ok(())
}

/// A guest package's manifest without what only its tests need (dev-dependencies, test
/// targets): those are not embedded, and cargo reads them even for a plain build.
fn package_manifest(rel: &str, bytes: &[u8]) -> Result<String> {
    let bad = |detail: String| Error::Rewrite { file: PathBuf::from(format!("{rel} (embedded)")), detail };
    let text = std::str::from_utf8(bytes).map_err(|e| bad(e.to_string()))?;
    let mut doc: DocumentMut = text.parse().map_err(|e| bad(format!("{e}")))?;
    for key in ["dev-dependencies", "dev_dependencies", "test", "bench", "example"] {
        doc.remove(key);
    }
    if let Some(targets) = doc.get_mut("target").and_then(Item::as_table_like_mut) {
        for (_, platform) in targets.iter_mut() {
            if let Some(platform) = platform.as_table_like_mut() {
                platform.remove("dev-dependencies");
                platform.remove("dev_dependencies");
            }
        }
    }
    if let Some(package) = doc.get_mut("package").and_then(Item::as_table_like_mut) {
        for key in ["autotests", "autobenches", "autoexamples"] {
            package.insert(key, toml_edit::value(false));
        }
    }
    Ok(doc.to_string())
}

/// The guest workspace's manifest, derived from the repository's.
fn workspace_manifest(repo_manifest: &[u8]) -> Result<String> {
    let bad =
        |detail: String| Error::Rewrite { file: PathBuf::from("Cargo.toml (embedded workspace manifest)"), detail };
    let text = std::str::from_utf8(repo_manifest).map_err(|e| bad(e.to_string()))?;
    let repo: DocumentMut = text.parse().map_err(|e| bad(format!("{e}")))?;
    let mut ws = Table::new();
    ws.insert("resolver", toml_edit::value("2"));
    let mut members = toml_edit::Array::new();
    members.push(GUEST_PACKAGE);
    ws.insert("members", toml_edit::value(members));
    let repo_ws = repo.get("workspace").and_then(Item::as_table);
    for key in ["package", "lints"] {
        if let Some(item) = repo_ws.and_then(|w| w.get(key)) {
            ws.insert(key, item.clone());
        }
    }
    if let Some(deps) = repo_ws.and_then(|w| w.get("dependencies")).and_then(Item::as_table_like) {
        let mut kept = Table::new();
        for (name, dep) in deps.iter() {
            // Path dependencies outside the embedded packages are host crates: drop them.
            let path = dep.as_table_like().and_then(|t| t.get("path")).and_then(Item::as_str);
            if path.is_none_or(|p| p == "library/wpm_abi" || p == GUEST_PACKAGE) {
                kept.insert(name, dep.clone());
            }
        }
        ws.insert("dependencies", Item::Table(kept));
    }
    let mut doc = DocumentMut::new();
    doc.insert("workspace", Item::Table(ws));
    set_guest_profile(&mut doc);
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_sources_include_the_guest_package() {
        let sources = GuestSources::load().unwrap();
        let names: Vec<&str> = sources.files.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"library/wpm_proc_macro/Cargo.toml"), "{names:?}");
        assert!(names.contains(&"library/wpm_proc_macro/src/lib.rs"), "{names:?}");
        assert!(names.contains(&"library/wpm_abi/src/lib.rs"), "{names:?}");
    }

    #[test]
    fn package_manifest_drops_test_only_parts() {
        let text =
            "[package]\nname = \"p\"\n[dependencies]\na = \"1\"\n[dev-dependencies]\nb = { path = \"tests/b\" }\n";
        let out: DocumentMut = package_manifest("p/Cargo.toml", text.as_bytes()).unwrap().parse().unwrap();
        assert!(out.get("dev-dependencies").is_none());
        assert_eq!(out["dependencies"]["a"].as_str(), Some("1"));
        assert_eq!(out["package"]["autotests"].as_bool(), Some(false));
    }

    #[test]
    fn workspace_manifest_keeps_inherited_tables_and_drops_host_paths() {
        let repo = br#"
[workspace]
members = ["a", "b"]
[workspace.package]
version = "0.1.0"
edition = "2021"
[workspace.dependencies]
wpm_abi = { path = "library/wpm_abi" }
wpm_host = { path = "compiler/wpm_host" }
unicode-ident = "1"
[workspace.lints.rust]
missing_docs = "warn"
[profile.release]
debug = "line-tables-only"
"#;
        let out: DocumentMut = workspace_manifest(repo).unwrap().parse().unwrap();
        assert_eq!(out["workspace"]["members"].as_array().unwrap().len(), 1);
        assert_eq!(out["workspace"]["package"]["edition"].as_str(), Some("2021"));
        assert!(out["workspace"]["dependencies"].get("wpm_abi").is_some());
        assert!(out["workspace"]["dependencies"].get("unicode-ident").is_some());
        assert!(out["workspace"]["dependencies"].get("wpm_host").is_none());
        assert_eq!(out["workspace"]["lints"]["rust"]["missing_docs"].as_str(), Some("warn"));
        assert_eq!(out["profile"]["release"]["debug"].as_bool(), Some(false));
    }
}
