import { createHash } from "node:crypto";
import { fail } from "../errors.js";
import { IMMUTABLE_CACHE_CONTROL } from "../static/immutable-cache-control.js";
import { type AssetStore, eachLimit } from "./asset-store.js";
import { contentTypeOf } from "./content-type.js";
import { isHashedBuildFile } from "./hashed-name.js";
import { releaseListKey } from "./open-asset-store.js";

/** Objects written at a time. */
const UPLOADS_AT_ONCE = 8;

/** What `uploadRelease` did. */
export interface UploadResult {
  /** Files written, sorted. */
  uploaded: string[];
  /** Files already in the store with the same bytes, sorted. */
  skipped: string[];
  /** Files left out because their name carries no content hash (a later build could change them). */
  unhashed: string[];
}

/**
 * Puts a release's hashed files into the asset store, then a record of them
 * (`.vite-rolling/releases/<release>.json`) that `prune-assets` reads. Idempotent: a file
 * already stored with the same size and MD5 ETag is not sent again. Each object carries the
 * immutable `Cache-Control` and its `Content-Type`. Any failure throws (after the uploads in
 * flight settle) before the record is written: `refresh` registers nothing then.
 *
 * @example await uploadRelease(store, "v2", await readReleaseAssets(manifestPath, manifest));
 */
export async function uploadRelease(
  store: AssetStore,
  release: string,
  assets: ReadonlyMap<string, Uint8Array>,
): Promise<UploadResult> {
  const result: UploadResult = { uploaded: [], skipped: [], unhashed: [] };
  const hashed = [...assets.keys()].filter((file) => {
    const immutable = isHashedBuildFile(file);
    if (!immutable) result.unhashed.push(file);
    return immutable;
  });
  try {
    await eachLimit(hashed, UPLOADS_AT_ONCE, async (file) => {
      const body = assets.get(file)!;
      const stored = await store.stat(file);
      const md5 = createHash("md5").update(body).digest("hex");
      if (stored && stored.size === body.length && stored.etag === md5) {
        result.skipped.push(file);
        return;
      }
      await store.put(file, body, {
        contentType: contentTypeOf(file),
        cacheControl: IMMUTABLE_CACHE_CONTROL,
      });
      result.uploaded.push(file);
    });
    if (release !== "") {
      const record = `${JSON.stringify({ release, files: hashed.sort() }, null, 2)}\n`;
      await store.put(releaseListKey(release), Buffer.from(record), {
        contentType: contentTypeOf(".json"),
        cacheControl: "no-store",
      });
    }
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.message.replace(/^\[vite-rolling\] \[\w+\] /, "")
        : String(error);
    fail(
      "assets",
      `uploading release ${release || "(no id)"} to ${store.location} failed after ${result.uploaded.length + result.skipped.length} of ${hashed.length} files, so nothing was registered: ${reason} Fix it and run refresh again; files already uploaded are not sent twice.`,
      { cause: error, code: "ERR_ASSETS_UPLOAD" },
    );
  }
  result.uploaded.sort();
  result.skipped.sort();
  result.unhashed.sort();
  return result;
}
