//! The module side of the ABI: the registry the macro crate fills in, and (on `wasm32`)
//! the exports the host calls.
//!
//! The builder generates, in each macro crate's root,
//! `#[unsafe(no_mangle)] pub fn __wpm_register_macros(r: &mut proc_macro::__wpm::Registry)`
//! that registers every macro in declaration order; the exports below call it once.

use wpm_abi::{MacroDecl, Manifest, Request};

use crate::TokenStream;

/// Glue between generated code and this crate. Not for macro authors.
#[doc(hidden)]
pub mod __wpm {
    use super::{Entry, Expander};
    use wpm_abi::{MacroDecl, MacroKind};

    #[cfg(doc)]
    use wpm_abi::{Manifest, Request};

    /// The macros a module provides, in declaration order.
    pub struct Registry {
        pub(crate) entries: Vec<Entry>,
    }

    impl Registry {
        /// An empty registry. The wasm exports make their own; natively, tests and tools
        /// fill one by hand and drive it with [`Registry::manifest`] and [`Registry::expand`].
        #[allow(clippy::new_without_default)]
        pub fn new() -> Registry {
            Registry { entries: Vec::new() }
        }

        /// What `wpm_manifest` returns for this registry: the encoded [`Manifest`].
        pub fn manifest(&self) -> Vec<u8> {
            super::manifest(self)
        }

        /// What `wpm_expand` returns: macro `index` run on an encoded [`Request`],
        /// giving the encoded output stream.
        ///
        /// # Panics
        /// If the request is malformed or `index` is out of range (host bugs), or if the
        /// macro panics.
        pub fn expand(&self, index: usize, request: &[u8]) -> Vec<u8> {
            super::expand(self, index, request)
        }

        fn push(&mut self, kind: MacroKind, name: &str, helpers: &[&str], expander: Expander) {
            let helpers = helpers.iter().map(|h| (*h).to_owned()).collect();
            self.entries.push(Entry { decl: MacroDecl { kind, name: name.to_owned(), helpers }, expander });
        }

        /// Registers `#[proc_macro_derive(name, attributes(helpers...))]`.
        pub fn derive(
            &mut self,
            name: &'static str,
            helpers: &'static [&'static str],
            f: fn(crate::TokenStream) -> crate::TokenStream,
        ) {
            self.push(MacroKind::Derive, name, helpers, Expander::Derive(f));
        }

        /// Registers `#[proc_macro_attribute] fn name`.
        pub fn attribute(
            &mut self,
            name: &'static str,
            f: fn(crate::TokenStream, crate::TokenStream) -> crate::TokenStream,
        ) {
            self.push(MacroKind::Attribute, name, &[], Expander::Attribute(f));
        }

        /// Registers `#[proc_macro] fn name`.
        pub fn function(&mut self, name: &'static str, f: fn(crate::TokenStream) -> crate::TokenStream) {
            self.push(MacroKind::Function, name, &[], Expander::Function(f));
        }
    }

    /// Natively, for tests: answer `span_location` queries on this thread with `f` (a
    /// host's answers) instead of none. No effect on `wasm32`, where the host answers.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn set_native_span_locations(f: Option<fn(wpm_abi::SpanHandle, wpm_abi::SpanLocation) -> Option<u32>>) {
        crate::host::NATIVE_LOCATIONS.with(|cell| cell.set(f));
    }
}

pub(crate) enum Expander {
    Derive(fn(TokenStream) -> TokenStream),
    Attribute(fn(TokenStream, TokenStream) -> TokenStream),
    Function(fn(TokenStream) -> TokenStream),
}

pub(crate) struct Entry {
    pub(crate) decl: MacroDecl,
    pub(crate) expander: Expander,
}

/// The encoded manifest of a registry.
fn manifest(registry: &__wpm::Registry) -> Vec<u8> {
    Manifest { abi_version: wpm_abi::ABI_VERSION, macros: registry.entries.iter().map(|e| e.decl.clone()).collect() }
        .encode()
}

