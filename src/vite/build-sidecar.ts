import { posix } from "node:path";
import { hashOfPairs, sha256Hex, sriSha384 } from "../version/hash.js";
import { SIDECAR_FILE_NAME, type Sidecar } from "../version/sidecar.js";

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
 * The sidecar of one build, from the digests of its emitted files. The manifest and the sidecar
 * are left out (`exclude`): the manifest only names files already hashed here, and leaving it
 * out keeps the build hash a pure function of the emitted bytes.
 *
 * @example buildSidecar("/static/", [["assets/index-B1x.js", digestFile(name, bytes)]], [".vite/manifest.json"])
 */
export function buildSidecar(
  base: string,
  digests: Iterable<[string, FileDigest]>,
  exclude: Iterable<string> = [],
): Sidecar {
  const skip = new Set(exclude);
  const files: Record<string, string> = {};
  const integrity: Record<string, string> = {};
  for (const [name, digest] of digests) {
    if (skip.has(name)) continue;
    files[name] = digest.sha256;
    if (digest.integrity) integrity[name] = digest.integrity;
  }
  return { version: 1, buildHash: hashOfPairs(files), base, integrity, files };
}
