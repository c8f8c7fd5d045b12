//! Pure text rules, free of `proc_macro` (so they are unit-testable): splitting a
//! literal's source text into kind, symbol and suffix, and the checks that stop guest
//! output from reaching `proc_macro` constructors that would panic.

use wpm_abi::LitKind;

/// Splits the `to_string()` of a `proc_macro::Literal` as rustc's lexer would. Text it
/// cannot classify becomes [`LitKind::Err`] with the whole text as symbol, which
/// round-trips unchanged.
pub(crate) fn split_literal(text: &str) -> (LitKind, &str, &str) {
    let b = text.as_bytes();
    let split = match (b.first(), b.get(1)) {
        (Some(b'"'), _) => quoted(text, 0, '"', LitKind::Str),
        (Some(b'\''), _) => quoted(text, 0, '\'', LitKind::Char),
        (Some(b'b'), Some(b'\'')) => quoted(text, 1, '\'', LitKind::Byte),
        (Some(b'b'), Some(b'"')) => quoted(text, 1, '"', LitKind::ByteStr),
        (Some(b'b'), Some(b'r')) => raw(text, 2, LitKind::ByteStrRaw),
        (Some(b'c'), Some(b'"')) => quoted(text, 1, '"', LitKind::CStr),
        (Some(b'c'), Some(b'r')) => raw(text, 2, LitKind::CStrRaw),
        (Some(b'r'), _) => raw(text, 1, LitKind::StrRaw),
        (Some(b'0'..=b'9' | b'-'), _) => Some(number(text)),
        _ => None,
    };
    split.unwrap_or((LitKind::Err, text, ""))
}

/// `prefix` bytes, then `q ... q`, then a suffix.
fn quoted(text: &str, prefix: usize, q: char, kind: LitKind) -> Option<(LitKind, &str, &str)> {
    let close = text.rfind(q)?;
    if close <= prefix {
        return None;
    }
    Some((kind, &text[prefix + 1..close], &text[close + 1..]))
}

/// `start` bytes of prefix (`r`, `br`, `cr`), `n` hashes, `"...", `n` hashes, suffix.
fn raw(text: &str, start: usize, kind: fn(u8) -> LitKind) -> Option<(LitKind, &str, &str)> {
    let rest = text.get(start..)?;
    let hashes = rest.bytes().take_while(|&c| c == b'#').count();
    let open = start + hashes;
    if text.as_bytes().get(open) != Some(&b'"') {
        return None;
    }
    let n = u8::try_from(hashes).ok()?;
    let closing = format!("\"{}", "#".repeat(hashes));
    let close = text.rfind(&closing)?;
    if close <= open {
        return None;
    }
    Some((kind(n), &text[open + 1..close], &text[close + closing.len()..]))
}

/// Integer or float: optional `-`, digits (with a base prefix for integers), fraction,
/// exponent, then the suffix.
fn number(text: &str) -> (LitKind, &str, &str) {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize, ok: fn(u8) -> bool| {
        while b.get(*i).is_some_and(|&c| ok(c)) {
            *i += 1;
        }
    };
    let mut kind = LitKind::Integer;
    let based = b.get(i) == Some(&b'0') && matches!(b.get(i + 1), Some(b'x' | b'o' | b'b'));
    if based {
        let hex = b.get(i + 1) == Some(&b'x');
        i += 2;
        if hex {
            digits(&mut i, |c| c.is_ascii_hexdigit() || c == b'_');
        } else {
            digits(&mut i, |c| c.is_ascii_digit() || c == b'_');
        }
    } else {
        digits(&mut i, |c| c.is_ascii_digit() || c == b'_');
        // `1.5`, or `1.` not followed by another `.` or an identifier (`1..2`, `1.foo()`).
        if b.get(i) == Some(&b'.') && !b.get(i + 1).is_some_and(|&c| c == b'.' || c == b'_' || c.is_ascii_alphabetic())
        {
            kind = LitKind::Float;
            i += 1;
            digits(&mut i, |c| c.is_ascii_digit() || c == b'_');
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            while b.get(j) == Some(&b'_') {
                j += 1;
            }
            if b.get(j).is_some_and(u8::is_ascii_digit) {
                kind = LitKind::Float;
                i = j;
                digits(&mut i, |c| c.is_ascii_digit() || c == b'_');
            }
        }
    }
    (kind, &text[..i], &text[i..])
}

