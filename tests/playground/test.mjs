// Drives the playground in Debian's headless Chromium (playwright-core, no browser download):
// cold load, hello world, a serde_json round trip with derives from a wasm module, thiserror,
// a type error whose line and column must show, a cached reload, and the page served without
// cross-origin isolation. Screenshots go to --shots; the last line is `N passed, N failed`.
//
//   node tests/playground/test.mjs --url http://127.0.0.1:PORT/ --bare-url http://127.0.0.1:PORT2/ --shots DIR

import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// playwright-core is a dev dependency of the playground's package (playground/package.json).
const { chromium } = createRequire(new URL("../../playground/package.json", import.meta.url))("playwright-core");

const opt = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const url = opt.url;
const bareUrl = opt["bare-url"];
const shots = opt.shots;
mkdirSync(shots, { recursive: true });
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

let passed = 0;
let failed = 0;
const figures = [];

function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
}

/** Peak resident memory of Chromium's renderer processes for a profile, sampled from /proc. */
class MemorySampler {
  constructor(profile) {
    this.profile = profile;
    this.peak = 0;
    this.timer = setInterval(() => this.sample(), 250);
  }

  sample() {
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!cmd.includes("--type=renderer") || !cmd.includes(this.profile)) continue;
        const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) * 1024;
        this.peak = Math.max(this.peak, rss);
      } catch (_) {
        // The process ended between listing and reading.
      }
    }
  }

  stop() {
    clearInterval(this.timer);
    return this.peak;
  }
}

async function launch(profile) {
  return chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1360, height: 820 },
    args: [
      ...(process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : []),
      "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
    ],
  });
}

async function waitReady(page) {
  await page.waitForFunction(() => self.playground && (self.playground.stats.ready || self.playground.error), null, {
    timeout: 600000, polling: 250,
  });
  return page.evaluate(() => ({ stats: self.playground.stats, error: self.playground.error }));
}

async function runExample(page, index) {
  await page.evaluate((i) => self.playground.loadExample(i), index);
  return page.evaluate(() => self.playground.run());
}

