// A native proc-macro crate: built by the native fork as a `.so`, then handed to rustc.wasm
// with `--extern`, which cannot load it (WASI has no dlopen) and must say so.
// (Plain rustc puts `proc_macro` in the extern prelude only when told: cargo passes
// `--extern proc_macro`.)
extern crate proc_macro;

use proc_macro::TokenStream;

#[proc_macro]
pub fn answer(_: TokenStream) -> TokenStream {
    "42".parse().unwrap()
}
