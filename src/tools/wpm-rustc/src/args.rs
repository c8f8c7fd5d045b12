//! The command line: telling wrapper mode apart, taking out `--wasm-proc-macro NAME=PATH`
//! options and checking them, and leaving every other argument for rustc untouched.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use wpm_host::{MacroArg, MacroArgError};

/// The option this wrapper adds to rustc's command line (the fork's option, parsed by the
/// same `wpm_host::parse_macro_arg`).
pub(crate) const OPTION: &str = wpm_host::WASM_PROC_MACRO_OPTION;

/// One `--wasm-proc-macro NAME=PATH`.
pub(crate) type WasmMacro = MacroArg;

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Invocation {
    /// The rustc to run: the wrapped one in wrapper mode, else `None` (use the default).
    pub rustc: Option<OsString>,
    /// The wasm macros, in command-line order.
    pub macros: Vec<WasmMacro>,
    /// Everything else, in order, for rustc.
    pub rest: Vec<OsString>,
}

/// A command line this wrapper refuses.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ArgError {
    /// `--wasm-proc-macro` is the last argument.
    MissingValue,
    /// The value is not `NAME=PATH`, or NAME is not a crate name.
    Malformed(MacroArgError),
    /// The same NAME is given twice.
    Duplicate(String),
    /// NAME is also given to rustc with `--extern NAME`.
    ClashesWithExtern(String),
    /// PATH is not a file.
    MissingFile(String, PathBuf),
    /// An argument is not valid UTF-8 where this wrapper needs to read it.
    NotUtf8(OsString),
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::MissingValue => write!(f, "{OPTION} requires an argument of the form NAME=PATH"),
            ArgError::Malformed(e) => write!(f, "{e}"),
            ArgError::Duplicate(n) => write!(f, "{OPTION} gives the crate `{n}` more than once"),
            ArgError::ClashesWithExtern(n) => {
                write!(f, "crate `{n}` is given both as {OPTION} and as --extern; remove one of them")
            }
            ArgError::MissingFile(n, p) => {
                write!(f, "{OPTION} {n}: cannot find the wasm module `{}`", p.display())
            }
            ArgError::NotUtf8(a) => write!(f, "{OPTION}: argument {a:?} is not valid UTF-8"),
        }
    }
}

