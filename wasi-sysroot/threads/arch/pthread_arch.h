/* Thread pointer for musl on wasi-threads (rustc-wasi layer).
 * Every thread (one wasm instance per thread) keeps a pointer to its own
 * `struct pthread` in a thread-local variable; musl's `__pthread_self()`
 * reads it through `__get_tp()`. */
extern _Thread_local struct __pthread *__wasilibc_self;

static inline uintptr_t __get_tp(void)
{
	return (uintptr_t)__wasilibc_self;
}

#define tls_mod_off_t unsigned long long
