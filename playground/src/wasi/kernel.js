// The kernel worker: the one WASI implementation shared by every thread of a process.
//
// It owns the file system (read-only mounts that live as long as the page, such as the
// sysroot, plus a fresh writable root per process) and the fd table, and performs the calls
// that threads send through the channel on the process's shared memory. The WASI functions
// themselves are @bjorn3/browser_wasi_shim's, unmodified; this worker only gives them the
// shared memory and serialises the threads' calls.

import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI } from "@bjorn3/browser_wasi_shim";
import { EXITED, EXIT_CODE, nextRequest, reply, views } from "./channel.js";
import { unpack } from "../pack.js";
import { installGrowableWrites } from "./growable_file.js";

const ERRNO_NOSYS = 52;

installGrowableWrites();

/** Read-only directories shared by every process: mount path -> its entries. */
const mounts = new Map();
/** Entries of packs mounted at "/", added to every process's writable root. */
const overlay = new Map();

/** The Map (name -> Inode) at `parts` under `root`, creating directories on the way. */
function directoryAt(root, parts) {
  let contents = root;
  let parent = null;
  for (const part of parts) {
    let next = contents.get(part);
    if (!next) {
      next = new Directory(new Map());
      next.parent = parent; // the shim sets parents only for entries given to the constructor
      contents.set(part, next);
    }
    parent = next;
    contents = next.contents;
  }
  return contents;
}

/** A directory tree of read-only files from a pack (see pack.js). */
function treeOf(buffer) {
  const root = new Map();
  for (const { path, bytes } of unpack(buffer)) {
    const parts = path.split("/");
    const file = new File(new Uint8Array(0), { readonly: true });
    file.data = bytes; // a view into the pack, not a copy
    directoryAt(root, parts.slice(0, -1)).set(parts[parts.length - 1], file);
  }
  return root;
}

/** The writable root of a process: `files` maps paths to contents (strings or bytes), over
 * the entries of the packs mounted at "/" (shared, not copied). */
function workTree(files) {
  const root = new Map();
  for (const [path, content] of Object.entries(files)) {
    const parts = path.split("/");
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    directoryAt(root, parts.slice(0, -1)).set(parts[parts.length - 1], new File(bytes));
  }
  for (const [name, entry] of overlay) if (!root.has(name)) root.set(name, entry);
  return root;
}

/** Reads `path` (relative to the work root) out of a process's tree, or null. */
function collect(root, path) {
  let entry = root;
  for (const part of path.split("/")) {
    const contents = entry instanceof Directory ? entry.contents : entry;
    entry = contents.get(part);
    if (!entry) return null;
  }
  return entry instanceof File ? entry.data.slice() : null;
}

function output(type) {
  // A copy is transferred: the shim reports the length of `bytes` as written after this returns.
  return new ConsoleStdout((bytes) => {
    const copy = bytes.slice();
    self.postMessage({ type, bytes: copy }, [copy.buffer]);
  });
}

/** Serves one process until it exits or the page kills it. */
function serve({ memory, channel, args, env, files, collect: wanted }) {
  const chan = views(channel);
  const root = workTree(files);
  const fds = [
    new OpenFile(new File(new Uint8Array(0), { readonly: true })),
    output("stdout"),
    output("stderr"),
    new PreopenDirectory("/", root),
  ];
  for (const [path, tree] of mounts) fds.push(new PreopenDirectory(path, tree));
  const wasi = new WASI(args, env, fds, { debug: false });
  wasi.inst = { exports: { memory } };
  const calls = wasi.wasiImport;
  // The shim falls back to Math.random for shared memory; getRandomValues into a copy instead.
  calls.random_get = (ptr, len) => {
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(len, i + 65536)));
    new Uint8Array(memory.buffer).set(bytes, ptr);
    return 0;
  };
  self.postMessage({ type: "serving" });
  let count = 0;
  let code = null;
  for (;;) {
    const request = nextRequest(chan);
    if (request === null) break; // killed by the page
    count++;
    const { name, argv } = request;
    if (name === "proc_exit") {
      code = argv[0];
      chan.ctl[EXIT_CODE] = code;
      Atomics.store(chan.ctl, EXITED, 1);
      reply(chan, 0);
      break;
    }
    const f = calls[name];
    let result = ERRNO_NOSYS;
    if (f) {
      try {
        result = f(...argv);
      } catch (e) {
        self.postMessage({ type: "kernel-error", message: `${name}: ${e && e.stack ? e.stack : e}` });
      }
    }
    reply(chan, result);
  }
  const outputs = {};
  for (const path of wanted || []) {
    const bytes = collect(root, path);
    if (bytes) outputs[path] = bytes;
  }
  self.postMessage({ type: "exit", code, calls: count, outputs }, Object.values(outputs).map((b) => b.buffer));
}

self.onmessage = ({ data }) => {
  if (data.type === "mount") {
    const tree = treeOf(data.buffer);
    if (data.path === "/") for (const [name, entry] of tree) overlay.set(name, entry);
    else mounts.set(data.path, tree);
    self.postMessage({ type: "mounted", path: data.path });
  } else if (data.type === "spawn") {
    serve(data);
  }
};
