import { readFileSync } from "node:fs";
import type { ManifestData } from "./expected.js";

/**
 * The hand-rolled integration most apps start with: a template helper that reads the
 * manifest on every request, parses it, and walks it. It is correct (recursive imports, CSS of
 * every imported chunk, each file once); it just redoes the work per request. One read per
 * page for both helpers, which is kinder than the usual one read per helper call.
 */
export function naivePage(manifestPath: string, entries: readonly string[], base: string) {
  const manifest: ManifestData = JSON.parse(readFileSync(manifestPath, "utf8"));
  const seen = new Set<string>();
  const css: string[] = [];
  const preloads: string[] = [];
  const walk = (key: string, isEntry: boolean) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`"${key}" is not in the manifest`);
    for (const imported of chunk.imports ?? []) walk(imported, false);
    for (const file of chunk.css ?? []) if (!css.includes(file)) css.push(file);
    if (!isEntry) preloads.push(chunk.file);
  };
  for (const entry of entries) walk(entry, true);
  let styles = "";
  for (const file of css) styles += `<link rel="stylesheet" crossorigin href="${base}${file}">\n`;
  let scripts = "";
  for (const file of preloads)
    scripts += `<link rel="modulepreload" crossorigin href="${base}${file}">\n`;
  for (const entry of entries) {
    scripts += `<script type="module" crossorigin src="${base}${manifest[entry]!.file}"></script>\n`;
  }
  return { styles, scripts };
}
