/*
 * Two symbols LLVM and LLD need that this sysroot lacks.
 *
 * __cxa_thread_atexit: destructors of C++ thread_local objects. libc++abi only builds its
 * version for platforms CMake calls UNIX, which WASI is not; this one keeps a per-thread list
 * in a pthread key whose destructor runs it, newest first, when the thread exits. (Like
 * other libcs' fallbacks, the main thread's list is not run at exit.)
 *
 * __wasilibc_dttoif(int) with C++ linkage: bookworm's wasi-libc declares it in
 * <__header_dirent.h> outside any extern "C", so C++ code using DTTOIF (LLVM's Path.cpp)
 * asks for the mangled name. It forwards to libc's C function.
 */
#include <pthread.h>
#include <stdlib.h>

struct dtor {
	void (*fn)(void *);
	void *obj;
	struct dtor *next;
};

static pthread_key_t dtor_key;
static pthread_once_t dtor_once = PTHREAD_ONCE_INIT;

static void run_dtors(void *list)
{
	struct dtor *d = list;
	while (d) {
		struct dtor *next = d->next;
		d->fn(d->obj);
		free(d);
		d = next;
	}
}

static void make_dtor_key(void)
{
	pthread_key_create(&dtor_key, run_dtors);
}

int __cxa_thread_atexit(void (*fn)(void *), void *obj, void *dso_handle);

int __cxa_thread_atexit(void (*fn)(void *), void *obj, void *dso_handle)
{
	(void)dso_handle;
	pthread_once(&dtor_once, make_dtor_key);
	struct dtor *d = malloc(sizeof *d);
	if (!d)
		return -1;
	d->fn = fn;
	d->obj = obj;
	d->next = pthread_getspecific(dtor_key);
	pthread_setspecific(dtor_key, d);
	return 0;
}

int __wasilibc_dttoif(int type);
int dttoif_cxx(int type) __asm__("_Z17__wasilibc_dttoifi");

int dttoif_cxx(int type)
{
	return __wasilibc_dttoif(type);
}
