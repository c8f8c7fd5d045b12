// The playground page: loads rustc.wasm and its sysroot, compiles the editor's program in
// Web Workers (rustc on wasi-threads, its proc macros nested in rustc's own wasmtime) and runs
// the result in another worker.

import { basicSetup, EditorView } from "codemirror";
import { keymap } from "@codemirror/view";
import { rust } from "@codemirror/lang-rust";
import { oneDark } from "@codemirror/theme-one-dark";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { clearCache, fetchInflated } from "./loader.js";
import { EXAMPLES } from "./examples.js";
import { ansiToHtml, escapeHtml } from "./ansi.js";
import { decodeShare, encodeShare } from "./share.js";
import { Kernel, runProcess, threadsUnavailable } from "./wasi/process.js";

const $ = (id) => document.getElementById(id);

/** What the page measured; the browser test reads it. */
const stats = { ready: false };
const playground = { stats, run: null, error: null };
self.playground = playground;

let manifest;
let kernel;
let rustcModule;
let editor;

function setStatus(text, kind = "") {
  const s = $("status");
  s.textContent = text;
  s.className = `status ${kind}`;
}

function formatBytes(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`;
}

/** A progress row in the loading panel; returns its update function. */
function progressRow(label) {
  const row = document.createElement("div");
  row.className = "progress-row";
  row.innerHTML = `<span class="label"></span><progress max="1" value="0"></progress><span class="figure"></span>`;
  row.querySelector(".label").textContent = label;
  $("progress").append(row);
  return (done, total, note) => {
    row.querySelector("progress").value = total ? done / total : 0;
    row.querySelector(".figure").textContent =
      note || `${formatBytes(done)} / ${formatBytes(total)} (${Math.round((100 * done) / total)}%)`;
  };
}

async function load() {
  const why = threadsUnavailable();
  if (why) {
    $("loading").hidden = true;
    $("blocked").hidden = false;
    $("blocked-reason").textContent = why;
    $("run").disabled = true;
    setStatus("cannot run here: no SharedArrayBuffer", "error");
    playground.error = why;
    return;
  }
  const t0 = performance.now();
  manifest = await (await fetch("manifest.json", { cache: "no-cache" })).json();
  setupCrates();
  kernel = new Kernel();
  const files = manifest.files;
  const rows = {
    rustc: progressRow("rustc.wasm"),
    sysroot: progressRow(`std for ${manifest.target}`),
    crates: progressRow("crates and their macros"),
  };
  let cached = true;
  const download = async (name) => {
    const r = await fetchInflated(files[name], rows[name]);
    cached = cached && r.cached;
    return r.response;
  };
  const compileRustc = download("rustc").then(async (response) => {
    rows.rustc(1, 1, "compiling…");
    const t = performance.now();
    rustcModule = await WebAssembly.compileStreaming(response);
    stats.compileRustcMs = Math.round(performance.now() - t);
    rows.rustc(1, 1, `ready (compiled in ${(stats.compileRustcMs / 1000).toFixed(1)} s)`);
  });
  const mount = (name, path) => download(name).then(async (response) => {
    await kernel.mount(path, await response.arrayBuffer());
    rows[name](1, 1, `ready (${formatBytes(files[name].inflated)})`);
  });
  await Promise.all([compileRustc, mount("sysroot", "/sysroot"), mount("crates", "/")]);
  const shared = await decodeShare(location.hash);
  if (shared) {
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: shared.code } });
    selectCrates(shared.crates);
  }
  stats.readyMs = Math.round(performance.now() - t0);
  stats.cached = cached;
  stats.ready = true;
  $("loading").hidden = true;
  $("run").disabled = false;
  setStatus(`ready in ${(stats.readyMs / 1000).toFixed(1)} s${cached ? " (from cache)" : ""}`, "ok");
}

function setupCrates() {
  const box = $("crates");
  box.innerHTML = "";
  for (const c of manifest.crates.picker) {
    const label = document.createElement("label");
    label.title = c.macros.length ? `with ${c.macros.join(", ")} as wasm proc macros` : "";
    label.innerHTML = `<input type="checkbox" value=""> <span></span>`;
    label.querySelector("input").value = c.name;
    label.querySelector("span").textContent = `${c.name} ${c.version}`;
    box.append(label);
  }
}

function selectedCrates() {
  return [...$("crates").querySelectorAll("input:checked")].map((i) => i.value);
}

function selectCrates(names) {
  for (const input of $("crates").querySelectorAll("input")) input.checked = names.includes(input.value);
}

/** rustc's arguments for the editor's program. */
function rustcArgs() {
  const args = [
    "rustc", "--sysroot", "/sysroot", "--edition", "2021", "--target", manifest.target,
    "--error-format=json", "--json=diagnostic-rendered-ansi",
    "-C", `opt-level=${$("opt").value}`, "--crate-name", "main",
  ];
  const picked = selectedCrates();
  if (picked.length) args.push(...manifest.crates.common);
  const macros = new Set();
  for (const c of manifest.crates.picker) {
    if (!picked.includes(c.name)) continue;
    args.push("--extern", `${c.name}=${c.rlib}`);
    for (const m of c.macros) macros.add(m);
  }
  for (const m of macros) args.push("--wasm-proc-macro", `${m}=${manifest.crates.macros[m]}`);
  args.push("main.rs", "-o", "main.wasm");
  return args;
}

/** A CodeMirror position for rustc's 1-based line and (character) column. */
function position(doc, line, column) {
  if (line < 1 || line > doc.lines) return doc.length;
  const l = doc.line(line);
  let pos = l.from;
  for (let c = 1; c < column && pos < l.to; c++) pos += doc.sliceString(pos, pos + 2).codePointAt(0) > 0xffff ? 2 : 1;
  return pos;
}

/** Splits rustc's stderr into rendered diagnostics (shown as rustc prints them) and editor marks. */
function diagnosticsOf(stderr, doc) {
  const html = [];
  const marks = [];
  for (const line of stderr.split("\n")) {
    if (!line.trim()) continue;
    let d = null;
    if (line.startsWith("{")) {
      try {
        d = JSON.parse(line);
      } catch (_) {
        d = null;
      }
    }
    if (!d || d.$message_type !== "diagnostic") {
      html.push(ansiToHtml(`${line}\n`));
      continue;
    }
    if (d.rendered) html.push(ansiToHtml(d.rendered));
    const severity = d.level === "error" || d.level === "error: internal compiler error" ? "error"
      : d.level === "warning" ? "warning" : "info";
    for (const s of d.spans || []) {
      if (!s.is_primary || s.file_name !== "main.rs") continue;
      const from = position(doc, s.line_start, s.column_start);
      const to = Math.max(from, position(doc, s.line_end, s.column_end));
      marks.push({ from, to, severity, message: s.label ? `${d.message}: ${s.label}` : d.message });
    }
  }
  return { html: html.join(""), marks };
}

function decoderFor(pane) {
  const decoder = new TextDecoder();
  return (bytes, cls = "") => {
    const text = decoder.decode(bytes, { stream: true });
    const span = document.createElement("span");
    if (cls) span.className = cls;
    span.innerHTML = ansiToHtml(text);
    pane.append(span);
  };
}

/** Aborts the compile or program under way (the Run button reads "Stop" meanwhile). */
let stopping = null;

function busy(on) {
  const button = $("run");
  button.textContent = on ? "■ Stop" : "▶ Run";
  button.classList.toggle("stop", on);
  button.title = on ? "Stop the compile or the program" : "Compile and run (Ctrl+Enter)";
}

async function run() {
  if (!stats.ready) return null;
  if (stopping) {
    stopping.abort();
    return null;
  }
  stopping = new AbortController();
  busy(true);
  try {
    return await compileAndRun(stopping.signal);
  } finally {
    stopping = null;
    busy(false);
  }
}

async function compileAndRun(signal) {
  const source = editor.state.doc.toString();
  const compilerPane = $("compiler");
  const outputPane = $("output");
  compilerPane.innerHTML = "";
  outputPane.innerHTML = "";
  editor.dispatch(setDiagnostics(editor.state, []));
  const result = {
    compileMs: null, compileCode: null, threads: null, wasiCalls: null, runMs: null, runCode: null, stdout: "",
    diagnostics: "",
  };
  setStatus("compiling…", "busy");
  const t0 = performance.now();
  let stderr = "";
  const decoder = new TextDecoder();
  const stdoutOfRustc = decoderFor(compilerPane);
  const compiled = await runProcess(kernel, rustcModule, {
    args: rustcArgs(),
    env: ["RUST_BACKTRACE=0", "TMPDIR=/tmp", ...manifest.crates.env],
    files: { "main.rs": source, "tmp/.keep": "" },
    collect: ["main.wasm"],
    initialPages: manifest.initialPages,
    signal,
    onOutput: (stream, bytes) => {
      if (stream === "stderr") stderr += decoder.decode(bytes, { stream: true });
      else stdoutOfRustc(bytes);
    },
  });
  result.compileMs = Math.round(performance.now() - t0);
  result.compileCode = compiled.code;
  result.threads = compiled.threads;
  result.wasiCalls = compiled.calls;
  const { html, marks } = diagnosticsOf(stderr, editor.state.doc);
  compilerPane.insertAdjacentHTML("beforeend", html);
  if (compiled.trap) {
    const stack = /Maximum call stack size exceeded/.test(compiled.trap)
      ? " (rustc recursed deeper than the browser's stack for WebAssembly allows, which a page cannot " +
        "enlarge: a very large item, such as a derive on a struct with hundreds of fields, can need more)"
      : "";
    compilerPane.insertAdjacentHTML("beforeend",
      `<span class="fg-red">rustc.wasm stopped: ${escapeHtml(compiled.trap)}${stack}</span>\n`);
  }
  result.diagnostics = compilerPane.textContent;
  editor.dispatch(setDiagnostics(editor.state, marks));
  const secs = (result.compileMs / 1000).toFixed(1);
  const wasm = compiled.outputs["main.wasm"];
  if (compiled.code !== 0 || !wasm) {
    compilerPane.insertAdjacentHTML("beforeend", `<span class="note">rustc exited with ${compiled.code} after ${secs} s</span>\n`);
    setStatus(signal.aborted ? "stopped" : `compile failed (${secs} s)`, "error");
    return result;
  }
  compilerPane.insertAdjacentHTML("beforeend", `<span class="note">compiled in ${secs} s: main.wasm, ${formatBytes(wasm.byteLength)}</span>\n`);
  setStatus("running…", "busy");
  const t1 = performance.now();
  const ran = await runProgram(wasm, outputPane, signal);
  result.runMs = Math.round(performance.now() - t1);
  result.runCode = ran.code;
  result.stdout = ran.stdout;
  const ending = ran.code === null ? ran.trap : `${ran.trap ? `trapped: ${ran.trap}; ` : ""}exit code ${ran.code}`;
  outputPane.insertAdjacentHTML("beforeend", `<span class="note">${escapeHtml(ending)}</span>\n`);
  setStatus(`compiled in ${secs} s, ran in ${(result.runMs / 1000).toFixed(2)} s`, ran.code === 0 ? "ok" : "error");
  return result;
}

function runProgram(wasm, pane, signal) {
  return new Promise((resolve) => {
    const worker = new Worker("program.js", { type: "module" });
    const show = decoderFor(pane);
    const out = new TextDecoder();
    let stdout = "";
    const stop = (why) => {
      clearTimeout(timer);
      worker.terminate();
      resolve({ code: null, trap: why, stdout });
    };
    const timer = setTimeout(() => stop("stopped after 20 s"), 20000);
    signal.addEventListener("abort", () => stop("stopped"), { once: true });
    worker.onmessage = ({ data }) => {
      if (data.type === "stdout") {
        stdout += out.decode(data.bytes, { stream: true });
        show(data.bytes);
      } else if (data.type === "stderr") show(data.bytes, "stderr");
      else if (data.type === "exit") {
        clearTimeout(timer);
        worker.terminate();
        resolve({ code: data.code, trap: data.trap, stdout });
      }
    };
    worker.postMessage({ wasm, args: ["main"] });
  });
}

function setupEditor() {
  const select = $("example");
  EXAMPLES.forEach((ex, i) => select.add(new Option(ex.name, String(i))));
  editor = new EditorView({
    doc: EXAMPLES[0].code,
    extensions: [
      keymap.of([{ key: "Mod-Enter", run: () => (run(), true) }]),
      basicSetup,
      rust(),
      oneDark,
      lintGutter(),
      EditorView.theme({ "&": { height: "100%" }, ".cm-scroller": { overflow: "auto" } }),
    ],
    parent: $("editor"),
  });
  select.onchange = () => {
    const ex = EXAMPLES[Number(select.value)];
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: ex.code } });
    if (manifest) selectCrates(ex.crates);
  };
  $("run").onclick = () => run();
  $("share").onclick = async () => {
    const hash = await encodeShare(editor.state.doc.toString(), selectedCrates());
    history.replaceState(null, "", hash);
    try {
      await navigator.clipboard.writeText(location.href);
      setStatus("link copied to the clipboard", "ok");
    } catch (_) {
      setStatus("link in the address bar", "ok");
    }
  };
  $("clear-cache").onclick = async () => {
    await clearCache();
    setStatus("download cache cleared: the next load downloads again");
  };
}

/** For the test: load example `i`, select its crates. */
function loadExample(i) {
  $("example").value = String(i);
  $("example").onchange();
}

playground.run = run;
playground.loadExample = loadExample;
playground.setSource = (code) => editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: code } });
setupEditor();
playground.loaded = load().catch((e) => {
  playground.error = `${e}`;
  setStatus(`loading failed: ${e}`, "error");
  console.error(e);
});
