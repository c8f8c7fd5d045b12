/* rustc-wasi LLVM port: file-system, user-database, dynamic-loading and
 * setjmp calls that WASI preview 1 lacks, for LLVM's Unix support code. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* WASI has no permission bits: changing them checks the file exists and
 * otherwise does nothing; the mask is only remembered. */
int chmod(const char *path, mode_t mode) {
	struct stat st;
	(void)mode;
	return stat(path, &st);
}
int fchmod(int fd, mode_t mode) {
	struct stat st;
	(void)mode;
	return fstat(fd, &st);
}
static _Atomic mode_t current_umask = 022;
mode_t umask(mode_t mask) { return __c11_atomic_exchange(&current_umask, mask & 0777, __ATOMIC_SEQ_CST); }
int chown(const char *path, uid_t uid, gid_t gid) { (void)path; (void)uid; (void)gid; errno = ENOSYS; return -1; }
int fchown(int fd, uid_t uid, gid_t gid) { (void)fd; (void)uid; (void)gid; errno = ENOSYS; return -1; }

int statvfs(const char *path, struct statvfs *buf) { (void)path; (void)buf; errno = ENOSYS; return -1; }
int fstatvfs(int fd, struct statvfs *buf) { (void)fd; (void)buf; errno = ENOSYS; return -1; }

/* realpath, lexically: the path is made absolute against the working
 * directory and "." / ".." / repeated slashes are folded. Symbolic links are
 * not resolved. The result must exist. */
char *realpath(const char *path, char *resolved) {
	char buf[PATH_MAX];
	size_t len = 0;
	struct stat st;
	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	if (path[0] != '/') {
		if (!getcwd(buf, sizeof buf))
			return NULL;
		len = strlen(buf);
		while (len > 0 && buf[len - 1] == '/')
			len--;
	}
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		const char *end = p;
		while (*end && *end != '/')
			end++;
		size_t n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && buf[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else {
			if (len + 1 + n >= sizeof buf) {
				errno = ENAMETOOLONG;
				return NULL;
			}
			buf[len++] = '/';
			memcpy(buf + len, p, n);
			len += n;
		}
		p = end;
	}
	if (len == 0)
		buf[len++] = '/';
	buf[len] = 0;
	if (stat(buf, &st))
		return NULL;
	if (!resolved)
		return strdup(buf);
	memcpy(resolved, buf, len + 1);
	return resolved;
}

/* wasm linear memory is always readable and writable, never executable. */
int mprotect(void *addr, size_t len, int prot) {
	(void)addr; (void)len;
	if (prot == (PROT_READ | PROT_WRITE))
		return 0;
	errno = ENOTSUP;
	return -1;
}

/* Advice may be ignored; the emulated mappings are plain memory. */
int posix_madvise(void *addr, size_t len, int advice) {
	(void)addr; (void)len;
	return advice >= POSIX_MADV_NORMAL && advice <= POSIX_MADV_DONTNEED ? 0 : EINVAL;
}

/* No user database: every lookup finds nobody. */
struct passwd *getpwuid(uid_t uid) { (void)uid; return NULL; }
struct passwd *getpwnam(const char *name) { (void)name; return NULL; }
int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **res) {
	(void)uid; (void)pw; (void)buf; (void)len;
	*res = NULL;
	return 0;
}
int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **res) {
	(void)name; (void)pw; (void)buf; (void)len;
	*res = NULL;
	return 0;
}

/* No dynamic loading. */
static _Thread_local int dl_failed;
void *dlopen(const char *file, int mode) { (void)file; (void)mode; dl_failed = 1; return NULL; }
void *dlsym(void *handle, const char *name) { (void)handle; (void)name; dl_failed = 1; return NULL; }
int dlclose(void *handle) { (void)handle; dl_failed = 1; return -1; }
char *dlerror(void) {
	if (!dl_failed)
		return NULL;
	dl_failed = 0;
	return (char *)"dynamic loading is not supported on WASI";
}

/* setjmp (a macro in our <setjmp.h>) only ever returns 0; nothing can jump
 * back to it. */
_Noreturn void longjmp(jmp_buf env, int val) {
	(void)env; (void)val;
	fputs("longjmp: not supported on WASI (no stack unwinding); aborting\n", stderr);
	abort();
}
