// Downloads with progress, inflated once and kept in the Cache API, so that a reload reads
// the inflated bytes from disk without touching the network.

const CACHE = "rustc-wasi-playground";

/**
 * The inflated contents of `entry` (a manifest file: url, bytes, sha256) as a Response,
 * from the cache or downloaded. `onProgress(done, total)` counts downloaded (gzip) bytes.
 * Resolves to `{ response, cached }`.
 */
export async function fetchInflated(entry, onProgress) {
  const key = new URL(`${entry.url}?sha256=${entry.sha256}`, location.href).href;
  const cache = "caches" in self ? await caches.open(CACHE) : null;
  if (cache) {
    const hit = await cache.match(key);
    if (hit) {
      onProgress(entry.bytes, entry.bytes);
      return { response: hit, cached: true };
    }
  }
  const response = await fetch(entry.url);
  if (!response.ok) throw new Error(`${entry.url}: HTTP ${response.status}`);
  let done = 0;
  const counted = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      done += chunk.byteLength;
      onProgress(done, entry.bytes);
      controller.enqueue(chunk);
    },
  }));
  const inflated = await new Response(counted.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
  const type = entry.url.endsWith(".wasm.gz") ? "application/wasm" : "application/octet-stream";
  const fresh = new Response(inflated, { headers: { "content-type": type } });
  if (cache) {
    // Older versions of the same file go; the new one is kept.
    for (const old of await cache.keys()) {
      if (new URL(old.url).pathname === new URL(key).pathname && old.url !== key) await cache.delete(old);
    }
    try {
      await cache.put(key, fresh.clone());
    } catch (e) {
      console.warn(`not cached (${entry.url}): ${e}`);
    }
  }
  return { response: fresh, cached: false };
}

/** Forgets every cached download. */
export async function clearCache() {
  if ("caches" in self) await caches.delete(CACHE);
}
