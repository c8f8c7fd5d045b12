/* rustc-wasi LLVM port: wasi-libc's <fcntl.h> plus the record-lock commands
 * (musl's values). WASI has no locks: wasi-libc's fcntl answers EINVAL. */
#ifndef RUSTC_WASI_FCNTL_H
#define RUSTC_WASI_FCNTL_H
#include_next <fcntl.h>
#ifndef F_GETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif
#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif
#endif
