import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Cluster, Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/errors.js";
import { createFileStore } from "../../src/registry/file-store.js";
import { redisKeys } from "../../src/registry/redis/keys.js";
import { createRedisStore, type RedisStoreOptions } from "../../src/registry/redis/store.js";
import { type RegistryStore, sha256 } from "../../src/registry/store.js";
import { deleteKeys, scanKeys } from "./redis.js";
import { tempDir, uniquePrefix } from "./tmp.js";

/** One registry under test: stores opened on it share its state, raw views read around them. */
export interface StoreFixture {
  /** A new store instance on this registry (its own connection or file handles). */
  open(options?: { versionsToKeep?: number; logger?: Logger }): Promise<RegistryStore>;
  /** Releases whose manifest physically exists (bare prefix excluded), read around the store. */
  rawManifests(): Promise<string[]>;
  /** Releases with metadata or retained assets physically present (the file store's index counts as metadata). */
  rawExtras(): Promise<string[]>;
  /** Deletes a release's manifest around the store, as an eviction would. */
  dropManifest(release: string): Promise<void>;
  /** Closes every store opened and deletes what this fixture wrote. */
  cleanup(): Promise<void>;
}

export type MakeFixture = (label: string) => Promise<StoreFixture>;

/** A logger that keeps what it is told. */
export function memoryLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (message) => warnings.push(message) };
}

export function manifestOf(release: string, extra = ""): string {
  return `${JSON.stringify({
    "src/main.ts": { file: `assets/main-${release}${extra}.js`, isEntry: true, src: "src/main.ts" },
  })}\n`;
}

/**
 * The registry invariants: list unique and within `keep`; every listed release readable with a
 * manifest whose hash matches; nothing stored for a release that is not listed.
 */
export async function expectConsistent(
  fixture: StoreFixture,
  store: RegistryStore,
  keep: number,
  candidates: readonly string[],
): Promise<string[]> {
  const listed = (await store.releases()).map((info) => info.release);
  expect(new Set(listed).size).toBe(listed.length);
  expect(listed.length).toBeLessThanOrEqual(keep);
  expect([...(await fixture.rawManifests())].sort()).toEqual([...listed].sort());
  for (const release of await fixture.rawExtras()) expect(listed).toContain(release);
  for (const release of candidates) {
    const stored = await store.getManifest(release);
    if (listed.includes(release)) {
      expect(stored?.text).toBe(manifestOf(release));
      expect(stored?.info.manifestHash).toBe(sha256(manifestOf(release)));
    } else {
      expect(stored).toBeNull();
    }
  }
  return listed;
}

