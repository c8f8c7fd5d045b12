/* Linux-syscall shim for musl's thread code on wasi-threads (rustc-wasi).
 * WASI has no syscalls; musl's portable thread sources only need a futex
 * and sched_yield, which `__wasilibc_thread_syscall` (futex_wasi.c) maps
 * onto `memory.atomic.wait32` / `memory.atomic.notify` and WASI's
 * `sched_yield`.  Any other number (robust lists) answers -ENOSYS. */
#ifdef _REENTRANT

#define SYS_futex 240
#define SYS_sched_yield 158
#define SYS_set_robust_list 311
#define SYS_get_robust_list 312

hidden long __wasilibc_thread_syscall(long, long, long, long, long, long, long);

static inline long __syscall0(long n)
{
	return __wasilibc_thread_syscall(n, 0, 0, 0, 0, 0, 0);
}
static inline long __syscall1(long n, long a)
{
	return __wasilibc_thread_syscall(n, a, 0, 0, 0, 0, 0);
}
static inline long __syscall2(long n, long a, long b)
{
	return __wasilibc_thread_syscall(n, a, b, 0, 0, 0, 0);
}
static inline long __syscall3(long n, long a, long b, long c)
{
	return __wasilibc_thread_syscall(n, a, b, c, 0, 0, 0);
}
static inline long __syscall4(long n, long a, long b, long c, long d)
{
	return __wasilibc_thread_syscall(n, a, b, c, d, 0, 0);
}
static inline long __syscall5(long n, long a, long b, long c, long d, long e)
{
	return __wasilibc_thread_syscall(n, a, b, c, d, e, 0);
}
static inline long __syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	return __wasilibc_thread_syscall(n, a, b, c, d, e, f);
}

#endif
