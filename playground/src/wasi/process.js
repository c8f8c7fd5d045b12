// Running a wasm32-wasip1-threads program (rustc.wasm) from the page: one kernel worker that
// lives as long as the page, and per process a fresh shared memory, a main-thread worker and a
// pool of thread workers, all terminated when the process exits.

import { KILL, NEXT_TID, STATE, createChannel } from "./channel.js";

/** Why a page cannot run threaded wasm, or null when it can. */
export function threadsUnavailable() {
  if (typeof SharedArrayBuffer === "undefined" || !self.crossOriginIsolated) {
    return "This page is not cross-origin isolated, so the browser withholds SharedArrayBuffer, " +
      "which WebAssembly threads need. The server must send `Cross-Origin-Opener-Policy: same-origin` " +
      "and `Cross-Origin-Embedder-Policy: require-corp` (or `credentialless`) with the page.";
  }
  return null;
}

/** The kernel worker and its read-only mounts. */
export class Kernel {
  constructor(url = "kernel.js") {
    this.worker = new Worker(url, { type: "module" });
    this.listener = null;
    this.worker.onmessage = ({ data }) => this.listener && this.listener(data);
    this.worker.onerror = (e) => this.listener && this.listener({ type: "kernel-error", message: e.message });
  }

  /** Mounts a pack (an ArrayBuffer, transferred) at `path` in every later process. */
  mount(path, buffer) {
    return new Promise((resolve) => {
      this.listener = (m) => m.type === "mounted" && m.path === path && resolve();
      this.worker.postMessage({ type: "mount", path, buffer }, [buffer]);
    });
  }
}

/**
 * Runs `module` (a compiled WebAssembly.Module) as a process. `files` are the writable root's
 * contents, `collect` the paths to read back after exit; `onOutput(stream, bytes)` receives
 * stdout and stderr as they are written. Resolves to `{ code, outputs, trap, calls, threads,
 * ms }` (`calls`: WASI calls served, `threads`: threads spawned);
 * `code` is null when the process was killed: after `timeoutMs`, or when `signal` (an
 * AbortSignal) aborts.
 */
export function runProcess(kernel, module, {
  args, env = [], files = {}, collect = [], onOutput = () => {}, poolSize = 12,
  initialPages = 1024, maximumPages = 65536, timeoutMs = 600000, threadUrl = "thread.js", signal = null,
}) {
  const started = performance.now();
  const memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
  const channel = createChannel(poolSize);
  const ctl = new Int32Array(channel);
  const workers = [];
  let trap = null;
  return new Promise((resolve) => {
    let timer = null;
    const finish = (message) => {
      clearTimeout(timer);
      for (const w of workers) w.terminate();
      resolve({
        code: message.code, outputs: message.outputs || {}, trap, calls: message.calls,
        threads: Atomics.load(ctl, NEXT_TID) - 1, ms: performance.now() - started,
      });
    };
    kernel.listener = (m) => {
      if (m.type === "stdout" || m.type === "stderr") onOutput(m.type, m.bytes);
      else if (m.type === "kernel-error") onOutput("stderr", new TextEncoder().encode(`[kernel] ${m.message}\n`));
      else if (m.type === "exit") finish(m);
      else if (m.type === "serving") {
        const start = (role, index) => {
          const w = new Worker(threadUrl, { type: "module" });
          w.onmessage = ({ data }) => {
            if (data.type === "trap" && !trap) trap = data.message;
            // The pool is instantiated once the main thread's instance is: the first instance
            // of a shared memory initialises it (wasm-ld's `__wasm_init_memory`, run once), and
            // only that instance's `__tls_base` points at the main thread's TLS block.
            if (data.type === "ready" && role === "main") {
              for (let i = 0; i < poolSize; i++) start("pool", i);
            }
          };
          w.onerror = (e) => {
            if (!trap) trap = e.message;
          };
          w.postMessage({ module, memory, channel, role, index });
          workers.push(w);
        };
        start("main", -1);
      }
    };
    const kill = (why) => {
      trap = trap || why;
      Atomics.store(ctl, KILL, 1);
      Atomics.notify(ctl, STATE);
    };
    timer = setTimeout(() => kill(`killed after ${timeoutMs / 1000} s`), timeoutMs);
    if (signal) signal.addEventListener("abort", () => kill("stopped"), { once: true });
    kernel.worker.postMessage({ type: "spawn", memory, channel, args, env, files, collect });
  });
}
