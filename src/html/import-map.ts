import type { ImportMap } from "../manifest/sidecar.js";

/** A base URL always ends in "/", so base + file is a URL (Vite normalizes `base` the same way). */
export function normalizeBase(base: string): string {
  return base.endsWith("/") ? base : `${base}/`;
}

/**
 * The build's import map for pages served from `to`: Vite writes every specifier and URL as
 * the build's base + file, while the chunks import each other by relative URL, which resolves
 * against where the page loaded them (the runtime base). A relative build base ("./") is
 * relative to Vite's own index.html, which a server-rendered page is not: it moves too.
 */
export function rebaseImportMap(map: ImportMap, from: string, to: string): ImportMap {
  const prefix = from === "" ? "" : normalizeBase(from);
  if (prefix === to) return map;
  const move = (url: string) => (url.startsWith(prefix) ? to + url.slice(prefix.length) : url);
  const moveAll = (record: Record<string, string>) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [move(k), move(v)]));
  const out: ImportMap = {};
  if (map.imports) out.imports = moveAll(map.imports);
  if (map.scopes) {
    out.scopes = Object.fromEntries(
      Object.entries(map.scopes).map(([scope, record]) => [move(scope), moveAll(record)]),
    );
  }
  if (map.integrity) out.integrity = moveAll(map.integrity);
  return out;
}
