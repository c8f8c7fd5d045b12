// rustc's colored output (SGR escapes) as HTML spans with classes that style.css colors.

const NAMES = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

/** `text` with &, < and > escaped. */
export function escapeHtml(text) {
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
}

/** Converts text with SGR escapes (bold, 8/16 colors, 256-color indexes below 16) to HTML. */
export function ansiToHtml(text) {
  let bold = false;
  let color = null;
  let out = "";
  const parts = text.split(/\x1b\[([0-9;]*)m/);
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      if (!parts[i]) continue;
      const classes = [bold ? "bold" : "", color ? `fg-${color}` : ""].filter(Boolean).join(" ");
      out += classes ? `<span class="${classes}">${escapeHtml(parts[i])}</span>` : escapeHtml(parts[i]);
      continue;
    }
    const codes = parts[i] === "" ? [0] : parts[i].split(";").map(Number);
    for (let j = 0; j < codes.length; j++) {
      const c = codes[j];
      if (c === 0) {
        bold = false;
        color = null;
      } else if (c === 1) bold = true;
      else if (c === 22) bold = false;
      else if (c >= 30 && c <= 37) color = NAMES[c - 30];
      else if (c >= 90 && c <= 97) color = `bright-${NAMES[c - 90]}`;
      else if (c === 39) color = null;
      else if (c === 38 && codes[j + 1] === 5) {
        const n = codes[j + 2];
        color = n < 8 ? NAMES[n] : n < 16 ? `bright-${NAMES[n - 8]}` : null;
        j += 2;
      }
    }
  }
  return out;
}
