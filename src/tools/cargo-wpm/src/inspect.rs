//! `cargo wpm inspect`: what a module provides (via `wpm_host`, which instantiates it and
//! reads its manifest) and what it imports (via wasmparser).

use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;
use wpm_abi::Manifest;

use crate::error::{Error, Result};
use crate::module::{self, ModuleInfo};

/// Everything `inspect` reports.
pub(crate) struct Report {
    /// The manifest read by the host runtime.
    pub(crate) manifest: Manifest,
    /// Imports and exports.
    pub(crate) info: ModuleInfo,
    /// File size in bytes.
    pub(crate) size: usize,
    /// A problem with the ABI rules (not fatal for inspection).
    pub(crate) abi_problem: Option<String>,
    /// The build metadata (edition, features), or its defaults when the module has none.
    pub(crate) build: wpm_host::BuildInfo,
}

/// Reads `path`.
///
/// # Errors
/// [`Error::Io`] if it cannot be read, [`Error::InvalidModule`] if it is not valid wasm,
/// [`Error::Host`] if the runtime refuses it.
pub(crate) fn inspect(path: &Path) -> Result<Report> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let info =
        module::scan(&bytes).map_err(|detail| Error::InvalidModule { what: path.display().to_string(), detail })?;
    let abi_problem = module::check_abi(&info).err();
    let config = wpm_host::Config { cache_dir: None, ..wpm_host::Config::default() };
    let host = |e: wpm_host::HostError| Error::Host { file: path.to_owned(), detail: e.message().to_owned() };
    let runtime = wpm_host::Runtime::new(config).map_err(host)?;
    let loaded = runtime.load_bytes(&path.display().to_string(), &bytes).map_err(host)?;
    let build = wpm_host::read_build_info(&path.display().to_string(), &bytes).map_err(host)?;
    Ok(Report { manifest: loaded.manifest().clone(), info, size: bytes.len(), abi_problem, build })
}

impl Report {
    /// The `--json` form: `abi_version`, `macros` (`kind`, `name`, `helpers`), `imports`
    /// (`module`, `name`, `kind`), `exports`, `size`, `build` (`edition`, `features`:
    /// `name`, `enabled`; `null` for a module without build metadata).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let macros: Vec<_> = self
            .manifest
            .macros
            .iter()
            .map(|m| json!({ "kind": m.kind.as_str(), "name": m.name, "helpers": m.helpers }))
            .collect();
        let imports: Vec<_> =
            self.info.imports.iter().map(|i| json!({ "module": i.module, "name": i.name, "kind": i.kind })).collect();
        let build = self.build.recorded.then(|| {
            let features: Vec<_> =
                self.build.features.iter().map(|f| json!({ "name": f.name, "enabled": f.enabled })).collect();
            json!({ "edition": self.build.edition.as_str(), "features": features })
        });
        json!({
            "abi_version": self.manifest.abi_version,
            "macros": macros,
            "imports": imports,
            "exports": self.info.exports,
            "size": self.size,
            "abi_problem": self.abi_problem,
            "build": build,
        })
    }

    /// The human-readable form.
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "ABI version: {}", self.manifest.abi_version);
        let _ = writeln!(out, "size: {} bytes", self.size);
        if self.build.recorded {
            let _ = writeln!(out, "edition: {}", self.build.edition);
            let features: Vec<String> = self
                .build
                .features
                .iter()
                .map(|f| format!("{}{}", f.name, if f.enabled { "" } else { " (off)" }))
                .collect();
            let _ = writeln!(out, "features ({}): {}", features.len(), features.join(", "));
        } else {
            let _ = writeln!(out, "edition: {} (no build metadata: assumed)", self.build.edition);
        }
        let _ = writeln!(out, "macros ({}):", self.manifest.macros.len());
        for m in &self.manifest.macros {
            let _ = write!(out, "  {:<9} {}", m.kind.as_str(), m.name);
            if !m.helpers.is_empty() {
                let _ = write!(out, "  (helper attributes: {})", m.helpers.join(", "));
            }
            out.push('\n');
        }
        let _ = writeln!(out, "imports ({}):", self.info.imports.len());
        for i in &self.info.imports {
            let _ = writeln!(out, "  {} {}::{}", i.kind, i.module, i.name);
        }
        if let Some(problem) = &self.abi_problem {
            let _ = writeln!(out, "warning: {problem}");
        }
        out
    }
}
