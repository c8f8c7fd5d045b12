// Share links: the editor's program and the picked crates in the URL's fragment, deflated and
// base64url-encoded, so a link needs no server.

async function transform(bytes, stream) {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
}

function toBase64Url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** The fragment (`#code=...&crates=a,b`) for `code` and `crates`. */
export async function encodeShare(code, crates) {
  const packed = await transform(new TextEncoder().encode(code), new CompressionStream("deflate-raw"));
  return `#code=${toBase64Url(packed)}${crates.length ? `&crates=${crates.join(",")}` : ""}`;
}

/** `{ code, crates }` from a fragment made by `encodeShare`, or null. */
export async function decodeShare(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const packed = params.get("code");
  if (!packed) return null;
  try {
    const bytes = await transform(fromBase64Url(packed), new DecompressionStream("deflate-raw"));
    const crates = (params.get("crates") || "").split(",").filter(Boolean);
    return { code: new TextDecoder().decode(bytes), crates };
  } catch (_) {
    return null;
  }
}
