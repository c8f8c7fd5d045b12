// Bundles the playground's page and workers into one directory (default ../dist/playground):
// CodeMirror and the WASI shim are npm packages with bare imports, which workers cannot map.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, "..", "dist", "playground");
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: {
    main: join(here, "src", "main.js"),
    kernel: join(here, "src", "wasi", "kernel.js"),
    thread: join(here, "src", "wasi", "thread.js"),
    program: join(here, "src", "program.js"),
  },
  bundle: true,
  format: "esm",
  target: "chrome120",
  minify: true,
  sourcemap: true,
  outdir: out,
  logLevel: "warning",
});
for (const f of ["index.html", "style.css"]) copyFileSync(join(here, f), join(out, f));
console.log(`playground bundled into ${out}`);
