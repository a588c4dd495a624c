import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, fail } from "../errors.js";
import { errnoCode } from "../util/errno.js";

/** File name of the sidecar the Vite plugin writes next to Vite's manifest. */
export const SIDECAR_FILE_NAME = "vite-rolling.json";

/**
 * What `vite-rolling/vite` records about one build, in `<outDir>/.vite/vite-rolling.json`.
 * Keys are sorted in the file; the same sources give the same bytes.
 */
export interface Sidecar {
  /** Format version of this file. */
  version: 1;
  /** sha256 (hex) over the sorted (file name, content hash) pairs of every emitted file but the manifest and this file. */
  buildHash: string;
  /** Vite's resolved `base` of the build. */
  base: string;
  /** Subresource Integrity (`sha384-...`) of every emitted .js, .mjs and .css file, by output file name. */
  integrity: Record<string, string>;
  /** Content hash (64 hex digits: the first 256 bits of the bytes' sha384) of every emitted file, by output file name. */
  files: Record<string, string>;
  /**
   * The import map Vite emitted with `build.chunkImportMap` (its `importmap.json`): stable
   * chunk URLs to hashed ones, which the page must declare before any module loads.
   */
  importMap?: ImportMap;
}

/** An import map (HTML spec): `imports` and `scopes` map specifiers to URLs. */
export interface ImportMap {
  imports?: Record<string, string>;
  scopes?: Record<string, Record<string, string>>;
  integrity?: Record<string, string>;
}

/** Where the sidecar of a manifest lives: the same directory. */
export function sidecarPathFor(manifestPath: string): string {
  return join(dirname(manifestPath), SIDECAR_FILE_NAME);
}

const HEX64 = /^[0-9a-f]{64}$/;
const SRI = /^sha384-[A-Za-z0-9+/]{64}$/;

/**
 * Validates a sidecar's text. Errors name the file, the field, what was expected and received,
 * and the fix (rebuild with the plugin).
 */
export function parseSidecar(text: string, path: string): Sidecar {
  const bad = (what: string): never =>
    fail(
      "sidecar",
      `${path}: ${what}. The file is written by the vite-rolling/vite plugin: rebuild with \`vite build\` to regenerate it.`,
      { code: "ERR_SIDECAR" },
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return fail(
      "sidecar",
      `${path} is not valid JSON (${(error as Error).message}). Rebuild with \`vite build\` to regenerate it.`,
      { cause: error, code: "ERR_SIDECAR" },
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return bad(`expected a JSON object, received ${describe(data)}`);
  }
  const record = data as Record<string, unknown>;
  if (record.version !== 1) {
    bad(
      `"version" must be 1, received ${describe(record.version)} (written by a newer vite-rolling? upgrade the server's vite-rolling too)`,
    );
  }
  if (typeof record.buildHash !== "string" || !HEX64.test(record.buildHash)) {
    bad(`"buildHash" must be 64 hex digits, received ${describe(record.buildHash)}`);
  }
  if (typeof record.base !== "string")
    bad(`"base" must be a string, received ${describe(record.base)}`);
  const integrity = stringMap(record.integrity, "integrity", SRI, "a sha384-<base64> value", bad);
  const files = stringMap(record.files, "files", HEX64, "64 hex digits", bad);
  const sidecar: Sidecar = {
    version: 1,
    buildHash: record.buildHash as string,
    base: record.base as string,
    integrity,
    files,
  };
  if (record.importMap !== undefined) sidecar.importMap = parseImportMap(record.importMap, bad);
  return sidecar;
}

const ANY = /^/;

/** An import map's shape: objects of strings, as browsers require (they reject anything else). */
function parseImportMap(value: unknown, bad: (what: string) => never): ImportMap {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return bad(`"importMap" must be an import map object, received ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  const map: ImportMap = {};
  for (const key of ["imports", "integrity"] as const) {
    if (record[key] !== undefined)
      map[key] = stringMap(record[key], `importMap.${key}`, ANY, "a string", bad);
  }
  const scopes = record.scopes;
  if (scopes !== undefined) {
    if (typeof scopes !== "object" || scopes === null || Array.isArray(scopes)) {
      return bad(`"importMap.scopes" must be an object, received ${describe(scopes)}`);
    }
    map.scopes = {};
    for (const [scope, entries] of Object.entries(scopes)) {
      map.scopes[scope] = stringMap(entries, `importMap.scopes["${scope}"]`, ANY, "a string", bad);
    }
  }
  return map;
}

function stringMap(
  value: unknown,
  field: string,
  pattern: RegExp,
  expected: string,
  bad: (what: string) => never,
): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return bad(
      `"${field}" must be an object of file name to ${expected}, received ${describe(value)}`,
    );
  }
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry !== "string" || !pattern.test(entry)) {
      bad(`"${field}"["${name}"] must be ${expected}, received ${describe(entry)}`);
    }
    out[name] = entry as string;
  }
  return out;
}

/**
 * Reads and validates a sidecar. A missing file gives `null`: the build simply did not use the
 * plugin, which is allowed (no integrity, app version from elsewhere).
 *
 * @example const sidecar = await readSidecar(sidecarPathFor("dist/.vite/manifest.json"));
 */
export async function readSidecar(path: string): Promise<Sidecar | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return null;
    return fail("sidecar", `cannot read ${path}: ${(error as Error).message}.`, {
      cause: error,
      code: "ERR_SIDECAR",
    });
  }
  return parseSidecar(text, path);
}
