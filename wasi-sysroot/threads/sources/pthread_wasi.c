/* Thread creation, exit and join for wasi-libc on wasi-threads.
 *
 * Part of the rustc-wasi wasi-threads layer (see docs/wasi-sysroot.md).
 * Every wasi thread is a fresh instance of the module sharing one linear
 * memory, so globals such as `__stack_pointer` and `__tls_base` are per
 * thread already; this file gives each thread a stack, a TLS block and a
 * musl `struct pthread`, asks the host for the thread with the
 * `wasi.thread-spawn` import, and runs the start routine from the exported
 * `wasi_thread_start` (wasi_thread_start.s).
 *
 * Memory of a thread (one calloc'd block, freed by whoever sees `done`):
 *   [struct wasi_thread][TLS block][stack ... top]
 * `done` is set by wasi_thread_start.s after the last C frame returned,
 * so freeing the block never pulls a live stack from under its thread. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>
#include "pthread_impl.h"
#include "lock.h"

/* Ask the host for a new thread running `wasi_thread_start(tid, arg)`.
 * Answers the new thread id (1..0x1fffffff) or a negative error. */
int32_t __wasi_thread_spawn(void *start_arg)
	__attribute__((import_module("wasi"), import_name("thread-spawn")));

/* The exported thread entry (wasi_thread_start.s). Referenced here so the
 * archive member, and with it the export, is linked with pthread_create. */
void wasi_thread_start(int tid, void *block);
__attribute__((used)) static void (*const keep_thread_entry)(int, void *) = wasi_thread_start;

/* Synthesised by wasm-ld for shared memories: copies the TLS image to
 * `block` and points this instance's `__tls_base` at it. */
void __wasm_init_tls(void *block);

/* Thread id of the main thread: wasi thread ids stop at 0x1fffffff and
 * musl's mutexes keep ids below bit 30. */
#define MAIN_THREAD_ID 0x3fffffff

struct wasi_thread {
	/* Read by wasi_thread_start.s: keep offsets 0, 4 and 8. */
	void *stack_top;
	void *tls_base;
	volatile int done;
	/* The rest is C only. */
	struct wasi_thread *next_dead;
	void *(*start)(void *);
	void *arg;
	struct pthread td;
	void *tsd[PTHREAD_KEYS_MAX];
};

_Static_assert(offsetof(struct wasi_thread, stack_top) == 0, "asm offset");
_Static_assert(offsetof(struct wasi_thread, tls_base) == 4, "asm offset");
_Static_assert(offsetof(struct wasi_thread, done) == 8, "asm offset");

static struct pthread main_thread = {
	.self = &main_thread,
	.prev = &main_thread,
	.next = &main_thread,
	.tid = MAIN_THREAD_ID,
	.detach_state = DT_JOINABLE,
	.locale = &libc.global_locale,
	.tsd = __pthread_tsd_main,
	.robust_list.head = &main_thread.robust_list.head,
};

/* Each instance starts with the TLS image, so a new thread sees the main
 * thread here until wasi_thread_start's C half sets its own. */
_Thread_local struct pthread *__wasilibc_self = &main_thread;

volatile int __thread_list_lock;
static volatile int thread_list_lock[1];
static volatile int dead_lock[1];
/* Detached threads that ended; freed once their `done` is set. */
static struct wasi_thread *dead_list;

