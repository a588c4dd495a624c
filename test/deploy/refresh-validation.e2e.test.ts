import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createFileStore } from "../../src/registry/file-store.js";
import { loadReleaseManifest } from "../../src/registry/load-release.js";
import { runMain } from "../helpers/cli.js";
import { memoryLogger } from "../helpers/store-contract.js";
import { tempDir } from "../helpers/tmp.js";

const tmp = tempDir("refresh-validation");
afterAll(() => tmp.cleanup());
const GOOD = '{"src/main.ts":{"file":"assets/main-D8kQ2xZ1.js","isEntry":true}}';
let n = 0;

/** A fresh file registry holding release "good" (upstream 127.0.0.1:4001). */
async function registry(): Promise<{ dir: string; flags: string[] }> {
  const dir = join(tmp.path, `r${n++}`);
  const flags = ["--registry-dir", dir];
  const manifest = join(tmp.path, `good-${n}.json`);
  writeFileSync(manifest, GOOD);
  const r = await runMain(
    [
      "refresh",
      "--release",
      "good",
      "--upstream",
      "127.0.0.1:4001",
      "--manifest-path",
      manifest,
      ...flags,
    ],
    { cwd: tmp.path },
  );
  expect(r.code, r.stderr).toBe(0);
  return { dir, flags };
}

async function listed(flags: string[]): Promise<string[]> {
  const r = await runMain(["status", "--json", ...flags], { cwd: tmp.path });
  return JSON.parse(r.stdout).releases.map((x: { release: string }) => x.release);
}

describe("refresh validates with the server's own parser", () => {
  it.each([
    ["an entry without file", '{"src/main.ts":{"isEntry":true}}'],
    ['"file": 42', '{"src/main.ts":{"file":42}}'],
    ["a dangling import", '{"src/main.ts":{"file":"a.js","imports":["nope"]}}'],
    ["an SSR manifest", '{"src/main.ts":["/assets/main.js"]}'],
    ["{}", "{}"],
    ["not JSON", '{"src/main.ts":'],
  ])("refuses %s: exit 1, one line, the registry unchanged", async (_, text) => {
    const { flags } = await registry();
    const manifest = join(tmp.path, `bad-${n}.json`);
    writeFileSync(manifest, text);
    const r = await runMain(
      ["refresh", "--release", "bad", "--manifest-path", manifest, ...flags],
      {
        cwd: tmp.path,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^vite-rolling refresh: [^\n]+\n$/);
    expect(await listed(flags)).toEqual(["good"]);
  });

  it("treats a byte-order mark the same on both sides: refresh accepts it, the server reads it", async () => {
    const { dir, flags } = await registry();
    const manifest = join(tmp.path, "bom.json");
    writeFileSync(manifest, `\ufeff${GOOD}`);
    const r = await runMain(
      ["refresh", "--release", "bom", "--manifest-path", manifest, ...flags],
      {
        cwd: tmp.path,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const logger = memoryLogger();
    const loaded = await loadReleaseManifest({
      registry: createFileStore({ dir }),
      release: "bom",
      manifestPath: join(tmp.path, "missing.json"),
      cache: true,
      logger,
    });
    expect(loaded.source).toMatch(/registry/);
    expect(Object.keys(loaded.manifest)).toEqual(["src/main.ts"]);
    expect(logger.warnings).toEqual([]);
  });

  it("a server whose registry copy is unusable serves its local manifest, with one warning", async () => {
    const dir = join(tmp.path, "unusable");
    const store = createFileStore({ dir });
    // Written around refresh (an older version, another tool): the store does not parse.
    await store.register({ release: "v1", manifestText: '{"src/main.ts":{"file":42}}' });
    const local = join(tmp.path, "local.json");
    writeFileSync(local, GOOD);
    const logger = memoryLogger();
    const load = () =>
      loadReleaseManifest({
        registry: store,
        release: "v1",
        manifestPath: local,
        cache: true,
        logger,
      });
    const loaded = await load();
    expect(loaded.source).toBe(local);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/release "v1".*local manifest/);
    // Negative control: a usable registry copy is served from the registry.
    await store.register({ release: "v1", manifestText: GOOD });
    expect((await load()).source).toMatch(/registry/);
  });
});

describe("release ids and upstreams: refresh refuses what proxy-config refuses", () => {
  it.each([
    ["release", "a'b"],
    ["release", "v1\u202e"],
    ["upstream", "127.0.0.1:8080;evil"],
    ["upstream", "host:80 backup"],
  ])("--%s %j: exit 1, registry unchanged, proxy-config still renders", async (flag, value) => {
    const { flags } = await registry();
    const manifest = join(tmp.path, `ok-${n}.json`);
    writeFileSync(manifest, GOOD);
    const args =
      flag === "release" ? ["--release", value] : ["--release", "ok", "--upstream", value];
    const r = await runMain(["refresh", ...args, "--manifest-path", manifest, ...flags], {
      cwd: tmp.path,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^vite-rolling refresh: [^\n]+\n$/);
    expect(await listed(flags)).toEqual(["good"]);
    const config = await runMain(["proxy-config", "nginx", ...flags], { cwd: tmp.path });
    expect(config.code, config.stderr).toBe(0);
    expect(config.stdout).toContain("127.0.0.1:4001");
  });
});
