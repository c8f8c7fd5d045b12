//! Whole source files: wpm's lexer against rustc's (via the oracle) and proc-macro2's, and
//! a print / re-lex round trip.

use std::str::FromStr;

use proc_macro::TokenStream;

const REAL: &[(&str, &str, &str, &str)] = wpm_proc_macro_oracle::real_lex_corpus!();

fn first_difference(a: &str, b: &str) -> String {
    let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(a.lines().count().min(b.lines().count()));
    let ctx = |s: &str| s.lines().skip(line.saturating_sub(2)).take(5).collect::<Vec<_>>().join("\n");
    format!("first difference at line {line}:\n--- expected\n{}\n--- got\n{}", ctx(a), ctx(b))
}

#[test]
fn corpus_is_large() {
    let bytes: usize = REAL.iter().map(|r| std::fs::read_to_string(r.0).map_or(0, |s| s.len())).sum();
    assert!(REAL.len() >= 50 && bytes >= 1_000_000, "corpus too small: {} files, {bytes} bytes", REAL.len());
}

#[test]
fn tokens_match_rustc() {
    for (path, describe, _, _) in REAL {
        let src = std::fs::read_to_string(path).unwrap();
        let ours = crate::cases::describe(TokenStream::from_str(&src).unwrap());
        assert!(ours == *describe, "{path}: {}", first_difference(describe, &ours));
    }
}

#[test]
fn printing_rebuilt_streams_matches_rustc() {
    for (path, _, _, rebuilt) in REAL {
        let src = std::fs::read_to_string(path).unwrap();
        let ours = crate::cases::rebuild(TokenStream::from_str(&src).unwrap()).to_string();
        assert!(ours == *rebuilt, "{path}: {}", first_difference(rebuilt, &ours));
    }
}

#[test]
fn printing_lexed_streams_matches_rustc() {
    for (path, _, printed, _) in REAL {
        let src = std::fs::read_to_string(path).unwrap();
        let ours = TokenStream::from_str(&src).unwrap().to_string();
        assert!(ours == *printed, "{path}: {}", first_difference(printed, &ours));
    }
}

#[test]
fn print_and_relex_round_trips() {
    for (path, _, _, _) in REAL {
        let src = std::fs::read_to_string(path).unwrap();
        let ts = TokenStream::from_str(&src).unwrap();
        let want = crate::cases::describe(ts.clone());
        for printed in [ts.to_string(), crate::cases::rebuild(ts).to_string()] {
            let again = crate::cases::describe(TokenStream::from_str(&printed).unwrap());
            assert!(again == want, "{path}: {}", first_difference(&want, &again));
        }
    }
}

/// proc-macro2's descriptor in the same format as `cases::describe`.
fn describe_pm2(stream: proc_macro2::TokenStream, depth: usize, out: &mut String) {
    for tree in stream {
        out.push_str(&" ".repeat(depth));
        match tree {
            proc_macro2::TokenTree::Group(g) => {
                let d = match g.delimiter() {
                    proc_macro2::Delimiter::Parenthesis => "Parenthesis",
                    proc_macro2::Delimiter::Brace => "Brace",
                    proc_macro2::Delimiter::Bracket => "Bracket",
                    proc_macro2::Delimiter::None => "None",
                };
                out.push_str(&format!("G{d}\n"));
                describe_pm2(g.stream(), depth + 1, out);
            }
            proc_macro2::TokenTree::Ident(i) => out.push_str(&format!("I {i}\n")),
            proc_macro2::TokenTree::Punct(p) => out.push_str(&format!("P {} {:?}\n", p.as_char(), p.spacing())),
            proc_macro2::TokenTree::Literal(l) => out.push_str(&format!("L {l}\n")),
        }
    }
}

/// Known, deliberate differences, normalized away here (both checked against rustc by
/// `tokens_match_rustc`): rustc escapes `'` as `\'` in desugared doc comments and
/// proc-macro2 does not; and proc-macro2 marks a punct followed by a lifetime's `'` or a char literal as
/// `Joint`; rustc does not (neither is a punct token to its lexer), and neither do
/// we.
fn normalize_pm2(desc: &str) -> String {
    let lines: Vec<&str> = desc.lines().collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let next_is_quote = lines.get(i + 1).is_some_and(|n| {
            let n = n.trim_start();
            n == "P ' Joint" || n.starts_with("L '")
        });
        match line.strip_suffix(" Joint") {
            Some(head) if next_is_quote && line.trim_start().starts_with("P ") => {
                out.push_str(head);
                out.push_str(" Alone");
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// String literals by value rather than spelling (applied to both sides).
fn unescape_quotes(desc: &str) -> String {
    let mut out = String::new();
    for l in desc.lines() {
        let body = l.trim_start();
        match body.strip_prefix("L ").filter(|b| b.starts_with('"')).and_then(|b| b.parse::<proc_macro::Literal>().ok())
        {
            Some(lit) => out.push_str(&format!("{}L value {:?}", &l[..l.len() - body.len()], lit.str_value())),
            None => out.push_str(l),
        }
        out.push('\n');
    }
    out
}

#[test]
fn tokens_match_proc_macro2_fallback() {
    for (path, _, _, _) in REAL {
        let src = std::fs::read_to_string(path).unwrap();
        let mut theirs = String::new();
        describe_pm2(proc_macro2::TokenStream::from_str(&src).unwrap(), 0, &mut theirs);
        let theirs = unescape_quotes(&normalize_pm2(&theirs));
        let ours = unescape_quotes(&crate::cases::describe(TokenStream::from_str(&src).unwrap()));
        assert!(ours == theirs, "{path}: {}", first_difference(&theirs, &ours));
    }
}
