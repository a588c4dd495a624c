import type { ResolvedOptions } from "../options.js";
import type { AssetStore } from "./asset-store.js";
import { openS3Store, type S3StoreSeams } from "./s3-store.js";

/** The asset store `options.assetStore` names, or null when none is configured. */
export function openAssetStore(
  options: Pick<ResolvedOptions, "assetStore" | "assetStoreEnv">,
  seams: S3StoreSeams = {},
): Promise<AssetStore> | null {
  return options.assetStore ? openS3Store(options.assetStore, options.assetStoreEnv, seams) : null;
}

/** Where a release records the files it uploaded, under the store's prefix. */
export const RELEASES_FOLDER = ".vite-rolling/releases/";

/** The key of `release`'s record of uploaded files. */
export function releaseListKey(release: string): string {
  return `${RELEASES_FOLDER}${release}.json`;
}

/** The files `release` recorded, or null when it has none. */
export async function readReleaseList(
  store: AssetStore,
  release: string,
): Promise<string[] | null> {
  const bytes = await store.get(releaseListKey(release));
  if (!bytes) return null;
  const files: unknown = (JSON.parse(Buffer.from(bytes).toString("utf8")) as { files?: unknown })
    .files;
  return Array.isArray(files) ? files.filter((f): f is string => typeof f === "string") : null;
}
