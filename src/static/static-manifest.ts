import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { describe, fail } from "../errors.js";
import { errnoCode, errnoReason } from "../util/errno.js";
import { jsonSyntaxError } from "../util/json-syntax-error.js";

/** File name of the manifest `vite-rolling collect` writes at the root of its output. */
export const STATIC_MANIFEST_FILE_NAME = "staticfiles.json";

/**
 * `staticfiles.json`: source path to content-hashed path, plus one hash over all files that
 * names this set of static files (it feeds the app version).
 */
export interface StaticManifest {
  version: 1;
  /** sha256 (hex) over the sorted (source path, sha256 of bytes) pairs. */
  hash: string;
  /** `"css/styles.css"` to `"css/styles.a1b2c3d4e5f6.css"`, paths relative to the output dir. */
  paths: Record<string, string>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Validates the text of a `staticfiles.json`; errors name the file, the field and the fix. */
export function parseStaticManifest(text: string, path: string): StaticManifest {
  const fix = 'Run "npx vite-rolling collect <src> <out>" again to regenerate it.';
  const bad = (what: string): never =>
    fail("static", `${path}: ${what}. ${fix}`, { code: "ERR_STATIC_MANIFEST" });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return fail("static", `${path} is not valid JSON: ${jsonSyntaxError(text)}. ${fix}`, {
      cause: error,
      code: "ERR_STATIC_MANIFEST",
    });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return bad(`expected a JSON object, received ${describe(data)}`);
  }
  const record = data as Record<string, unknown>;
  if (record.version !== 1) bad(`"version" must be 1, received ${describe(record.version)}`);
  if (typeof record.hash !== "string" || !HEX64.test(record.hash)) {
    bad(`"hash" must be 64 hex digits, received ${describe(record.hash)}`);
  }
  const paths = record.paths;
  if (typeof paths !== "object" || paths === null || Array.isArray(paths)) {
    return bad(
      `"paths" must be an object of source path to hashed path, received ${describe(paths)}`,
    );
  }
  const out: Record<string, string> = {};
  for (const [source, hashed] of Object.entries(paths)) {
    if (typeof hashed !== "string" || hashed === "" || hashed.split("/").includes("..")) {
      bad(
        `"paths"["${source}"] must be a relative path inside the output, received ${describe(hashed)}`,
      );
    }
    out[source] = hashed as string;
  }
  return { version: 1, hash: record.hash as string, paths: out };
}

function missing(path: string, error: unknown): never {
  const hint =
    errnoCode(error) === "ENOENT"
      ? 'Run "npx vite-rolling collect <src> <out>" at build time and point staticManifestPath at <out>/staticfiles.json.'
      : "Check the path and its permissions.";
  return fail("static", `cannot read ${path} (${errnoReason(error)}). ${hint}`, {
    cause: error,
    code: "ERR_STATIC_MANIFEST",
  });
}

/** Reads and validates a `staticfiles.json` (at startup, in `ready()`). */
export async function readStaticManifest(path: string): Promise<StaticManifest> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return missing(path, error);
  }
  return parseStaticManifest(text, path);
}

/** Synchronous twin of `readStaticManifest`, for a first lazy lookup from a sync render. */
export function readStaticManifestSync(path: string): StaticManifest {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return missing(path, error);
  }
  return parseStaticManifest(text, path);
}
