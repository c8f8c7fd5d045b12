// Minimal wasi-threads host for wasi-sysroot/test.sh (Node.js worker_threads).
//
//   node wasi-threads-host.mjs MODULE.wasm
//
// Why: wasmtime-cli 48.0.8 (the project's wasmtime version) no longer runs
// wasi-threads modules ("the `-Sthreads` flag is no longer supported"). This
// host does what the wasi-threads proposal asks: one shared memory imported
// as env.memory, and `wasi.thread-spawn(arg)` instantiating the module again
// in a new worker with the same memory and calling
// `wasi_thread_start(tid, arg)`. Only the WASI preview1 calls our test
// programs import are provided; any other import fails loudly at link time.
import { readFileSync, writeSync } from "node:fs";
import { Worker, isMainThread, workerData } from "node:worker_threads";
import { fileURLToPath } from "node:url";

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_NOSYS = 52;

function wasiImports(memory, onExit) {
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  return {
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      const chunks = [];
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = view().getUint32(iovs + i * 8, true);
        const len = view().getUint32(iovs + i * 8 + 4, true);
        chunks.push(bytes().slice(ptr, ptr + len));
        total += len;
      }
      const out = Buffer.concat(chunks.map((c) => Buffer.from(c)));
      // Synchronous so that output order matches the program's.
      writeSync(fd, out);
      view().setUint32(nwrittenPtr, total, true);
      return ERRNO_SUCCESS;
    },
    fd_close: () => ERRNO_SUCCESS,
    fd_seek: () => ERRNO_NOSYS,
    fd_fdstat_get(fd, statPtr) {
      if (fd > 2) return ERRNO_BADF;
      bytes().fill(0, statPtr, statPtr + 24);
      view().setUint8(statPtr, 2); // character device
      return ERRNO_SUCCESS;
    },
    environ_sizes_get(countPtr, sizePtr) {
      view().setUint32(countPtr, 0, true);
      view().setUint32(sizePtr, 0, true);
      return ERRNO_SUCCESS;
    },
    environ_get: () => ERRNO_SUCCESS,
    args_sizes_get(countPtr, sizePtr) {
      view().setUint32(countPtr, 0, true);
      view().setUint32(sizePtr, 0, true);
      return ERRNO_SUCCESS;
    },
    args_get: () => ERRNO_SUCCESS,
    clock_time_get(id, precision, timePtr) {
      const ns = id === 0 ? BigInt(Date.now()) * 1000000n : process.hrtime.bigint();
      view().setBigUint64(timePtr, ns, true);
      return ERRNO_SUCCESS;
    },
    sched_yield: () => ERRNO_SUCCESS,
    proc_exit: (code) => onExit(code),
  };
}

function imports(memory, module, nextTid) {
  const exit = (code) => process.exit(code);
  return {
    env: { memory },
    wasi_snapshot_preview1: wasiImports(memory, exit),
    wasi: {
      "thread-spawn": (arg) => {
        const tid = Atomics.add(nextTid, 0, 1);
        if (tid > 0x1fffffff) return -1;
        new Worker(fileURLToPath(import.meta.url), {
          workerData: { module, memory, nextTid, tid, arg },
        });
        return tid;
      },
    },
  };
}

if (isMainThread) {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: node wasi-threads-host.mjs MODULE.wasm");
    process.exit(2);
  }
  const module = new WebAssembly.Module(readFileSync(path));
  const memImport = WebAssembly.Module.imports(module).find((i) => i.kind === "memory");
  if (!memImport) throw new Error("module does not import a memory");
  // Limits: the module's own (the test links --max-memory=1 GiB at most).
  const memory = new WebAssembly.Memory({ initial: 17, maximum: 16384, shared: true });
  const nextTid = new Int32Array(new SharedArrayBuffer(4));
  nextTid[0] = 1;
  const instance = new WebAssembly.Instance(module, imports(memory, module, nextTid));
  instance.exports._start();
  process.exit(0);
} else {
  const { module, memory, nextTid, tid, arg } = workerData;
  const instance = new WebAssembly.Instance(module, imports(memory, module, nextTid));
  instance.exports.wasi_thread_start(tid, arg);
}