static int load(volatile int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static struct wasi_thread *block_of(pthread_t t)
{
	return (struct wasi_thread *)((char *)t - offsetof(struct wasi_thread, td));
}

void __tl_lock(void)
{
	__lock(thread_list_lock);
}

void __tl_unlock(void)
{
	__unlock(thread_list_lock);
}

void __tl_sync(pthread_t td)
{
	(void)td;
	__tl_lock();
	__tl_unlock();
}

void __do_cleanup_push(struct __ptcb *cb)
{
	struct pthread *self = __pthread_self();
	cb->__next = self->cancelbuf;
	self->cancelbuf = cb;
}

void __do_cleanup_pop(struct __ptcb *cb)
{
	__pthread_self()->cancelbuf = cb->__next;
}

/* Frees the blocks of detached threads that have left wasi_thread_start. */
static void reap_dead(void)
{
	struct wasi_thread **p, *b;
	__lock(dead_lock);
	for (p = &dead_list; (b = *p);) {
		if (load(&b->done)) {
			*p = b->next_dead;
			free(b);
		} else {
			p = &b->next_dead;
		}
	}
	__unlock(dead_lock);
}

int __pthread_create(pthread_t *restrict res, const pthread_attr_t *restrict attrp,
                     void *(*entry)(void *), void *restrict arg)
{
	pthread_attr_t attr = { 0 };
	if (attrp && attrp != __ATTRP_C11_THREAD) attr = *attrp;
	else attr._a_stacksize = __default_stacksize;

	reap_dead();

	size_t tls_size = __builtin_wasm_tls_size();
	size_t tls_align = __builtin_wasm_tls_align();
	size_t stack_size = 0;
	if (!attr._a_stackaddr) {
		stack_size = attr._a_stacksize;
		if (stack_size < PTHREAD_STACK_MIN) stack_size = PTHREAD_STACK_MIN;
	}
	size_t total = sizeof(struct wasi_thread) + tls_align + tls_size + stack_size + 16;
	if (total < stack_size) return EAGAIN;
	struct wasi_thread *b = calloc(1, total);
	if (!b) return EAGAIN;

	uintptr_t tls = ((uintptr_t)(b + 1) + tls_align - 1) & -(uintptr_t)tls_align;
	uintptr_t top = attr._a_stackaddr ? attr._a_stackaddr : (uintptr_t)b + total;
	b->tls_base = (void *)tls;
	b->stack_top = (void *)(top & -(uintptr_t)16);
	b->start = entry;
	b->arg = arg;

	struct pthread *td = &b->td;
	td->self = td;
	td->detach_state = attr._a_detach ? DT_DETACHED : DT_JOINABLE;
	td->locale = &libc.global_locale;
	td->tsd = b->tsd;
	td->stack = b->stack_top;
	td->stack_size = stack_size;
	td->robust_list.head = &td->robust_list.head;

	struct pthread *self = __pthread_self();
	__tl_lock();
	libc.threaded = 1;
	libc.need_locks = 1;
	libc.threads_minus_1++;
	td->next = self->next;
	td->prev = self;
	td->next->prev = td;
	td->prev->next = td;
	__tl_unlock();

	int32_t tid = __wasi_thread_spawn(b);
	if (tid < 0) {
		__tl_lock();
		td->next->prev = td->prev;
		td->prev->next = td->next;
		libc.threads_minus_1--;
		__tl_unlock();
		free(b);
		return EAGAIN;
	}
	*res = td;
	return 0;
}

/* Runs the exit work of the calling thread: cleanup handlers, keys,
 * leaving the thread list, and handing the block to its owner. */
static void finish_thread(struct pthread *self, void *result)
{
	self->result = result;
	while (self->cancelbuf) {
		struct __ptcb *cb = self->cancelbuf;
		self->cancelbuf = cb->__next;
		cb->__f(cb->__x);
	}
	__pthread_tsd_run_dtors();

	__tl_lock();
	self->next->prev = self->prev;
	self->prev->next = self->next;
	self->next = self->prev = self;
	libc.threads_minus_1--;
	__tl_unlock();
	__builtin_wasm_memory_atomic_notify((int *)&libc.threads_minus_1, -1);

	if (a_cas(&self->detach_state, DT_JOINABLE, DT_EXITING) == DT_DETACHED) {
		struct wasi_thread *b = block_of(self);
		__lock(dead_lock);
		b->next_dead = dead_list;
		dead_list = b;
		__unlock(dead_lock);
	}
}

/* The C half of wasi_thread_start, run once stack and TLS are set. */
hidden void __wasilibc_thread_run(int tid, struct wasi_thread *b)
{
	__wasilibc_self = &b->td;
	b->td.tid = tid;
	finish_thread(&b->td, b->start(b->arg));
}

_Noreturn void __pthread_exit(void *result)
{
	struct pthread *self = __pthread_self();
	static volatile int park;
	if (self == &main_thread) {
		/* The process lives on until every other thread has ended. */
		int n;
		self->result = result;
		__pthread_tsd_run_dtors();
		while ((n = load(&libc.threads_minus_1)) > 0)
			__builtin_wasm_memory_atomic_wait32((int *)&libc.threads_minus_1, n, -1);
		exit(0);
	}
	/* Wasm cannot unwind to wasi_thread_start without exceptions, so the
	 * thread ends its C work here, says it is done, and parks forever
	 * (its stack is no longer used: the block may be freed). */
	struct wasi_thread *b = block_of(self);
	finish_thread(self, result);
	a_store(&b->done, 1);
	__builtin_wasm_memory_atomic_notify((int *)&b->done, -1);
	for (;;) __builtin_wasm_memory_atomic_wait32((int *)&park, 0, -1);
}

static int join(pthread_t t, void **res, const struct timespec *at, int try)
{
	if (t == __pthread_self()) return EDEADLK;
	if (t == &main_thread) return ESRCH;
	struct wasi_thread *b = block_of(t);
	if (try && !load(&b->done)) return EBUSY;
	while (!load(&b->done)) {
		int r = __timedwait_cp(&b->done, 0, CLOCK_REALTIME, at, 1);
		if (r == ETIMEDOUT || r == EINVAL) return r;
	}
	if (res) *res = t->result;
	free(b);
	return 0;
}

int __pthread_join(pthread_t t, void **res)
{
	return join(t, res, 0, 0);
}

static int __pthread_tryjoin_np(pthread_t t, void **res)
{
	return join(t, res, 0, 1);
}

static int __pthread_timedjoin_np(pthread_t t, void **res, const struct timespec *at)
{
	return join(t, res, at, 0);
}

weak_alias(__pthread_create, pthread_create);
weak_alias(__pthread_exit, pthread_exit);
weak_alias(__pthread_join, pthread_join);
weak_alias(__pthread_tryjoin_np, pthread_tryjoin_np);
weak_alias(__pthread_timedjoin_np, pthread_timedjoin_np);
