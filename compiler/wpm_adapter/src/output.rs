//! Building what the macro call expands to: the converted output, guest diagnostics on
//! stable Rust, and `compile_error!` for failures.

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

fn level_name(level: DiagnosticLevel) -> &'static str {
    match level {
        DiagnosticLevel::Error => "error",
        DiagnosticLevel::Warning => "warning",
        DiagnosticLevel::Note => "note",
        DiagnosticLevel::Help => "help",
    }
}

/// Stable Rust has no `proc_macro::Diagnostic`, so guest diagnostics are mapped:
/// an error becomes a `compile_error!` at its span (notes and helps that follow it are
/// appended to its message); a warning (with its notes and helps) is printed to stderr
/// with its location, which cargo shows with the crate's other compiler output.
/// Returns the `compile_error!`s to add to the output, empty if there were no errors.
pub(crate) fn diagnostics(macro_name: &str, diags: &[Diag]) -> TokenStream {
    let mut errors = TokenStream::new();
    let mut i = 0;
    while i < diags.len() {
        let head = &diags[i];
        let mut message = head.message.clone();
        i += 1;
        while let Some(d) = diags.get(i).filter(|d| matches!(d.level, DiagnosticLevel::Note | DiagnosticLevel::Help)) {
            message.push_str(&format!("\n{}: {}", level_name(d.level), d.message));
            i += 1;
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
