/** The asset URLs an HTML page's tags reference, read like a browser's preload scanner would. */

const TAG = /<(link|script)\b([^>]*)>/gi;
const ATTR = /([a-z][a-z0-9-]*)(?:\s*=\s*"([^"]*)")?/gi;

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [, name, value] of text.matchAll(ATTR)) out.set(name!.toLowerCase(), value ?? "");
  return out;
}

/**
 * Asset URLs (with their `integrity`, when given) of the page's stylesheets, modulepreloads
 * and scripts.
 */
export function referencedAssets(html: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const [, tag, rest] of html.matchAll(TAG)) {
    const attrs = attributes(rest!);
    const url = tag!.toLowerCase() === "link" ? attrs.get("href") : attrs.get("src");
    const rel = attrs.get("rel");
    if (!url || (tag!.toLowerCase() === "link" && rel !== "stylesheet" && rel !== "modulepreload"))
      continue;
    out.set(url, attrs.get("integrity") ?? null);
  }
  return out;
}
