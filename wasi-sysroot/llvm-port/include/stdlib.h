/* rustc-wasi LLVM port: wasi-libc's <stdlib.h> plus realpath (lexical, see
 * llvm-port/src/posix.c). */
#ifndef RUSTC_WASI_STDLIB_H
#define RUSTC_WASI_STDLIB_H
#include_next <stdlib.h>
#ifdef __cplusplus
extern "C" {
#endif
char *realpath(const char *path, char *resolved);
#ifdef __cplusplus
}
#endif
#endif
