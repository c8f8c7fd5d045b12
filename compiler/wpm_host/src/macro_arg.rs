//! The value of `--wasm-proc-macro NAME=PATH`, the option by which a compiler host (the
//! fork, `wpm-rustc`) is given a wasm proc-macro crate. Each host parses it here, so the
//! option has one syntax and one set of messages.

use std::fmt;
use std::path::PathBuf;

/// The option's name on a command line.
pub const WASM_PROC_MACRO_OPTION: &str = "--wasm-proc-macro";

/// One `--wasm-proc-macro` value, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroArg {
    /// The crate name code refers to (`use NAME::Macro;`), checked with
    /// `wpm_abi::ident::is_crate_name`.
    pub name: String,
    /// The module file, as given (not checked to exist).
    pub path: PathBuf,
}

/// Why a `--wasm-proc-macro` value was refused. Its `Display` is a whole message quoting
/// the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MacroArgError {
    /// The value has no `=`.
    NotNamePath(String),
    /// Nothing follows the `=`.
    EmptyPath(String),
    /// NAME (the second field) is not a crate name.
    BadName(String, String),
}

impl fmt::Display for MacroArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = WASM_PROC_MACRO_OPTION;
        match self {
            MacroArgError::NotNamePath(v) => write!(f, "`{opt}` expects `NAME=PATH`, found `{}`", v.escape_debug()),
            MacroArgError::EmptyPath(v) => write!(f, "`{opt} {}` has an empty path", v.escape_debug()),
            MacroArgError::BadName(v, name) => write!(
                f,
                "`{opt} {}`: `{}` is not a valid crate name (an ASCII identifier that is not a keyword)",
                v.escape_debug(),
                name.escape_debug()
            ),
        }
    }
}

impl std::error::Error for MacroArgError {}

/// Parses a `--wasm-proc-macro` value `NAME=PATH`: split at the first `=`, NAME a crate
/// name, PATH not empty.
///
/// # Errors
/// A [`MacroArgError`] saying which part is wrong.
///
/// # Examples
/// ```
/// let arg = wpm_host::parse_macro_arg("serde_derive=wasm/serde_derive.wasm")?;
/// assert_eq!(arg.name, "serde_derive");
/// assert!(wpm_host::parse_macro_arg("serde-derive=x.wasm").is_err());
/// # Ok::<(), wpm_host::MacroArgError>(())
/// ```
pub fn parse_macro_arg(value: &str) -> Result<MacroArg, MacroArgError> {
    let Some((name, path)) = value.split_once('=') else {
        return Err(MacroArgError::NotNamePath(value.to_owned()));
    };
    if !wpm_abi::ident::is_crate_name(name) {
        return Err(MacroArgError::BadName(value.to_owned(), name.to_owned()));
    }
    if path.is_empty() {
        return Err(MacroArgError::EmptyPath(value.to_owned()));
    }
    Ok(MacroArg { name: name.to_owned(), path: PathBuf::from(path) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_and_path() {
        let arg = parse_macro_arg("Demo=dir/a=b.wasm").unwrap();
        assert_eq!((arg.name.as_str(), arg.path), ("Demo", PathBuf::from("dir/a=b.wasm")));
    }

    #[test]
    fn refuses_malformed_values_with_whole_messages() {
        let msg = |v: &str| parse_macro_arg(v).unwrap_err().to_string();
        assert_eq!(msg("demo.wasm"), "`--wasm-proc-macro` expects `NAME=PATH`, found `demo.wasm`");
        assert_eq!(msg("Demo="), "`--wasm-proc-macro Demo=` has an empty path");
        assert_eq!(
            msg("my-crate=x.wasm"),
            "`--wasm-proc-macro my-crate=x.wasm`: `my-crate` is not a valid crate name (an ASCII identifier that \
             is not a keyword)"
        );
        for bad in ["=x.wasm", "fn=x.wasm", "_=x.wasm", "été=x.wasm", "r#x=x.wasm", "a b=x.wasm"] {
            assert!(matches!(parse_macro_arg(bad), Err(MacroArgError::BadName(..))), "{bad}");
        }
        assert_eq!(
            msg("a\n=x"),
            "`--wasm-proc-macro a\\n=x`: `a\\n` is not a valid crate name (an ASCII identifier that is not a keyword)"
        );
    }
}
