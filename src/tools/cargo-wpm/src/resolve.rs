//! Finds the package a SPEC names: on crates.io (`name`, `name@version`) or on disk (a path).
//!
//! Crates.io packages are resolved by a scratch cargo project that depends on
//! `name = "=version"` (or `"*"`); `cargo metadata` (the host cargo) downloads the package
//! into cargo's registry cache and names its manifest. The registry copy is only read.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::rewrite::borrowed::Dependency;

/// What the user asked to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Spec {
    /// A crates.io package, optionally at an exact version.
    Registry {
        /// Package name.
        name: String,
        /// Exact version, or `None` for the newest.
        version: Option<String>,
    },
    /// A package directory on disk.
    Path(PathBuf),
}

impl Spec {
    /// Parses a SPEC: an existing directory or anything with a `/` is a path; otherwise
    /// `name` or `name@version`.
    pub(crate) fn parse(spec: &str) -> Spec {
        if spec.contains('/') || spec.starts_with('.') || Path::new(spec).is_dir() {
            return Spec::Path(PathBuf::from(spec));
        }
        match spec.split_once('@') {
            Some((name, version)) => Spec::Registry { name: name.to_owned(), version: Some(version.to_owned()) },
            None => Spec::Registry { name: spec.to_owned(), version: None },
        }
    }
}

/// A resolved proc-macro package.
#[derive(Clone, Debug)]
pub(crate) struct Package {
    /// Package name.
    pub(crate) name: String,
    /// Package version.
    pub(crate) version: String,
    /// The directory holding its `Cargo.toml` (read-only for us).
    pub(crate) dir: PathBuf,
    /// The lib target's crate name (`serde_derive`).
    pub(crate) lib_name: String,
    /// The crate root, absolute.
    pub(crate) lib_root: PathBuf,
    /// A lockfile pinning its dependencies: the scratch project's when resolved from
    /// crates.io, the workspace's for a workspace member.
    pub(crate) lockfile: Option<PathBuf>,
    /// The workspace the package is a member of (and inherits `workspace = true` values
    /// from), when its root is not the package itself.
    pub(crate) workspace: Option<WorkspaceRoot>,
    /// The lib target's edition (`2015`, ...), recorded in the module.
    pub(crate) edition: String,
    /// The features the package declares, implicit ones of optional dependencies included
    /// (the keys of `cargo metadata`'s `features`), recorded in the module.
    pub(crate) features: Vec<String>,
}

/// A workspace root: its directory and its `Cargo.toml`.
#[derive(Clone, Debug)]
pub(crate) struct WorkspaceRoot {
    /// The directory.
    pub(crate) dir: PathBuf,
    /// The text of its `Cargo.toml`.
    pub(crate) manifest: String,
}

impl WorkspaceRoot {
    /// The view the manifest rewrite takes.
    pub(crate) fn as_workspace(&self) -> crate::rewrite::manifest::Workspace<'_> {
        crate::rewrite::manifest::Workspace { manifest: &self.manifest, dir: &self.dir }
    }
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<MetaPackage>,
    #[serde(default)]
    workspace_root: Option<PathBuf>,
    #[serde(default)]
    resolve: Option<MetaResolve>,
}

#[derive(Deserialize)]
struct MetaResolve {
    root: Option<String>,
    nodes: Vec<MetaNode>,
}

#[derive(Deserialize)]
struct MetaNode {
    id: String,
    deps: Vec<MetaDep>,
}

#[derive(Deserialize)]
struct MetaDep {
    name: String,
    pkg: String,
    dep_kinds: Vec<MetaDepKind>,
}

#[derive(Deserialize)]
struct MetaDepKind {
    kind: Option<String>,
}

