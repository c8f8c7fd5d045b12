/* Futex and signal-mask shims for musl's thread code on wasi-threads.
 * Part of the rustc-wasi wasi-threads layer for wasi-libc. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>
#include "futex.h"
#include "syscall.h"

/* Wakes up to `count` waiters on `addr`; returns how many woke. */
static long futex_wake(volatile int *addr, long count)
{
	if (count < 0 || count > INT_MAX) count = INT_MAX;
	return __builtin_wasm_memory_atomic_notify((int *)addr, (unsigned)count);
}

/* Blocks while `*addr == val`, at most the relative time `rel` (null: no
 * limit). Returns 0 when woken, -EAGAIN when `*addr != val` on entry and
 * -ETIMEDOUT when the time ran out, like Linux's FUTEX_WAIT. */
static long futex_wait(volatile int *addr, int val, const struct timespec *rel)
{
	long long timeout = -1;
	if (rel) {
		if (rel->tv_sec < 0 || rel->tv_nsec < 0 || rel->tv_nsec >= 1000000000L)
			return -EINVAL;
		if (rel->tv_sec > (LLONG_MAX - 999999999LL) / 1000000000LL) timeout = -1;
		else timeout = rel->tv_sec * 1000000000LL + rel->tv_nsec;
	}
	switch (__builtin_wasm_memory_atomic_wait32((int *)addr, val, timeout)) {
	case 0: return 0;
	case 1: return -EAGAIN;
	default: return -ETIMEDOUT;
	}
}

hidden long __wasilibc_thread_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	(void)e; (void)f;
	if (n == SYS_sched_yield) return sched_yield() ? -errno : 0;
	if (n != SYS_futex) return -ENOSYS;
	volatile int *addr = (volatile int *)a;
	switch (b & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME)) {
	case FUTEX_WAIT:
		return futex_wait(addr, (int)c, (const struct timespec *)d);
	case FUTEX_WAKE:
		return futex_wake(addr, c);
	case FUTEX_REQUEUE:
		/* musl's condition variable asks to move one waiter from its
		 * node onto the mutex. Waking it instead is allowed (a spurious
		 * wake-up): the waiter then takes the mutex the normal way. */
		return futex_wake(addr, c + d);
	default:
		/* Priority-inheritance and other operations are not provided. */
		return -ENOSYS;
	}
}

/* WASI has no signals: there is no mask to block or restore. */
hidden void __block_all_sigs(void *set)
{
	(void)set;
}

hidden void __block_app_sigs(void *set)
{
	(void)set;
}

hidden void __restore_sigs(void *set)
{
	(void)set;
}
