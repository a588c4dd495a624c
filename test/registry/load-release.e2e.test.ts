import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFileStore } from "../../src/registry/file-store.js";
import { loadReleaseManifest } from "../../src/registry/load-release.js";
import { createRedisStore } from "../../src/registry/redis/store.js";
import type { RegistryStore } from "../../src/registry/store.js";
import { throwawayRedis, waitUntil } from "../helpers/redis.js";
import { manifestOf, memoryLogger } from "../helpers/store-contract.js";
import { tempDir } from "../helpers/tmp.js";

const REGISTRY_COPY = manifestOf("v1", "-registry");
const LOCAL_COPY = manifestOf("v1", "-local");

/** What loadReleaseManifest returns: the parsed manifest, its text and where it came from. */
const fromRegistry = (text: string) => ({
  manifest: JSON.parse(text),
  text,
  source: 'the registry (release "v1")',
});
const fromFile = (text: string) => ({ manifest: JSON.parse(text), text, source: manifestPath });

let dir: ReturnType<typeof tempDir>;
let manifestPath: string;
beforeAll(() => {
  dir = tempDir("load-release");
  manifestPath = join(dir.path, "manifest.json");
  writeFileSync(manifestPath, LOCAL_COPY);
});
afterAll(() => dir.cleanup());

describe("loadReleaseManifest with the file registry", () => {
  let registry: RegistryStore;
  let n = 0;
  const logger = memoryLogger();
  const load = (release: string, extra: { cache?: boolean } = {}) =>
    loadReleaseManifest({ registry, release, manifestPath, cache: extra.cache ?? true, logger });
  beforeAll(() => {
    logger.warnings.length = 0;
  });
  afterEach(() => expect(logger.warnings).toEqual([]));
  const fresh = () => {
    registry = createFileStore({ dir: join(dir.path, `registry-${n++}`) });
    return registry;
  };

  it("serves the registry's copy of a listed release", async () => {
    await fresh().register({ release: "v1", manifestText: REGISTRY_COPY });
    expect(await load("v1")).toEqual(fromRegistry(REGISTRY_COPY));
  });

  it("falls back to the local file and writes it through for a listed release that lost it", async () => {
    const store = fresh();
    await store.register({ release: "v1", manifestText: REGISTRY_COPY });
    // Drop the manifest around the store, as an eviction would.
    const manifests = join(dir.path, `registry-${n - 1}`, "vite_manifest", "manifests");
    for (const name of await readdir(manifests)) {
      if (name.startsWith("v1.")) await rm(join(manifests, name));
    }
    expect(await load("v1")).toEqual(fromFile(LOCAL_COPY));
    expect(await load("v1")).toEqual({ ...fromRegistry(LOCAL_COPY) });
  });

  it("never lists an unregistered release: local file, registry unchanged", async () => {
    const store = fresh();
    expect(await load("v9")).toEqual(fromFile(LOCAL_COPY));
    // Nothing to write through, so nothing written: not even the registry directory.
    expect(existsSync(join(dir.path, `registry-${n - 1}`))).toBe(false);
    expect(await store.releases()).toEqual([]);
    expect(await store.getManifest("v9")).toBeNull();
  });

  it('skips the registry with cache: false and for release ""', async () => {
    const store = fresh();
    await store.register({ release: "v1", manifestText: REGISTRY_COPY });
    expect(await load("v1", { cache: false })).toEqual(fromFile(LOCAL_COPY));
    expect(await load("")).toEqual(fromFile(LOCAL_COPY));
  });

  it("fails loudly when neither the registry nor the file has it, or the id is bad", async () => {
    fresh();
    await expect(
      loadReleaseManifest({
        registry,
        release: "v1",
        manifestPath: join(dir.path, "missing.json"),
        cache: true,
        logger,
      }),
    ).rejects.toThrow(
      `[vite-rolling] [manifest] no manifest at "${join(dir.path, "missing.json")}". Run \`vite build\``,
    );
    await expect(load("v 1")).rejects.toThrow(/release id "v 1" contains U\+0020/);
  });

  it("gives the one manifest reader's errors: a wrong manifestPath gets the Vite 5+ hint", async () => {
    fresh();
    const project = join(dir.path, "vite5");
    mkdirSync(join(project, "dist", ".vite"), { recursive: true });
    const loadFrom = (path: string) =>
      loadReleaseManifest({ registry, release: "v1", manifestPath: path, cache: true, logger });
    // Vite 4's place, while Vite 5+ wrote .vite/manifest.json: the message points there.
    const hint = `There is one at "${join(project, "dist", ".vite", "manifest.json")}": Vite 5+ writes it there.`;
    const missing = await loadFrom(join(project, "dist", "manifest.json")).catch((e) => e);
    expect(missing.code).toBe("ERR_MANIFEST_NOT_FOUND");
    expect(missing.message).not.toContain(hint);
    writeFileSync(join(project, "dist", ".vite", "manifest.json"), LOCAL_COPY);
    const hinted = await loadFrom(join(project, "dist", "manifest.json")).catch((e) => e);
    expect(hinted.code).toBe("ERR_MANIFEST_NOT_FOUND");
    expect(hinted.message).toContain(hint);
    // Not a Vite manifest: refused with the reader's shape error, not passed on to a render.
    writeFileSync(join(project, "dist", "manifest.json"), "[]");
    const shape = await loadFrom(join(project, "dist", "manifest.json")).catch((e) => e);
    expect(shape.code).toBe("ERR_MANIFEST_SHAPE");
  });
});

