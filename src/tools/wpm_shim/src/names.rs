//! Names: which strings from a manifest may appear in generated Rust, and how the package
//! name and version are derived from a module's file name.
//!
//! Manifest strings come from an untrusted guest and are pasted into generated source, so
//! every one is checked to be a plain identifier before it is used.

pub(crate) use wpm_abi::ident::is_macro_name;

/// Whether `s` is a valid Cargo package name: ASCII alphanumerics, `-` and `_`, starting
/// with a letter or `_`, and a valid identifier once `-` becomes `_`.
pub(crate) fn is_package_name(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && is_macro_name(&lib_name(s))
}

/// The library (crate) name Cargo derives from a package name.
pub(crate) fn lib_name(package: &str) -> String {
    package.replace('-', "_")
}

/// Splits a file stem `NAME-VERSION` (e.g. `thiserror-impl-2.0.12`) into its name and
/// semver version; a stem without a version suffix is all name.
pub(crate) fn split_stem(stem: &str) -> (String, Option<String>) {
    for (i, _) in stem.match_indices('-') {
        let rest = &stem[i + 1..];
        if rest.starts_with(|c: char| c.is_ascii_digit()) && semver::Version::parse(rest).is_ok() {
            return (stem[..i].to_owned(), Some(rest.to_owned()));
        }
    }
    (stem.to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        assert!(is_package_name("thiserror-impl"));
        assert!(is_package_name("serde_derive"));
        assert!(!is_package_name("9lives"));
        assert!(!is_package_name("a.b"));
        assert!(!is_package_name("type"));
        assert_eq!(lib_name("thiserror-impl"), "thiserror_impl");
    }

    #[test]
    fn stems() {
        assert_eq!(split_stem("serde_derive"), ("serde_derive".into(), None));
        assert_eq!(split_stem("thiserror-impl"), ("thiserror-impl".into(), None));
        assert_eq!(split_stem("thiserror-impl-2.0.12"), ("thiserror-impl".into(), Some("2.0.12".into())));
        assert_eq!(split_stem("x-1.0.0-rc.1"), ("x".into(), Some("1.0.0-rc.1".into())));
        assert_eq!(split_stem("x-1.0"), ("x-1.0".into(), None));
    }
}
