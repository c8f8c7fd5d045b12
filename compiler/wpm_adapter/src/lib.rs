//! Bridges the real `proc_macro` API and `wpm_host`.
//!
//! INTERFACE SKELETON written by the lead; the helper owning this crate fills in the
//! bodies and may add items, but keeps these names and signatures.
//! Usable only while a proc macro is running (it calls `proc_macro` APIs).

extern crate proc_macro;

use proc_macro::TokenStream;
use wpm_host::MacroModule;

/// Expands derive macro `macro_index` of `module` on `item`.
/// Failures become `compile_error!("...")` at the call site carrying the macro's message.
pub fn expand_derive(module: &MacroModule, macro_index: usize, item: TokenStream) -> TokenStream { todo!() }

/// Expands attribute macro `macro_index` of `module` on `(args, item)`.
pub fn expand_attribute(module: &MacroModule, macro_index: usize, args: TokenStream, item: TokenStream) -> TokenStream { todo!() }

/// Expands function-like macro `macro_index` of `module` on `input`.
pub fn expand_function(module: &MacroModule, macro_index: usize, input: TokenStream) -> TokenStream { todo!() }
