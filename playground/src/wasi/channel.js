// The system-call channel between the threads of one WASI process and its kernel worker.
//
// Every thread of rustc.wasm runs in a Web Worker of its own, but a WASI process has one file
// descriptor table and one file system. So no thread implements WASI itself: each call is
// written into a SharedArrayBuffer, the kernel worker (which owns the fd table and the
// in-memory file system, and sees the same shared wasm memory) performs it, writes the errno
// back, and wakes the caller. Calls are serialised by a lock word; the caller sleeps in
// `Atomics.wait`, the kernel in its own blocking loop, so a call costs two wake-ups.
//
// The same buffer holds the thread pool's slots (see `spawnThread`).

/** Index of each field in the channel's Int32Array view. */
export const LOCK = 0; // 0 free, 1 held by a caller
export const STATE = 1; // IDLE, REQUEST or REPLY
export const FUNC = 2; // index into CALLS
export const NARGS = 3;
export const RESULT = 4; // the call's return value (a WASI errno)
export const BIGINTS = 5; // bit i set: argument i was an i64 (a BigInt in JS)
export const EXITED = 6; // 1 once the process has exited
export const EXIT_CODE = 7;
export const NEXT_TID = 8; // next thread id handed out by thread-spawn
export const KILL = 9; // set by the page to stop the kernel's loop
export const POOL_SIZE = 10;
const SLOTS = 16; // first pool slot, in Int32 units
const SLOT_WORDS = 4; // per slot: state, tid, start argument, unused
const ARGS_BYTE_OFFSET = 512; // BigInt64 arguments
const MAX_ARGS = 12;
const MAX_POOL = (ARGS_BYTE_OFFSET / 4 - SLOTS) / SLOT_WORDS;

export const IDLE = 0;
export const REQUEST = 1;
export const REPLY = 2;

/** Slot states of the thread pool. */
export const SLOT_FREE = 0;
export const SLOT_CLAIMED = 1;
export const SLOT_READY = 2;

/** The WASI preview1 functions that go through the kernel, by index. */
export const CALLS = [
  "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get",
  "clock_time_get", "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get",
  "fd_fdstat_set_flags", "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size",
  "fd_filestat_set_times", "fd_pread", "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite",
  "fd_read", "fd_readdir", "fd_renumber", "fd_seek", "fd_sync", "fd_tell", "fd_write",
  "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link",
  "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
  "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "random_get", "sock_accept",
  "sock_recv", "sock_send", "sock_shutdown",
];

/** WASI errno values used outside the kernel. */
export const ERRNO_AGAIN = 6;
export const ERRNO_NOTSUP = 58;

/** Thrown in a thread to unwind its wasm stack once the process has exited. */
export class ProcessExit extends Error {
  constructor(code) {
    super(`process exited with code ${code}`);
    this.code = code;
  }
}

/** A new channel for a process whose thread pool has `poolSize` workers. */
export function createChannel(poolSize) {
  if (poolSize > MAX_POOL) throw new Error(`at most ${MAX_POOL} pooled threads`);
  const sab = new SharedArrayBuffer(ARGS_BYTE_OFFSET + MAX_ARGS * 8);
  const ctl = new Int32Array(sab);
  ctl[NEXT_TID] = 1;
  ctl[POOL_SIZE] = poolSize;
  return sab;
}

/** Views of a channel buffer: `ctl` (Int32) and `args` (BigInt64). */
export function views(sab) {
  return { ctl: new Int32Array(sab), args: new BigInt64Array(sab, ARGS_BYTE_OFFSET, MAX_ARGS) };
}

/** Index of slot `i`'s state word. */
export function slot(i) {
  return SLOTS + i * SLOT_WORDS;
}

/** The caller's side: perform `CALLS[func]` with `argv` in the kernel, blocking until it replies. */
export function call({ ctl, args }, func, argv) {
  while (Atomics.compareExchange(ctl, LOCK, 0, 1) !== 0) Atomics.wait(ctl, LOCK, 1);
  let mask = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (typeof a === "bigint") mask |= 1 << i;
    args[i] = BigInt(a);
  }
  ctl[FUNC] = func;
  ctl[NARGS] = argv.length;
  ctl[BIGINTS] = mask;
  Atomics.store(ctl, STATE, REQUEST);
  Atomics.notify(ctl, STATE);
  while (Atomics.load(ctl, STATE) === REQUEST) Atomics.wait(ctl, STATE, REQUEST);
  const result = ctl[RESULT];
  const exited = Atomics.load(ctl, EXITED) === 1;
  Atomics.store(ctl, STATE, IDLE);
  Atomics.store(ctl, LOCK, 0);
  Atomics.notify(ctl, LOCK, 1);
  if (exited) throw new ProcessExit(Atomics.load(ctl, EXIT_CODE));
  return result;
}

/** The kernel's side: wait for the next request; returns the function name and its arguments
 * (i64 ones as BigInt, as the wasm JS API passes them), or null when the page asked to stop. */
export function nextRequest({ ctl, args }) {
  while (Atomics.load(ctl, STATE) !== REQUEST) {
    if (Atomics.load(ctl, KILL) === 1) return null;
    Atomics.wait(ctl, STATE, IDLE, 1000);
  }
  const n = ctl[NARGS];
  const mask = ctl[BIGINTS];
  const argv = [];
  for (let i = 0; i < n; i++) argv.push(mask & (1 << i) ? args[i] : Number(args[i]));
  return { name: CALLS[ctl[FUNC]], argv };
}

/** The kernel's side: answer the pending request. */
export function reply({ ctl }, result) {
  ctl[RESULT] = result;
  Atomics.store(ctl, STATE, REPLY);
  Atomics.notify(ctl, STATE);
}

/** `wasi::thread-spawn`: hand `startArg` to a free pooled worker; returns the new thread id,
 * or a negative errno when every worker is busy (wasi-libc's `pthread_create` then fails). */
export function spawnThread({ ctl }, startArg) {
  const size = ctl[POOL_SIZE];
  for (let i = 0; i < size; i++) {
    const s = slot(i);
    if (Atomics.compareExchange(ctl, s, SLOT_FREE, SLOT_CLAIMED) === SLOT_FREE) {
      const tid = Atomics.add(ctl, NEXT_TID, 1);
      ctl[s + 1] = tid;
      ctl[s + 2] = startArg;
      Atomics.store(ctl, s, SLOT_READY);
      Atomics.notify(ctl, s);
      return tid;
    }
  }
  return -ERRNO_AGAIN;
}
