import { posix } from "node:path";
import { type ImportMap, SIDECAR_FILE_NAME, type Sidecar } from "../manifest/sidecar.js";
import { hashOfPairs, sha256Hex, sriSha384 } from "../version/hash.js";

/** Hashes of one emitted file; `integrity` only for files a tag can carry it on. */
export interface FileDigest {
  sha256: string;
  integrity?: string;
}

/** Files whose tags (`<script>`, `<link rel=stylesheet|modulepreload>`) take an `integrity`. */
const INTEGRITY_FILE = /\.(?:m?js|css)$/;

/** Hashes of one emitted file's final bytes. */
export function digestFile(fileName: string, bytes: Uint8Array): FileDigest {
  const digest: FileDigest = { sha256: sha256Hex(bytes) };
  if (INTEGRITY_FILE.test(fileName)) digest.integrity = sriSha384(bytes);
  return digest;
}

/**
 * Where Vite writes its manifest, relative to outDir, for a `build.manifest` setting
 * (`true` means `.vite/manifest.json`, a string is the path itself).
 */
export function manifestFileName(setting: boolean | string | undefined): string {
  return typeof setting === "string" && setting !== "" ? setting : ".vite/manifest.json";
}

/** Where the sidecar goes, relative to outDir: next to the manifest. */
export function sidecarFileName(manifestFile: string): string {
  return posix.join(posix.dirname(manifestFile), SIDECAR_FILE_NAME);
}

/**
 * The sidecar of one build, from the digests of its emitted files (and the import map Vite
 * emitted, if any). The manifest and the sidecar
 * are left out (`exclude`): the manifest only names files already hashed here, and leaving it
 * out keeps the build hash a pure function of the emitted bytes.
 *
 * @example buildSidecar("/static/", [["assets/index-B1x.js", digestFile(name, bytes)]], [".vite/manifest.json"])
 */
export function buildSidecar(
  base: string,
  digests: Iterable<[string, FileDigest]>,
  exclude: Iterable<string> = [],
  importMap: ImportMap | null = null,
): Sidecar {
  const skip = new Set(exclude);
  const files: Record<string, string> = {};
  const integrity: Record<string, string> = {};
  for (const [name, digest] of digests) {
    if (skip.has(name)) continue;
    files[name] = digest.sha256;
    if (digest.integrity) integrity[name] = digest.integrity;
  }
  const sidecar: Sidecar = { version: 1, buildHash: hashOfPairs(files), base, integrity, files };
  if (importMap) sidecar.importMap = importMap;
  return sidecar;
}

/**
 * Where Vite writes the chunk import map, relative to outDir, when `build.chunkImportMap` is on
 * (Vite's `getImportMapFilename`: rolldown's `experimental.chunkImportMap.fileName`, else
 * "importmap.json"); null when it is off.
 */
export function importMapFileName(build: {
  chunkImportMap?: boolean;
  rolldownOptions?: { experimental?: { chunkImportMap?: unknown } };
}): string | null {
  if (!build.chunkImportMap) return null;
  const setting = build.rolldownOptions?.experimental?.chunkImportMap;
  const fileName =
    typeof setting === "object" && setting !== null
      ? (setting as { fileName?: unknown }).fileName
      : undefined;
  return typeof fileName === "string" && fileName !== "" ? fileName : "importmap.json";
}
