//! LLD's wasm driver called in-process.
//!
//! rustc running as WebAssembly (host `wasm32-wasip1-threads`) cannot spawn `rust-lld`:
//! `rustc_codegen_ssa` hands this crate the arguments it would have given
//! `rust-lld -flavor wasm`, and LLD (linked into rustc.wasm from wasi-sysroot/build-llvm.sh)
//! links in the same process. One link runs at a time; LLD's state is reset after each.

use std::ffi::{CString, OsString, c_char, c_int, c_void};

/// What a link printed, and whether it succeeded.
#[derive(Debug)]
pub struct LinkOutput {
    /// LLD exited with 0.
    pub success: bool,
    /// What LLD wrote to its stdout.
    pub stdout: Vec<u8>,
    /// What LLD wrote to its stderr (warnings and errors).
    pub stderr: Vec<u8>,
}

unsafe extern "C" {
    fn rustc_lld_in_process_link_wasm(
        argc: c_int,
        argv: *const *const c_char,
        write: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
        out_ctx: *mut c_void,
        err_ctx: *mut c_void,
    ) -> c_int;
}

unsafe extern "C" fn append(ctx: *mut c_void, data: *const c_char, len: usize) {
    if len == 0 {
        return;
    }
    // SAFETY: `ctx` is one of the two `Vec`s `link_wasm` passes, alive for the call, and
    // LLD's buffer holds `len` bytes.
    unsafe { (*ctx.cast::<Vec<u8>>()).extend_from_slice(std::slice::from_raw_parts(data.cast::<u8>(), len)) };
}

/// Links as `wasm-ld ARGS...` would: `args` are what rustc gives `rust-lld` after
/// `-flavor wasm`. An argument holding a NUL byte fails the link with a message.
pub fn link_wasm(args: &[OsString]) -> LinkOutput {
    let mut argv = vec![CString::from(c"wasm-ld")];
    for arg in args {
        match CString::new(arg.as_encoded_bytes()) {
            Ok(c) => argv.push(c),
            Err(_) => {
                let msg = format!("linker argument {arg:?} contains a NUL byte\n");
                return LinkOutput { success: false, stdout: Vec::new(), stderr: msg.into_bytes() };
            }
        }
    }
    let ptrs: Vec<*const c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    // SAFETY: `ptrs` points into `argv`, both alive for the call; the contexts are the two
    // `Vec`s that `append` expects.
    let code = unsafe {
        rustc_lld_in_process_link_wasm(
            ptrs.len() as c_int,
            ptrs.as_ptr(),
            append,
            (&raw mut stdout).cast(),
            (&raw mut stderr).cast(),
        )
    };
    LinkOutput { success: code == 0, stdout, stderr }
}