/** The shared contract every registry store passes (unstorage's `testStore`, here for registries). */
export function testStore(name: string, makeFixture: MakeFixture): void {
  describe(`registry store contract: ${name}`, () => {
    let fixture: StoreFixture | null = null;
    const setup = async (label: string) => {
      fixture = await makeFixture(label);
      return fixture;
    };
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = null;
    });

    it("starts empty", async () => {
      const fx = await setup("empty");
      const store = await fx.open();
      expect(await store.releases()).toEqual([]);
      expect(await store.getManifest("v1")).toBeNull();
      expect(await store.getManifest("")).toBeNull();
      expect(await store.getAsset("v1", "assets/a.js")).toBeNull();
      expect(await store.prune()).toEqual({ kept: [], removed: [], replaced: false });
    });

    it("registers a manifest with its metadata", async () => {
      const fx = await setup("meta");
      const store = await fx.open();
      const text = `${manifestOf("v1").trimEnd()} \u00e9\n`; // non-ASCII: size counts bytes
      const before = Date.now();
      const result = await store.register({
        release: "v1",
        manifestText: text,
        upstream: "blue",
        appVersion: "1.2.3",
      });
      expect(result).toEqual({ kept: ["v1"], removed: [], replaced: false });
      const stored = await store.getManifest("v1");
      expect(stored?.text).toBe(text);
      expect(stored?.info).toEqual({
        release: "v1",
        registeredAt: expect.any(String),
        manifestHash: sha256(text),
        size: Buffer.byteLength(text),
        upstream: "blue",
        appVersion: "1.2.3",
      });
      expect(Date.parse(stored!.info.registeredAt)).toBeGreaterThanOrEqual(before - 1000);
      const [info] = await store.releases();
      expect(info).toEqual(stored?.info);
      // Another instance (another process, in production) sees the same.
      expect(await (await fx.open()).getManifest("v1")).toEqual(stored);
    });

    it("lists the most recent first and prunes beyond versionsToKeep, with everything of theirs", async () => {
      const fx = await setup("trim");
      const store = await fx.open({ versionsToKeep: 3 });
      const asset = new Map([["assets/x.js", Buffer.from("x")]]);
      const all = ["r1", "r2", "r3", "r4", "r5"];
      const results = [];
      for (const release of all) {
        results.push(
          await store.register({ release, manifestText: manifestOf(release), assets: asset }),
        );
      }
      expect(results.map((r) => r.removed)).toEqual([[], [], [], ["r1"], ["r2"]]);
      expect(results.at(-1)?.kept).toEqual(["r5", "r4", "r3"]);
      expect((await store.releases()).map((r) => r.release)).toEqual(["r5", "r4", "r3"]);
      expect(await store.getAsset("r1", "assets/x.js")).toBeNull();
      expect(await store.getAsset("r5", "assets/x.js")).toEqual(Buffer.from("x"));
      await expectConsistent(fx, store, 3, all);
    });

    it("re-registering a live release moves it to the front and pushes nothing out", async () => {
      const fx = await setup("idem");
      const store = await fx.open({ versionsToKeep: 3 });
      for (const release of ["a", "b", "c"]) {
        await store.register({ release, manifestText: manifestOf(release) });
      }
      const firstAt = (await store.getManifest("a"))?.info.registeredAt;
      const again = await store.register({ release: "a", manifestText: manifestOf("a") });
      expect(again).toEqual({ kept: ["a", "c", "b"], removed: [], replaced: false });
      expect(await store.register({ release: "a", manifestText: manifestOf("a") })).toEqual(again);
      // Same bytes: the release keeps the time it first went live.
      expect((await store.getManifest("a"))?.info.registeredAt).toBe(firstAt);
      await expectConsistent(fx, store, 3, ["a", "b", "c"]);
    });

    it("re-registering with other bytes replaces the manifest and says so", async () => {
      const fx = await setup("replace");
      const store = await fx.open();
      await store.register({ release: "a", manifestText: manifestOf("a", "-old") });
      const result = await store.register({ release: "a", manifestText: manifestOf("a") });
      expect(result).toEqual({ kept: ["a"], removed: [], replaced: true });
      expect((await store.getManifest("a"))?.text).toBe(manifestOf("a"));
    });

    it("writeThrough fills only a listed release that lost its manifest, and never lists one", async () => {
      const fx = await setup("wt");
      const store = await fx.open();
      expect(await store.writeThrough("ghost", manifestOf("ghost"))).toBe(false);
      expect(await store.getManifest("ghost")).toBeNull();
      expect(await fx.rawManifests()).toEqual([]);
      expect(await store.releases()).toEqual([]);

      await store.register({ release: "a", manifestText: manifestOf("a") });
      expect(await store.writeThrough("a", "{}")).toBe(false); // present: never overwritten
      expect((await store.getManifest("a"))?.text).toBe(manifestOf("a"));

      await fx.dropManifest("a");
      expect(await store.getManifest("a")).toBeNull();
      expect(await store.writeThrough("a", manifestOf("a"))).toBe(true);
      expect((await store.getManifest("a"))?.text).toBe(manifestOf("a"));
      expect(await store.writeThrough("", manifestOf(""))).toBe(false);
      await expectConsistent(fx, store, 5, ["a", "ghost"]);
    });

    it('release "" caches under the bare prefix, warns, and leaves the list alone', async () => {
      const fx = await setup("bare");
      const logger = memoryLogger();
      const store = await fx.open({ versionsToKeep: 2, logger });
      await store.register({ release: "a", manifestText: manifestOf("a") });
      await store.register({ release: "b", manifestText: manifestOf("b") });
      const result = await store.register({ release: "", manifestText: manifestOf("bare") });
      expect(result).toEqual({ kept: ["b", "a"], removed: [], replaced: false });
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toMatch(/release id is empty.*bare prefix.*RELEASE_VERSION/);
      expect((await store.getManifest(""))?.text).toBe(manifestOf("bare"));
      expect((await store.releases()).map((r) => r.release)).toEqual(["b", "a"]);
      await expectConsistent(fx, store, 2, ["a", "b"]);
    });

    it("rejects bad release ids, upstreams and asset paths, and changes nothing", async () => {
      const fx = await setup("badid");
      const store = await fx.open();
      // The whole allowed alphabet, at the longest length: accepted (the negative control).
      const longest = `V1.2_3-rc${"x".repeat(119)}`;
      for (const release of ["good", longest]) {
        await store.register({ release, manifestText: manifestOf(release), upstream: "blue" });
      }
      const before = { list: await store.releases(), raw: await fx.rawManifests() };
      const bad = [
        "a b",
        "a:b",
        "a/b",
        "*",
        "v?",
        "[x]",
        "{tag}",
        "a\tb",
        "a\nb",
        ".",
        "..",
        "x".repeat(129),
        "a\\b",
        "v1@abc",
        "1.0.0+build.7",
        "-v1",
        "_v1",
      ];
      for (const release of bad) {
        const error = await store.register({ release, manifestText: "{}" }).catch((e) => e);
        expect(error.message).toMatch(
          /^\[vite-rolling\] \[registry\] release id .* (contains|is 129|starts with) .*Release ids are letters, digits, "\.", "_" and "-"/,
        );
        expect(error.code).toBe("ERR_RELEASE_ID");
        await expect(store.getManifest(release)).rejects.toThrow(/release id/);
        await expect(store.writeThrough(release, "{}")).rejects.toThrow(/release id/);
      }
      for (const upstream of ["http://10.0.0.5:3000", "10.0.0.5:0", "a b", "x;y"]) {
        const error = await store
          .register({ release: "ok", manifestText: "{}", upstream })
          .catch((e) => e);
        expect(error.message).toMatch(/^\[vite-rolling\] \[registry\] upstream of release "ok" /);
        expect(error.code).toBe("ERR_RELEASE_ID");
      }
      await expect(
        store.register({
          release: "ok",
          manifestText: "{}",
          assets: new Map([["../x", Buffer.from("")]]),
        }),
      ).rejects.toThrow(/asset path "..\/x"/);
      expect(await store.releases()).toEqual(before.list);
      expect(await fx.rawManifests()).toEqual(before.raw);
      expect(await fx.rawExtras()).toEqual(["good", longest].sort());
    });

    it("prune keeps the newest N atomically", async () => {
      const fx = await setup("prune");
      const store = await fx.open({ versionsToKeep: 5 });
      const all = ["p1", "p2", "p3", "p4"];
      for (const release of all)
        await store.register({ release, manifestText: manifestOf(release) });
      expect(await store.prune(2)).toEqual({
        kept: ["p4", "p3"],
        removed: ["p2", "p1"],
        replaced: false,
      });
      expect(await store.prune()).toEqual({ kept: ["p4", "p3"], removed: [], replaced: false });
      await expect(store.prune(0)).rejects.toThrow(/keep must be an integer from 1 to 1000/);
      await expectConsistent(fx, store, 2, all);
    });

    it("retains binary assets with their release and replaces them as a set", async () => {
      const fx = await setup("assets");
      const store = await fx.open();
      const bytes = Buffer.from([0, 255, 1, 254, 10, 13, 0x22]);
      await store.register({
        release: "a",
        manifestText: manifestOf("a"),
        assets: new Map([
          ["assets/bin.wasm", bytes],
          ["assets/deep/x.js", new TextEncoder().encode("x()")],
        ]),
      });
      expect(await store.getAsset("a", "assets/bin.wasm")).toEqual(bytes);
      expect((await store.getAsset("a", "assets/deep/x.js"))?.toString()).toBe("x()");
      expect(await store.getAsset("a", "assets/none.js")).toBeNull();
      await store.register({ release: "a", manifestText: manifestOf("a") }); // no assets: kept
      expect(await store.getAsset("a", "assets/bin.wasm")).toEqual(bytes);
      await store.register({
        release: "a",
        manifestText: manifestOf("a"),
        assets: new Map([["assets/new.js", Buffer.from("n")]]),
      });
      expect(await store.getAsset("a", "assets/bin.wasm")).toBeNull();
      expect(await store.getAsset("a", "assets/new.js")).toEqual(Buffer.from("n"));
      await expect(store.getAsset("a", "/etc/passwd")).rejects.toThrow(/asset path/);
    });

    it("ten concurrent registrations from separate instances leave a consistent registry", async () => {
      const fx = await setup("conc");
      const keep = 5;
      const all = Array.from({ length: 10 }, (_, i) => `c${i}`);
      const stores = await Promise.all(all.map(() => fx.open({ versionsToKeep: keep })));
      const results = await Promise.all(
        all.map((release, i) =>
          stores[i]!.register({ release, manifestText: manifestOf(release) }),
        ),
      );
      const listed = await expectConsistent(fx, stores[0]!, keep, all);
      expect(listed).toHaveLength(keep);
      // Every release left the list exactly once, and only the ones not listed did.
      const removed = results.flatMap((r) => r.removed).sort();
      expect(removed).toEqual(all.filter((r) => !listed.includes(r)).sort());
    });

    it("concurrent re-registrations of live releases push none of them out", async () => {
      const fx = await setup("conc-idem");
      const keep = 4;
      const live = ["l1", "l2", "l3", "l4"];
      const store = await fx.open({ versionsToKeep: keep });
      for (const release of live)
        await store.register({ release, manifestText: manifestOf(release) });
      const stores = await Promise.all(
        Array.from({ length: 10 }, () => fx.open({ versionsToKeep: keep })),
      );
      const results = await Promise.all(
        stores.map((s, i) => {
          const release = live[i % live.length]!;
          return s.register({ release, manifestText: manifestOf(release) });
        }),
      );
      expect(results.flatMap((r) => r.removed)).toEqual([]);
      const listed = await expectConsistent(fx, store, keep, live);
      expect([...listed].sort()).toEqual(live);
    });

    it("close() is idempotent", async () => {
      const fx = await setup("close");
      const store = await fx.open();
      await store.register({ release: "a", manifestText: manifestOf("a") });
      await store.close();
      await store.close();
    });
  });
}

