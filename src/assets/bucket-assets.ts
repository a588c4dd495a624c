import type { Logger } from "../errors.js";
import type { ResolvedOptions } from "../options.js";
import type { RetainedAsset } from "../types.js";
import { ByteBudgetMap, ExpiringSet } from "../util/bounded-cache.js";
import type { AssetStore } from "./asset-store.js";
import { openAssetStore } from "./open-asset-store.js";

/** Memory for files answered from the asset store (a page's chunks: few and hot). */
export const BUCKET_CACHE_BYTES = 32 * 1024 * 1024;
/** Milliseconds a file the store lacks is not asked for again. */
export const BUCKET_MISS_MS = 10_000;
/** Misses remembered at most; oldest out first. */
const BUCKET_MISSES = 1000;
/** Milliseconds between two warnings of a failing store. */
const BUCKET_WARN_MS = 60_000;

/** Seams for tests. */
export interface BucketAssetsSeams {
  store?: AssetStore;
  maxBytes?: number;
  now?: () => number;
}

/**
 * Other releases' hashed files, answered from the asset store (`assetStore`). The server
 * proxies them rather than redirecting: a `<script type="module" crossorigin>` redirected to
 * the bucket's origin would need CORS there, and a private bucket works as is. (With `base`
 * on the CDN in front of the bucket, browsers fetch old files from the CDN and never ask the
 * server.) A hashed name's bytes never change, so hits stay in memory, bounded in bytes,
 * oldest out first; misses are remembered `BUCKET_MISS_MS`, bounded in count, so unknown
 * paths cost the store one request per interval. A store outage is a miss and one warning
 * a minute.
 */
export class BucketAssets {
  readonly #options: Pick<ResolvedOptions, "assetStore" | "assetStoreEnv">;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #hits: ByteBudgetMap<RetainedAsset>;
  readonly #misses = new ExpiringSet(BUCKET_MISSES);
  #store: Promise<AssetStore> | null;
  #warnedAt = Number.NEGATIVE_INFINITY;

  constructor(
    options: Pick<ResolvedOptions, "assetStore" | "assetStoreEnv">,
    logger: Logger,
    { store, maxBytes = BUCKET_CACHE_BYTES, now = Date.now }: BucketAssetsSeams = {},
  ) {
    this.#options = options;
    this.#logger = logger;
    this.#store = store ? Promise.resolve(store) : null;
    this.#hits = new ByteBudgetMap(maxBytes);
    this.#now = now;
  }

  /** `file` from the asset store, or null when it holds none (or cannot be reached). */
  async find(file: string): Promise<RetainedAsset | null> {
    const hit = this.#hits.get(file);
    if (hit) return hit;
    const now = this.#now();
    if (this.#misses.has(file, now)) return null;
    try {
      // Opened on first use: a missing client or credential is a warning, never a failed start.
      this.#store ??= openAssetStore(this.#options);
      const store = await this.#store;
      const body = store && (await store.get(file));
      if (body) return this.#hits.set(file, { file, release: "", body: Buffer.from(body) });
    } catch (error) {
      this.#warn(error, now);
    }
    this.#misses.add(file, now + BUCKET_MISS_MS);
    return null;
  }

  #warn(error: unknown, now: number): void {
    if (now - this.#warnedAt < BUCKET_WARN_MS) return;
    this.#warnedAt = now;
    const reason = error instanceof Error ? error.message : String(error);
    this.#logger.warn(
      `[vite-rolling] [assets] cannot read old files from the asset store: ${JSON.stringify(reason.slice(0, 300))} (further warnings are held for ${BUCKET_WARN_MS / 1000} s)`,
    );
  }
}