#[derive(Deserialize)]
struct MetaPackage {
    id: String,
    name: String,
    version: String,
    source: Option<String>,
    manifest_path: PathBuf,
    targets: Vec<MetaTarget>,
    #[serde(default)]
    features: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct MetaTarget {
    name: String,
    kind: Vec<String>,
    src_path: PathBuf,
    edition: String,
}

/// Resolves `spec`, using `host_cargo` and the scratch directory `scratch`.
///
/// # Errors
/// [`Error::Resolve`] when cargo cannot find the package, [`Error::NotProcMacro`] when its
/// lib target is not a proc-macro.
pub(crate) fn resolve(spec: &Spec, host_cargo: &Path, scratch: &Path) -> Result<Package> {
    match spec {
        Spec::Path(dir) => {
            let manifest = dir.join("Cargo.toml");
            let shown = dir.display().to_string();
            if !manifest.is_file() {
                return Err(Error::Resolve { spec: shown, detail: format!("{} does not exist", manifest.display()) });
            }
            let manifest =
                manifest.canonicalize().map_err(|e| Error::io(format!("reading {}", manifest.display()), e))?;
            let meta = match metadata(host_cargo, &manifest, &["--no-deps"], &shown) {
                Err(Error::Resolve { detail, .. }) if detail.contains(NOT_A_MEMBER) => {
                    standalone_metadata(host_cargo, &manifest, scratch, &shown)?
                }
                other => other?,
            };
            let pkg =
                meta.packages.into_iter().find(|p| p.manifest_path == manifest).ok_or_else(|| Error::Resolve {
                    spec: shown,
                    detail: "it is a virtual workspace; point at one package's directory".into(),
                })?;
            let mut pkg = to_package(pkg, None)?;
            // A member: its copy inherits from the root and keeps the workspace's versions.
            if let Some(root) = meta.workspace_root.filter(|r| *r != pkg.dir) {
                let root_manifest = root.join("Cargo.toml");
                let manifest = std::fs::read_to_string(&root_manifest)
                    .map_err(|e| Error::io(format!("reading {}", root_manifest.display()), e))?;
                pkg.lockfile = Some(root.join("Cargo.lock")).filter(|l| l.is_file());
                pkg.workspace = Some(WorkspaceRoot { dir: root, manifest });
            }
            Ok(pkg)
        }
        Spec::Registry { name, version } => {
            let req = version.as_deref().map_or_else(|| "*".to_owned(), |v| format!("={v}"));
            let shown = version.as_deref().map_or_else(|| name.clone(), |v| format!("{name}@{v}"));
            let dir = scratch.join(format!("{name}@{}", version.as_deref().unwrap_or("latest")));
            let manifest = dir.join("Cargo.toml");
            let text = format!(
                "# Written by cargo-wpm to resolve `{shown}`.\n[package]\nname = \"wpm-resolve\"\nversion = \"0.0.0\"\n\
                 edition = \"2021\"\npublish = false\n\n[lib]\npath = \"lib.rs\"\n\n[dependencies]\n{name:?} = {req:?}\n\n[workspace]\n"
            );
            crate::fsutil::write_if_changed(&manifest, text.as_bytes())?;
            crate::fsutil::write_if_changed(&dir.join("lib.rs"), b"")?;
            let meta = metadata(host_cargo, &manifest, &[], &shown)?;
            let norm = |s: &str| s.replace('-', "_");
            let pkg = meta
                .packages
                .into_iter()
                .find(|p| {
                    norm(&p.name) == norm(name) && p.source.as_deref().is_some_and(|s| s.starts_with("registry+"))
                })
                .ok_or_else(|| Error::Resolve {
                    spec: shown,
                    detail: "cargo resolved it, but it is not in the metadata".into(),
                })?;
            to_package(pkg, Some(dir.join("Cargo.lock")))
        }
    }
}

/// What cargo says of a package that lies inside a workspace's directory without being
/// one of its members.
const NOT_A_MEMBER: &str = "believes it's in a workspace when it's not";

/// `cargo metadata --no-deps` of the package at `manifest` read as its own workspace, with
/// the paths it reports pointing into the original directory.
///
/// For a package inside a workspace's directory that is not one of its members, which
/// cargo refuses to read in place. The builder's copy is standalone anyway; the package
/// cannot inherit from that workspace (cargo would not let it), so nothing is lost.
fn standalone_metadata(host_cargo: &Path, manifest: &Path, scratch: &Path, shown: &str) -> Result<Metadata> {
    let original = manifest.parent().unwrap_or(Path::new("/"));
    let copy = scratch.join(format!("standalone-{:016x}", crate::fsutil::fnv(&original.display().to_string())));
    crate::fsutil::sync_dir(original, &copy, &[])?;
    let text =
        std::fs::read_to_string(manifest).map_err(|e| Error::io(format!("reading {}", manifest.display()), e))?;
    crate::fsutil::write_if_changed(&copy.join("Cargo.toml"), format!("{text}\n[workspace]\n").as_bytes())?;
    let copy_manifest = copy.join("Cargo.toml");
    let mut meta = metadata(host_cargo, &copy_manifest, &["--no-deps"], shown)?;
    for pkg in &mut meta.packages {
        if pkg.manifest_path == copy_manifest {
            pkg.manifest_path = manifest.to_path_buf();
        }
        for target in &mut pkg.targets {
            if let Ok(rel) = target.src_path.strip_prefix(&copy) {
                target.src_path = original.join(rel);
            }
        }
    }
    Ok(meta)
}

/// The normal (not dev, not build) dependencies of the package at `manifest`, a standalone
/// package (the native copy of `crate::expand`), with the names it knows them by.
///
/// # Errors
/// [`Error::Resolve`] when `cargo metadata` fails (`shown` names the package).
pub(crate) fn direct_dependencies(host_cargo: &Path, manifest: &Path, shown: &str) -> Result<Vec<Dependency>> {
    let meta = metadata(host_cargo, manifest, &[], shown)?;
    let Some(resolve) = meta.resolve else { return Ok(Vec::new()) };
    let Some(node) = resolve.nodes.iter().find(|n| resolve.root.as_ref() == Some(&n.id)) else {
        return Ok(Vec::new());
    };
    let deps = node.deps.iter().filter(|d| d.dep_kinds.iter().any(|k| k.kind.is_none()));
    Ok(deps
        .filter_map(|dep| {
            let pkg = meta.packages.iter().find(|p| p.id == dep.pkg)?;
            let lib = pkg.targets.iter().find(|t| t.kind.iter().any(|k| k.contains("lib")))?;
            Some(Dependency { extern_name: dep.name.clone(), lib_root: lib.src_path.clone() })
        })
        .collect())
}

/// Checks the lib target and builds the [`Package`].
fn to_package(pkg: MetaPackage, lockfile: Option<PathBuf>) -> Result<Package> {
    let lib = pkg.targets.iter().find(|t| t.kind.iter().any(|k| k == "proc-macro"));
    let Some(lib) = lib else {
        let other = pkg.targets.iter().find(|t| t.kind.iter().any(|k| k.contains("lib")));
        let lib_kind = other.map_or_else(|| "missing".to_owned(), |t| format!("`{}`", t.kind.join(", ")));
        return Err(Error::NotProcMacro { name: pkg.name, lib_kind });
    };
    let dir = pkg.manifest_path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Package {
        lib_name: lib.name.replace('-', "_"),
        lib_root: lib.src_path.clone(),
        edition: lib.edition.clone(),
        features: pkg.features.into_keys().collect(),
        name: pkg.name,
        version: pkg.version,
        dir,
        lockfile,
        workspace: None,
    })
}

