// `GET /version` against a real Redis registry (issue 14): answered from memory (no registry
// command per request), bounded to versionsToKeep releases, upstreams only on opt-in, and a
// 304 to the stale-client script's conditional poll (issue 12).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refresh } from "../../src/deploy/refresh.js";
import { createViteRolling } from "../../src/engine/front.js";
import type { Answer, RequestFacts } from "../../src/http/contract.js";
import { createHttpCore } from "../../src/http/core.js";
import { resolveOptions } from "../../src/options.js";
import type { ViteRolling } from "../../src/types.js";
import { countCommands, throwawayRedis } from "../helpers/redis.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

const RELEASES = ["r1", "r2", "r3", "r4", "r5"];
const get = (headers: Record<string, string> = {}): RequestFacts => ({
  method: "GET",
  path: "/version",
  url: "/version",
  headers,
});

describe("GET /version with a Redis registry", () => {
  const redis = throwawayRedis();
  const dir = tempDir("version-endpoint");
  let manifestPath: string;
  const created: ViteRolling[] = [];
  const make = async (extra: Record<string, unknown> = {}) => {
    const vr = createViteRolling({
      manifestPath,
      dev: false,
      release: "r5",
      redis: redis().url,
      logger: { warn() {} },
      ...extra,
    });
    created.push(vr);
    await vr.ready();
    return vr;
  };

  beforeAll(async () => {
    ({ manifestPath } = await buildApp(
      dir.path,
      { "src/main.ts": "console.log(1);\n" },
      {
        build: { rollupOptions: { input: "src/main.ts" } },
      },
    ));
    for (const [i, release] of RELEASES.entries()) {
      const options = { manifestPath, release, redis: redis().url, upstream: `10.0.0.${i}:8080` };
      await refresh(resolveOptions(options, {}), {});
    }
  });
  afterAll(async () => {
    await Promise.all(created.map((vr) => vr.close()));
    dir.cleanup();
  });

  it("answers 1,000 requests from memory: no registry command per request", async () => {
    const core = createHttpCore(await make());
    // Negative control: the first answer reads the registry, and the counter sees it.
    const first = await countCommands(redis().url, async () => core.handle(get()));
    expect(Object.keys(first.counts).length).toBeGreaterThan(0);
    const { counts, result } = await countCommands(redis().url, async () => {
      let bytes = 0;
      for (let i = 0; i < 1000; i++) bytes += String((core.handle(get()) as Answer).body).length;
      return bytes;
    });
    expect(result).toBeGreaterThan(1000 * 50);
    // The list is read again in the background at most every 5 s; these 1,000 take far less.
    expect(counts).toEqual({});
  });

  it("lists at most versionsToKeep releases, without upstreams unless opted in", async () => {
    const hidden = JSON.parse(
      String(
        ((await createHttpCore(await make({ versionsToKeep: 2 })).handle(get())) as Answer).body,
      ),
    );
    expect(hidden.releases.map((r: { release: string }) => r.release)).toEqual(["r5", "r4"]);
    expect(JSON.stringify(hidden)).not.toContain("10.0.0.");
    expect(hidden.releases[0]).not.toHaveProperty("upstream");
    // Negative control: the opt-in shows them.
    const shown = JSON.parse(
      String(
        (
          (await createHttpCore(await make({ versionEndpointUpstreams: true })).handle(
            get(),
          )) as Answer
        ).body,
      ),
    );
    expect(shown.releases).toHaveLength(RELEASES.length);
    expect(shown.releases[0]).toMatchObject({ release: "r5", upstream: "10.0.0.4:8080" });
  });

  it("lists the keep window: with versionsMaxAge, releases younger than it beyond the count too", async () => {
    const listed = async (extra: Record<string, unknown>) =>
      JSON.parse(
        String(((await createHttpCore(await make(extra)).handle(get())) as Answer).body),
      ).releases.map((r: { release: string }) => r.release);
    // All five were registered seconds ago: an hour's window keeps them all.
    expect(await listed({ versionsToKeep: 2, versionsMaxAge: 3600 })).toEqual(
      [...RELEASES].reverse(),
    );
    // Negative control: without the age window, the count alone.
    expect(await listed({ versionsToKeep: 2 })).toEqual(["r5", "r4"]);
  });

  it("answers 304 to If-None-Match naming the current version, without reading the registry", async () => {
    const vr = await make();
    const core = createHttpCore(vr);
    const etag = `"${vr.appVersion()}"`;
    const { counts, result } = await countCommands(redis().url, async () =>
      [etag, `W/${etag}`, `"x", ${etag}`, "*"].map((inm) =>
        core.handle(get({ "if-none-match": inm })),
      ),
    );
    for (const answer of result) {
      expect(answer).toEqual({
        status: 304,
        headers: { etag, "cache-control": "no-store" },
        body: "",
      });
    }
    expect(counts).toEqual({});
    // Another version: the full answer, with the ETag.
    const other = (await core.handle(get({ "if-none-match": '"old"' }))) as Answer;
    expect([other.status, other.headers.etag]).toEqual([200, etag]);
  });
});
