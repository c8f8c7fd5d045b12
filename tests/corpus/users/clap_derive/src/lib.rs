//! clap's derives: a parser with subcommands, value enums and flattened arguments.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A command-line tool.
#[derive(Parser, Debug)]
#[command(name = "tool", version = "1.2.3", about = "Does things", long_about = None)]
pub struct Cli {
    /// Verbosity (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Config file.
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Output options.
#[derive(Args, Debug)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Colour.
    #[arg(long, conflicts_with = "format")]
    pub color: bool,
}

/// Formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    #[value(name = "yaml", alias = "yml")]
    Yaml,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Adds files.
    Add {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, default_value = "3")]
        depth: u32,
    },
    /// Removes everything.
    Clean,
    #[command(external_subcommand)]
    External(Vec<String>),
}
