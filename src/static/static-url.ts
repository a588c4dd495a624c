import { readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fail } from "../errors.js";
import { closest } from "../util/closest.js";
import { sha256Hex, shortHash } from "../version/hash.js";
import { readStaticManifestSync, type StaticManifest } from "./static-manifest.js";
import { appendEncodedPath, normalizeStaticPath } from "./static-path.js";

/** Options of `createStaticUrl`: the static-file settings of `createViteRolling`. */
export interface StaticUrlOptions {
  /** Dev mode: URLs carry `?v=<content hash>` instead of a hashed file name. */
  dev: boolean;
  /** Source directory of the static files (dev mode hashes files here). @default null */
  staticRoot?: string | null;
  /** `staticfiles.json` written by `vite-rolling collect` (production). @default null */
  staticManifestPath?: string | null;
  /** URL prefix static files are served under. @default "/static/" */
  staticBase?: string;
  /** Append `?v=<content hash>` in dev mode. @default true */
  staticDevVersionQuery?: boolean;
  /** An already loaded `staticfiles.json` (e.g. read in `ready()`); skips the lazy sync read. */
  manifest?: StaticManifest | null;
}

/** The URL of one static file, by its source path ("css/styles.css"). */
export type StaticUrl = (path: string) => string;

/**
 * Makes the `staticUrl(path)` function. Production: the content-hashed name from
 * `staticfiles.json`, read once, then a synchronous lookup. Dev: `staticBase + path +
 * "?v=<12 hex of sha256>"`; files are re-hashed only when their mtime or size changes (one
 * `stat` per call, never a read), as the seed's "mtime-based cache avoids re-hashing".
 * Configuration errors surface on the first call, so apps that never use static URLs need
 * no static settings.
 *
 * @example
 * const staticUrl = createStaticUrl({ dev: false, staticManifestPath: "dist/static/staticfiles.json" });
 * staticUrl("css/styles.css"); // "/static/css/styles.a1b2c3d4e5f6.css"
 */
export function createStaticUrl(options: StaticUrlOptions): StaticUrl {
  const base = options.staticBase ?? "/static/";
  if (options.dev) {
    if (!(options.staticDevVersionQuery ?? true)) {
      return function staticUrl(path) {
        return appendEncodedPath(base, normalizeStaticPath(path));
      };
    }
    return devStaticUrl(base, options.staticRoot ?? null);
  }
  let manifest = options.manifest ?? null;
  return function staticUrl(path) {
    const key = normalizeStaticPath(path);
    if (!manifest) {
      if (!options.staticManifestPath) {
        fail(
          "static",
          `staticUrl(${JSON.stringify(path)}) in production needs staticManifestPath: run "npx vite-rolling collect <src> <out>" at build time and set staticManifestPath to "<out>/staticfiles.json".`,
          { code: "ERR_OPTIONS" },
        );
      }
      manifest = readStaticManifestSync(options.staticManifestPath);
    }
    const hashed = manifest.paths[key];
    if (hashed === undefined) {
      const near = closest(key, Object.keys(manifest.paths), 3);
      const hint = near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(", ")}?` : "";
      fail(
        "static",
        `no static file "${key}" in ${options.staticManifestPath ?? "staticfiles.json"}.${hint} If the file is new, run "npx vite-rolling collect" again.`,
        { code: "ERR_STATIC_UNKNOWN_FILE" },
      );
    }
    return appendEncodedPath(base, hashed);
  };
}

interface CachedHash {
  mtimeMs: number;
  size: number;
  hash: string;
}

function devStaticUrl(base: string, staticRoot: string | null): StaticUrl {
  const cache = new Map<string, CachedHash>();
  const root = staticRoot === null ? null : resolve(staticRoot);
  return function staticUrl(path) {
    const key = normalizeStaticPath(path);
    if (root === null) {
      return fail(
        "static",
        `staticUrl(${JSON.stringify(path)}) in dev mode needs staticRoot to hash the file: set staticRoot to your static source folder, or staticDevVersionQuery: false.`,
        { code: "ERR_OPTIONS" },
      );
    }
    const file = join(root, key);
    // normalizeStaticPath already refuses "..", this guards against anything it missed.
    if (relative(root, file).split(sep)[0] === "..") {
      return fail("static", `static path "${key}" resolves outside staticRoot ${root}.`, {
        code: "ERR_STATIC_PATH",
      });
    }
    let info: ReturnType<typeof statSync>;
    try {
      info = statSync(file);
    } catch (error) {
      return fail(
        "static",
        `no static file "${key}" under staticRoot ${root}. Check the path in the template, or the staticRoot option.`,
        { cause: error, code: "ERR_STATIC_UNKNOWN_FILE" },
      );
    }
    if (!info.isFile())
      fail("static", `static path "${key}" under ${root} is not a file.`, {
        code: "ERR_STATIC_UNKNOWN_FILE",
      });
    let entry = cache.get(key);
    if (!entry || entry.mtimeMs !== info.mtimeMs || entry.size !== info.size) {
      entry = { mtimeMs: info.mtimeMs, size: info.size, hash: sha256Hex(readFileSync(file)) };
      cache.set(key, entry);
    }
    return `${appendEncodedPath(base, key)}?v=${shortHash(entry.hash)}`;
  };
}
