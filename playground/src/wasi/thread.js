// A Web Worker that runs threads of one WASI process: its main thread (`_start`), or, as a
// pooled worker, each thread that `wasi::thread-spawn` hands it (`wasi_thread_start`).
//
// WASI calls go to the kernel worker through the channel; `thread-spawn`, `sched_yield` and
// sleeping in `poll_oneoff` are done here, since they need no file system.

import {
  CALLS, ERRNO_NOTSUP, EXITED, ProcessExit, SLOT_FREE, SLOT_READY, call, slot, spawnThread, views,
} from "./channel.js";

const EVENTTYPE_CLOCK = 0;
const SUBCLOCKFLAGS_ABSTIME = 1;

/** The imports of one instance: every WASI function forwarded to the kernel. */
function imports(memory, chan) {
  const wasi = {};
  CALLS.forEach((name, index) => {
    wasi[name] = (...argv) => call(chan, index, argv);
  });
  wasi.sched_yield = () => 0;
  const forward = wasi.poll_oneoff;
  wasi.poll_oneoff = (inPtr, outPtr, nsubscriptions, neventsPtr) => {
    // A single clock subscription is a sleep: wait here instead of holding the kernel.
    const view = new DataView(memory.buffer);
    if (nsubscriptions !== 1 || view.getUint8(inPtr + 8) !== EVENTTYPE_CLOCK) {
      return forward(inPtr, outPtr, nsubscriptions, neventsPtr);
    }
    const timeout = view.getBigUint64(inPtr + 24, true);
    const absolute = (view.getUint16(inPtr + 40, true) & SUBCLOCKFLAGS_ABSTIME) !== 0;
    if (absolute) return ERRNO_NOTSUP;
    const ms = Number(timeout / 1000000n);
    if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    view.setBigUint64(outPtr, view.getBigUint64(inPtr, true), true); // userdata
    view.setUint16(outPtr + 8, 0, true); // error
    view.setUint8(outPtr + 10, EVENTTYPE_CLOCK);
    view.setUint32(neventsPtr, 1, true);
    return 0;
  };
  return {
    env: { memory },
    wasi_snapshot_preview1: wasi,
    wasi: { "thread-spawn": (startArg) => spawnThread(chan, startArg) },
  };
}

/** Runs `body`; a trap or exception other than a clean exit ends the whole process, as in
 * wasmtime, by an exit through the kernel; returns a message for the page. */
function guarded(chan, body) {
  try {
    body();
    return null;
  } catch (e) {
    if (e instanceof ProcessExit) return null;
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    try {
      call(chan, CALLS.indexOf("proc_exit"), [134]);
    } catch (_) {
      // The exit unwinds here; nothing more to run.
    }
    return message;
  }
}

self.onmessage = ({ data }) => {
  const { module, memory, channel, role, index } = data;
  const chan = views(channel);
  let instance;
  try {
    instance = new WebAssembly.Instance(module, imports(memory, chan));
  } catch (e) {
    self.postMessage({ type: "trap", role, message: `instantiating: ${e}` });
    return;
  }
  self.postMessage({ type: "ready", role, index });
  if (role === "main") {
    const message = guarded(chan, () => {
      instance.exports._start();
      call(chan, CALLS.indexOf("proc_exit"), [0]);
    });
    if (message) self.postMessage({ type: "trap", role, message });
    return;
  }
  // A pooled worker: run each thread handed to this slot, then wait for the next.
  const { ctl } = chan;
  const s = slot(index);
  for (;;) {
    let state;
    while ((state = Atomics.load(ctl, s)) !== SLOT_READY) Atomics.wait(ctl, s, state);
    const tid = ctl[s + 1];
    const startArg = ctl[s + 2];
    const message = guarded(chan, () => instance.exports.wasi_thread_start(tid, startArg));
    if (message) {
      self.postMessage({ type: "trap", role, message: `thread ${tid}: ${message}` });
      return;
    }
    if (Atomics.load(ctl, EXITED) === 1) return;
    Atomics.store(ctl, s, SLOT_FREE);
  }
};
