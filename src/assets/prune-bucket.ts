import { fail } from "../errors.js";
import { referencedFiles } from "../manifest/files.js";
import { parseManifest } from "../manifest/load.js";
import type { ResolvedOptions } from "../options.js";
import { type DeployContext, withRegistry } from "../registry/connect.js";
import { type AssetStore, eachLimit } from "./asset-store.js";
import { isHashedBuildFile } from "./hashed-name.js";
import { openAssetStore, RELEASES_FOLDER, readReleaseList } from "./open-asset-store.js";

/** Seconds an unreferenced object stays by default: a day of CDN caches, open tabs and deploys in flight. */
export const DEFAULT_GRACE_SECONDS = 86_400;

/** Objects deleted at a time. */
const DELETES_AT_ONCE = 8;

export interface PruneBucketOptions {
  /** List what would be deleted, delete nothing. @default false */
  dryRun?: boolean;
  /**
   * Seconds since its upload before an object no kept release references may go. It covers a
   * `refresh` that uploaded but has not registered yet, and CDNs still revalidating.
   * @default 86400
   */
  gracePeriod?: number;
  /** The clock (tests). @default Date.now */
  now?: () => number;
  /** Use this store instead of opening the one `options.assetStore` names. */
  store?: AssetStore;
}

export interface PruneBucketResult {
  /** The store, for messages. */
  location: string;
  /** Releases whose files were kept. */
  releases: string[];
  /** Objects deleted (or, with `dryRun`, that would be), relative to the prefix, sorted. */
  deleted: string[];
  /** Unreferenced objects kept because they are younger than the grace period. */
  young: number;
  /** Objects kept because a kept release references them. */
  kept: number;
}

/**
 * Garbage-collects the asset store: deletes the objects that no release kept in the registry
 * references and that were uploaded more than `gracePeriod` seconds ago (ListObjectsV2, then
 * DeleteObject each). A release's files are what it recorded at upload plus what its manifest
 * references; if a kept release's manifest cannot be read, nothing is deleted. Only hashed
 * files and the records of releases no longer kept are candidates.
 *
 * @example await pruneBucket(resolveOptions({ manifestPath, assetStore: "s3://assets/static" }));
 */
export async function pruneBucket(
  options: ResolvedOptions,
  {
    dryRun = false,
    gracePeriod = DEFAULT_GRACE_SECONDS,
    now = Date.now,
    store,
  }: PruneBucketOptions = {},
  context: DeployContext = {},
): Promise<PruneBucketResult> {
  const bucket = store ?? (await openAssetStore(options));
  if (!bucket) {
    fail(
      "assets",
      "prune-assets needs an asset store: set assetStore (or --asset-store, VITE_ROLLING_ASSET_STORE) to s3://bucket/prefix.",
      {
        code: "ERR_OPTIONS",
      },
    );
  }
  return withRegistry(options, context, async (registry) => {
    const releases = (await registry.releases()).map((r) => r.release);
    if (releases.length === 0) {
      fail(
        "prune-assets",
        `the registry at ${registry.location} holds no release, so every object in ${bucket.location} would go; run \`vite-rolling refresh\` first.`,
        { code: "ERR_DEPLOY_NO_RELEASE" },
      );
    }
    const needed = new Set<string>();
    const texts = await Promise.all(releases.map((release) => registry.getManifest(release)));
    for (const [i, release] of releases.entries()) {
      const text = texts[i]?.text;
      if (text === undefined) {
        fail(
          "prune-assets",
          `release ${release} is listed but its manifest is missing in ${registry.location}; nothing was deleted from ${bucket.location}. Run \`vite-rolling refresh\` for it again.`,
          { code: "ERR_ASSETS_PRUNE" },
        );
      }
      const recorded = (await readReleaseList(bucket, release)) ?? [];
      const manifest = parseManifest(text, `release ${release}`);
      for (const file of [...referencedFiles(manifest), ...recorded]) needed.add(file);
    }
    const live = new Set(releases.map((r) => `${RELEASES_FOLDER}${r}.json`));
    const cutoff = now() - gracePeriod * 1000;
    const deleted: string[] = [];
    let young = 0;
    let kept = 0;
    for await (const object of bucket.list()) {
      const record = object.file.startsWith(RELEASES_FOLDER);
      if (needed.has(object.file) || live.has(object.file)) kept++;
      else if (!record && !isHashedBuildFile(object.file)) continue;
      else if (object.lastModified.getTime() > cutoff) young++;
      else deleted.push(object.file);
    }
    deleted.sort();
    if (!dryRun) await eachLimit(deleted, DELETES_AT_ONCE, (file) => bucket.delete(file));
    return { location: bucket.location, releases, deleted, young, kept };
  });
}
