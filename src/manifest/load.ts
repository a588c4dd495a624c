import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { describe, fail } from "../errors.js";
import { errnoCode, errnoReason } from "../util/errno.js";
import { jsonSyntaxError } from "../util/json-syntax-error.js";
import type { LoadedManifest, Manifest, ManifestChunk } from "./types.js";
import { failMissingImport } from "./walk.js";

const SCOPE = "manifest";
const EXAMPLE = '{ "src/main.ts": { "file": "assets/main-abc123.js", ... } }';
const FIX_SHAPE =
  "Point `manifestPath` at the .vite/manifest.json that `vite build` writes with `build.manifest: true`.";
const FIX_REBUILD = "rebuild it with `vite build`.";

/**
 * The one reader of a Vite manifest file: reads and validates it (`parseManifest`). Everything
 * that reads a manifest from disk calls it (`ready()` through `loadReleaseManifest`, `refresh`),
 * so every path gets the same errors, each naming the path and the fix: a missing file (with a
 * hint when Vite 5+ wrote it to `.vite/manifest.json` next to it), an unreadable one, malformed
 * JSON (with line and column), or JSON that is not a Vite manifest.
 * @example const { manifest, text } = await loadManifestFile("dist/.vite/manifest.json");
 */
export async function loadManifestFile(path: string): Promise<LoadedManifest> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") {
      fail(SCOPE, missingMessage(path), { cause: error, code: "ERR_MANIFEST_NOT_FOUND" });
    }
    fail(
      SCOPE,
      `cannot read the manifest at "${path}" (${errnoReason(error)}). Check that the path is a file this process may read.`,
      { cause: error, code: "ERR_MANIFEST_UNREADABLE" },
    );
  }
  return { manifest: parseManifest(text, path), text, source: path };
}

function missingMessage(path: string): string {
  const where = isAbsolute(path) ? `"${path}"` : `"${path}" (resolved: ${resolve(path)})`;
  // Vite 4 and older wrote dist/manifest.json; Vite 5+ writes dist/.vite/manifest.json.
  const moved = join(dirname(path), ".vite", "manifest.json");
  const hint = existsSync(moved) ? ` There is one at "${moved}": Vite 5+ writes it there.` : "";
  return `no manifest at ${where}.${hint} Run \`vite build\` with \`build.manifest: true\`, or add the \`vite-rolling/vite\` plugin to your Vite config, then point \`manifestPath\` at .vite/manifest.json in the build's outDir.`;
}

/**
 * Parses and validates manifest text. `source` (a path or registry key) is only used in error
 * messages. Validation covers the shape this library reads and that every `imports` /
 * `dynamicImports` key names a chunk of the same manifest.
 */
export function parseManifest(text: string, source: string): Manifest {
  let data: unknown;
  // A BOM is not JSON, but editors add one; it says nothing about the content.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    data = JSON.parse(json);
  } catch (error) {
    fail(SCOPE, jsonMessage(json, source), { cause: error, code: "ERR_MANIFEST_JSON" });
  }
  const problem = shapeProblem(data);
  if (problem) {
    fail(
      SCOPE,
      `the file at "${source}" is not a Vite manifest: expected an object of chunks like ${EXAMPLE}, found ${problem}. ${FIX_SHAPE}`,
      { code: "ERR_MANIFEST_SHAPE" },
    );
  }
  const manifest = data as Manifest;
  for (const [key, chunk] of Object.entries(manifest)) {
    for (const field of ["imports", "dynamicImports"] as const) {
      for (const target of chunk[field] ?? []) {
        if (!Object.hasOwn(manifest, target)) failMissingImport(key, field, target, source);
      }
    }
  }
  return manifest;
}

function jsonMessage(text: string, source: string): string {
  return `the manifest at "${source}" is not valid JSON: ${jsonSyntaxError(text)}. The file is truncated or was edited by hand: ${FIX_REBUILD}`;
}

const STRING_FIELDS = ["src", "name", "integrity"] as const;
const STRING_LIST_FIELDS = ["css", "assets", "imports", "dynamicImports", "names"] as const;
const BOOLEAN_FIELDS = ["isEntry", "isDynamicEntry"] as const;

/** What is wrong with `data` as a manifest, in words, or null when it is one. */
function shapeProblem(data: unknown): string | null {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return describe(data);
  const values = Object.values(data);
  // `{}` renders no tag for any entry: a build without `build.manifest` content, not a release.
  if (values.length === 0) return "an empty object (no chunks)";
  // `ssr-manifest.json` sits next to the client manifest and maps module ids to file lists.
  if (values.length > 0 && values.every(Array.isArray)) {
    return "what looks like an SSR manifest (module ids mapped to lists of files)";
  }
  for (const [key, value] of Object.entries(data)) {
    const at = `key ${JSON.stringify(key)}`;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return `${at} holding ${describe(value)} instead of a chunk object`;
    }
    const chunk = value as Record<keyof ManifestChunk, unknown>;
    if (chunk.file === undefined) return `chunk ${JSON.stringify(key)} with no "file"`;
    if (typeof chunk.file !== "string") {
      return `chunk ${JSON.stringify(key)} whose "file" is ${describe(chunk.file)}, not a string`;
    }
    for (const field of STRING_FIELDS) {
      const v = chunk[field];
      if (v !== undefined && typeof v !== "string") {
        return `chunk ${JSON.stringify(key)} whose "${field}" is ${describe(v)}, not a string`;
      }
    }
    for (const field of STRING_LIST_FIELDS) {
      const v = chunk[field];
      if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === "string"))) {
        return `chunk ${JSON.stringify(key)} whose "${field}" is ${describe(v)}, not an array of strings`;
      }
    }
    for (const field of BOOLEAN_FIELDS) {
      const v = chunk[field];
      if (v !== undefined && typeof v !== "boolean") {
        return `chunk ${JSON.stringify(key)} whose "${field}" is ${describe(v)}, not true or false`;
      }
    }
  }
  return null;
}