/// Runs `cargo metadata` on `manifest`.
fn metadata(host_cargo: &Path, manifest: &Path, extra: &[&str], shown: &str) -> Result<Metadata> {
    let out = Command::new(host_cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(manifest)
        .args(extra)
        .output()
        .map_err(|e| Error::io(format!("running {}", host_cargo.display()), e))?;
    if !out.status.success() {
        return Err(Error::Resolve {
            spec: shown.to_owned(),
            detail: cargo_error(&String::from_utf8_lossy(&out.stderr)),
        });
    }
    serde_json::from_slice(&out.stdout).map_err(|e| Error::Resolve {
        spec: shown.to_owned(),
        detail: format!("cannot read `cargo metadata` output: {e}"),
    })
}

/// The `error: ...` part of cargo's stderr (without progress lines), on one paragraph.
fn cargo_error(stderr: &str) -> String {
    let from = stderr.find("error").unwrap_or(0);
    let text: Vec<&str> = stderr[from..].lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let text = text.join(" ");
    text.strip_prefix("error: ").unwrap_or(&text).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_forms() {
        assert_eq!(Spec::parse("serde_derive"), Spec::Registry { name: "serde_derive".into(), version: None });
        assert_eq!(
            Spec::parse("serde_derive@1.0.219"),
            Spec::Registry { name: "serde_derive".into(), version: Some("1.0.219".into()) }
        );
        assert_eq!(Spec::parse("./x"), Spec::Path("./x".into()));
        assert_eq!(Spec::parse("a/b"), Spec::Path("a/b".into()));
    }

    #[test]
    fn cargo_errors_become_one_paragraph() {
        let stderr = "    Updating crates.io index\nerror: no matching package named `nope` found\nlocation searched: crates.io index\n\nrequired by package `x`\n";
        assert_eq!(
            cargo_error(stderr),
            "no matching package named `nope` found location searched: crates.io index required by package `x`"
        );
    }
}
