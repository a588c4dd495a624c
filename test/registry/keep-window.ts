// The keep window (issue 16): the suite every registry store runs, beside the store contract of
// test/helpers/store-contract.ts. A release is pruned only when it is both beyond the
// `versionsToKeep` most recent and registered `versionsMaxAge` seconds ago or more.

import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Cluster, Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MAX_AGE_LIMIT, type RegistryStore } from "../../src/registry/store.js";
import {
  expectConsistent,
  type MakeFixture,
  manifestOf,
  type StoreFixture,
} from "../helpers/store-contract.js";

/** How a test reaches around one kind of store: the clock it ages by, and its stored times. */
export interface RegistryClock {
  /** Now, in ms since the epoch, on the clock the store ages releases by. */
  now(): Promise<number>;
  /** Writes `release`'s stored registeredAt around the store; null deletes it. */
  setRegisteredAt(store: RegistryStore, release: string, value: string | null): Promise<void>;
  close(): Promise<void>;
}

/** The file registry: the writer's clock; times live in the index (`store.location` is its folder). */
export const fileClock: RegistryClock = {
  now: async () => Date.now(),
  async setRegisteredAt(store, release, value) {
    const path = join(store.location, "recent-manifest-versions.json");
    const index = JSON.parse(await readFile(path, "utf8")) as {
      releases: { release: string; registeredAt?: string }[];
    };
    const info = index.releases.find((r) => r.release === release);
    if (!info) throw new Error(`${release} is not in ${path}`);
    if (value === null) delete info.registeredAt;
    else info.registeredAt = value;
    await writeFile(path, JSON.stringify(index));
  },
  close: async () => {},
};

/**
 * A Redis registry: the server's TIME; times live in `{prefix}:meta:<release>` (the base is the
 * last word of `store.location`). `connect` is called on first use (a cluster starts in beforeAll).
 */
export function redisClock(connect: () => Redis | Cluster): RegistryClock {
  let client: Redis | Cluster | null = null;
  const raw = () => {
    client ??= connect();
    return client;
  };
  return {
    async now() {
      const [seconds, micros] = await raw().time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    },
    async setRegisteredAt(store, release, value) {
      const base = store.location.split(" ").at(-1);
      const meta = `${base}:meta:${release}`;
      if ((await raw().exists(meta)) !== 1) throw new Error(`${meta} does not exist`);
      if (value === null) await raw().hdel(meta, "registeredAt");
      else await raw().hset(meta, "registeredAt", value);
    },
    async close() {
      client?.disconnect();
    },
  };
}

const HOUR = 3600;
const DAY = 86_400;

