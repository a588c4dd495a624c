import { fail } from "../errors.js";
import { closest } from "../util/closest.js";
import type { Manifest, ManifestChunk, ResolvedTag } from "./types.js";

const CSS_FILE = /\.css$/;
const JS_FILE = /\.[cm]?js$/;

/**
 * Resolves entries (manifest keys) to the tags a page needs, in the order Vite writes them
 * into a built `index.html` (vite/src/node/plugins/html.ts, `generateBundle`):
 *
 * - stylesheets: for each statically imported chunk, depth-first, its imports' CSS then its
 *   own, each chunk and each file once; then the entry's own CSS (Vite's `getCssFilesForChunk`);
 * - modulepreloads: every statically imported chunk, recursively, post-order (a chunk after
 *   the chunks it imports), each once (Vite's `getImportedChunks`);
 * - the entry's module script. A CSS entry yields only its stylesheet.
 *
 * Several entries share one walk: no file appears twice, and a chunk already loaded as an
 * entry script is not preloaded again. Dynamic imports are not followed (they load lazily).
 * Pure; `source` (the manifest's path or registry key) only appears in error messages.
 */
export function resolveEntries(
  manifest: Manifest,
  entries: readonly string[],
  source = "(in memory)",
): ResolvedTag[] {
  const tags: ResolvedTag[] = [];
  const cssChunksSeen = new Set<string>();
  const cssFilesSeen = new Set<string>();
  const preloadSeen = new Set<string>();
  const scriptSeen = new Set<string>();
  let integrityByFile: Map<string, string> | undefined;

  const chunkAt = (from: string, key: string): ManifestChunk => {
    const chunk = Object.hasOwn(manifest, key) ? manifest[key] : undefined;
    if (!chunk) {
      // parseManifest rejects this already; manifests built in memory reach here unchecked.
      failMissingImport(from, "imports", key, source);
    }
    return chunk;
  };

  const stylesheet = (file: string) => {
    if (cssFilesSeen.has(file)) return;
    cssFilesSeen.add(file);
    // Only a CSS entry (or an asset entry) records the integrity of a CSS file.
    integrityByFile ??= new Map(
      Object.values(manifest).flatMap((c) => (c.integrity ? [[c.file, c.integrity]] : [])),
    );
    const integrity = integrityByFile.get(file);
    tags.push(integrity ? { kind: "stylesheet", file, integrity } : { kind: "stylesheet", file });
  };

  const enterCss = (key: string) => {
    if (cssChunksSeen.has(key)) return false;
    cssChunksSeen.add(key);
    return true;
  };
  const collectCss = (key: string, chunk: ManifestChunk) => {
    if (!enterCss(key)) return;
    walkImports(key, chunk, chunkAt, enterCss, (_, c) => {
      for (const file of c.css ?? []) stylesheet(file);
    });
  };

  const collectPreloads = (key: string, chunk: ManifestChunk) => {
    const enter = (imported: string) => {
      if (preloadSeen.has(imported)) return false;
      preloadSeen.add(imported);
      return true;
    };
    walkImports(key, chunk, chunkAt, enter, (at, c, isRoot) => {
      if (!isRoot) tags.push(jsTag("modulepreload", at, c));
    });
  };

  for (const requested of entries) {
    const key = findKey(manifest, requested, source);
    const chunk = manifest[key]!;
    if (CSS_FILE.test(chunk.file)) {
      cssChunksSeen.add(key);
      stylesheet(chunk.file);
      continue;
    }
    if (!JS_FILE.test(chunk.file)) {
      fail(
        "manifest",
        `entry "${requested}" is an asset (${chunk.file}), not a script or stylesheet entry. Use vr.assetUrl(${JSON.stringify(requested)}) for its URL.`,
        { code: "ERR_NOT_AN_ENTRY" },
      );
    }
    collectCss(key, chunk);
    // Vite's walk starts with an empty set, so an import cycle back to the entry would preload
    // the entry's own file; the script tag below fetches it already, so it is marked seen.
    const alreadyLoaded = preloadSeen.has(key);
    preloadSeen.add(key);
    if (!alreadyLoaded) collectPreloads(key, chunk);
    if (!scriptSeen.has(key)) {
      scriptSeen.add(key);
      tags.push(jsTag("script", key, chunk));
    }
  }
  return tags;
}

/**
 * The files to prefetch for entries (option `prefetch`): what their lazy chunks need, in the
 * order it is likely needed. From the chunks the page loads (the entries and their static
 * imports, recursively), each dynamic import in turn: its file, its static imports (each
 * before its own imports), then their CSS; the dynamic imports those reach come after, level
 * by level (Laravel's `Vite::prefetch` follows both kinds of import too). Files the page
 * already loads, and anything but JS and CSS, are left out. Pure, like `resolveEntries`; call
 * it after `resolveEntries` checked the entries.
 */
