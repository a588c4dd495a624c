import { createHash } from "node:crypto";

/** sha256 of bytes (or a UTF-8 string), lowercase hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A Subresource Integrity value (`sha384-<base64>`), as browsers check it. */
export function sriSha384(data: Uint8Array | string): string {
  return `sha384-${createHash("sha384").update(data).digest("base64")}`;
}

/** The first 12 hex digits of a hex hash: short enough for a URL, long enough not to collide. */
export function shortHash(hex: string): string {
  return hex.slice(0, 12);
}

/**
 * One sha256 over `(name, hash)` pairs, sorted by name in code-unit order, so the result
 * depends only on the set of pairs: not on build order, absolute paths, locale or machine.
 * NUL and newline separate fields because neither can occur in a file path or a hex hash.
 *
 * @example hashOfPairs({ "assets/a.js": sha256Hex(a), "assets/b.css": sha256Hex(b) })
 */
export function hashOfPairs(pairs: Record<string, string> | Iterable<[string, string]>): string {
  const entries = Symbol.iterator in pairs ? [...pairs] : Object.entries(pairs);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash("sha256");
  for (const [name, value] of entries) hash.update(`${name}\0${value}\n`);
  return hash.digest("hex");
}
