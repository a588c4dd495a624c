import { createHash } from "node:crypto";
import type { AwsClient } from "aws4fetch";
import { fail } from "../errors.js";
import type { AssetStore, PutHeaders, StoredObject } from "./asset-store.js";
import type { AwsEnv } from "./s3-env.js";
import { parseS3Url, type S3Location } from "./s3-url.js";

type Aws4fetch = typeof import("aws4fetch");
let loading: Promise<Aws4fetch> | null = null;

/** aws4fetch, imported on first use: only processes with an asset store need it. */
function loadClient(): Promise<Aws4fetch> {
  loading ??= import("aws4fetch").catch((error: unknown) => {
    loading = null;
    fail(
      "assets",
      'assetStore needs the optional peer "aws4fetch" (a 12 kB S3 request signer), which cannot be imported. Install it: npm install aws4fetch.',
      { cause: error, code: "ERR_ASSETS_CLIENT" },
    );
  });
  return loading;
}

/** Seams for tests. */
export interface S3StoreSeams {
  /** Attempts per request on a 5xx or network error (aws4fetch's `retries`). @default 3 */
  retries?: number;
}

/**
 * Opens the S3-compatible store `url` names (`s3://bucket/prefix`), signing with AWS
 * Signature V4. Endpoint: `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL` (R2, MinIO, any
 * S3-compatible server; addressed path-style, which they all accept), else AWS S3 in
 * `AWS_REGION` / `AWS_DEFAULT_REGION` (virtual-hosted). Credentials: `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
 *
 * @example const store = await openS3Store("s3://my-assets/static", awsEnvFrom(process.env));
 */
export async function openS3Store(
  url: string,
  env: AwsEnv,
  { retries = 3 }: S3StoreSeams = {},
): Promise<AssetStore> {
  const location = parseS3Url(url);
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    fail(
      "assets",
      `assetStore ${url} needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones) in the environment; ${accessKeyId ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID"} is not set.`,
      { code: "ERR_ASSETS_CONFIG" },
    );
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? null;
  let bucketUrl: string;
  try {
    bucketUrl = endpoint
      ? `${new URL(endpoint).href.replace(/\/+$/, "")}/${location.bucket}`
      : `https://${location.bucket}.s3.${region}.amazonaws.com`;
  } catch (error) {
    fail(
      "assets",
      `AWS_ENDPOINT_URL must be a URL such as "https://<account>.r2.cloudflarestorage.com" or "http://127.0.0.1:9000", received ${JSON.stringify(endpoint)}.`,
      { cause: error, code: "ERR_ASSETS_CONFIG" },
    );
  }
  const { AwsClient } = await loadClient();
  const client = new AwsClient({
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    region,
    service: "s3",
    retries,
  });
  return new S3Store(client, location, bucketUrl, endpoint ?? "AWS S3");
}

/** One bucket and prefix, spoken to over S3's REST API. */
class S3Store implements AssetStore {
  readonly location: string;
  readonly #client: AwsClient;
  readonly #where: S3Location;
  readonly #bucketUrl: string;

  constructor(client: AwsClient, where: S3Location, bucketUrl: string, endpoint: string) {
    this.#client = client;
    this.#where = where;
    this.#bucketUrl = bucketUrl;
    const prefix = where.prefix ? `/${where.prefix}` : "";
    this.location = `s3://${where.bucket}${prefix} at ${endpoint}`;
  }

  async stat(file: string): Promise<StoredObject | null> {
    const res = await this.#send("HEAD", file, { method: "HEAD" }, [404]);
    if (res.status === 404) return null;
    return {
      file,
      size: Number(res.headers.get("content-length") ?? -1),
      etag: unquote(res.headers.get("etag") ?? ""),
      lastModified: new Date(res.headers.get("last-modified") ?? 0),
    };
  }