export function resolvePrefetch(
  manifest: Manifest,
  entries: readonly string[],
  source = "(in memory)",
): string[] {
  const chunkAt = (from: string, field: "imports" | "dynamicImports", key: string) => {
    const chunk = Object.hasOwn(manifest, key) ? manifest[key] : undefined;
    return chunk ?? failMissingImport(from, field, key, source);
  };
  const seenChunks = new Set<string>();
  const onPage = new Set<string>();
  // Lazy chunks to visit, in discovery order: [importer, key].
  const lazy: [string, string][] = [];
  const staticImport = (from: string, key: string) => chunkAt(from, "imports", key);
  const enterStatic = (key: string, chunk: ManifestChunk) => {
    if (seenChunks.has(key)) return false;
    seenChunks.add(key);
    onPage.add(chunk.file);
    for (const file of chunk.css ?? []) onPage.add(file);
    return true;
  };
  const loadStatic = (key: string, chunk: ManifestChunk) => {
    if (!enterStatic(key, chunk)) return;
    walkImports(key, chunk, staticImport, enterStatic, (at, c) => {
      for (const dynamic of c.dynamicImports ?? []) lazy.push([at, dynamic]);
    });
  };
  for (const requested of entries) {
    const key = findKey(manifest, requested, source);
    loadStatic(key, manifest[key]!);
  }

  const files: string[] = [];
  const seenFiles = new Set(onPage);
  const add = (file: string) => {
    if (seenFiles.has(file) || !(JS_FILE.test(file) || CSS_FILE.test(file))) return;
    seenFiles.add(file);
    files.push(file);
  };
  // A queue, not recursion: every lazy chunk of one level before the next level's.
  for (let i = 0; i < lazy.length; i++) {
    const [from, key] = lazy[i]!;
    if (seenChunks.has(key)) continue;
    const css: string[] = [];
    const enter = (at: string, chunk: ManifestChunk) => {
      if (seenChunks.has(at)) return false;
      seenChunks.add(at);
      add(chunk.file);
      return true;
    };
    const chunk = chunkAt(from, "dynamicImports", key);
    if (enter(key, chunk)) {
      walkImports(key, chunk, staticImport, enter, (at, c) => {
        css.push(...(c.css ?? []));
        for (const dynamic of c.dynamicImports ?? []) lazy.push([at, dynamic]);
      });
    }
    for (const file of css) add(file);
  }
  return files;
}

/**
 * Depth-first over static imports from `key` (already entered by the caller), without
 * recursion: a 20,000-deep import chain overflowed the stack (issue 14). Same order as the
 * recursive walk it replaces: for each import in turn, `child` resolves it, `enter` decides
 * whether to descend (false: seen), and `leave` runs after a chunk's imports (`isRoot` for `key`).
 */
function walkImports(
  key: string,
  chunk: ManifestChunk,
  child: (from: string, key: string) => ManifestChunk,
  enter: (key: string, chunk: ManifestChunk) => boolean,
  leave: (key: string, chunk: ManifestChunk, isRoot: boolean) => void,
): void {
  const stack: { key: string; chunk: ManifestChunk; next: number }[] = [{ key, chunk, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const imports = top.chunk.imports ?? [];
    if (top.next < imports.length) {
      const imported = imports[top.next++]!;
      const importee = child(top.key, imported);
      if (enter(imported, importee)) stack.push({ key: imported, chunk: importee, next: 0 });
    } else {
      stack.pop();
      leave(top.key, top.chunk, stack.length === 0);
    }
  }
}

function jsTag<K extends "modulepreload" | "script">(
  kind: K,
  key: string,
  chunk: ManifestChunk,
): ResolvedTag {
  return chunk.integrity
    ? { kind, file: chunk.file, chunk: key, integrity: chunk.integrity }
    : { kind, file: chunk.file, chunk: key };
}

/**
 * The manifest key for `name`. Tolerates a leading "/" or "./" (how HTML writes source paths);
 * anything else unknown is an error naming the entry, the manifest, and the nearest keys.
 */
export function findKey(manifest: Manifest, name: string, source = "(in memory)"): string {
  if (Object.hasOwn(manifest, name)) return name;
  const bare = name.replace(/^\.?\/+/, "");
  if (bare !== name && Object.hasOwn(manifest, bare)) return bare;
  const keys = Object.keys(manifest);
  const entryKeys = keys.filter((k) => manifest[k]!.isEntry || manifest[k]!.isDynamicEntry);
  const near = closest(name, entryKeys.length > 0 ? entryKeys : keys, 3);
  const hint =
    near.length > 0
      ? `Closest entries: ${near.map((k) => JSON.stringify(k)).join(", ")}.`
      : "The manifest has no entries: check build.rollupOptions.input in your Vite config.";
  fail(
    "manifest",
    `entry "${name}" is not in the manifest at "${source}". ${hint} Name entries by their source path relative to Vite's root, as in build.rollupOptions.input.`,
    { code: "ERR_UNKNOWN_ENTRY" },
  );
}

/** The one error for an `imports` / `dynamicImports` key that names no chunk. */
export function failMissingImport(
  from: string,
  field: "imports" | "dynamicImports",
  key: string,
  source: string,
): never {
  const verb = field === "imports" ? "imports" : "dynamically imports";
  return fail(
    "manifest",
    `chunk "${from}" in the manifest at "${source}" ${verb} "${key}", which is not in the manifest. The manifest is incomplete or was edited by hand: rebuild it with \`vite build\`.`,
    { code: "ERR_MANIFEST_IMPORT" },
  );
}
