// Issue 16, upload: `refresh` with an asset store puts a release's hashed files into a real
// S3-compatible server (s3rver on loopback, signed with aws4fetch), with immutable
// Cache-Control and their Content-Type, once; a failed upload registers nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAssetStore } from "../../src/assets/open-asset-store.js";
import { parseS3Url } from "../../src/assets/s3-url.js";
import { refresh } from "../../src/deploy/refresh.js";
import { referencedFiles } from "../../src/manifest/files.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolveOptions } from "../../src/options.js";
import { openRegistry } from "../../src/registry/connect.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";
import { type S3Server, startS3 } from "./s3-server.js";

const work = tempDir("asset-upload");
let s3: S3Server;
let manifestPath: string;
let files: string[];

beforeAll(async () => {
  s3 = await startS3();
  const app = await buildApp(
    join(work.path, "app"),
    {
      "src/main.ts": 'import "./style.css";\nimport("./lazy").then((m) => m.run());\n',
      "src/lazy.ts": 'export const run = () => console.log("lazy");\n',
      "src/style.css": "body { color: red }\n",
    },
    { base: "/static/", build: { rollupOptions: { input: "src/main.ts" } } },
  );
  manifestPath = app.manifestPath;
  files = [...referencedFiles(JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest)].sort();
});
afterAll(async () => {
  await s3?.close();
  work.cleanup();
});

function options(extra: Record<string, unknown>, env: Record<string, string> = s3.env) {
  return resolveOptions(
    { manifestPath, release: "v1", registryDir: join(work.path, "registry"), ...extra },
    env,
  );
}

