/* rustc-wasi LLVM port: <dlfcn.h> for WASI, which has no dynamic loading.
 * Declarations only, so that headers naming them compile; LLVM is configured
 * without HAVE_DLOPEN and plugins, and libwasi-llvm-port's dlopen fails. */
#ifndef RUSTC_WASI_DLFCN_H
#define RUSTC_WASI_DLFCN_H
#ifdef __cplusplus
extern "C" {
#endif
#define RTLD_LAZY 1
#define RTLD_NOW 2
#define RTLD_GLOBAL 256
#define RTLD_LOCAL 0
void *dlopen(const char *file, int mode);
void *dlsym(void *handle, const char *name);
int dlclose(void *handle);
char *dlerror(void);
#ifdef __cplusplus
}
#endif
#endif
