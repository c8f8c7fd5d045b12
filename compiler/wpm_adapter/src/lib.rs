//! Bridges the real `proc_macro` API and `wpm_host`: converts token streams to and from
//! the wire format, answers the guest's span questions with real spans, and turns every
//! failure into a `compile_error!` at the macro call site.
//!
//! Usable only while a proc macro is running (it calls `proc_macro` APIs). Nothing here is
//! specific to the generated shims: the rustc fork calls the same functions.
//!
//! Two builds, chosen by the `rustc-unstable` Cargo feature (off by default):
//!
//! - Without it (the shims, `wpm-rustc`: stable Rust 1.95): `Span::join` and
//!   `Span::byte_range` are unstable, so joins always answer "none" and byte offsets are 0;
//!   the def site is mixed site; guest diagnostics map to `compile_error!` and stderr as
//!   described at [`expand_function`].
//! - With it (the rustc fork, whose `proc_macro` is rustc's own and whose crates are built
//!   with nightly features): joins, byte offsets and the def site are rustc's answers
//!   (`Span::join`, `Span::byte_range`, `Span::def_site`), and guest diagnostics are
//!   emitted as `proc_macro::Diagnostic`s, like a native macro's.
//!
//! # Examples
//! What a generated shim does (`bytes` from `include_bytes!`):
//! ```ignore
//! #[proc_macro_derive(Serialize, attributes(serde))]
//! pub fn serialize(item: TokenStream) -> TokenStream {
//!     match wpm_adapter::module_from_bytes("serde_derive.wasm", BYTES) {
//!         Ok(module) => wpm_adapter::expand_derive(module, 0, item),
//!         Err(message) => wpm_adapter::load_error("Serialize", &message),
//!     }
//! }
//! ```

#![cfg_attr(feature = "rustc-unstable", feature(proc_macro_def_site, proc_macro_diagnostic, proc_macro_span))]

extern crate proc_macro;

mod convert;
mod output;
mod registry;
mod spans;
mod text;

use proc_macro::{Span, TokenStream};
use wpm_abi::Request;
use wpm_host::MacroModule;

pub use registry::{module_from_bytes, runtime};

/// Expands derive macro `macro_index` of `module` on `item`.
/// Failures become `compile_error!("...")` at the call site carrying the macro's message.
pub fn expand_derive(module: &MacroModule, macro_index: usize, item: TokenStream) -> TokenStream {
    expand(module, macro_index, None, item)
}

/// Expands attribute macro `macro_index` of `module` on `(args, item)`.
/// Failures become `compile_error!` as for [`expand_derive`].
pub fn expand_attribute(module: &MacroModule, macro_index: usize, args: TokenStream, item: TokenStream) -> TokenStream {
    expand(module, macro_index, Some(args), item)
}

/// Expands function-like macro `macro_index` of `module` on `input`.
///
/// On failure (the module cannot run, or the macro panics, traps, hits a limit or returns
/// invalid tokens) the expansion is only `::core::compile_error!{"<macro>: <message>"}`
/// at the call site, so rustc goes on to report the crate's other errors.
///
/// Diagnostics the guest emits, without the `rustc-unstable` feature: errors become
/// `compile_error!`s at their spans, added after the output for derives and attributes
/// (item position), and replacing the output for function-like macros (which may be in
/// expression position, where extra tokens would add a parse error). Warnings, notes and
/// helps are printed to stderr with their location; stable `proc_macro` has no way to
/// emit them as real warnings. With `rustc-unstable` every diagnostic is emitted as a
/// `proc_macro::Diagnostic` at its span (notes and helps that follow a diagnostic become
/// its children), and the output is returned unchanged, as for a native macro.
pub fn expand_function(module: &MacroModule, macro_index: usize, input: TokenStream) -> TokenStream {
    expand(module, macro_index, None, input)
}

/// The expansion to return when [`module_from_bytes`] failed: a `compile_error!` at the
/// call site reading `<macro_name>: <message>`.
pub fn load_error(macro_name: &str, message: &str) -> TokenStream {
    output::compile_error(&format!("{macro_name}: {message}"), Span::call_site())
}

fn expand(module: &MacroModule, index: usize, attr_args: Option<TokenStream>, input: TokenStream) -> TokenStream {
    let decl = module.manifest().macros.get(index);
    let name = decl.map_or("<unknown macro>", |m| m.name.as_str());
    let is_function = decl.is_some_and(|m| m.kind == wpm_abi::MacroKind::Function);
    let mut table = spans::SpanTable::new();
    let request = Request {
        attr_args: attr_args.map(|a| convert::to_wire(a, &mut table)),
        input: convert::to_wire(input, &mut table),
    };
    let result = match module.expand_pieces(index, &request, &mut table) {
        Err(host) => Err(host.to_string()),
        Ok(Err(failure)) => Err(failure.to_string()),
        Ok(Ok(pieces)) => {
            convert::from_pieces(&pieces, &table).map_err(|e| format!("proc macro returned invalid tokens: {e}"))
        }
    };
    let errors = output::diagnostics(name, &table.diagnostics);
    match result {
        Err(message) => {
            let mut out = output::compile_error(&format!("{name}: {message}"), Span::call_site());
            out.extend(errors);
            out
        }
        Ok(_) if is_function && !errors.is_empty() => errors,
        Ok(mut out) => {
            out.extend(errors);
            out
        }
    }
}