async function listDir(path: string): Promise<string[]> {
  return readdir(path).catch(() => []);
}

/** Fixture of the file store: a fresh directory per test. */
export const fileFixture: MakeFixture = async (label) => {
  const dir = tempDir(`registry-${label}`);
  const prefix = uniquePrefix(label);
  const root = join(dir.path, encodeURIComponent(prefix));
  const readIndex = async () =>
    JSON.parse(
      await readFile(join(root, "recent-manifest-versions.json"), "utf8").catch(
        () => '{"releases":[]}',
      ),
    ) as { releases: { release: string }[]; files?: Record<string, { manifest: string }> };
  return {
    async open(options = {}) {
      return createFileStore({ dir: dir.path, prefix, ...options });
    },
    // File names carry the step's generation (`v1.<pid>-<hex>.json`, `assets/v1@<pid>-<hex>`);
    // the bare prefix's are "@bare...", never a release.
    async rawManifests() {
      const names = await listDir(join(root, "manifests"));
      return names
        .filter((n) => n.endsWith(".json") && !n.startsWith("@") && !n.startsWith("."))
        .map((n) => n.replace(/(\.\d+-[0-9a-f]+)?\.json$/, ""))
        .sort();
    },
    async rawExtras() {
      const listed = (await readIndex()).releases.map((r) => r.release);
      const assets = (await listDir(join(root, "assets")))
        .filter((n) => !n.startsWith("@"))
        .map((n) => n.replace(/@.*$/, ""));
      return [...new Set([...listed, ...assets])].sort();
    },
    async dropManifest(release) {
      const name = (await readIndex()).files?.[release]?.manifest ?? `${release}.json`;
      await rm(join(root, "manifests", name));
    },
    async cleanup() {
      dir.cleanup();
    },
  };
};