async function head(key: string): Promise<Response> {
  const store = (await openAssetStore(options({ assetStore: "s3://assets/static" })))!;
  const stat = await store.stat(key);
  expect(stat, key).not.toBeNull();
  // Read the stored headers with a signed request of our own.
  const { AwsClient } = await import("aws4fetch");
  const client = new AwsClient({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER", service: "s3" });
  return client.fetch(`${s3.endpoint}/assets/static/${key}`, { method: "HEAD" });
}

describe("the assetStore option", () => {
  it("parses s3://bucket/prefix and comes from VITE_ROLLING_ASSET_STORE", () => {
    expect(parseS3Url("s3://my-assets/static/v/")).toEqual({
      bucket: "my-assets",
      prefix: "static/v",
    });
    expect(parseS3Url("s3://my-assets")).toEqual({ bucket: "my-assets", prefix: "" });
    const fromEnv = resolveOptions(
      { manifestPath: "m.json" },
      { VITE_ROLLING_ASSET_STORE: "s3://b-1/p", AWS_REGION: "eu-west-1" },
    );
    expect(fromEnv.assetStore).toBe("s3://b-1/p");
    expect(fromEnv.assetStoreEnv).toEqual({ AWS_REGION: "eu-west-1" });
    // Without a store, no AWS variable is read.
    expect(resolveOptions({ manifestPath: "m.json" }, { AWS_REGION: "x" }).assetStoreEnv).toEqual(
      {},
    );
  });

  it("refuses what is not an S3 URL, naming the form it takes", () => {
    for (const bad of ["https://bucket/x", "s3://", "s3://b/../x", "bucket/prefix"]) {
      expect(() => resolveOptions({ manifestPath: "m.json", assetStore: bad }, {})).toThrow(
        /assetStore must be an S3 URL "s3:\/\/<bucket>\[\/<prefix>\]"/,
      );
    }
  });

  it("names the missing credential before any request", async () => {
    const noKey = options({ assetStore: "s3://assets/static" }, { AWS_ENDPOINT_URL: s3.endpoint });
    await expect(refresh(noKey, {}, { cwd: work.path })).rejects.toMatchObject({
      code: "ERR_ASSETS_CONFIG",
      message: expect.stringContaining("AWS_ACCESS_KEY_ID is not set"),
    });
  });
});

describe("refresh with an asset store", () => {
  it("uploads every hashed file with immutable Cache-Control and its Content-Type, then registers", async () => {
    const result = await refresh(
      options({ assetStore: "s3://assets/static" }),
      {},
      { cwd: work.path },
    );
    expect(result.kept).toEqual(["v1"]);
    expect(result.upload?.uploaded).toEqual(files);
    expect(result.upload?.skipped).toEqual([]);
    for (const file of files) {
      const res = await head(file);
      expect(res.headers.get("cache-control"), file).toBe("public, max-age=31536000, immutable");
      const type = file.endsWith(".css")
        ? "text/css; charset=utf-8"
        : "text/javascript; charset=utf-8";
      expect(res.headers.get("content-type"), file).toBe(type);
      expect(Number(res.headers.get("content-length"))).toBe(
        readFileSync(join(work.path, "app/dist", file)).length,
      );
    }
    // The release's record, which prune-assets reads.
    const store = (await openAssetStore(options({ assetStore: "s3://assets/static" })))!;
    const record = JSON.parse(
      Buffer.from((await store.get(".vite-rolling/releases/v1.json"))!).toString(),
    );
    expect(record).toEqual({ release: "v1", files });
  });

  it("is idempotent: a second run sends no file again", async () => {
    const again = await refresh(
      options({ assetStore: "s3://assets/static" }),
      {},
      { cwd: work.path },
    );
    expect(again.upload?.uploaded).toEqual([]);
    expect(again.upload?.skipped).toEqual(files);
    // Negative control: under another prefix, the same files are new.
    const fresh = await refresh(
      options({ assetStore: "s3://assets/other", registryDir: join(work.path, "registry-other") }),
      {},
      { cwd: work.path },
    );
    expect(fresh.upload?.uploaded).toEqual(files);
  });

  it("a failed upload registers nothing and says why (a missing bucket, a refused key)", async () => {
    const registryDir = join(work.path, "registry-failed");
    const cases: [string, Record<string, string>, RegExp][] = [
      ["s3://no-such-bucket/static", s3.env, /404 NoSuchBucket: check the bucket name/],
      [
        "s3://assets/static",
        { ...s3.env, AWS_ACCESS_KEY_ID: "nobody" },
        /answered 403 Forbidden: check AWS_ACCESS_KEY_ID/,
      ],
    ];
    for (const [assetStore, env, reason] of cases) {
      const attempt = refresh(options({ assetStore, registryDir }, env), {}, { cwd: work.path });
      await expect(attempt).rejects.toMatchObject({
        code: "ERR_ASSETS_UPLOAD",
        message: expect.stringMatching(reason),
      });
      await expect(attempt).rejects.toThrow(/so nothing was registered/);
    }
    const registry = openRegistry(options({ registryDir }));
    try {
      expect(await registry.releases()).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it("the CLI takes --asset-store, uploads, and exits non-zero when the upload fails", async () => {
    const registryDir = join(work.path, "registry-cli");
    const args = [
      "refresh",
      "--manifest-path",
      manifestPath,
      "--registry-dir",
      registryDir,
      "--release",
      "c1",
    ];
    const ok = await runCli([...args, "--asset-store", "s3://assets/cli"], { env: s3.env });
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toContain(
      `uploaded ${files.length} file(s) to s3://assets/cli (0 already there)`,
    );
    expect(ok.code).toBe(0);
    const failed = await runCli([...args, "--release", "c2"], {
      env: { ...s3.env, VITE_ROLLING_ASSET_STORE: "s3://no-such-bucket/cli" },
    });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(
      /uploading release c2 to s3:\/\/no-such-bucket\/cli .* nothing was registered/,
    );
    const status = await runCli(["status", "--registry-dir", registryDir]);
    expect(status.stdout).toContain("c1");
    expect(status.stdout).not.toContain("c2");
  });
});
