// Issue 16, serving and garbage collection: an instance of the current release answers another
// kept release's hashed files from the bucket (real s3rver, real builds, real HTTP), `base` may
// name the bucket (or the CDN in front of it) directly, and prune-assets deletes from the bucket
// only what no kept release references and what is older than the grace period.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viteRolling as nodeAdapter } from "../../src/adapters/node.js";
import type { AssetStore } from "../../src/assets/asset-store.js";
import { openAssetStore } from "../../src/assets/open-asset-store.js";
import { pruneBucket } from "../../src/assets/prune-bucket.js";
import { uploadRelease } from "../../src/assets/upload-release.js";
import { refresh } from "../../src/deploy/refresh.js";
import { readReleaseAssets } from "../../src/deploy/release-assets.js";
import { createViteRolling, ViteRollingFront } from "../../src/engine/front.js";
import { referencedFiles } from "../../src/manifest/files.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolveOptions, type ViteRollingOptions } from "../../src/options.js";
import type { ViteRolling } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";
import { type S3Server, startS3 } from "./s3-server.js";

const work = tempDir("asset-serve");
const RELEASES = ["a", "b", "c"] as const;
type Release = (typeof RELEASES)[number];
let s3: S3Server;
const builds = {} as Record<Release, { outDir: string; manifestPath: string; files: Set<string> }>;
const DAY = 86_400_000;

beforeAll(async () => {
  s3 = await startS3();
  for (const release of RELEASES) {
    const app = await buildApp(
      join(work.path, release),
      {
        "src/main.ts": `import("./shared").then((m) => m.run(${JSON.stringify(release)}));\n`,
        "src/shared.ts": "export const run = (r: string) => console.log(r);\n",
      },
      { base: "/static/", build: { rollupOptions: { input: "src/main.ts" } } },
    );
    const manifest = JSON.parse(readFileSync(app.manifestPath, "utf8")) as Manifest;
    builds[release] = { ...app, files: referencedFiles(manifest) };
  }
});
afterAll(async () => {
  await s3?.close();
  work.cleanup();
});

const onlyIn = (release: Release) =>
  [...builds[release].files].filter((f) =>
    RELEASES.every((r) => r === release || !builds[r].files.has(f)),
  );
const shared = () =>
  [...builds.a.files].filter((f) => builds.b.files.has(f) && builds.c.files.has(f));

function optionsFor(release: Release, prefix: string, extra: Partial<ViteRollingOptions> = {}) {
  return resolveOptions(
    {
      manifestPath: builds[release].manifestPath,
      release,
      registryDir: join(work.path, `registry-${prefix}`),
      assetStore: `s3://assets/${prefix}`,
      versionsToKeep: 2,
      dev: false,
      base: "/static/",
      ...extra,
    },
    s3.env,
  );
}

async function deployAll(prefix: string): Promise<void> {
  for (const release of RELEASES)
    await refresh(optionsFor(release, prefix), {}, { cwd: work.path });
}

