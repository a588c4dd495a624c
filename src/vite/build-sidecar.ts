import { hash } from "node:crypto";
import { posix } from "node:path";
import { type ImportMap, SIDECAR_FILE_NAME, type Sidecar } from "../manifest/sidecar.js";
import { stableJson } from "../util/stable-json.js";
import { writeFileAtomicSync } from "../util/write-file-atomic.js";
import { hashOfPairs } from "../version/hash.js";

/** Hashes of one emitted file; `integrity` only for files a tag can carry it on. */
export interface FileDigest {
  /** The content hash the sidecar's `files` records: 64 hex digits. */
  hash: string;
  integrity?: string;
}

/** Files whose tags (`<script>`, `<link rel=stylesheet|modulepreload>`) take an `integrity`. */
const INTEGRITY_FILE = /\.(?:m?js|css)$/;

/**
 * Hashes of one emitted file's final bytes, from ONE sha384 digest: its base64 is the
 * Subresource Integrity value, its first 256 bits (64 hex digits) the content hash the build
 * hash is made of: one digest per file, not a sha384 and a sha256 (issue 15). A SHA-2
 * digest cut to 256 bits resists collisions as its length says (SHA-512/256 is one such).
 * A string is hashed as UTF-8, the encoding Vite writes chunks in. One-shot `crypto.hash`
 * (Node 20.12+): no Hash object per file, a build hashes a couple of hundred small ones.
 */
export function digestFile(fileName: string, bytes: Uint8Array | string): FileDigest {
  const digest = hash("sha384", bytes, "buffer");
  const hashed: FileDigest = { hash: digest.toString("hex", 0, 32) };
  if (INTEGRITY_FILE.test(fileName)) hashed.integrity = `sha384-${digest.toString("base64")}`;
  return hashed;
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
    files[name] = digest.hash;
    if (digest.integrity) integrity[name] = digest.integrity;
  }
  const sidecar: Sidecar = { version: 1, buildHash: hashOfPairs(files), base, integrity, files };
  if (importMap) sidecar.importMap = importMap;
  return sidecar;
}

/**
 * Writes the sidecar (stable JSON) at `path`, atomically (a server reading the build sees the
 * old sidecar or the new one) and synchronously: it is the build's last step.
 */
export function writeSidecarFile(path: string, sidecar: Sidecar): void {
  writeFileAtomicSync(path, stableJson(sidecar));
}

/**
 * Where Vite writes the chunk import map, relative to outDir, when `build.chunkImportMap` is on
 * (Vite's `getImportMapFilename`: rolldown's `experimental.chunkImportMap.fileName`, else
 * "importmap.json"); null when it is off.
 */
export function importMapFileName(build: {
  chunkImportMap?: boolean;
  rolldownOptions?: { experimental?: { chunkImportMap?: unknown } };
  bundler?: { experimental?: { chunkImportMap?: unknown } };
}): string | null {
  if (!build.chunkImportMap) return null;
  const options = build.bundler ?? build.rolldownOptions;
  const setting = options?.experimental?.chunkImportMap;
  const fileName =
    typeof setting === "object" && setting !== null
      ? (setting as { fileName?: unknown }).fileName
      : undefined;
  return typeof fileName === "string" && fileName !== "" ? fileName : "importmap.json";
}
