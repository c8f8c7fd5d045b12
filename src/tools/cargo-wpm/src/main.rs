//! `cargo wpm`: builds proc-macro crates into sandboxed wasm modules and inspects them.
//!
//! - `cargo wpm build SPEC [-o OUT.wasm]` (see `docs/builder.md`);
//! - `cargo wpm inspect FILE.wasm [--json]`;
//! - `cargo wpm shim FILE.wasm -o DIR [--name N] [--version V]` (see `docs/shim.md`);
//! - `cargo wpm sandbox [--native NAME]... [--report] CARGO_COMMAND...` (see `docs/sandbox.md`).
//!
//! The same binary doubles as the `RUSTC_WRAPPER` of its guest builds ([`wrapper`]) and of
//! sandboxed builds ([`sandbox_wrapper`]).

mod build_info;
mod cargo_run;
mod error;
mod expand;
mod fsutil;
mod guest_lib;
mod guest_target;
mod inspect;
mod module;
mod pipeline;
mod resolve;
mod rewrite;
mod sandbox;
mod sandbox_wrapper;
mod toolchain;
mod wrapper;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::pipeline::{BuildOptions, Opt};

/// `cargo wpm`, as cargo invokes it (`cargo-wpm wpm ...`).
#[derive(Parser)]
#[command(name = "cargo", bin_name = "cargo")]
enum CargoCli {
    /// Build proc-macro crates into wasm modules and inspect them.
    #[command(version, about)]
    Wpm(WpmCli),
}

/// The `wpm` subcommand's arguments.
#[derive(Args)]
struct WpmCli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
enum Command {
    /// Build a proc-macro crate (from crates.io or a directory) into a wasm module.
    Build(BuildArgs),
    /// Show a module's ABI version, macros, imports and size.
    Inspect(InspectArgs),
    /// Generate a native proc-macro crate that embeds a module and runs it (stock toolchains).
    Shim(ShimArgs),
    /// Run a cargo command with every proc-macro crate of the build expanded in wasm.
    Sandbox(SandboxArgs),
}

/// `cargo wpm sandbox`.
#[derive(Args)]
struct SandboxArgs {
    /// Keep this proc-macro crate native (crate or package name; repeatable).
    #[arg(long = "native", value_name = "NAME")]
    native: Vec<String>,
    /// After cargo finishes, print a table of the proc-macro crates compiled.
    #[arg(long)]
    report: bool,
    /// The cargo command and its arguments (`build --release`, `test`, ...).
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "CARGO_COMMAND")]
    cargo_args: Vec<std::ffi::OsString>,
}

/// `cargo wpm shim`.
#[derive(Args)]
struct ShimArgs {
    /// The module.
    file: PathBuf,
    /// Directory to write the shim crate into.
    #[arg(short, long)]
    output: PathBuf,
    /// Package name of the shim [default: from the file name, `NAME[-VERSION].wasm`].
    #[arg(long)]
    name: Option<String>,
    /// Package version of the shim, so that `[patch.crates-io]` matches the requested version
    /// [default: from the file name, else 0.0.0].
    #[arg(long)]
    version: Option<String>,
}

/// `cargo wpm build`.
#[derive(Args)]
struct BuildArgs {
    /// `name`, `name@version` (crates.io) or a path to a package directory.
    spec: String,
    /// Output file [default: ./<crate name>.wasm].
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Features to enable (comma- or space-separated; repeatable).
    #[arg(short = 'F', long, value_delimiter = ',')]
    features: Vec<String>,
    /// Enable all features.
    #[arg(long)]
    all_features: bool,
    /// Do not enable the default features.
    #[arg(long)]
    no_default_features: bool,
    /// wasm-opt setting: `3` (speed, the default), `s` (size) or `none`.
    #[arg(long, default_value = "3", value_parser = ["3", "s", "none"])]
    opt: String,
    /// Show cargo's output while building.
    #[arg(short, long)]
    verbose: bool,
}

/// `cargo wpm inspect`.
#[derive(Args)]
struct InspectArgs {
    /// The module.
    file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    if wrapper::is_wrapper_invocation() {
        let code = wrapper::run(std::env::args_os().collect());
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    if sandbox_wrapper::is_sandbox_invocation() {
        let code = sandbox_wrapper::run(std::env::args_os().collect());
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    // Also accept `cargo-wpm build ...` (run directly, not through cargo).
    let mut args: Vec<_> = std::env::args_os().collect();
    if args.get(1).is_none_or(|a| a != "wpm") {
        args.insert(1, "wpm".into());
    }
    let CargoCli::Wpm(cli) = CargoCli::parse_from(args);
    let result = match cli.command {
        Command::Build(b) => {
            let opt = match b.opt.as_str() {
                "s" => Opt::Size,
                "none" => Opt::None,
                _ => Opt::Speed,
            };
            let features = b.features.iter().flat_map(|f| f.split_whitespace()).map(str::to_owned).collect();
            let opts = BuildOptions {
                spec: b.spec,
                output: b.output,
                features,
                all_features: b.all_features,
                no_default_features: b.no_default_features,
                opt,
                verbose: b.verbose,
            };
            pipeline::build(&opts).map(|_| ()).map_err(|e| e.to_string())
        }
        Command::Sandbox(s) => {
            let opts = sandbox::SandboxOptions { native: s.native, report: s.report, cargo_args: s.cargo_args };
            match sandbox::run(&opts) {
                Ok(code) => return ExitCode::from(u8::try_from(code).unwrap_or(1)),
                Err(e) => Err(e),
            }
        }
        Command::Inspect(i) => inspect::inspect(&i.file)
            .map(|report| {
                if i.json {
                    println!("{}", report.to_json());
                } else {
                    print!("{}", report.to_text());
                }
            })
            .map_err(|e| e.to_string()),
        Command::Shim(s) => {
            let opts = wpm_shim::ShimOptions { name: s.name, version: s.version, wpm_root: None };
            wpm_shim::generate(&s.file, &s.output, &opts)
                .map(|shim| {
                    eprintln!(
                        "wrote shim crate `{}` {} ({} macros) to {}",
                        shim.package,
                        shim.version,
                        shim.manifest.macros.len(),
                        shim.dir.display()
                    );
                })
                .map_err(|e| e.to_string())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