export function testKeepWindow(name: string, makeFixture: MakeFixture, clock: RegistryClock) {
  describe(`keep window by count and by age: ${name}`, () => {
    let fixture: StoreFixture | null = null;
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = null;
    });
    afterAll(() => clock.close());

    const open = async (label: string, versionsToKeep: number, versionsMaxAge?: number) => {
      fixture = await makeFixture(label);
      const options: { versionsToKeep: number; versionsMaxAge?: number } = { versionsToKeep };
      if (versionsMaxAge !== undefined) options.versionsMaxAge = versionsMaxAge;
      return { fx: fixture, store: await fixture.open(options) };
    };
    const register = (store: RegistryStore, release: string) =>
      store.register({ release, manifestText: manifestOf(release) });
    /** An ISO time `seconds` before now on the registry's clock. */
    const ago = async (seconds: number) =>
      new Date((await clock.now()) - seconds * 1000).toISOString();
    const listed = async (store: RegistryStore) => (await store.releases()).map((r) => r.release);

    it("counts only by default: releases beyond versionsToKeep go however young", async () => {
      const { fx, store } = await open("win-default", 2);
      const removed = [];
      for (const release of ["a", "b", "c", "d"])
        removed.push((await register(store, release)).removed);
      expect(removed).toEqual([[], [], ["a"], ["b"]]);
      expect(await listed(store)).toEqual(["d", "c"]);
      expect(await store.prune()).toEqual({ kept: ["d", "c"], removed: [], replaced: false });
      await expectConsistent(fx, store, 2, ["a", "b", "c", "d"]);
    });

    it("keeps a release younger than versionsMaxAge beyond versionsToKeep, prunes one older", async () => {
      const { fx, store } = await open("win-age", 2, HOUR);
      for (const release of ["a", "b", "c", "d"]) {
        expect((await register(store, release)).removed).toEqual([]);
      }
      expect(await listed(store)).toEqual(["d", "c", "b", "a"]);
      await clock.setRegisteredAt(store, "a", await ago(2 * HOUR));
      await clock.setRegisteredAt(store, "b", await ago(HOUR / 2));
      expect(await register(store, "e")).toEqual({
        kept: ["e", "d", "c", "b"],
        removed: ["a"],
        replaced: false,
      });
      await expectConsistent(fx, store, 4, ["a", "b", "c", "d", "e"]);
      // prune applies the same window: b ages out; d, within the count, stays however old.
      await clock.setRegisteredAt(store, "b", await ago(HOUR + 60));
      await clock.setRegisteredAt(store, "d", await ago(DAY));
      expect(await store.prune()).toEqual({
        kept: ["e", "d", "c"],
        removed: ["b"],
        replaced: false,
      });
      await expectConsistent(fx, store, 3, ["a", "b", "c", "d", "e"]);
    });

    it("keeps versionsToKeep releases even when every one is older than versionsMaxAge", async () => {
      const { fx, store } = await open("win-count", 2, 60);
      for (const release of ["a", "b", "c"]) await register(store, release);
      for (const release of ["a", "b", "c"]) {
        await clock.setRegisteredAt(store, release, await ago(DAY));
      }
      expect(await store.prune()).toEqual({ kept: ["c", "b"], removed: ["a"], replaced: false });
      // Re-registering the same bytes keeps the first registration time: c stays old.
      await register(store, "c");
      expect(await register(store, "d")).toEqual({
        kept: ["d", "c"],
        removed: ["b"],
        replaced: false,
      });
      await expectConsistent(fx, store, 2, ["a", "b", "c", "d"]);
    });

    it("counts a release without a readable registration time as old", async () => {
      const { fx, store } = await open("win-notime", 1, HOUR);
      for (const release of ["a", "b", "c"]) await register(store, release);
      // What a registry written by hand, or one that lost a release's metadata, holds.
      await clock.setRegisteredAt(store, "a", null);
      await clock.setRegisteredAt(store, "b", "yesterday");
      expect(await register(store, "d")).toEqual({
        kept: ["d", "c"],
        removed: ["b", "a"],
        replaced: false,
      });
      await expectConsistent(fx, store, 2, ["a", "b", "c", "d"]);
    });

    it("prune(keep, maxAge) overrides the window and checks both", async () => {
      const { fx, store } = await open("win-override", 1, HOUR);
      for (const release of ["a", "b", "c"]) await register(store, release);
      expect(await store.prune()).toEqual({ kept: ["c", "b", "a"], removed: [], replaced: false });
      await clock.setRegisteredAt(store, "a", await ago(10 * 60));
      expect(await store.prune(1, 5 * 60)).toEqual({
        kept: ["c", "b"],
        removed: ["a"],
        replaced: false,
      });
      expect(await store.prune(1, 0)).toEqual({ kept: ["c"], removed: ["b"], replaced: false });
      for (const bad of [-1, 1.5, 2_147_483_648, Number.NaN]) {
        const error = await store.prune(1, bad).catch((e: unknown) => e);
        expect(error).toMatchObject({
          code: "ERR_OPTIONS",
          message: expect.stringMatching(
            /^\[vite-rolling\] \[registry\] maxAge must be a whole number of seconds from 0 \(off\) to 2147483647, received number /,
          ),
        });
      }
      await expectConsistent(fx, store, 1, ["a", "b", "c"]);
    });

    it("ages releases to the second across months and leap days", async () => {
      // Registered under the widest window, so registering prunes nothing; pruned below.
      const { fx, store } = await open("win-calendar", 1, MAX_AGE_LIMIT);
      // Margins of two minutes either side of the limit: the date arithmetic must be exact to
      // far better than that, whatever the calendar between then and now.
      const spans = [59 * DAY + 7, 366 * DAY, 4 * 365 * DAY + 3 * HOUR + 1, 30 * 365 * DAY];
      for (const [i, span] of spans.entries()) {
        const [old, young, whole] = [`old${i}`, `young${i}`, `whole${i}`];
        for (const release of [old, young, whole, "front"]) await register(store, release);
        await clock.setRegisteredAt(store, old, await ago(span + 120));
        await clock.setRegisteredAt(store, young, await ago(span - 120));
        // Without the milliseconds, as another writer may store it.
        await clock.setRegisteredAt(
          store,
          whole,
          (await ago(span - 120)).replace(/\.\d{3}Z$/, "Z"),
        );
        expect(await store.prune(1, span)).toEqual({
          kept: ["front", whole, young],
          removed: [old],
          replaced: false,
        });
        expect(await store.prune(1, 0)).toMatchObject({ kept: ["front"] });
      }
      await expectConsistent(fx, store, 1, ["front"]);
    });
  });
}
