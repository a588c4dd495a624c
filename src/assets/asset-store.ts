/** What an asset store knows of one object. */
export interface StoredObject {
  /** Path under the store's prefix, as the build writes it ("assets/index-4f2a.js"). */
  file: string;
  size: number;
  /** The object's ETag without quotes (an MD5 hex for a single-part upload). */
  etag: string;
  lastModified: Date;
}

/** Headers an object is stored with. */
export interface PutHeaders {
  contentType: string;
  cacheControl: string;
}

/**
 * Where old releases' built files live outside the registry (`assetStore`): object storage
 * behind a CDN. Paths are relative to the store's prefix; every method throws a
 * `ViteRollingError` naming the store, the object and the answer on a failure.
 */
export interface AssetStore {
  /** Where it lives, for messages: `s3://bucket/prefix at <endpoint>`. */
  readonly location: string;
  /** The object at `file`, or null when there is none. */
  stat(file: string): Promise<StoredObject | null>;
  put(file: string, body: Uint8Array, headers: PutHeaders): Promise<void>;
  /** The bytes of `file`, or null when there is none. */
  get(file: string): Promise<Uint8Array | null>;
  /** Every object under the prefix, in key order. */
  list(): AsyncIterable<StoredObject>;
  /** Deletes `file` (nothing happens when it is already gone). */
  delete(file: string): Promise<void>;
}

/** Runs `task` over `items`, `limit` at a time; the first failure rejects once all settle. */
export async function eachLimit<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item).catch((error: unknown) => {
        errors.push(error);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
