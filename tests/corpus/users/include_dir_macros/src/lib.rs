//! include_dir's `include_dir!` (reads CARGO_MANIFEST_DIR and the files at expansion time).
use include_dir::{include_dir, Dir};

/// The assets.
pub static ASSETS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/assets");

/// One file's contents.
pub fn greeting() -> Option<&'static str> {
    ASSETS.get_file("a.txt").and_then(|f| f.contents_utf8())
}
