//! clap derive: Parser, Subcommand, ValueEnum, Args, defaults, env-free parsing of argv vectors.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A tool with global options and subcommands.
#[derive(Parser, Debug, PartialEq)]
#[command(name = "tool", version = "1.2.3", about = "Does things")]
pub struct Cli {
    /// More output; repeat for even more.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Colour mode.
    #[arg(long, value_enum, default_value_t = Colour::Auto)]
    pub colour: Colour,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug, PartialEq)]
pub enum Command {
    /// Build something.
    Build(BuildArgs),
    /// Remove files.
    #[command(alias = "rm")]
    Remove {
        /// Files to remove.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Do not ask.
        #[arg(short, long)]
        force: bool,
    },
    /// Print the version.
    Version,
}

/// Arguments of `build`.
#[derive(Args, Debug, PartialEq)]
pub struct BuildArgs {
    /// Number of jobs.
    #[arg(short, long, default_value_t = 4)]
    pub jobs: u32,
    /// Build profile.
    #[arg(long, default_value = "dev")]
    pub profile: String,
    /// Target triples.
    #[arg(long = "target", value_name = "TRIPLE")]
    pub targets: Vec<String>,
    /// Optimisation level.
    #[arg(short = 'O', value_enum)]
    pub opt: Option<OptLevel>,
}

/// When to use colour.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum Colour {
    Auto,
    Always,
    Never,
}

/// Optimisation levels, with renamed values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq)]
pub enum OptLevel {
    #[value(name = "0")]
    None,
    #[value(name = "s", alias = "size")]
    Size,
    #[value(name = "3")]
    Speed,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("tool").chain(args.iter().copied()))
    }

    #[test]
    fn defaults() {
        let cli = parse(&["build"]).unwrap();
        assert_eq!(
            cli,
            Cli {
                verbose: 0,
                colour: Colour::Auto,
                command: Command::Build(BuildArgs { jobs: 4, profile: "dev".into(), targets: vec![], opt: None })
            }
        );
    }

    #[test]
    fn options_and_subcommands() {
        let cli = parse(&["-vv", "--colour", "never", "build", "-j", "8", "--target", "a", "--target=b", "-O", "size"]).unwrap();
        assert_eq!(cli.verbose, 2);
        assert_eq!(cli.colour, Colour::Never);
        assert_eq!(
            cli.command,
            Command::Build(BuildArgs { jobs: 8, profile: "dev".into(), targets: vec!["a".into(), "b".into()], opt: Some(OptLevel::Size) })
        );
        let cli = parse(&["rm", "-f", "x", "y/z"]).unwrap();
        assert_eq!(cli.command, Command::Remove { paths: vec!["x".into(), "y/z".into()], force: true });
        assert_eq!(parse(&["version"]).unwrap().command, Command::Version);
    }

    #[test]
    fn errors_and_help() {
        let err = parse(&["build", "-O", "2"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
        assert!(err.to_string().contains("[possible values: 0, s, 3]"), "{err}");
        assert_eq!(parse(&["remove"]).unwrap_err().kind(), clap::error::ErrorKind::MissingRequiredArgument);
        assert_eq!(parse(&[]).unwrap_err().kind(), clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand);
        assert_eq!(parse(&["--version"]).unwrap_err().to_string(), "tool 1.2.3\n");
        let help = Cli::command().render_help().to_string();
        assert!(help.starts_with("Does things\n\nUsage: tool [OPTIONS] <COMMAND>\n"), "{help}");
        assert!(help.contains("  build    Build something\n"), "{help}");
        assert!(help.contains("--colour <COLOUR>  Colour mode [default: auto] [possible values: auto, always, never]"), "{help}");
        Cli::command().debug_assert();
    }
}
