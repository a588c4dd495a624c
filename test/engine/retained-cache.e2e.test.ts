// Retained assets under adversarial request paths (issue 14): misses are remembered (bounded,
// expiring), the cache follows the registry's list (a pruned release stops being served
// within RETAINED_LIST_MAX_AGE_MS), and what a request path puts in the log is escaped,
// capped and said once per cause and interval. Real Redis, real file registry, real builds.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refresh } from "../../src/deploy/refresh.js";
import { createViteRolling } from "../../src/engine/front.js";
import { RegistryClient } from "../../src/engine/registry-client.js";
import {
  RETAINED_LIST_MAX_AGE_MS,
  RETAINED_MISSES,
  RetainedCache,
} from "../../src/engine/retained-cache.js";
import { referencedFiles } from "../../src/manifest/files.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolveOptions } from "../../src/options.js";
import { openRegistry } from "../../src/registry/connect.js";
import type { ViteRolling } from "../../src/types.js";
import { countCommands, throwawayRedis } from "../helpers/redis.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

const CONFIG = { base: "/static/", build: { rollupOptions: { input: "src/main.ts" } } };
const work = tempDir("retained-cache");
let builds: { a: string; b: string };
let onlyA: string;
const manifestOf = (dir: string) => join(dir, ".vite/manifest.json");
const filesOf = (dir: string) =>
  referencedFiles(JSON.parse(readFileSync(manifestOf(dir), "utf8")) as Manifest);

beforeAll(async () => {
  const a = await buildApp(join(work.path, "a"), { "src/main.ts": 'console.log("a");\n' }, CONFIG);
  const b = await buildApp(join(work.path, "b"), { "src/main.ts": 'console.log("b");\n' }, CONFIG);
  builds = { a: a.outDir, b: b.outDir };
  onlyA = [...filesOf(builds.a)].find((f) => f.endsWith(".js") && !filesOf(builds.b).has(f))!;
});
afterAll(() => work.cleanup());

/** Registers releases a then b (b current) with their assets retained. */
async function registerBoth(where: Record<string, unknown>): Promise<void> {
  for (const [release, dir] of [
    ["a", builds.a],
    ["b", builds.b],
  ] as const) {
    const options = { manifestPath: manifestOf(dir), release, retainAssets: true, ...where };
    await refresh(resolveOptions(options, {}), {});
  }
}

/** An instance serving release b, retaining assets, from the registry `where` names. */
function serveB(where: Record<string, unknown>, warn: (message: string) => void): ViteRolling {
  const serving = { manifestPath: manifestOf(builds.b), release: "b", retainAssets: true };
  return createViteRolling({
    ...serving,
    ...where,
    base: "/static/",
    dev: false,
    logger: { warn },
  });
}

describe("retained assets from a Redis registry", () => {
  const redis = throwawayRedis();
  const created: ViteRolling[] = [];
  afterAll(async () => {
    await Promise.all(created.map((vr) => vr.close()));
  });
  beforeAll(async () => {
    await registerBoth({ redis: redis().url });
  });

  it("remembers a miss: one registry read per kept release once, none for repeats", async () => {
    const vr = serveB({ redis: redis().url }, () => {});
    created.push(vr);
    await vr.ready();
    const missing = "/static/assets/nobody-D8kQ2xZ1.js";
    // Negative control: the first miss reads the registry, and the counter sees it.
    const first = await countCommands(redis().url, () => vr.retainedAsset(missing)!);
    expect(first.result).toBeNull();
    expect(first.counts.hget ?? 0).toBeGreaterThan(0);
    const repeats = await countCommands(redis().url, async () => {
      for (let i = 0; i < 100; i++) expect(await vr.retainedAsset(missing)).toBeNull();
    });
    expect(repeats.counts).toEqual({});
    // A hit is still served.
    expect((await vr.retainedAsset(`/static/${onlyA}`))?.release).toBe("a");
  });

  it("forgets misses after RETAINED_LIST_MAX_AGE_MS and beyond RETAINED_MISSES", async () => {
    let now = 0;
    const options = resolveOptions({ manifestPath: "m.json", dev: false, redis: redis().url }, {});
    const registry = new RegistryClient(options);
    const cache = new RetainedCache(registry, "b", options.logger, { now: () => now });
    try {
      const reads = (fn: () => Promise<unknown>) =>
        countCommands(redis().url, fn).then(({ counts }) => counts.hget ?? 0);
      expect(await reads(() => cache.find("assets/gone-D8kQ2xZ1.js"))).toBe(1);
      expect(await reads(() => cache.find("assets/gone-D8kQ2xZ1.js"))).toBe(0);
      now += RETAINED_LIST_MAX_AGE_MS;
      expect(await reads(() => cache.find("assets/gone-D8kQ2xZ1.js"))).toBe(1);
      // Bounded: RETAINED_MISSES other misses push the first out.
      for (let i = 0; i < RETAINED_MISSES; i++) await cache.find(`assets/m${i}-D8kQ2xZ1.js`);
      expect(await reads(() => cache.find("assets/gone-D8kQ2xZ1.js"))).toBe(1);
    } finally {
      await registry.close();
    }
  });

  it("stops serving a pruned release's cached files within RETAINED_LIST_MAX_AGE_MS", async () => {
    let now = 0;
    const options = resolveOptions({ manifestPath: "m.json", dev: false, redis: redis().url }, {});
    const registry = new RegistryClient(options);
    const cache = new RetainedCache(registry, "b", options.logger, { now: () => now });
    const store = openRegistry(options);
    try {
      expect((await cache.find(onlyA))?.release).toBe("a");
      await store.prune(1);
      // Within the documented staleness, the cached copy may still be served...
      now += RETAINED_LIST_MAX_AGE_MS - 1;
      expect((await cache.find(onlyA))?.release).toBe("a");
      // ...and not after it.
      now += 1;
      expect(await cache.find(onlyA)).toBeNull();
    } finally {
      await store.close();
      await registry.close();
      await registerBoth({ redis: redis().url });
    }
  });
});

describe("log lines a request path causes (file registry)", () => {
  it("escapes and caps the path, and warns once per cause for 100 failing lookups", async () => {
    const registryDir = join(work.path, "file-registry");
    await registerBoth({ registryDir });
    const warnings: string[] = [];
    const vr = serveB({ registryDir }, (m) => warnings.push(m));
    await vr.ready();
    // A name too long for the file system (ENAMETOOLONG), with a line separator in it.
    const forged = "%E2%80%A8[vite-rolling] forged line%C2%85";
    for (let i = 0; i < 100; i++) {
      const path = `/static/assets/${forged}${"x".repeat(900)}${i}-D8kQ2xZ1.js`;
      expect(await vr.retainedAsset(path)).toBeNull();
    }
    const lines = warnings.filter((w) => w.includes("[registry]"));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(1000);
    expect(lines[0]).not.toMatch(/[\n\r\u0085\u2028\u2029]/);
    expect(lines[0]).toContain("\\u2028[vite-rolling] forged line\\u0085");
    await vr.close();
  });
});