const profile = mkdtempSync(join(tmpdir(), "wpm-playground-"));
const memory = new MemorySampler(profile);
const context = await launch(profile);
try {
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => m.type() === "error" && console.log(`  [console] ${m.text()}`));
  page.on("pageerror", (e) => console.log(`  [page error] ${e}`));

  // 1. Cold load: nothing cached in this fresh profile.
  let t = Date.now();
  await page.goto(url);
  // The loading panel, while the downloads are under way.
  await page.waitForSelector(".progress-row", { timeout: 60000 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(shots, "0-loading.png") });
  const cold = await waitReady(page);
  check("cold load reaches ready", cold.stats.ready, cold.error || `${cold.stats.readyMs} ms, rustc.wasm compiled in ${cold.stats.compileRustcMs} ms`);
  figures.push(["page load to ready, cold", `${(cold.stats.readyMs / 1000).toFixed(1)} s (navigation to ready ${((Date.now() - t) / 1000).toFixed(1)} s)`]);
  check("cold load downloaded (not from cache)", cold.stats.cached === false);
  await page.screenshot({ path: join(shots, "1-ready.png") });

  // 2. Hello world.
  if (cold.stats.ready) {
    const hello = await runExample(page, 0);
    check("hello world compiles", hello.compileCode === 0, hello.diagnostics.slice(-800));
    check("hello world prints", hello.stdout.includes("Hello from rustc running in WebAssembly!") &&
      hello.stdout.includes("squares: [1, 4, 9, 16, 25]"), JSON.stringify(hello.stdout));
    figures.push(["hello world compile + run", `${((hello.compileMs + hello.runMs) / 1000).toFixed(1)} s (compile ${(hello.compileMs / 1000).toFixed(1)} s, run ${hello.runMs} ms)`]);
    await page.screenshot({ path: join(shots, "2-hello.png") });

    // 3. serde_json round trip, the derives expanded by the serde_derive module in rustc.wasm.
    const serde = await runExample(page, 1);
    check("serde_json example compiles", serde.compileCode === 0, serde.diagnostics.slice(-1500));
    check("serde_json round trip prints", serde.stdout.includes('{"name":"serde","downloads":700000000,"keywords":["derive"]}') &&
      serde.stdout.includes("round trip ok: Crate {"), JSON.stringify(serde.stdout));
    figures.push(["serde_json example compile + run", `${((serde.compileMs + (serde.runMs || 0)) / 1000).toFixed(1)} s`]);
    await page.screenshot({ path: join(shots, "3-serde.png") });

    // 4. thiserror.
    const te = await runExample(page, 2);
    check("thiserror example prints", te.compileCode === 0 && te.stdout.includes("missing key `port`") &&
      te.stdout.includes("error: value 42 is out of range 0..=10"), JSON.stringify(te.stdout) + te.diagnostics.slice(-800));

    // 5. A type error: rustc's diagnostic with file, line and column, and a mark in the editor.
    const bad = await runExample(page, 3);
    check("type error fails to compile", bad.compileCode === 1, `exit ${bad.compileCode}`);
    check("type error diagnostic names E0308 at main.rs:6:25", bad.diagnostics.includes("error[E0308]: mismatched types") &&
      bad.diagnostics.includes("--> main.rs:6:25"), bad.diagnostics.slice(0, 600));
    const marks = await page.locator(".cm-lintRange-error").count();
    check("the error's span is underlined in the editor", marks > 0, `${marks} marks`);
    await page.screenshot({ path: join(shots, "4-type-error.png") });

    // 6. Stop: a program that never ends is stopped from the Run button (now "Stop").
    await page.evaluate(() => self.playground.setSource("fn main() {\n    println!(\"spinning\");\n    loop {\n        std::hint::black_box(0u8);\n    }\n}\n"));
    const spinning = page.evaluate(() => self.playground.run());
    await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("running"), null, {
      timeout: 120000, polling: 100,
    });
    await page.waitForFunction(() => document.getElementById("output").textContent.includes("spinning"), null, {
      timeout: 10000, polling: 100,
    }).catch(() => {});
    await page.click("#run");
    const stopped = await spinning;
    const stopText = await page.locator("#output").textContent();
    check("Stop ends a program that loops", stopped.runCode === null && stopText.includes("stopped") &&
      stopped.stdout.includes("spinning"), JSON.stringify({ code: stopped.runCode, out: stopText.slice(-200) }));

    // 7. Share: the program goes into the address; a load of that address shows it again.
    const marker = `// shared ${Date.now()}`;
    await page.evaluate((m) => self.playground.setSource(`${m}\nfn main() { println!("from a link"); }\n`), marker);
    await page.click("#share");
    await page.waitForFunction(() => location.hash.startsWith("#code="), null, { timeout: 10000 });

    // 8. A second load (of the shared address) reads everything from the cache.
    t = Date.now();
    await page.reload();
    const warm = await waitReady(page);
    const restored = await page.evaluate(() => document.querySelector(".cm-content").innerText);
    check("a shared link restores the program", restored.includes(marker) && restored.includes("from a link"),
      restored.slice(0, 200));
    check("cached load reaches ready", warm.stats.ready && warm.stats.cached === true, JSON.stringify(warm.stats));
    figures.push(["page load to ready, cached", `${(warm.stats.readyMs / 1000).toFixed(1)} s (navigation to ready ${((Date.now() - t) / 1000).toFixed(1)} s)`]);
    if (warm.stats.ready) {
      const fromLink = await page.evaluate(() => self.playground.run());
      check("the shared program runs", fromLink.compileCode === 0 && fromLink.stdout === "from a link\n", JSON.stringify(fromLink.stdout));
      const again = await runExample(page, 0);
      check("hello world after a cached load", again.compileCode === 0 && again.stdout.includes("Hello from rustc"));
      figures.push(["hello world compile + run, second page load", `${((again.compileMs + again.runMs) / 1000).toFixed(1)} s`]);
    }
  }

  // 9. Without COOP/COEP the page says why it cannot run.
  if (bareUrl) {
    const bare = await context.newPage();
    await bare.goto(bareUrl);
    await bare.waitForFunction(() => self.playground && self.playground.error, null, { timeout: 60000 }).catch(() => {});
    const shown = await bare.locator("#blocked").isVisible();
    const reason = await bare.locator("#blocked-reason").textContent();
    check("without cross-origin isolation the page explains why", shown && reason.includes("SharedArrayBuffer") &&
      reason.includes("Cross-Origin-Opener-Policy"), reason);
    await bare.screenshot({ path: join(shots, "5-not-isolated.png") });
    await bare.close();
  }
} finally {
  await context.close();
  const peak = memory.stop();
  figures.push(["peak memory of the tab's renderer process (RSS)", `${(peak / 1e6).toFixed(0)} MB`]);
  rmSync(profile, { recursive: true, force: true });
}

console.log("\nfigures:");
for (const [k, v] of figures) console.log(`  ${k}: ${v}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
