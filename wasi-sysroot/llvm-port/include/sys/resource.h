/* rustc-wasi LLVM port: <sys/resource.h> for WASI. Replaces wasi-libc's
 * (which has getrusage only, behind _WASI_EMULATED_PROCESS_CLOCKS): struct
 * rusage keeps wasi-libc's two leading fields, which is all its emulated
 * getrusage writes, and adds ru_maxrss; calls go to our wrapper, which
 * zeroes the rest (llvm-port/src/process.c). getrlimit reports the real
 * main-thread stack. */
#ifndef RUSTC_WASI_SYS_RESOURCE_H
#define RUSTC_WASI_SYS_RESOURCE_H
#define __wasilibc___struct_rusage_h
#include <sys/time.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef unsigned long long rlim_t;
struct rlimit { rlim_t rlim_cur, rlim_max; };
struct rusage {
	struct timeval ru_utime, ru_stime;
	long ru_maxrss;
};
#define RLIM_INFINITY (~0ULL)
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NOFILE 7
#define RLIMIT_AS 9
#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define getrusage rustc_wasi_getrusage
int getrusage(int who, struct rusage *usage);
int getrlimit(int resource, struct rlimit *limit);
int setrlimit(int resource, const struct rlimit *limit);
#ifdef __cplusplus
}
#endif
#endif
