import { readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fail } from "../errors.js";
import { referencedFiles } from "../manifest/files.js";
import { readSidecar, sidecarPathFor } from "../manifest/sidecar.js";
import type { Manifest } from "../manifest/types.js";
import { errnoReason } from "../util/errno.js";

/**
 * The output directory of a build: Vite writes the manifest to `<outDir>/.vite/manifest.json`
 * (or `<outDir>/<name>` for a custom name), so the outDir is found from the manifest path.
 */
export function outDirOf(manifestPath: string): string {
  const dir = dirname(resolve(manifestPath));
  return basename(dir) === ".vite" ? dirname(dir) : dir;
}

/**
 * Reads the built files a release retains in the registry (`retainAssets`): what the plugin's
 * sidecar lists (every emitted file), else every file the manifest references. A listed file
 * missing on disk is an error: a release with holes must not be registered as retained.
 */
export async function readReleaseAssets(
  manifestPath: string,
  manifest: Manifest,
): Promise<Map<string, Uint8Array>> {
  const outDir = outDirOf(manifestPath);
  const sidecar = await readSidecar(sidecarPathFor(manifestPath));
  const files = sidecar
    ? Object.keys(sidecar.files).filter((f) => !f.endsWith(".html"))
    : [...referencedFiles(manifest)];
  const assets = new Map<string, Uint8Array>();
  for (const file of files.sort()) {
    try {
      assets.set(file, await readFile(join(outDir, file)));
    } catch (error) {
      fail(
        "refresh",
        `retainAssets: the build lists ${file} but ${join(outDir, file)} cannot be read (${errnoReason(error)}). Register right after \`vite build\`, before anything prunes the output directory.`,
        { cause: error, code: "ERR_DEPLOY_ASSET_UNREADABLE" },
      );
    }
  }
  return assets;
}