/// Whether the first argument names a compiler rather than an option or an input file:
/// Cargo runs `$RUSTC_WRAPPER /path/to/rustc ARGS...`.
fn looks_like_rustc(arg: &OsString) -> bool {
    let path = Path::new(arg);
    if arg.to_string_lossy().starts_with('-') {
        return false;
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    stem.ends_with("rustc") || stem == "clippy-driver"
}

/// The crate name of an `--extern` value: `[MODIFIERS:]NAME[=PATH]`.
fn extern_name(value: &str) -> &str {
    let spec = value.split_once('=').map_or(value, |(n, _)| n);
    spec.rsplit_once(':').map_or(spec, |(_, n)| n)
}

/// Parses `args` (without the program name).
///
/// # Errors
/// An [`ArgError`] for a malformed, duplicated or clashing `--wasm-proc-macro`, or a module
/// file that does not exist.
pub(crate) fn parse(args: Vec<OsString>) -> Result<Invocation, ArgError> {
    let mut args = args.into_iter().peekable();
    let rustc = args.next_if(looks_like_rustc);
    let mut macros: Vec<WasmMacro> = Vec::new();
    let mut rest = Vec::new();
    let mut externs = Vec::new();
    while let Some(arg) = args.next() {
        let text = arg.to_str();
        let value = match text {
            Some(OPTION) => Some(args.next().ok_or(ArgError::MissingValue)?),
            Some(t) if t.starts_with(OPTION) && t[OPTION.len()..].starts_with('=') => {
                Some(OsString::from(&t[OPTION.len() + 1..]))
            }
            _ => None,
        };
        if let Some(value) = value {
            let value = value.into_string().map_err(ArgError::NotUtf8)?;
            let arg = wpm_host::parse_macro_arg(&value).map_err(ArgError::Malformed)?;
            if macros.iter().any(|m| m.name == arg.name) {
                return Err(ArgError::Duplicate(arg.name));
            }
            macros.push(arg);
            continue;
        }
        match text {
            Some("--extern") => {
                if let Some(v) = args.peek().and_then(|v| v.to_str()) {
                    externs.push(extern_name(v).to_owned());
                }
            }
            Some(t) if t.starts_with("--extern=") => externs.push(extern_name(&t["--extern=".len()..]).to_owned()),
            _ => {}
        }
        rest.push(arg);
    }
    let by_name: HashMap<&str, &WasmMacro> = macros.iter().map(|m| (m.name.as_str(), m)).collect();
    if let Some(clash) = externs.iter().find(|e| by_name.contains_key(e.as_str())) {
        return Err(ArgError::ClashesWithExtern(clash.clone()));
    }
    if let Some(m) = macros.iter().find(|m| !m.path.is_file()) {
        return Err(ArgError::MissingFile(m.name.clone(), m.path.clone()));
    }
    Ok(Invocation { rustc, macros, rest })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn module() -> String {
        // Any existing file will do: parsing only checks that it exists.
        concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml").to_owned()
    }

    #[test]
    fn plain_and_wrapper_modes() {
        let m = module();
        let inv = parse(os(&["--edition=2021", OPTION, &format!("serde_derive={m}"), "main.rs"])).unwrap();
        assert_eq!(inv.rustc, None);
        assert_eq!(inv.macros, [WasmMacro { name: "serde_derive".into(), path: m.clone().into() }]);
        assert_eq!(inv.rest, os(&["--edition=2021", "main.rs"]));

        let inv =
            parse(os(&["/home/u/.rustup/toolchains/x/bin/rustc", "--crate-name", "app", &format!("{OPTION}=a={m}")]))
                .unwrap();
        assert_eq!(inv.rustc, Some("/home/u/.rustup/toolchains/x/bin/rustc".into()));
        assert_eq!(inv.macros.len(), 1);
        assert_eq!(inv.rest, os(&["--crate-name", "app"]));

        for not_rustc in ["main.rs", "-vV", "src/lib.rs"] {
            assert_eq!(parse(os(&[not_rustc])).unwrap().rustc, None, "{not_rustc}");
        }
        assert_eq!(parse(os(&["rustc", "-vV"])).unwrap().rustc, Some("rustc".into()));
    }

    #[test]
    fn refuses_bad_values() {
        let m = module();
        assert_eq!(parse(os(&[OPTION])), Err(ArgError::MissingValue));
        for bad in ["noequals", "=path", "a-b=x", "1a=x", "a=", "fn=x", "été=x"] {
            let expected = wpm_host::parse_macro_arg(bad).unwrap_err();
            assert_eq!(parse(os(&[OPTION, bad])), Err(ArgError::Malformed(expected)), "{bad}");
        }
        let twice = parse(os(&[OPTION, &format!("a={m}"), OPTION, &format!("a={m}")]));
        assert_eq!(twice, Err(ArgError::Duplicate("a".into())));
        let missing = parse(os(&[OPTION, "a=/no/such/file.wasm"]));
        assert_eq!(missing, Err(ArgError::MissingFile("a".into(), "/no/such/file.wasm".into())));
    }

    #[test]
    fn refuses_clashes_with_extern_in_every_spelling() {
        let m = module();
        let ours = format!("serde_derive={m}");
        for ext in [
            vec!["--extern", "serde_derive=/x/libserde_derive.so"],
            vec!["--extern=serde_derive=/x/libserde_derive.so"],
            vec!["--extern", "serde_derive"],
            vec!["--extern", "priv,noprelude:serde_derive=/x.rlib"],
        ] {
            let mut args = ext.clone();
            args.extend([OPTION, &ours]);
            assert_eq!(parse(os(&args)), Err(ArgError::ClashesWithExtern("serde_derive".into())), "{ext:?}");
        }
        // Other externs pass through untouched.
        let inv = parse(os(&["--extern", "serde=/x/libserde.rlib", OPTION, &ours])).unwrap();
        assert_eq!(inv.rest, os(&["--extern", "serde=/x/libserde.rlib"]));
    }
}
