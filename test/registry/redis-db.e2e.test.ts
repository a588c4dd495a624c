import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/cli.js";
import { SHARED_REDIS_URL } from "../helpers/redis.js";
import { tempDir, uniquePrefix } from "../helpers/tmp.js";

const tmp = tempDir("redis-db");
afterAll(() => tmp.cleanup());
const manifest = join(tmp.path, "manifest.json");
writeFileSync(manifest, '{"src/main.ts":{"file":"assets/main-D8kQ2xZ1.js","isEntry":true}}');

const url = (db: number) => `${SHARED_REDIS_URL.replace(/\/\d*$/, "")}/${db}`;

describe("a Redis URL naming a database", () => {
  it("the server lacks is an error, for refresh and status, and nothing goes to db 0", async () => {
    const prefix = uniquePrefix("db99");
    const flags = ["--cache-key-prefix", prefix, "--manifest-path", manifest];
    const refresh = await runMain(["refresh", "--release", "v1", ...flags], {
      env: { REDIS_URL: url(99) },
    });
    expect(refresh.code).toBe(1);
    expect(refresh.stdout).toBe("");
    expect(refresh.stderr).toMatch(/^vite-rolling refresh: .*database 99.*\n$/);
    const status = await runMain(["status", "--cache-key-prefix", prefix], {
      env: { REDIS_URL: url(99) },
    });
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/database 99/);
    // Nothing was registered in db 0 instead.
    const db0 = await runMain(["status", "--json", "--cache-key-prefix", prefix], {
      env: { REDIS_URL: url(0) },
    });
    expect(db0.code).toBe(0);
    expect(JSON.parse(db0.stdout).releases).toEqual([]);
  });

  it("the server has is used (negative control): db 1 holds the release, db 0 does not", async () => {
    const prefix = uniquePrefix("db1");
    const flags = ["--cache-key-prefix", prefix];
    const refresh = await runMain(
      ["refresh", "--release", "v1", "--manifest-path", manifest, ...flags],
      { env: { REDIS_URL: url(1) } },
    );
    expect(refresh.code, refresh.stderr).toBe(0);
    const read = async (db: number) =>
      JSON.parse(
        (await runMain(["status", "--json", ...flags], { env: { REDIS_URL: url(db) } })).stdout,
      ).releases.map((r: { release: string }) => r.release);
    expect(await read(1)).toEqual(["v1"]);
    expect(await read(0)).toEqual([]);
    await runMain(["prune", "--keep", "1", ...flags], { env: { REDIS_URL: url(1) } });
  });
});
