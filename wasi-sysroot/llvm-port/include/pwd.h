/* rustc-wasi LLVM port: <pwd.h> for WASI, which has no user database: the
 * lookups find nobody (NULL / ENOENT) and callers fall back to $HOME. */
#ifndef RUSTC_WASI_PWD_H
#define RUSTC_WASI_PWD_H
#include <stddef.h>
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif
struct passwd {
	char *pw_name, *pw_passwd;
	uid_t pw_uid;
	gid_t pw_gid;
	char *pw_gecos, *pw_dir, *pw_shell;
};
struct passwd *getpwuid(uid_t uid);
struct passwd *getpwnam(const char *name);
int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **res);
int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **res);
#ifdef __cplusplus
}
#endif
#endif
