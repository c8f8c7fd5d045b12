/* rustc-wasi LLVM port: wasi-libc's <unistd.h> plus the process and
 * descriptor calls LLVM names that WASI lacks. libwasi-llvm-port defines them
 * to fail (ENOSYS, or what fits the call); see docs/wasi-sysroot.md. */
#ifndef RUSTC_WASI_UNISTD_H
#define RUSTC_WASI_UNISTD_H
#include_next <unistd.h>
#ifdef __cplusplus
extern "C" {
#endif
pid_t getsid(pid_t pid);
int dup(int fd);
int dup2(int from, int to);
unsigned alarm(unsigned seconds);
pid_t fork(void);
pid_t setsid(void);
int execv(const char *path, char *const argv[]);
int execve(const char *path, char *const argv[], char *const envp[]);
int pipe(int fds[2]);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int fchown(int fd, uid_t uid, gid_t gid);
int chown(const char *path, uid_t uid, gid_t gid);
#ifdef __cplusplus
}
#endif
#endif
