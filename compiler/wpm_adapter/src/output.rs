//! Building what the macro call expands to: the converted output, guest diagnostics
//! (`compile_error!` and stderr on stable Rust, `proc_macro::Diagnostic` with the
//! `rustc-unstable` feature), and `compile_error!` for failures.

use std::ops::Range;

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use wpm_abi::DiagnosticLevel;

use crate::spans::Diag;

/// `::core::compile_error!{"message"}`, every token spanned at `span`.
pub(crate) fn compile_error(message: &str, span: Span) -> TokenStream {
    let punct = |c: char, spacing: Spacing| {
        let mut p = Punct::new(c, spacing);
        p.set_span(span);
        TokenTree::Punct(p)
    };
    let mut lit = Literal::string(message);
    lit.set_span(span);
    let mut body = Group::new(Delimiter::Brace, TokenTree::Literal(lit).into());
    body.set_span(span);
    [
        punct(':', Spacing::Joint),
        punct(':', Spacing::Alone),
        TokenTree::Ident(Ident::new("core", span)),
        punct(':', Spacing::Joint),
        punct(':', Spacing::Alone),
        TokenTree::Ident(Ident::new("compile_error", span)),
        punct('!', Spacing::Alone),
        TokenTree::Group(body),
    ]
    .into_iter()
    .collect()
}

#[cfg(not(feature = "rustc-unstable"))]
fn level_name(level: DiagnosticLevel) -> &'static str {
    match level {
        DiagnosticLevel::Error => "error",
        DiagnosticLevel::Warning => "warning",
        DiagnosticLevel::Note => "note",
        DiagnosticLevel::Help => "help",
    }
}

/// Splits the guest's diagnostics, in the order it emitted them, into diagnostics with
/// their children: index ranges whose first element is the diagnostic and the rest its
/// children.
///
/// The ABI has one `diagnostic` call per message and no mark for children: the guest's
/// `Diagnostic::emit` sends the diagnostic, then each child in order. So a note or help
/// that follows another message is taken as a child of the diagnostic before it, and every
/// error or warning (and a note or help that comes first) starts a new diagnostic. What
/// this cannot tell apart: a top-level note or help emitted right after another
/// diagnostic (taken as a child) and a child error or warning (taken as top-level).
fn group(levels: &[DiagnosticLevel]) -> Vec<Range<usize>> {
    let mut groups: Vec<Range<usize>> = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        match groups.last_mut() {
            Some(last) if matches!(level, DiagnosticLevel::Note | DiagnosticLevel::Help) => last.end = i + 1,
            _ => groups.push(i..i + 1),
        }
    }
    groups
}

fn levels(diags: &[Diag]) -> Vec<DiagnosticLevel> {
    diags.iter().map(|d| d.level).collect()
}

/// Stable Rust has no `proc_macro::Diagnostic`, so guest diagnostics are mapped:
/// an error becomes a `compile_error!` at its span (notes and helps that follow it are
/// appended to its message); a warning (with its notes and helps) is printed to stderr
/// with its location, which cargo shows with the crate's other compiler output.
/// Returns the `compile_error!`s to add to the output, empty if there were no errors.
#[cfg(not(feature = "rustc-unstable"))]
pub(crate) fn diagnostics(macro_name: &str, diags: &[Diag]) -> TokenStream {
    let mut errors = TokenStream::new();
    for range in group(&levels(diags)) {
        let head = &diags[range.start];
        let mut message = head.message.clone();
        for d in &diags[range.start + 1..range.end] {
            message.push_str(&format!("\n{}: {}", level_name(d.level), d.message));
        }
        if head.level == DiagnosticLevel::Error {
            errors.extend(compile_error(&format!("{macro_name}: {message}"), head.span));
        } else {
            let s = head.span;
            eprintln!(
                "{}: {macro_name}: {message}\n  --> {}:{}:{}",
                level_name(head.level),
                s.file(),
                s.line(),
                s.column()
            );
        }
    }
    errors
}

/// Emits the guest's diagnostics as real `proc_macro::Diagnostic`s (rustc's own
/// diagnostics: counted, in `--error-format=json`, under `--cap-lints` and `-A warnings`
/// like a native macro's), each at the span the guest gave, with the notes and helps that
/// follow it as children at their spans (see [`group`]). Messages are the guest's own,
/// without the macro's name. Returns nothing to add to the output: an error fails the
/// compilation by itself, as a native macro's does.
#[cfg(feature = "rustc-unstable")]
pub(crate) fn diagnostics(_macro_name: &str, diags: &[Diag]) -> TokenStream {
    use proc_macro::{Diagnostic, Level};
    let level = |l: DiagnosticLevel| match l {
        DiagnosticLevel::Error => Level::Error,
        DiagnosticLevel::Warning => Level::Warning,
        DiagnosticLevel::Note => Level::Note,
        DiagnosticLevel::Help => Level::Help,
    };
    for range in group(&levels(diags)) {
        let head = &diags[range.start];
        let mut diagnostic = Diagnostic::spanned(head.span, level(head.level), head.message.as_str());
        for child in &diags[range.start + 1..range.end] {
            let message = child.message.as_str();
            diagnostic = match child.level {
                DiagnosticLevel::Error => diagnostic.span_error(child.span, message),
                DiagnosticLevel::Warning => diagnostic.span_warning(child.span, message),
                DiagnosticLevel::Note => diagnostic.span_note(child.span, message),
                DiagnosticLevel::Help => diagnostic.span_help(child.span, message),
            };
        }
        diagnostic.emit();
    }
    TokenStream::new()
}

#[cfg(test)]
mod tests {
    use super::group;
    use wpm_abi::DiagnosticLevel::{Error, Help, Note, Warning};

    #[test]
    fn notes_and_helps_attach_to_the_diagnostic_before_them() {
        assert_eq!(group(&[Warning, Note, Help, Error, Help, Warning]), vec![0..3, 3..5, 5..6]);
    }

    #[test]
    fn a_leading_note_or_help_stands_alone_and_takes_children() {
        assert_eq!(group(&[Note, Help, Error]), vec![0..2, 2..3]);
        assert_eq!(group(&[Help]), vec![0..1]);
    }

    #[test]
    fn errors_and_warnings_always_start_a_diagnostic() {
        assert_eq!(group(&[Error, Error, Warning, Warning]), vec![0..1, 1..2, 2..3, 3..4]);
        assert!(group(&[]).is_empty());
    }
}