async function serve(vr: ViteRolling): Promise<{ url: string; server: Server }> {
  await vr.ready();
  const handle = nodeAdapter(vr);
  const server = createServer(async (req, res) => {
    if (!(await handle(req, res))) return;
    res.statusCode = 404;
    res.end("app 404");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("serving old releases' files from the bucket", () => {
  beforeAll(() => deployAll("serve"));

  it("answers a kept release's hashed file from the bucket; without a store it is the app's 404", async () => {
    const options = optionsFor("c", "serve");
    // Resolved options carry the AWS variables (createViteRolling reads process.env).
    const withStore = await serve(new ViteRollingFront(options));
    const without = await serve(
      createViteRolling({
        manifestPath: builds.c.manifestPath,
        release: "c",
        dev: false,
        base: "/static/",
      }),
    );
    try {
      const file = onlyIn("b").find((f) => f.endsWith(".js"))!;
      const res = await fetch(`${withStore.url}/static/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(Buffer.from(await res.arrayBuffer())).toEqual(
        readFileSync(join(builds.b.outDir, file)),
      );
      // Negative controls: no store, or a file the bucket lacks, reach the app.
      expect((await fetch(`${without.url}/static/${file}`)).status).toBe(404);
      const missing = await fetch(`${withStore.url}/static/assets/nobody-D8kQ2xZ1.js`);
      expect([missing.status, await missing.text()]).toEqual([404, "app 404"]);
    } finally {
      withStore.server.close();
      without.server.close();
    }
  });

  it("with base on the bucket (or a CDN in front of it), every tag's URL is an object there", async () => {
    const base = `${s3.endpoint}/assets/serve/`;
    const vr = new ViteRollingFront(optionsFor("b", "serve", { base }));
    await vr.ready();
    const urls = [...vr.scripts(["src/main.ts"]).matchAll(/(?:src|href)="([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(url.startsWith(base)).toBe(true);
      // Unsigned, as a browser asks a public bucket or CDN.
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    }
    // Negative control: a name no release has is not there.
    expect((await fetch(`${base}assets/nobody-D8kQ2xZ1.js`)).status).toBe(404);
    await vr.close();
  });
});

describe("prune-assets against the bucket", () => {
  let store: AssetStore;
  const keys = async () => {
    const out: string[] = [];
    for await (const object of store.list()) out.push(object.file);
    return out.sort();
  };
  beforeAll(async () => {
    await deployAll("gc");
    store = (await openAssetStore(optionsFor("c", "gc")))!;
    // A file without a content hash is never a candidate.
    await store.put("robots.txt", Buffer.from("User-agent: *\n"), {
      contentType: "text/plain",
      cacheControl: "no-cache",
    });
  });

  it("keeps everything younger than the grace period, then deletes only what no kept release references", async () => {
    const before = await keys();
    expect(before).toEqual(expect.arrayContaining([...onlyIn("a"), ...shared()]));
    // Negative control: fresh objects stay under the default grace period (a day).
    const fresh = await pruneBucket(optionsFor("c", "gc"), {}, { cwd: work.path });
    expect(fresh.deleted).toEqual([]);
    expect(fresh.young).toBe(onlyIn("a").length + 1);
    expect(fresh.releases).toEqual(["c", "b"]);
    // A dry run two days later names a's files and record, and deletes nothing.
    const later = () => Date.now() + 2 * DAY;
    const dry = await pruneBucket(
      optionsFor("c", "gc"),
      { dryRun: true, now: later },
      { cwd: work.path },
    );
    expect(dry.deleted).toEqual([".vite-rolling/releases/a.json", ...onlyIn("a")].sort());
    expect(await keys()).toEqual(before);
    const done = await pruneBucket(optionsFor("c", "gc"), { now: later }, { cwd: work.path });
    expect(done.deleted).toEqual(dry.deleted);
    const after = await keys();
    expect(after).toEqual(before.filter((k) => !dry.deleted.includes(k)));
    for (const file of [...builds.b.files, ...builds.c.files, "robots.txt"])
      expect(after).toContain(file);
  });

  it("the CLI prunes the bucket with --asset-store and --grace-period, no directory needed", async () => {
    await refresh(optionsFor("a", "gc"), {}, { cwd: work.path }); // a back in (and up again), b out
    const args = [
      "prune-assets",
      "--registry-dir",
      join(work.path, "registry-gc"),
      "--asset-store",
      "s3://assets/gc",
    ];
    const dry = await runCli([...args, "--dry-run", "--grace-period", "0"], { env: s3.env });
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(0);
    for (const file of onlyIn("b"))
      expect(dry.stdout).toContain(`would delete s3://assets/gc/${file}`);
    for (const file of [...builds.a.files, ...builds.c.files])
      expect(dry.stdout).not.toContain(file);
    const bad = await runCli([...args, "--grace-period", "soon"], { env: s3.env });
    expect([bad.code, bad.stderr]).toEqual([
      expect.any(Number),
      expect.stringContaining("--grace-period takes whole seconds"),
    ]);
    expect(bad.code).not.toBe(0);
  });
});

describe("the keep window by age, against the bucket", () => {
  it("a release beyond versionsToKeep but younger than versionsMaxAge keeps its objects", async () => {
    const hour = { versionsMaxAge: 3600 };
    for (const release of RELEASES)
      await refresh(optionsFor(release, "age", hour), {}, { cwd: work.path });
    const later = () => Date.now() + 2 * DAY;
    const young = await pruneBucket(
      optionsFor("c", "age", hour),
      { now: later },
      { cwd: work.path },
    );
    expect(young.releases).toEqual(["c", "b", "a"]);
    expect(young.deleted).toEqual([]);
    // Negative control: the count alone (a refresh without the window) drops a, and its files go.
    await refresh(optionsFor("c", "age"), {}, { cwd: work.path });
    const counted = await pruneBucket(optionsFor("c", "age"), { now: later }, { cwd: work.path });
    expect(counted.releases).toEqual(["c", "b"]);
    expect(counted.deleted).toEqual([".vite-rolling/releases/a.json", ...onlyIn("a")].sort());
  });
});

describe("a partial upload", () => {
  it("throws naming how far it got and writes no release record", async () => {
    const real = (await openAssetStore(optionsFor("a", "partial")))!;
    let puts = 0;
    // The bucket refuses the second object (as a full disk or a revoked key would).
    const flaky: AssetStore = {
      location: real.location,
      stat: (file) => real.stat(file),
      get: (file) => real.get(file),
      list: () => real.list(),
      delete: (file) => real.delete(file),
      put: (file, body, headers) =>
        ++puts === 2 ? Promise.reject(new Error("SlowDown")) : real.put(file, body, headers),
    };
    const assets = await readReleaseAssets(
      builds.a.manifestPath,
      JSON.parse(readFileSync(builds.a.manifestPath, "utf8")) as Manifest,
    );
    expect(assets.size).toBeGreaterThan(1);
    await expect(uploadRelease(flaky, "a", assets)).rejects.toMatchObject({
      code: "ERR_ASSETS_UPLOAD",
      message: expect.stringMatching(
        new RegExp(`failed after 1 of ${assets.size} files, so nothing was registered: SlowDown`),
      ),
    });
    expect(await real.get(".vite-rolling/releases/a.json")).toBeNull();
    // Run again: what arrived is skipped, the rest goes up, and the record is written.
    const again = await uploadRelease(real, "a", assets);
    expect(again.skipped.length).toBe(1);
    expect(again.uploaded.length).toBe(assets.size - 1);
    expect(await real.get(".vite-rolling/releases/a.json")).not.toBeNull();
  });
});
