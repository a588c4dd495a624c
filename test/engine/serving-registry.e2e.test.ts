import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refresh } from "../../src/deploy/refresh.js";
import { createViteRolling } from "../../src/engine/front.js";
import { resolveOptions } from "../../src/options.js";
import type { ViteRolling } from "../../src/types.js";
import { viteRolling } from "../../src/vite/plugin.js";
import { countCommands, throwawayRedis, waitUntil } from "../helpers/redis.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

// The serving path against a real Redis: load once per process, then zero round trips;
// an outage costs one warning and the local manifest, never a page.
describe("serving from the Redis registry", () => {
  const redis = throwawayRedis();
  const dir = tempDir("serving");
  let manifestPath: string;
  const warnings: string[] = [];
  const logger = { warn: (m: string) => warnings.push(m) };
  const created: ViteRolling[] = [];
  const make = (extra: Record<string, unknown> = {}) => {
    const vr = createViteRolling({
      manifestPath,
      dev: false,
      release: "r1",
      redis: redis().url,
      logger,
      ...extra,
    });
    created.push(vr);
    return vr;
  };

  beforeAll(async () => {
    ({ manifestPath } = await buildApp(
      dir.path,
      {
        "index.html": '<script type="module" src="/src/main.ts"></script>',
        "src/main.ts": 'import "./dep"; import "./main.css"; console.log("main");',
        "src/dep.ts": 'export const dep = 1; console.log("dep");',
        "src/main.css": "body { color: red }",
      },
      { plugins: [viteRolling()] },
    ));
    await refresh(resolveOptions({ manifestPath, release: "r1", redis: redis().url }, {}), {});
  });
  afterAll(async () => {
    await Promise.all(created.map((vr) => vr.close()));
    dir.cleanup();
  });

  it("renders 1,000 pages after warm-up with zero Redis commands", async () => {
    const vr = make();
    await vr.ready();
    const warm = vr.styles("index.html") + vr.scripts("index.html");
    expect(warm).toContain('<script type="module"');
    const { counts, result } = await countCommands(redis().url, async () => {
      let bytes = 0;
      for (let i = 0; i < 1000; i++) {
        const ctx = { nonce: `n${i}` };
        bytes += vr.styles("index.html", ctx).length + vr.scripts("index.html", ctx).length;
        bytes += vr.versionTags(ctx).length + vr.appVersion().length;
      }
      return bytes;
    });
    expect(result).toBeGreaterThan(1000 * warm.length);
    expect(counts).toEqual({});
  });

  it("reads the release's manifest from the registry, not the local file", async () => {
    // Same release, local file replaced: the registry's copy wins (the release's own bytes).
    const original = readFileSync(manifestPath, "utf8");
    try {
      writeFileSync(manifestPath, "{}");
      const vr = make();
      await vr.ready();
      expect(vr.scripts("index.html")).toContain("/assets/");
    } finally {
      writeFileSync(manifestPath, original);
    }
  });

  it("renders from the local manifest with one warning while Redis is down, and recovers", async () => {
    await redis().stop();
    warnings.length = 0;
    try {
      const vr = make();
      await vr.ready();
      const html = vr.scripts("index.html");
      expect(html).toContain('<script type="module"');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/\[vite-rolling\] \[registry\] cannot read release "r1"/);
      await redis().start();
      // No restart: the same object reads the registry again once its client has reconnected
      // (in the background); a reload before that still serves, with one more warning.
      await waitUntil(async () => {
        warnings.length = 0;
        await vr.reload();
        return warnings.length === 0;
      }, "a reload served from Redis again");
      expect(vr.scripts("index.html")).toBe(html);
    } finally {
      await redis().start();
    }
  });
});
