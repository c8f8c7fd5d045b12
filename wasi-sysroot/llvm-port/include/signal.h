/* rustc-wasi LLVM port: wasi-libc's emulated <signal.h> (signal, raise) plus
 * the POSIX signal API that LLVM's Unix code names. WASI never delivers a
 * signal asynchronously (a trap ends the instance), so masks are trivially
 * honoured and sigaction only records dispositions; see llvm-port/src. */
#ifndef RUSTC_WASI_SIGNAL_H
#define RUSTC_WASI_SIGNAL_H
#ifndef _WASI_EMULATED_SIGNAL
#define _WASI_EMULATED_SIGNAL
#endif
#include_next <signal.h>
#include <sys/types.h>
#include <__typedef_sigset_t.h>
#ifdef __cplusplus
extern "C" {
#endif
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
typedef struct {
	int si_signo, si_errno, si_code;
	pid_t si_pid;
	uid_t si_uid;
	void *si_addr;
	int si_status;
} siginfo_t;
struct sigaction {
	union {
		void (*sa_handler)(int);
		void (*sa_sigaction)(int, siginfo_t *, void *);
	} __sa_handler;
	sigset_t sa_mask;
	int sa_flags;
};
#define sa_handler __sa_handler.sa_handler
#define sa_sigaction __sa_handler.sa_sigaction
int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
int sigprocmask(int how, const sigset_t *set, sigset_t *old);
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
int kill(pid_t pid, int sig);
#ifdef __cplusplus
}
#endif
#endif
