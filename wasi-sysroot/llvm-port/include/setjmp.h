/* rustc-wasi LLVM port (wasi-sysroot/llvm-port): <setjmp.h> for WASI.
 * wasm cannot save and restore a call stack without the exception-handling
 * proposal, so setjmp only ever takes its first return (0) and longjmp aborts
 * with a message. LLVM uses the pair only for crash recovery from signals,
 * which WASI never delivers. */
#ifndef RUSTC_WASI_SETJMP_H
#define RUSTC_WASI_SETJMP_H
#ifdef __cplusplus
extern "C" {
#endif
typedef struct { int __unused; } jmp_buf[1];
#define setjmp(env) ((void)(env), 0)
_Noreturn void longjmp(jmp_buf env, int val);
#ifdef __cplusplus
}
#endif
#endif