describe("loadReleaseManifest through a Redis outage (throwaway server)", () => {
  const server = throwawayRedis();

  it("warns once and serves the local file while Redis is down, then uses Redis again with no restart", async () => {
    const logger = memoryLogger();
    const registry = createRedisStore({ redis: server().url, prefix: "vrtest:outage", logger });
    const load = () =>
      loadReleaseManifest({ registry, release: "v1", manifestPath, cache: true, logger });
    try {
      await registry.register({ release: "v1", manifestText: REGISTRY_COPY });
      expect(await load()).toEqual(fromRegistry(REGISTRY_COPY));

      await server().stop();
      expect(await load()).toEqual(fromFile(LOCAL_COPY));
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toMatch(
        new RegExp(
          `^\\[vite-rolling\\] \\[registry\\] cannot read release "v1" from redis://127\\.0\\.0\\.1:${server().port} \\{vrtest:outage\\} \\(Redis at redis://127\\.0\\.0\\.1:${server().port} is unreachable .*\\); serving the local manifest .*manifest\\.json\\.$`,
        ),
      );

      await server().start(); // same port, empty (no persistence)
      // The same store reconnects by itself; wait for it, then the deploy step runs again.
      await waitUntil(
        async () => Array.isArray(await registry.releases()),
        "the store to reconnect",
      );
      await registry.register({ release: "v1", manifestText: REGISTRY_COPY });
      const warned = logger.warnings.length;
      expect(await load()).toEqual(fromRegistry(REGISTRY_COPY));
      expect(logger.warnings).toHaveLength(warned);
    } finally {
      await registry.close();
    }
  });

  it("bounds a hung Redis: one warning and the local file after timeoutMs", async () => {
    await server().start();
    const logger = memoryLogger();
    const registry = createRedisStore({ redis: server().url, prefix: "vrtest:hang", logger });
    try {
      await registry.register({ release: "v1", manifestText: REGISTRY_COPY });
      server().signal("SIGSTOP");
      const result = await loadReleaseManifest({
        registry,
        release: "v1",
        manifestPath,
        cache: true,
        logger,
        timeoutMs: 300,
      });
      expect(result).toEqual(fromFile(LOCAL_COPY));
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toMatch(/the registry read took longer than 300 ms/);
    } finally {
      server().signal("SIGCONT");
      await registry.close();
    }
  });
});
