// The keep window on Redis (issue 16): the shared suite, the Lua date arithmetic against
// JavaScript's Date, and registration times taken from the server's TIME, not the client's clock.

import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { redisKeys } from "../../src/registry/redis/keys.js";
import { LUA_TIME } from "../../src/registry/redis/scripts.js";
import { createRedisStore } from "../../src/registry/redis/store.js";
import { deleteKeys, SHARED_REDIS_URL } from "../helpers/redis.js";
import { manifestOf, redisFixture } from "../helpers/store-contract.js";
import { uniquePrefix } from "../helpers/tmp.js";
import { redisClock, testKeepWindow } from "./keep-window.js";

const inspector = () => new Redis(SHARED_REDIS_URL);

testKeepWindow(
  "redis",
  redisFixture(inspector, async () => ({ redis: SHARED_REDIS_URL, close: async () => {} })),
  redisClock(inspector),
);

const raw = inspector();
afterAll(() => raw.disconnect());

/** Now on the server's clock, in ms. */
async function serverNow(): Promise<number> {
  const [seconds, micros] = await raw.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

describe("the scripts' date arithmetic", () => {
  // isoTime(ms) and parseIso(text) as the scripts define them, run by the real server.
  const convert = `${LUA_TIME}
return { isoTime(tonumber(ARGV[1])), parseIso(ARGV[2]) or false, parseIso(ARGV[3]) or false }`;

  it("writes and reads the ISO times JavaScript's Date writes and reads, leap days included", async () => {
    const fixed = [
      0,
      Date.UTC(2000, 1, 29, 12, 30, 15, 1), // a leap day of a year divisible by 400
      Date.UTC(2100, 1, 28, 23, 59, 59, 999), // 2100 has no Feb 29
      Date.UTC(2100, 2, 1),
      Date.UTC(2024, 1, 29),
      Date.UTC(2023, 11, 31, 23, 59, 59, 999),
      Date.UTC(2024, 0, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    ];
    // Spread over 1970..2200 (a fixed LCG: the same values every run).
    let seed = 42;
    const spread = Array.from({ length: 200 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * Date.UTC(2200, 0, 1));
    });
    for (const ms of [...fixed, ...spread, await serverNow()]) {
      const iso = new Date(ms).toISOString();
      const whole = iso.replace(/\.\d{3}Z$/, "Z");
      const reply = (await raw.eval(convert, 0, String(ms), iso, whole)) as [
        string,
        number,
        number,
      ];
      expect(reply, iso).toEqual([iso, ms, Math.floor(ms / 1000) * 1000]);
    }
  });

  it("reads anything else as no time", async () => {
    for (const text of [
      "",
      "yesterday",
      "2024-02-29",
      "2024-02-29T12:00:00+01:00",
      "+010000-01-01T00:00:00.000Z",
    ]) {
      expect(await raw.eval(convert, 0, "0", text, text), text).toEqual([
        "1970-01-01T00:00:00.000Z",
        null,
        null,
      ]);
    }
  });
});

describe("registration times are the Redis server's", () => {
  const prefixes: string[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const prefix of prefixes.splice(0)) await deleteKeys(raw, `{${prefix}}*`);
  });

  it("whatever this process's clock says, register, prune and writeThrough age by the server's TIME", async () => {
    const prefix = uniquePrefix("win-server-time");
    prefixes.push(prefix);
    const keys = redisKeys(prefix, "recent-manifest-versions");
    const store = createRedisStore({
      redis: SHARED_REDIS_URL,
      prefix,
      versionsToKeep: 1,
      versionsMaxAge: 3600,
    });
    try {
      // This instance's clock is 25 years behind the server's.
      vi.useFakeTimers({ toFake: ["Date"], now: new Date("2001-01-01T00:00:00.000Z") });
      expect(new Date().getUTCFullYear()).toBe(2001);
      const before = await serverNow();
      for (const release of ["v1", "v2"]) {
        await store.register({ release, manifestText: manifestOf(release) });
      }
      const after = await serverNow();
      const times = (await store.releases()).map((r) => Date.parse(r.registeredAt));
      expect(times).toHaveLength(2);
      for (const at of times) {
        expect(at).toBeGreaterThanOrEqual(before);
        expect(at).toBeLessThanOrEqual(after);
      }

      // Now 25 years ahead: by its own clock v1 and v2 would be long gone; the server says young.
      vi.setSystemTime(new Date("2051-01-01T00:00:00.000Z"));
      expect(Date.now()).toBe(Date.UTC(2051, 0, 1));
      expect(await store.register({ release: "v3", manifestText: manifestOf("v3") })).toEqual({
        kept: ["v3", "v2", "v1"],
        removed: [],
        replaced: false,
      });
      expect(await store.prune()).toMatchObject({ removed: [] });

      // Negative control: v1 registered two hours ago on the server's clock goes.
      await raw.hset(
        keys.meta("v1"),
        "registeredAt",
        new Date((await serverNow()) - 7_200_000).toISOString(),
      );
      expect(await store.prune()).toEqual({ kept: ["v3", "v2"], removed: ["v1"], replaced: false });

      // A release whose metadata was lost gets the server's time back from writeThrough.
      await raw.del(keys.manifest("v2"), keys.meta("v2"));
      const lost = await serverNow();
      expect(await store.writeThrough("v2", manifestOf("v2"))).toBe(true);
      const [registeredAt] = await raw.hmget(keys.meta("v2"), "registeredAt");
      expect(Date.parse(registeredAt ?? "")).toBeGreaterThanOrEqual(lost);
      expect(Date.parse(registeredAt ?? "")).toBeLessThanOrEqual(await serverNow());
    } finally {
      vi.useRealTimers();
      await store.close();
    }
  });
});
