import { readFile } from "node:fs/promises";
import { join, posix, relative, resolve, sep } from "node:path";
import { referencedFiles } from "../manifest/files.js";
import { readSidecar, sidecarPathFor } from "../manifest/sidecar.js";
import type { Manifest } from "../manifest/types.js";
import { readStaticManifest, STATIC_MANIFEST_FILE_NAME } from "../static/static-manifest.js";
import { errnoCode } from "../util/errno.js";
import { writeFileAtomic } from "../util/write-file-atomic.js";

/**
 * Where `refresh` records the files a release references, inside the build's output directory:
 * `<outDir>/.vite/releases/<release>.json`. The registry holds only a release's Vite manifest;
 * its sidecar and `staticfiles.json` are overwritten by the next build, yet an open tab of the
 * release still asks for the static files they named (issue 14).
 */
export function releaseRecordPath(outDir: string, release: string): string {
  return join(outDir, ".vite", "releases", `${release}.json`);
}

/** `path` relative to `root` with "/" separators, or null when it lies outside `root`. */
function inside(root: string, path: string): string | null {
  const rel = relative(root, path);
  if (rel === "" || rel.startsWith("..") || resolve(root, rel) !== resolve(path)) return null;
  return rel.split(sep).join("/");
}

/** The files of `staticfiles.json` at `path`, relative to `root` (none outside it). */
async function staticFiles(root: string, path: string): Promise<string[]> {
  const at = inside(root, resolve(path, ".."));
  if (at === null) return [];
  const { paths } = await readStaticManifest(path);
  return [
    posix.join(at, STATIC_MANIFEST_FILE_NAME),
    ...Object.values(paths).map((file) => posix.join(at, file)),
  ];
}

/**
 * Every file of `outDir` this release references: its manifest's chunks, what the plugin's
 * sidecar lists, and the hashed static files of `staticManifestPath` (when inside `outDir`).
 */
export async function releaseFiles(
  outDir: string,
  manifestPath: string,
  manifest: Manifest,
  staticManifestPath: string | null,
): Promise<string[]> {
  const files = new Set(referencedFiles(manifest));
  const sidecar = await readSidecar(sidecarPathFor(manifestPath));
  for (const file of Object.keys(sidecar?.files ?? {})) files.add(file);
  if (staticManifestPath) {
    for (const file of await staticFiles(outDir, staticManifestPath)) files.add(file);
  }
  return [...files].sort();
}

/** Writes the record of `release` (see `releaseRecordPath`). */
export async function writeReleaseRecord(
  outDir: string,
  release: string,
  files: readonly string[],
): Promise<void> {
  const text = `${JSON.stringify({ release, files }, null, 2)}\n`;
  await writeFileAtomic(releaseRecordPath(outDir, release), text);
}

/** The files `release` recorded in `dir`, or null when it has no (readable) record. */
export async function readReleaseRecord(dir: string, release: string): Promise<string[] | null> {
  let text: string;
  try {
    text = await readFile(releaseRecordPath(dir, release), "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return null;
    throw error;
  }
  const files: unknown = (JSON.parse(text) as { files?: unknown }).files;
  return Array.isArray(files) ? files.filter((f): f is string => typeof f === "string") : null;
}

/**
 * What the build currently in `dir` references beyond its manifest: its sidecar's files and
 * every `staticfiles.json` under it (`files` lists `dir`), for releases registered before
 * records existed.
 */
export async function currentBuildFiles(dir: string, files: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const sidecar = await readSidecar(join(dir, ".vite", "vite-rolling.json"));
  found.push(...Object.keys(sidecar?.files ?? {}));
  for (const file of files) {
    if (posix.basename(file) === STATIC_MANIFEST_FILE_NAME) {
      found.push(...(await staticFiles(dir, join(dir, file))));
    }
  }
  return found;
}
