//! Bridge clients for wasm macros: a fixed table of trampolines.
//!
//! `proc_macro::bridge::client::Client::expand1`/`expand2` turn a *zero-sized* function item
//! into an `extern "C"` entry point, which is how rustc's proc-macro server calls into a
//! macro. A wasm macro is only known at run time, so each trampoline `slot1::<N>` /
//! `slot2::<N>` is a distinct zero-sized item that looks up which (module, macro) slot `N`
//! was assigned to and runs `wpm_adapter` on it. The adapter runs *inside* the bridge
//! client, so it speaks the real `proc_macro` API and the compiler's proc-macro server does
//! all span and diagnostic work, exactly as for a native macro.
//!
//! Slots are assigned once per process and never reused; the table sizes bound how many
//! wasm macros one compilation can use.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use rustc_proc_macro::TokenStream;
use rustc_proc_macro::bridge::client::{Client, ProcMacro};
use wpm_abi::MacroKind;
use wpm_host::MacroModule;

/// What a slot runs: macro `index` of `module`.
struct Target {
    module: Arc<MacroModule>,
    index: usize,
    kind: MacroKind,
}

type Client1 = Client<TokenStream, TokenStream>;
type Client2 = Client<(TokenStream, TokenStream), TokenStream>;

macro_rules! table {
    ($ctor:path, $slot:ident; $($n:literal)*) => {
        [$($ctor($slot::<$n>)),*]
    };
}

/// Trampolines for derive and function-like macros (one token stream in).
static CLIENTS1: [Client1; 256] = table!(Client::expand1, slot1;
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
    32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63
    64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95
    96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119
    120 121 122 123 124 125 126 127 128 129 130 131 132 133 134 135 136 137 138 139 140 141 142 143
    144 145 146 147 148 149 150 151 152 153 154 155 156 157 158 159 160 161 162 163 164 165 166 167
    168 169 170 171 172 173 174 175 176 177 178 179 180 181 182 183 184 185 186 187 188 189 190 191
    192 193 194 195 196 197 198 199 200 201 202 203 204 205 206 207 208 209 210 211 212 213 214 215
    216 217 218 219 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 238 239
    240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255);

/// Trampolines for attribute macros (two token streams in).
static CLIENTS2: [Client2; 64] = table!(Client::expand2, slot2;
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
    32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63);

static TARGETS1: [OnceLock<Target>; 256] = [const { OnceLock::new() }; 256];
static TARGETS2: [OnceLock<Target>; 64] = [const { OnceLock::new() }; 64];
static NEXT1: AtomicUsize = AtomicUsize::new(0);
static NEXT2: AtomicUsize = AtomicUsize::new(0);

fn slot1<const N: usize>(input: TokenStream) -> TokenStream {
    // Assigned before the `ProcMacro` holding this client is handed out, so always present.
    let Some(t) = TARGETS1[N].get() else { panic!("wasm proc-macro slot {N} is unassigned") };
    match t.kind {
        MacroKind::Derive => wpm_adapter::expand_derive(&t.module, t.index, input),
        _ => wpm_adapter::expand_function(&t.module, t.index, input),
    }
}

fn slot2<const N: usize>(args: TokenStream, item: TokenStream) -> TokenStream {
    let Some(t) = TARGETS2[N].get() else { panic!("wasm proc-macro slot {N} is unassigned") };
    wpm_adapter::expand_attribute(&t.module, t.index, args, item)
}

fn take(next: &AtomicUsize, len: usize) -> Option<usize> {
    next.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| (n < len).then_some(n + 1)).ok()
}

/// Builds the `ProcMacro` entry for macro `index` of `module`, assigning it a slot.
///
/// # Errors
/// A message when every slot of the needed kind is taken.
pub(crate) fn proc_macro(module: &Arc<MacroModule>, index: usize) -> Result<ProcMacro, String> {
    let Some(decl) = module.manifest().macros.get(index) else {
        return Err(format!("macro index {index} is out of range"));
    };
    let name: &'static str = Box::leak(decl.name.clone().into_boxed_str());
    let target = Target { module: Arc::clone(module), index, kind: decl.kind };
    let full = |len| format!("too many wasm proc macros in one compilation (at most {len} of this kind)");
    Ok(match decl.kind {
        MacroKind::Derive | MacroKind::Function => {
            let n = take(&NEXT1, CLIENTS1.len()).ok_or_else(|| full(CLIENTS1.len()))?;
            let _ = TARGETS1[n].set(target);
            if decl.kind == MacroKind::Derive {
                let helpers: Vec<&'static str> =
                    decl.helpers.iter().map(|h| &*Box::leak(h.clone().into_boxed_str())).collect();
                let attributes: &'static [&'static str] = Box::leak(helpers.into_boxed_slice());
                ProcMacro::CustomDerive { trait_name: name, attributes, client: CLIENTS1[n] }
            } else {
                ProcMacro::Bang { name, client: CLIENTS1[n] }
            }
        }
        MacroKind::Attribute => {
            let n = take(&NEXT2, CLIENTS2.len()).ok_or_else(|| full(CLIENTS2.len()))?;
            let _ = TARGETS2[n].set(target);
            ProcMacro::Attr { name, client: CLIENTS2[n] }
        }
    })
}
