import { describe, fail } from "../errors.js";

/** Where an asset store keeps a release's files: a bucket and a key prefix inside it. */
export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing "/" ("" = the bucket's root). */
  prefix: string;
}

// S3's bucket naming rules (3-63 lowercase letters, digits, "." and "-"), loosened to allow
// the upper case and "_" some S3-compatible servers accept.
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$/;

/**
 * Parses `assetStore`: `s3://bucket` or `s3://bucket/prefix/inside`. The prefix is where the
 * build's output paths go (`<prefix>/assets/index-4f2a.js`), so a CDN in front of the bucket
 * serves them at `<cdn>/<prefix>/assets/...`: what `base` then names.
 *
 * @example parseS3Url("s3://my-assets/static") // { bucket: "my-assets", prefix: "static" }
 */
export function parseS3Url(url: unknown): S3Location {
  const match = typeof url === "string" ? /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(url) : null;
  const bucket = match?.[1] ?? "";
  const prefix = (match?.[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (
    !match ||
    !BUCKET.test(bucket) ||
    prefix.split("/").some((s) => s === "." || s === "..") ||
    /\/\//.test(prefix)
  ) {
    fail(
      "assets",
      `assetStore must be an S3 URL "s3://<bucket>[/<prefix>]", received ${describe(url)}. Example: "s3://my-app-assets/static"; the endpoint and credentials come from AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`,
      { code: "ERR_OPTIONS" },
    );
  }
  return { bucket, prefix };
}
