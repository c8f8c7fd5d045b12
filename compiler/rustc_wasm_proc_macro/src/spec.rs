//! Parsing and checking `--wasm-proc-macro NAME=PATH` values.

use std::path::PathBuf;

/// One `--wasm-proc-macro` value, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spec {
    /// The crate name users write (`use NAME::Macro;`).
    pub name: String,
    /// The module file, as given.
    pub path: PathBuf,
}

/// Parses `NAME=PATH`.
///
/// # Errors
/// A message in rustc's style when the value is malformed or NAME is not a crate name.
pub(crate) fn parse(value: &str) -> Result<Spec, String> {
    let Some((name, path)) = value.split_once('=') else {
        return Err(format!("`--wasm-proc-macro` expects `NAME=PATH`, found `{value}`"));
    };
    if path.is_empty() {
        return Err(format!("`--wasm-proc-macro {value}` has an empty path"));
    }
    if !is_crate_name(name) {
        return Err(format!(
            "`--wasm-proc-macro {value}`: `{name}` is not a valid crate name (an identifier without `-`)"
        ));
    }
    Ok(Spec { name: name.to_string(), path: PathBuf::from(path) })
}

/// Whether `name` can name a crate: a non-raw identifier.
pub(crate) fn is_crate_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with("r#") && rustc_lexer::is_ident(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_and_path() {
        let s = parse("Demo=dir/demo.wasm").unwrap();
        assert_eq!(s.name, "Demo");
        assert_eq!(s.path, PathBuf::from("dir/demo.wasm"));
    }

    #[test]
    fn rejects_malformed_values() {
        assert!(parse("Demo").unwrap_err().contains("expects `NAME=PATH`"));
        assert!(parse("Demo=").unwrap_err().contains("empty path"));
        assert!(parse("my-crate=x.wasm").unwrap_err().contains("not a valid crate name"));
        assert!(parse("=x.wasm").is_err());
    }
}
