/* rustc-wasi LLVM port: <sys/wait.h> for WASI, which cannot create processes.
 * Status macros use the usual encoding; libwasi-llvm-port's waitpid fails
 * with ECHILD (there are never children). */
#ifndef RUSTC_WASI_SYS_WAIT_H
#define RUSTC_WASI_SYS_WAIT_H
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif
#define WNOHANG 1
#define WUNTRACED 2
#define WEXITSTATUS(s) (((s) & 0xff00) >> 8)
#define WTERMSIG(s) ((s) & 0x7f)
#define WIFEXITED(s) (!WTERMSIG(s))
#define WIFSIGNALED(s) (((s) & 0xffff) - 1U < 0xffu)
#define WIFSTOPPED(s) (((s) & 0xff) == 0x7f)
pid_t wait(int *status);
pid_t waitpid(pid_t pid, int *status, int options);
struct rusage;
pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage);
#ifdef __cplusplus
}
#endif
#endif
