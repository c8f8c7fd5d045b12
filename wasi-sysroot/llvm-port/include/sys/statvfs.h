/* rustc-wasi LLVM port: <sys/statvfs.h> for WASI, which cannot query file
 * systems: statvfs/fstatvfs fail with ENOSYS. f_flags/MNT_LOCAL are the
 * BSD-style names LLVM's Unix/Path.inc reads on unknown platforms. */
#ifndef RUSTC_WASI_SYS_STATVFS_H
#define RUSTC_WASI_SYS_STATVFS_H
#ifdef __cplusplus
extern "C" {
#endif
typedef unsigned long long fsblkcnt_t, fsfilcnt_t;
struct statvfs {
	unsigned long f_bsize, f_frsize;
	fsblkcnt_t f_blocks, f_bfree, f_bavail;
	fsfilcnt_t f_files, f_ffree, f_favail;
	unsigned long f_fsid, f_flags, f_namemax;
};
#define MNT_LOCAL 0x1000
int statvfs(const char *path, struct statvfs *buf);
int fstatvfs(int fd, struct statvfs *buf);
#ifdef __cplusplus
}
#endif
#endif
