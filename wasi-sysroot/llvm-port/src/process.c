/* rustc-wasi LLVM port: process, signal and resource calls that WASI
 * preview 1 lacks, for LLVM's Unix support code. A WASI module cannot create
 * processes and never receives a signal asynchronously, so process creation
 * fails (ENOSYS, or ECHILD for waits), signal masks are trivially honoured and
 * sigaction records dispositions. Built with llvm-port/include first on the
 * include path, so the declarations are the port's. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t fork(void) { errno = ENOSYS; return -1; }
pid_t setsid(void) { errno = ENOSYS; return -1; }
pid_t getsid(pid_t pid) { (void)pid; errno = ENOSYS; return -1; }
int execv(const char *path, char *const argv[]) { (void)path; (void)argv; errno = ENOSYS; return -1; }
int execve(const char *path, char *const argv[], char *const envp[]) {
	(void)path; (void)argv; (void)envp;
	errno = ENOSYS;
	return -1;
}
int pipe(int fds[2]) { (void)fds; errno = ENOSYS; return -1; }
int dup(int fd) { (void)fd; errno = ENOSYS; return -1; }
int dup2(int from, int to) { (void)from; (void)to; errno = ENOSYS; return -1; }

/* There are never child processes. */
pid_t wait(int *status) { (void)status; errno = ECHILD; return -1; }
pid_t waitpid(pid_t pid, int *status, int options) {
	(void)pid; (void)status; (void)options;
	errno = ECHILD;
	return -1;
}
pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage) {
	(void)usage;
	return waitpid(pid, status, options);
}

/* WASI has no users: the module runs as the only one, uid/gid 0. */
uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }

/* No timer signal exists: an alarm is accepted and never fires. */
unsigned alarm(unsigned seconds) { (void)seconds; return 0; }

int kill(pid_t pid, int sig) {
	if (pid == 0 || pid == getpid())
		return raise(sig);
	errno = ESRCH;
	return -1;
}

/* Dispositions, as set and read back through sigaction. Handlers without
 * SA_SIGINFO also go to wasi-libc's emulated signal(), so raise() runs them;
 * SA_SIGINFO handlers cannot be called by it and leave the default. */
#define PORT_NSIG 65
static struct sigaction dispositions[PORT_NSIG];

int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
	if (sig <= 0 || sig >= PORT_NSIG || sig == SIGKILL || sig == SIGSTOP) {
		errno = EINVAL;
		return -1;
	}
	if (old)
		*old = dispositions[sig];
	if (act) {
		void (*handler)(int) = (act->sa_flags & SA_SIGINFO) ? SIG_DFL : act->sa_handler;
		if (signal(sig, handler) == SIG_ERR)
			return -1;
		dispositions[sig] = *act;
	}
	return 0;
}

/* wasi-libc's sigset_t is an 8-bit placeholder: signal n maps to bit
 * (n-1) mod 8, so sigismember may over-report. Masks have no effect anyway. */
int sigemptyset(sigset_t *set) { *set = 0; return 0; }
int sigfillset(sigset_t *set) { *set = (sigset_t)~0; return 0; }
static int sig_bit(int sig, sigset_t *bit) {
	if (sig <= 0 || sig >= PORT_NSIG) {
		errno = EINVAL;
		return -1;
	}
	*bit = (sigset_t)(1u << ((sig - 1) & 7));
	return 0;
}
int sigaddset(sigset_t *set, int sig) {
	sigset_t bit;
	if (sig_bit(sig, &bit))
		return -1;
	*set |= bit;
	return 0;
}
int sigdelset(sigset_t *set, int sig) {
	sigset_t bit;
	if (sig_bit(sig, &bit))
		return -1;
	*set &= (sigset_t)~bit;
	return 0;
}
int sigismember(const sigset_t *set, int sig) {
	sigset_t bit;
	if (sig_bit(sig, &bit))
		return -1;
	return (*set & bit) != 0;
}
/* Nothing is ever delivered asynchronously, so any mask holds; the old mask
 * reads as empty. */
int sigprocmask(int how, const sigset_t *set, sigset_t *old) {
	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) {
		errno = EINVAL;
		return -1;
	}
	if (old)
		*old = 0;
	return 0;
}
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old) {
	return sigprocmask(how, set, old) ? errno : 0;
}

/* The main thread's stack, as laid out by wasm-ld. */
extern unsigned char __stack_low[], __stack_high[];

int getrlimit(int resource, struct rlimit *limit) {
	switch (resource) {
	case RLIMIT_STACK:
		limit->rlim_cur = limit->rlim_max = (rlim_t)(__stack_high - __stack_low);
		return 0;
	case RLIMIT_CORE: /* no core dumps exist */
		limit->rlim_cur = limit->rlim_max = 0;
		return 0;
	default:
		limit->rlim_cur = limit->rlim_max = RLIM_INFINITY;
		return 0;
	}
}
int setrlimit(int resource, const struct rlimit *limit) {
	if (limit->rlim_cur > limit->rlim_max) {
		errno = EINVAL;
		return -1;
	}
	if (resource == RLIMIT_CORE && limit->rlim_max == 0)
		return 0;
	errno = EPERM;
	return -1;
}

/* wasi-libc's emulated getrusage fills the two time fields it knows. */
#undef getrusage
struct libc_rusage { struct timeval ru_utime, ru_stime; };
int getrusage(int who, struct libc_rusage *usage);

int rustc_wasi_getrusage(int who, struct rusage *usage) {
	struct libc_rusage base;
	if (getrusage(who, &base))
		return -1;
	memset(usage, 0, sizeof *usage);
	usage->ru_utime = base.ru_utime;
	usage->ru_stime = base.ru_stime;
	/* Linear memory never shrinks: its size is the peak, in KiB. */
	if (who == RUSAGE_SELF)
		usage->ru_maxrss = (long)(__builtin_wasm_memory_size(0) * 64);
	return 0;
}
