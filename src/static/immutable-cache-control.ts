import { basename } from "node:path";

/** `Cache-Control` for files whose name changes whenever their bytes do. */
export const IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable";

// Vite / Rolldown: `name-HASH.ext` (also `.js.map`), HASH 8+ base64url characters.
const VITE_HASHED = /-([A-Za-z0-9_-]{8,})(?:\.[A-Za-z0-9]+){1,2}$/;
// `vite-rolling collect` (Django's naming): `name.<12 hex>.ext`, or `name.<12 hex>` without one.
const COLLECT_HASHED = /\.[0-9a-f]{12}(?:\.[A-Za-z0-9]+)?$/;
// Names like `bootstrap-datepicker.js`, `my-component_name.css` or `lib-20240101.js` end in
// something that fits the Vite pattern but is words or a date: caching one of those forever
// would pin a file that changes. Words are separated ("-", "_") or camelCased; a real hash
// runs letters into digits into letters ("CVXFk9bk"), which no word part does.
const WORD = "(?:[A-Z]?[a-z]+(?:[A-Z][a-z]+)*|[A-Z]+|[0-9]+)";
const WORDISH = new RegExp(`^${WORD}(?:[_-]${WORD})*$`);

/**
 * `"public, max-age=31536000, immutable"` for a file name that carries a content hash, else
 * null. Recognizes Vite's `name-HASH.ext` and collect's `name.<12 hex>.ext`. It is a
 * heuristic: a Vite hash that happens to look like a word is missed (that file simply gets no
 * long cache), which is the safe side to err on.
 *
 * @example immutableCacheControl("assets/index-DnE4xK9q.js") // "public, max-age=31536000, immutable"
 * @example immutableCacheControl("css/styles.css") // null
 */
export function immutableCacheControl(fileName: string): string | null {
  const name = basename(fileName);
  if (COLLECT_HASHED.test(name)) return IMMUTABLE_CACHE_CONTROL;
  const match = VITE_HASHED.exec(name);
  if (!match) return null;
  // The hash may itself contain "-": try each split, the hash being what follows some "-".
  const tail = match[1]!;
  const candidates = [tail, ...tail.split("-").map((_, i, parts) => parts.slice(i).join("-"))];
  return candidates.some((hash) => hash.length >= 8 && !WORDISH.test(hash))
    ? IMMUTABLE_CACHE_CONTROL
    : null;
}

/** The part of a Node response `setStaticHeaders` needs. */
export interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

/**
 * Sets the long-lived `Cache-Control` on hashed files; leaves other files to the server's
 * default. Fits `express.static(dir, { setHeaders: setStaticHeaders })` and serve-static.
 *
 * @example app.use("/static", express.static("dist", { setHeaders: setStaticHeaders }));
 */
export function setStaticHeaders(res: HeaderSink, path: string): void {
  const value = immutableCacheControl(path);
  if (value) res.setHeader("Cache-Control", value);
}
