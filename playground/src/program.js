// A Web Worker that runs a compiled wasm32-wasip1 program: browser_wasi_shim's WASI with an
// empty stdin and stdout/stderr sent to the page as they are written. No threads, no files.

import { ConsoleStdout, File, OpenFile, WASI, WASIProcExit } from "@bjorn3/browser_wasi_shim";

function output(type) {
  // A copy is transferred: the shim reports the length of `bytes` as written after this returns.
  return new ConsoleStdout((bytes) => {
    const copy = bytes.slice();
    self.postMessage({ type, bytes: copy }, [copy.buffer]);
  });
}

self.onmessage = async ({ data: { wasm, args } }) => {
  const started = performance.now();
  const fds = [new OpenFile(new File(new Uint8Array(0), { readonly: true })), output("stdout"), output("stderr")];
  const wasi = new WASI(args, [], fds, { debug: false });
  let code = 0;
  let trap = null;
  try {
    const { instance } = await WebAssembly.instantiate(wasm, { wasi_snapshot_preview1: wasi.wasiImport });
    code = wasi.start(instance);
  } catch (e) {
    if (e instanceof WASIProcExit) code = e.code;
    else {
      trap = `${e}`;
      code = 134;
    }
  }
  self.postMessage({ type: "exit", code, trap, ms: performance.now() - started });
};