/// Checks that `proc_macro::Ident::new` / `new_raw` will accept `name`.
///
/// # Errors
/// A message naming the identifier and what is wrong with it.
pub(crate) fn check_ident(name: &str, is_raw: bool) -> Result<(), String> {
    if !wpm_abi::ident::is_ident(name) {
        return Err(format!("`{}` is not a valid identifier", name.escape_debug()));
    }
    if is_raw && !wpm_abi::ident::can_be_raw(name) {
        return Err(format!("`{name}` cannot be a raw identifier"));
    }
    Ok(())
}

/// Checks that `proc_macro::Punct::new` will accept `ch`.
///
/// # Errors
/// A message naming the byte.
pub(crate) fn check_punct(ch: u8) -> Result<char, String> {
    let c = char::from(ch);
    if wpm_abi::Punct::is_valid_char(ch) {
        Ok(c)
    } else {
        Err(format!("{:?} is not a punctuation character", c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_split_like_rustc() {
        let cases: &[(&str, LitKind, &str, &str)] = &[
            ("1", LitKind::Integer, "1", ""),
            ("1u8", LitKind::Integer, "1", "u8"),
            ("-12_i64", LitKind::Integer, "-12_", "i64"),
            ("0x1f_u8", LitKind::Integer, "0x1f_", "u8"),
            ("0b1010", LitKind::Integer, "0b1010", ""),
            ("1f32", LitKind::Integer, "1", "f32"),
            ("1.5", LitKind::Float, "1.5", ""),
            ("1.", LitKind::Float, "1.", ""),
            ("1e3", LitKind::Float, "1e3", ""),
            ("2.5E-3f64", LitKind::Float, "2.5E-3", "f64"),
            ("\"a\\\"b\"", LitKind::Str, "a\\\"b", ""),
            ("\"x\"suffix", LitKind::Str, "x", "suffix"),
            ("'a'", LitKind::Char, "a", ""),
            ("'\\''", LitKind::Char, "\\'", ""),
            ("b'a'", LitKind::Byte, "a", ""),
            ("b\"ab\"", LitKind::ByteStr, "ab", ""),
            ("r\"a\"", LitKind::StrRaw(0), "a", ""),
            ("r##\"a\"#b\"##", LitKind::StrRaw(2), "a\"#b", ""),
            ("br#\"x\"#", LitKind::ByteStrRaw(1), "x", ""),
            ("c\"nul\"", LitKind::CStr, "nul", ""),
            ("cr\"x\"", LitKind::CStrRaw(0), "x", ""),
            ("?", LitKind::Err, "?", ""),
        ];
        for &(text, kind, symbol, suffix) in cases {
            assert_eq!(split_literal(text), (kind, symbol, suffix), "{text}");
            // And back: the ABI's writer reproduces the text.
            let mut back = String::new();
            wpm_abi::Literal { kind, symbol: symbol.into(), suffix: suffix.into(), span: wpm_abi::SpanHandle(0) }
                .write_source(&mut back)
                .unwrap();
            assert_eq!(back, text);
        }
    }

    #[test]
    fn identifiers_are_checked_before_proc_macro_sees_them() {
        assert!(check_ident("foo_1", false).is_ok());
        assert!(check_ident("_", false).is_ok());
        assert!(check_ident("été", false).is_ok());
        assert!(check_ident("type", true).is_ok());
        assert_eq!(check_ident("", false).unwrap_err(), "`` is not a valid identifier");
        assert!(check_ident("1abc", false).is_err());
        assert!(check_ident("a-b", false).is_err());
        assert!(check_ident("a b", false).is_err());
        assert_eq!(check_ident("self", true).unwrap_err(), "`self` cannot be a raw identifier");
    }

    #[test]
    fn punct_chars_are_checked() {
        for c in wpm_abi::Punct::CHARS.bytes() {
            assert_eq!(check_punct(c), Ok(char::from(c)));
        }
        assert_eq!(check_punct(b'a').unwrap_err(), "'a' is not a punctuation character");
        assert!(check_punct(b'"').is_err());
        assert!(check_punct(0xe9).is_err());
    }
}