/// Runs macro `index` on an encoded request and returns the encoded output stream.
///
/// # Panics
/// If the request is malformed or the index out of range (host bugs), or if the macro
/// panics.
fn expand(registry: &__wpm::Registry, index: usize, request: &[u8]) -> Vec<u8> {
    let request = Request::decode(request).unwrap_or_else(|e| panic!("wpm: the host sent a malformed request: {e}"));
    let Some(entry) = registry.entries.get(index) else {
        panic!("wpm: the host asked for macro #{index}, but the module has {}", registry.entries.len())
    };
    let input = crate::abi::stream_from_abi(request.input);
    let output = match entry.expander {
        Expander::Derive(f) => f(input),
        Expander::Function(f) => f(input),
        Expander::Attribute(f) => {
            let args = crate::abi::stream_from_abi(request.attr_args.unwrap_or_default());
            f(args, input)
        }
    };
    let mut out = Vec::new();
    wpm_abi::tokens::encode_stream(&crate::abi::stream_to_abi(&output), &mut out);
    out
}

/// The panic message as std's default hook words it: `panicked at FILE:LINE:COL:\nMSG`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn panic_text(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let msg = if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.as_str()
    } else {
        "Box<dyn Any>"
    };
    match info.location() {
        Some(l) => format!("panicked at {}:{}:{}:\n{msg}", l.file(), l.line(), l.column()),
        None => format!("panicked:\n{msg}"),
    }
}

#[cfg(target_arch = "wasm32")]
mod exports {
    use std::alloc::Layout;
    use std::cell::{OnceCell, RefCell};

    use super::__wpm::Registry;
    use wpm_abi::Buffer;

    unsafe extern "Rust" {
        /// Defined by generated code in the macro crate's root.
        fn __wpm_register_macros(registry: &mut Registry);
    }

    thread_local! {
        static REGISTRY: OnceCell<Registry> = const { OnceCell::new() };
        /// Memory handed to the host by `wpm_alloc` and not yet taken back.
        static HOST_ALLOCS: RefCell<Vec<(usize, Layout)>> = const { RefCell::new(Vec::new()) };
        /// The last buffer returned to the host; it stays valid until the next call.
        static LAST_OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }

    fn install_panic_hook() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            std::panic::set_hook(Box::new(|info| crate::host::panic_message(&super::panic_text(info))));
        });
    }

    fn with_registry<R>(f: impl FnOnce(&Registry) -> R) -> R {
        REGISTRY.with(|cell| {
            f(cell.get_or_init(|| {
                let mut r = Registry::new();
                // SAFETY: the builder defines this function with exactly this signature.
                unsafe { __wpm_register_macros(&mut r) };
                r
            }))
        })
    }

    fn hand_out(bytes: Vec<u8>) -> i64 {
        LAST_OUTPUT.with(|last| {
            let mut last = last.borrow_mut();
            *last = bytes;
            Buffer { ptr: last.as_ptr() as usize as u32, len: last.len() as u32 }.pack() as i64
        })
    }

    /// `wpm_abi_version`.
    #[unsafe(no_mangle)]
    pub extern "C" fn wpm_abi_version() -> i32 {
        wpm_abi::ABI_VERSION as i32
    }

    /// `wpm_manifest`.
    #[unsafe(no_mangle)]
    pub extern "C" fn wpm_manifest() -> i64 {
        install_panic_hook();
        hand_out(with_registry(super::manifest))
    }

    /// `wpm_alloc`: 0 for a bad layout or when memory runs out.
    #[unsafe(no_mangle)]
    pub extern "C" fn wpm_alloc(size: i32, align: i32) -> i32 {
        let Ok(layout) = Layout::from_size_align(size as u32 as usize, align as u32 as usize) else { return 0 };
        if layout.size() == 0 {
            return layout.align() as i32;
        }
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { std::alloc::alloc(layout) } as usize;
        if ptr != 0 {
            HOST_ALLOCS.with(|a| a.borrow_mut().push((ptr, layout)));
        }
        ptr as i32
    }

    /// `wpm_expand`.
    #[unsafe(no_mangle)]
    pub extern "C" fn wpm_expand(index: i32, ptr: i32, len: i32) -> i64 {
        install_panic_hook();
        let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
        let request: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: the host wrote `len` bytes at `ptr`, memory it got from `wpm_alloc`,
            // and nothing else touches it until it is freed below.
            unsafe { std::slice::from_raw_parts(ptr as *const u8, len) }
        };
        let out = with_registry(|r| super::expand(r, index as u32 as usize, request));
        HOST_ALLOCS.with(|a| {
            let mut a = a.borrow_mut();
            if let Some(i) = a.iter().position(|&(p, _)| p == ptr) {
                let (p, layout) = a.swap_remove(i);
                // SAFETY: allocated by `wpm_alloc` with this layout and not freed since.
                unsafe { std::alloc::dealloc(p as *mut u8, layout) };
            }
        });
        hand_out(out)
    }
}
