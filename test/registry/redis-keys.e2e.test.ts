import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { redisKeys } from "../../src/registry/redis/keys.js";
import { createRedisStore } from "../../src/registry/redis/store.js";
import type { RegistryStore } from "../../src/registry/store.js";
import {
  countCommands,
  deleteKeys,
  SHARED_REDIS_URL,
  scanKeys,
  TEST_REDIS_SHOWN,
  throwawayRedis,
} from "../helpers/redis.js";
import { manifestOf } from "../helpers/store-contract.js";
import { uniquePrefix } from "../helpers/tmp.js";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

let raw: Redis;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(() => {
  raw = new Redis(SHARED_REDIS_URL);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => raw.disconnect());

function store(prefix: string, options: { versionsToKeep?: number } = {}): RegistryStore {
  const s = createRedisStore({ redis: SHARED_REDIS_URL, prefix, ...options });
  cleanups.push(async () => {
    await s.close();
    await deleteKeys(raw, `*${prefix}*`);
  });
  return s;
}

describe("redis store keys", () => {
  it("uses the documented key names: {prefix}:<release>, :meta:, :assets:, :list:", async () => {
    const prefix = uniquePrefix("layout");
    const s = store(prefix);
    await s.register({
      release: "v42",
      manifestText: manifestOf("v42"),
      upstream: "blue",
      assets: new Map([["assets/a.js", Buffer.from("a")]]),
    });
    const base = `{${prefix}}`;
    expect(await scanKeys(raw, `*${prefix}*`)).toEqual(
      [
        `${base}:list:recent-manifest-versions`,
        `${base}:v42`,
        `${base}:meta:v42`,
        `${base}:assets:v42`,
      ].sort(),
    );
    expect(await raw.type(`${base}:list:recent-manifest-versions`)).toBe("list");
    expect(await raw.get(`${base}:v42`)).toBe(manifestOf("v42"));
    expect(await raw.hget(`${base}:meta:v42`, "upstream")).toBe("blue");
    expect(await raw.hgetBuffer(`${base}:assets:v42`, "assets/a.js")).toEqual(Buffer.from("a"));
    expect(redisKeys(prefix, "recent-manifest-versions").manifest("")).toBe(base);
  });

  it("refresh leaves unrelated keys alone, even ones a naive `<prefix>:*` glob would match", async () => {
    const prefix = uniquePrefix("unrelated");
    const other = uniquePrefix("other");
    const base = `{${prefix}}`;
    const unrelated = [
      `${prefix}:v1`, // what the seed's `vite_manifest:*` scan would have deleted
      `${prefix}:anything`,
      `${base}x`,
      `${base}:unlisted`, // in our namespace but never listed: not ours to delete
      `${base}:meta:unlisted`,
      `${other}:r1`,
    ];
    cleanups.push(() => deleteKeys(raw, `*${prefix}*`));
    for (const key of unrelated) await raw.set(key, "keep me");
    const neighbour = store(other, { versionsToKeep: 2 });
    await neighbour.register({ release: "n1", manifestText: manifestOf("n1") });

    const s = store(prefix, { versionsToKeep: 2 });
    for (const release of ["r1", "r2", "r3", "r4", "v1"]) {
      await s.register({ release, manifestText: manifestOf(release) });
    }
    await s.prune(1);
    for (const key of unrelated) expect(await raw.get(key)).toBe("keep me");
    expect((await neighbour.getManifest("n1"))?.text).toBe(manifestOf("n1"));
    expect((await s.releases()).map((r) => r.release)).toEqual(["v1"]);
  });

  it("writes nothing when a registry key has the wrong type", async () => {
    const prefix = uniquePrefix("wrongtype");
    const s = store(prefix);
    const keys = redisKeys(prefix, "recent-manifest-versions");
    await raw.set(keys.list, "not a list");
    await expect(s.register({ release: "v1", manifestText: manifestOf("v1") })).rejects.toThrow(
      new RegExp(
        `\\[vite-rolling\\] \\[redis\\] Redis at ${escapeRegExp(TEST_REDIS_SHOWN)} refused a registry command: WRONGTYPE registry key .*list:recent-manifest-versions holds a string, not a list.*choose another cacheKeyPrefix`,
      ),
    );
    expect(await scanKeys(raw, `*${prefix}*`)).toEqual([keys.list]);
  });

  it("rejects a prefix with braces, which would move keys out of the registry's slot", () => {
    expect(() => createRedisStore({ redis: SHARED_REDIS_URL, prefix: "{app}:vite" })).toThrow(
      /cacheKeyPrefix must be a non-empty string without "\{" or "\}", received "\{app\}:vite"/,
    );
  });

  it("leaves a passed client open and closes the one it made", async () => {
    const prefix = uniquePrefix("owner");
    const client = new Redis(SHARED_REDIS_URL);
    cleanups.push(async () => client.disconnect());
    const passed = createRedisStore({ redis: client, prefix });
    await passed.releases();
    await passed.close();
    expect(await client.ping()).toBe("PONG");

    const made = store(prefix);
    await made.releases();
    await made.close();
    await expect(made.releases()).rejects.toThrow(/is closed; open a new one/);
  });
});

describe("redis store commands (throwaway server)", () => {
  const server = throwawayRedis();

  it("never runs KEYS or SCAN, and falls back from EVALSHA to EVAL once per script", async () => {
    const s = createRedisStore({ redis: server().url, prefix: "vrtest:cmds", versionsToKeep: 2 });
    try {
      const first = await countCommands(server().url, () =>
        s.register({ release: "a", manifestText: manifestOf("a") }),
      );
      // Unknown script: EVALSHA answers NOSCRIPT, EVAL loads it.
      expect(first.counts).toMatchObject({ evalsha: 1, eval: 1 });
      const rest = await countCommands(server().url, async () => {
        for (const release of ["b", "c", "d"]) {
          await s.register({ release, manifestText: manifestOf(release) });
        }
        await s.prune(1);
        await s.releases();
        await s.getManifest("d");
      });
      // Loaded once each on first use: prune, releases, read (register already is).
      expect(rest.counts.eval).toBe(3);
      expect(rest.counts.evalsha).toBe(6);
      for (const counts of [first.counts, rest.counts]) {
        expect(counts.keys).toBeUndefined();
        expect(counts.scan).toBeUndefined();
      }
    } finally {
      await s.close();
    }
  });
});
