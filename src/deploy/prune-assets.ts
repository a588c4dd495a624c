import { readdir, rm } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { fail } from "../errors.js";
import { referencedFiles } from "../manifest/files.js";
import { parseManifest } from "../manifest/load.js";
import type { ResolvedOptions } from "../options.js";
import { type DeployContext, withRegistry } from "../registry/connect.js";
import { immutableCacheControl } from "../static/immutable-cache-control.js";
import { errnoReason } from "../util/errno.js";
import { currentBuildFiles, readReleaseRecord } from "./release-files.js";

export interface PruneAssetsResult {
  /** Releases whose files were kept. */
  releases: string[];
  /** Files deleted (or, with `dryRun`, that would be), relative to the directory, sorted. */
  deleted: string[];
  /** Files kept because a live release references them. */
  kept: number;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

/**
 * Deletes the built files in `dir` that no kept release references. Only content-hashed
 * names are candidates (a hand-placed `favicon.ico` or `robots.txt` is never touched) and
 * nothing under `.vite/`. If any kept release's manifest cannot be read, nothing is deleted:
 * a file a live release needs must never go.
 *
 * @example
 * await pruneAssets(resolveOptions({ manifestPath }), "dist", { dryRun: true });
 */
export async function pruneAssets(
  options: ResolvedOptions,
  dir: string,
  { dryRun = false }: { dryRun?: boolean } = {},
  context: DeployContext = {},
): Promise<PruneAssetsResult> {
  const root = resolve(context.cwd ?? process.cwd(), dir);
  let files: string[];
  try {
    files = await filesUnder(root);
  } catch (error) {
    fail(
      "prune-assets",
      `cannot read the directory ${root} (${errnoReason(error)}); pass the folder your server serves built files from.`,
      { cause: error, code: "ERR_DEPLOY_DIR_UNREADABLE" },
    );
  }
  return withRegistry(options, context, async (registry) => {
    const releases = (await registry.releases()).map((r) => r.release);
    if (releases.length === 0) {
      fail(
        "prune-assets",
        `the registry at ${registry.location} holds no release, so every file would go; run \`vite-rolling refresh\` first.`,
        { code: "ERR_DEPLOY_NO_RELEASE" },
      );
    }
    const needed = new Set<string>();
    for (const release of releases) {
      const stored = await registry.getManifest(release);
      if (!stored) {
        fail(
          "prune-assets",
          `release ${release} is listed but its manifest is missing in ${registry.location}; nothing was deleted. Run \`vite-rolling refresh\` for it again.`,
          { code: "ERR_DEPLOY_MANIFEST_MISSING" },
        );
      }
      for (const file of referencedFiles(parseManifest(stored.text, `release ${release}`))) {
        needed.add(file);
      }
      // Its sidecar's and staticfiles.json's files, which the registry does not hold.
      for (const file of (await readReleaseRecord(root, release)) ?? []) needed.add(file);
    }
    for (const file of await currentBuildFiles(root, files)) needed.add(file);
    const live = new Set(releases);
    const records = files.filter(
      (f) => f.startsWith(".vite/releases/") && !live.has(f.slice(15, -".json".length)),
    );
    const deleted = files.filter(
      (f) => !needed.has(f) && !f.startsWith(".vite/") && immutableCacheControl(f) !== null,
    );
    if (!dryRun) {
      for (const file of [...deleted, ...records]) await rm(join(root, file), { force: true });
    }
    return { releases, deleted, kept: files.filter((f) => needed.has(f)).length };
  });
}