/**
 * Fixture of a Redis store: `connect` makes the `redis` option for one store (a URL or a new
 * client, and how to close that client); `inspector` reads keys around the store.
 */
export function redisFixture(
  inspector: () => Redis | Cluster,
  connect: () => Promise<{ redis: RedisStoreOptions["redis"]; close(): Promise<void> }>,
): MakeFixture {
  return async (label) => {
    const prefix = uniquePrefix(label);
    const keys = redisKeys(prefix, "recent-manifest-versions");
    const raw = inspector();
    const opened: { store: RegistryStore; close(): Promise<void> }[] = [];
    const suffixes = async (kind: string) =>
      (await scanKeys(raw, `${keys.base}:${kind}*`)).map((key) =>
        key.slice(`${keys.base}:${kind}`.length),
      );
    return {
      async open(options = {}) {
        const { redis, close } = await connect();
        const store = createRedisStore({ redis, prefix, ...options });
        opened.push({ store, close });
        return store;
      },
      async rawManifests() {
        return (await suffixes("")).filter((rest) => !rest.includes(":")).sort();
      },
      async rawExtras() {
        const found = [...(await suffixes("meta:")), ...(await suffixes("assets:"))];
        // "" is the bare prefix's metadata, outside the list by design.
        return [...new Set(found)].filter((release) => release !== "").sort();
      },
      async dropManifest(release) {
        await raw.del(keys.manifest(release));
      },
      async cleanup() {
        for (const { store, close } of opened) {
          await store.close();
          await close();
        }
        await deleteKeys(raw, `${keys.base}*`);
        raw.disconnect();
      },
    };
  };
}
