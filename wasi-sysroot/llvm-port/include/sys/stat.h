/* rustc-wasi LLVM port: wasi-libc's <sys/stat.h> plus chmod/fchmod/umask,
 * which WASI lacks (it has no permission bits); see llvm-port/src. */
#ifndef RUSTC_WASI_SYS_STAT_H
#define RUSTC_WASI_SYS_STAT_H
#include_next <sys/stat.h>
#ifdef __cplusplus
extern "C" {
#endif
int chmod(const char *path, mode_t mode);
int fchmod(int fd, mode_t mode);
mode_t umask(mode_t mask);
#ifdef __cplusplus
}
#endif
#endif
