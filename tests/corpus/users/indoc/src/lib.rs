//! indoc's macros: `indoc!`, `formatdoc!`, `printdoc!`, `concatdoc!`.
use indoc::{concatdoc, formatdoc, indoc};

/// A help text.
pub const HELP: &str = indoc! {"
    usage: tool [options]

      -h  help
      -v  verbose
"};

/// A raw string.
pub const RAW: &str = indoc! {r#"
    {"key": "value"}
      nested "quotes"
"#};

/// Byte strings.
pub const BYTES: &[u8] = indoc! {b"
    line one
    line two
"};

/// Formatting.
pub fn greeting(name: &str, n: u32) -> String {
    formatdoc! {"
        Hello, {name}!
          You have {n} new {what}.
        ",
        what = if n == 1 { "message" } else { "messages" },
    }
}

/// Concatenation with other macros.
pub const VERSION_TEXT: &str = concatdoc! {"
    version ", "1.2.3", "
    built by rustc
"};

/// Printing.
pub fn show() {
    indoc::printdoc! {"
        shown
          indented
    "};
}
