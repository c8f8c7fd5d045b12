// Amortised writes for browser_wasi_shim's in-memory files.
//
// The shim's OpenFile reallocates a file to the exact new size on every write past its end,
// so writing an object file of n bytes in small pieces costs O(n^2) copying. Files created by
// the guest (`path_open` with O_CREAT) are the shim's own File objects, so the writes are
// replaced on OpenFile's prototype: a file's `data` stays a view of its exact contents over a
// buffer (`spare`) that grows by doubling.

import { OpenFile, wasi } from "@bjorn3/browser_wasi_shim";

/** Makes room for `end` bytes in `file`, keeping its contents. */
function reserve(file, end) {
  let spare = file.spare;
  // No buffer yet, or the shim replaced `data` (truncation): start from the current data.
  if (!spare || spare.buffer !== file.data.buffer) spare = file.data;
  if (end > spare.byteLength) {
    const grown = new Uint8Array(Math.max(end, 2 * spare.byteLength, 4096));
    grown.set(file.data);
    spare = grown;
  }
  file.spare = spare;
  if (end > file.data.byteLength) file.data = spare.subarray(0, end);
}

/** Replaces OpenFile's `fd_write` and `fd_pwrite` (once per worker). */
export function installGrowableWrites() {
  OpenFile.prototype.fd_pwrite = function (data, offset) {
    if (this.file.readonly) return { ret: wasi.ERRNO_BADF, nwritten: 0 };
    const at = Number(offset);
    reserve(this.file, at + data.byteLength);
    this.file.data.set(data, at);
    return { ret: wasi.ERRNO_SUCCESS, nwritten: data.byteLength };
  };
  OpenFile.prototype.fd_write = function (data) {
    const r = this.fd_pwrite(data, this.file_pos);
    if (r.ret === wasi.ERRNO_SUCCESS) this.file_pos += BigInt(r.nwritten);
    return r;
  };
}
