// The playground's file packs: many files in one download (the sysroot, the crate bundle).
//
// Layout: the 8 bytes "WPMPACK1", a little-endian u32 n, n bytes of JSON
// `[{"path": "lib/rustlib/...", "size": 123}, ...]`, then the files' bytes in that order.
// dist-scripts/playground.py writes them.

const MAGIC = "WPMPACK1";

/** The files of a pack, as views into `buffer` (an ArrayBuffer). */
export function unpack(buffer) {
  const bytes = new Uint8Array(buffer);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MAGIC) throw new Error(`not a playground pack (starts with ${JSON.stringify(magic)})`);
  const n = new DataView(buffer).getUint32(8, true);
  const index = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n)));
  let at = 12 + n;
  const files = [];
  for (const { path, size } of index) {
    if (at + size > bytes.byteLength) throw new Error(`pack truncated at ${path}`);
    files.push({ path, bytes: bytes.subarray(at, at + size) });
    at += size;
  }
  return files;
}
