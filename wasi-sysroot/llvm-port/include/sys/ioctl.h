/* rustc-wasi LLVM port: wasi-libc's <sys/ioctl.h> plus the terminal-size
 * request LLVM names. wasi-libc's ioctl rejects it (EINVAL), so callers fall
 * back to $COLUMNS. */
#ifndef RUSTC_WASI_SYS_IOCTL_H
#define RUSTC_WASI_SYS_IOCTL_H
#include_next <sys/ioctl.h>
struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; };
#define TIOCGWINSZ 0x5413
#endif