  async put(file: string, body: Uint8Array, headers: PutHeaders): Promise<void> {
    const md5 = createHash("md5").update(body).digest("base64");
    await this.#send("PUT", file, {
      method: "PUT",
      // A Buffer's memory may be shared; fetch's types want an ArrayBuffer-backed view.
      body: new Uint8Array(body),
      // S3 checks Content-MD5 and refuses a body damaged on the way.
      headers: {
        "content-type": headers.contentType,
        "cache-control": headers.cacheControl,
        "content-md5": md5,
      },
    });
  }

  async get(file: string): Promise<Uint8Array | null> {
    const res = await this.#send("GET", file, { method: "GET" }, [404]);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    return new Uint8Array(await res.arrayBuffer());
  }

  async delete(file: string): Promise<void> {
    await this.#send("DELETE", file, { method: "DELETE" }, [404]);
  }

  async *list(): AsyncIterable<StoredObject> {
    const keyPrefix = this.#where.prefix ? `${this.#where.prefix}/` : "";
    let token: string | null = null;
    do {
      const query = new URLSearchParams({ "list-type": "2", prefix: keyPrefix });
      if (token) query.set("continuation-token", token);
      const res = await this.#request(
        "LIST",
        `${this.#bucketUrl}?${query}`,
        { method: "GET" },
        keyPrefix,
      );
      const xml = await res.text();
      for (const [, entry] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = xmlText(entry!, "Key");
        yield {
          file: key.slice(keyPrefix.length),
          size: Number(xmlText(entry!, "Size")),
          etag: unquote(xmlText(entry!, "ETag")),
          lastModified: new Date(xmlText(entry!, "LastModified")),
        };
      }
      token = xmlText(xml, "IsTruncated") === "true" ? xmlText(xml, "NextContinuationToken") : null;
    } while (token);
  }

  #send(
    verb: string,
    file: string,
    init: RequestInit,
    allowed: readonly number[] = [],
  ): Promise<Response> {
    const key = this.#where.prefix ? `${this.#where.prefix}/${file}` : file;
    const path = key.split("/").map(encodeURIComponent).join("/");
    return this.#request(verb, `${this.#bucketUrl}/${path}`, init, key, allowed);
  }

  async #request(
    verb: string,
    url: string,
    init: RequestInit,
    key: string,
    allowed: readonly number[] = [],
  ): Promise<Response> {
    let res: Response;
    try {
      res = await this.#client.fetch(url, init);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      fail(
        "assets",
        `${verb} ${key} in ${this.location} failed: ${reason}. Check AWS_ENDPOINT_URL and that the server is reachable.`,
        { cause: error, code: "ERR_ASSETS_REQUEST" },
      );
    }
    if (res.ok || allowed.includes(res.status)) return res;
    const text = await res.text().catch(() => "");
    const code = xmlText(text, "Code") || res.statusText;
    fail(
      "assets",
      `${verb} ${key} in ${this.location} answered ${res.status} ${code}${hint(res.status)}`,
      { code: "ERR_ASSETS_REQUEST" },
    );
  }
}

function hint(status: number): string {
  if (status === 403)
    return ": check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the key's rights on the bucket.";
  if (status === 404)
    return ": check the bucket name in assetStore and AWS_ENDPOINT_URL / AWS_REGION.";
  if (status === 301 || status === 400)
    return ": check AWS_REGION (the bucket's region) and AWS_ENDPOINT_URL.";
  return ".";
}

function unquote(etag: string): string {
  return etag.replace(/^(W\/)?"|"$/g, "");
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The text of the first `<tag>` in `xml`, entities decoded; "" when there is none. */
function xmlText(xml: string, tag: string): string {
  const raw = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1] ?? "";
  return raw.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) =>
    name[0] === "#"
      ? String.fromCodePoint(
          Number(name[1] === "x" || name[1] === "X" ? `0${name.slice(1)}` : name.slice(1)),
        )
      : (ENTITIES[name] ?? whole),
  );
}
