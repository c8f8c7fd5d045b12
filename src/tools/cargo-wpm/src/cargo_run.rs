//! Runs a guest `cargo build --message-format=json` and collects what it reports.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::error::{Error, Result};

/// A file cargo produced.
#[derive(Clone, Debug)]
pub(crate) struct Artifact {
    /// The target's crate name.
    pub(crate) target_name: String,
    /// The manifest of the package it belongs to (tells our `proc_macro` from std's).
    pub(crate) manifest_path: PathBuf,
    /// The output files.
    pub(crate) filenames: Vec<PathBuf>,
    /// The features cargo enabled for this unit.
    pub(crate) features: Vec<String>,
}

/// Why a cargo run failed: the text to show (rustc's rendered errors, cargo's errors).
#[derive(Debug)]
pub(crate) struct Failure {
    /// Rustc's and cargo's error output.
    pub(crate) output: String,
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    filenames: Vec<PathBuf>,
    #[serde(default)]
    manifest_path: PathBuf,
    #[serde(default)]
    features: Vec<String>,
    #[serde(default)]
    message: Option<Diagnostic>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    rendered: Option<String>,
}

/// Runs `cmd` (a cargo build with `--message-format=json`). Cargo's stderr is shown live
/// when `verbose`, and kept for the error message otherwise.
///
/// # Errors
/// [`Error::Io`] if cargo cannot be started; `Ok(Err(Failure))` if the build failed.
pub(crate) fn run(mut cmd: Command, verbose: bool) -> Result<std::result::Result<Vec<Artifact>, Failure>> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null());
    let mut child = cmd.spawn().map_err(|e| Error::io(format!("running {:?}", cmd.get_program()), e))?;
    let stderr = child.stderr.take();
    let stderr_thread = std::thread::spawn(move || {
        let mut kept = String::new();
        if let Some(mut stderr) = stderr {
            if verbose {
                for line in BufReader::new(stderr).lines().map_while(std::io::Result::ok) {
                    eprintln!("{line}");
                    kept.push_str(&line);
                    kept.push('\n');
                }
            } else {
                let _ = stderr.read_to_string(&mut kept);
            }
        }
        kept
    });
    let mut artifacts = Vec::new();
    let mut errors = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(std::io::Result::ok) {
            let Ok(msg) = serde_json::from_str::<Message>(&line) else { continue };
            match msg.reason.as_str() {
                "compiler-artifact" => {
                    if let Some(target) = msg.target {
                        artifacts.push(Artifact {
                            target_name: target.name,
                            manifest_path: msg.manifest_path,
                            filenames: msg.filenames,
                            features: msg.features,
                        });
                    }
                }
                "compiler-message" => {
                    if let Some(Diagnostic { level, rendered: Some(rendered) }) = msg.message {
                        if level == "error" || level.starts_with("error:") {
                            errors.push_str(&rendered);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let status = child.wait().map_err(|e| Error::io("waiting for cargo", e))?;
    let stderr = stderr_thread.join().unwrap_or_default();
    if status.success() {
        return Ok(Ok(artifacts));
    }
    // Cargo's own errors ("could not compile", resolution failures) follow its progress lines.
    let at = if stderr.starts_with("error") { Some(0) } else { stderr.find("\nerror").map(|at| at + 1) };
    let cargo_part = at.map_or(stderr.as_str(), |at| &stderr[at..]);
    let mut output = errors;
    output.push_str(cargo_part);
    if output.trim().is_empty() {
        output = format!("cargo exited with {status} and printed nothing");
    }
    Ok(Err(Failure { output }))
}
