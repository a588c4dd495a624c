import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFileStore } from "../../src/registry/file-store.js";
import { createRedisStore } from "../../src/registry/redis/store.js";
import { runCli, runMain } from "../helpers/cli.js";
import {
  deleteKeys,
  SHARED_REDIS_URL,
  scanKeys,
  TEST_REDIS_SHOWN,
  throwawayRedis,
} from "../helpers/redis.js";
import { manifestOf } from "../helpers/store-contract.js";
import { tempDir, uniquePrefix } from "../helpers/tmp.js";

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.cleanup();
});

function project(): string {
  const dir = tempDir("cli-refresh");
  dirs.push(dir);
  mkdirSync(join(dir.path, "dist/.vite"), { recursive: true });
  writeFileSync(join(dir.path, "dist/.vite/manifest.json"), manifestOf("x"));
  return dir.path;
}

function expectOneLine(stderr: string, command: string): void {
  expect(stderr.endsWith("\n")).toBe(true);
  expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(stderr.startsWith(`vite-rolling ${command}: `)).toBe(true);
}

describe("vite-rolling refresh (file registry)", () => {
  it("registers, re-registers idempotently, and prunes beyond --versions-to-keep", async () => {
    const cwd = project();
    const run = (release: string) =>
      runMain(["refresh", "--versions-to-keep", "2"], { cwd, env: { RELEASE_VERSION: release } });
    expect(await run("a")).toMatchObject({ code: 0, stderr: "" });
    await run("b");
    const again = await run("a");
    expect(again.stdout).toMatch(
      /^registered a in .*\(sha256 [0-9a-f]{12}, \d+ B\)\nlive: a, b\n$/,
    );
    const third = await run("c");
    expect(third.stdout).toMatch(/\nlive: c, a; pruned: b\n$/);
  });

  it("fails in one line and changes nothing when the manifest is missing or the id is bad", async () => {
    const cwd = project();
    await runMain(["refresh", "--release", "keep-me"], { cwd });
    const store = createFileStore({ dir: join(cwd, ".vite-rolling") });
    const before = await store.releases();

    const missing = await runMain(["refresh", "--release", "v2", "--manifest-path", "nope.json"], {
      cwd,
    });
    expect(missing.code).toBe(1);
    expectOneLine(missing.stderr, "refresh");
    // The one manifest reader's message, as ready() gives it.
    expect(missing.stderr).toBe(
      `vite-rolling refresh: no manifest at "${join(cwd, "nope.json")}". Run \`vite build\` with \`build.manifest: true\`, or add the \`vite-rolling/vite\` plugin to your Vite config, then point \`manifestPath\` at .vite/manifest.json in the build's outDir.\n`,
    );

    writeFileSync(join(cwd, "bad.json"), "[1, 2]");
    const notManifest = await runMain(
      ["refresh", "--release", "v2", "--manifest-path", "bad.json"],
      { cwd },
    );
    expect(notManifest.stderr).toMatch(
      /^vite-rolling refresh: the file at ".*bad\.json" is not a Vite manifest: expected an object of chunks like .*, found an array\. /,
    );

    // The registry's one upstream rule, checked before anything is written.
    const badUpstream = await runMain(
      ["refresh", "--release", "v2", "--upstream", "http://10.0.0.5:3000"],
      { cwd },
    );
    expect(badUpstream.code).toBe(1);
    expectOneLine(badUpstream.stderr, "refresh");
    expect(badUpstream.stderr).toContain('upstream of release "v2" has an invalid host');

    // The one release-id rule: what proxy-config nginx refuses, refresh refuses too.
    for (const release of ["v 2", "v2:meta", "*", "{v2}", "v1@abc", "1.0+build"]) {
      const bad = await runMain(["refresh"], { cwd, env: { RELEASE_VERSION: release } });
      expect(bad.code).toBe(1);
      expectOneLine(bad.stderr, "refresh");
      expect(bad.stderr).toContain(`release id (RELEASE_VERSION) ${JSON.stringify(release)}`);
    }
    expect(await store.releases()).toEqual(before);
  });

  it("warns about an empty release id and caches under the bare prefix", async () => {
    const cwd = project();
    const result = await runMain(["refresh"], { cwd, env: { RELEASE_VERSION: "" } });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^vite-rolling refresh: warning: the release id is empty: the manifest is cached under the bare prefix .* and cleanup is skipped\. Set RELEASE_VERSION/,
    );
    expect(result.stdout).toMatch(/^registered the bare prefix \(no release id\) in /);
  });
});

describe("vite-rolling refresh (Redis)", () => {
  let raw: Redis;
  beforeAll(() => {
    raw = new Redis(SHARED_REDIS_URL);
  });
  afterAll(() => raw.disconnect());

  it("registers in the Redis REDIS_URL names, with upstream and app version", async () => {
    const cwd = project();
    const prefix = uniquePrefix("cli");
    try {
      const result = await runCli(
        ["refresh", "--cache-key-prefix", prefix, "--upstream", "green"],
        {
          cwd,
          env: { REDIS_URL: SHARED_REDIS_URL, RELEASE_VERSION: "r1", APP_VERSION: "9.9.9" },
        },
      );
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toContain(`registered r1 in ${TEST_REDIS_SHOWN} {${prefix}}`);
      const store = createRedisStore({ redis: raw, prefix });
      expect(await store.releases()).toMatchObject([
        { release: "r1", upstream: "green", appVersion: "9.9.9" },
      ]);
    } finally {
      await deleteKeys(raw, `*${prefix}*`);
    }
  });

  describe("with Redis down (throwaway server)", () => {
    const server = throwawayRedis();

    it("exits non-zero with one line, and the registry is untouched after restart", async () => {
      const cwd = project();
      const env = { REDIS_URL: server().url };
      expect((await runMain(["refresh", "--release", "a"], { cwd, env })).code).toBe(0);
      expect((await runMain(["refresh", "--release", "b"], { cwd, env })).code).toBe(0);
      const client = new Redis(server().url);
      const before = await scanKeys(client, "*");
      // Persist, so the restarted server starts from what the registry held.
      execFileSync("/usr/bin/redis-cli", ["-p", String(server().port), "save"]);
      client.disconnect();
      await server().stop();

      const result = await runCli(["refresh", "--release", "c"], { cwd, env });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expectOneLine(result.stderr, "refresh");
      expect(result.stderr).toBe(
        `vite-rolling refresh: Redis at ${server().url} is unreachable (connect ECONNREFUSED 127.0.0.1:${server().port}). Start it, or point REDIS_URL / the "redis" option at a running server.\n`,
      );

      await server().start();
      const after = new Redis(server().url);
      try {
        expect(await scanKeys(after, "*")).toEqual(before);
        const store = createRedisStore({ redis: after });
        expect((await store.releases()).map((r) => r.release)).toEqual(["b", "a"]);
      } finally {
        after.disconnect();
      }
    });
  });
});
