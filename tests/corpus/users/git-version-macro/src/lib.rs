//! git-version's `git_version!` (runs `git describe` at expansion time).
use git_version::git_version;

/// The version, with a fallback when git is unavailable.
pub const VERSION: &str = git_version!(args = ["--always", "--dirty=-modified"], fallback = "unknown");
