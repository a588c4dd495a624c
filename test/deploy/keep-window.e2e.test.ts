// The keep window by age (issue 16) from where users set it: the option and its variable,
// `refresh --versions-max-age`, `prune --age`, a config file, and `prune-assets` following it.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/options.js";
import { createFileStore } from "../../src/registry/file-store.js";
import { redisKeys } from "../../src/registry/redis/keys.js";
import { runMain } from "../helpers/cli.js";
import { deleteKeys, SHARED_REDIS_URL } from "../helpers/redis.js";
import { manifestOf } from "../helpers/store-contract.js";
import { tempDir, uniquePrefix } from "../helpers/tmp.js";
import { fileClock } from "../registry/keep-window.js";

const VAR = "VITE_ROLLING_VERSIONS_MAX_AGE";
const HOURS_AGO = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.cleanup();
});

/** A project with a built manifest, as `refresh` finds it by default, and maybe a config file. */
function project(config?: object): string {
  const dir = tempDir("keep-window");
  dirs.push(dir);
  mkdirSync(join(dir.path, "dist/.vite"), { recursive: true });
  writeFileSync(join(dir.path, "dist/.vite/manifest.json"), manifestOf("x"));
  if (config) writeFileSync(join(dir.path, "vite-rolling.config.json"), JSON.stringify(config));
  return dir.path;
}

async function ok(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await runMain(args, { cwd, env });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
}

/** `refresh` of releases a, b, c in turn; the last `live:` line. */
async function refreshAbc(cwd: string, flags: string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  for (const release of ["a", "b", "c"]) {
    out = await ok(["refresh", "--release", release, ...flags], cwd, env);
  }
  return out.trimEnd().split("\n").at(-1);
}

describe("versionsMaxAge: option and environment", () => {
  it("defaults to 0, reads VITE_ROLLING_VERSIONS_MAX_AGE, and lets the option win", () => {
    const m = { manifestPath: "m.json" };
    expect(resolveOptions(m, {}).versionsMaxAge).toBe(0);
    expect(resolveOptions(m, { [VAR]: "86400" }).versionsMaxAge).toBe(86_400);
    expect(resolveOptions(m, { [VAR]: "" }).versionsMaxAge).toBe(0);
    expect(resolveOptions({ ...m, versionsMaxAge: 60 }, { [VAR]: "86400" }).versionsMaxAge).toBe(
      60,
    );
    expect(resolveOptions({ ...m, versionsMaxAge: 0 }, { [VAR]: "86400" }).versionsMaxAge).toBe(0);
  });

  it("refuses a bad option or variable with ERR_OPTIONS, naming it", () => {
    const m = { manifestPath: "m.json" };
    for (const [value, shown] of [
      [-1, "number -1"],
      [1.5, "number 1.5"],
      [2 ** 31, "number 2147483648"],
      ["3600", '"3600"'],
    ] as const) {
      expect(() => resolveOptions({ ...m, versionsMaxAge: value as number }, {})).toThrow(
        expect.objectContaining({
          code: "ERR_OPTIONS",
          message: `[vite-rolling] [options] option "versionsMaxAge" must be an integer from 0 to 2147483647, received ${shown}.`,
        }),
      );
    }
    for (const value of ["1h", "-5", "1.5", "2147483648", "0x10"]) {
      expect(() => resolveOptions(m, { [VAR]: value })).toThrow(
        expect.objectContaining({
          code: "ERR_OPTIONS",
          message: `[vite-rolling] [options] environment variable ${VAR} must be a whole number of seconds from 0 (off) to 2147483647, received ${JSON.stringify(value)}. E.g. ${VAR}=86400 keeps the releases of the last day.`,
        }),
      );
    }
    // A store opened directly checks it too.
    expect(() => createFileStore({ dir: "unused", versionsMaxAge: -1 })).toThrow(
      expect.objectContaining({
        code: "ERR_OPTIONS",
        message: expect.stringMatching(
          /^\[vite-rolling\] \[registry\] versionsMaxAge must be a whole number of seconds from 0 \(off\) to 2147483647, received number -1\. /,
        ),
      }),
    );
  });
});

describe("the CLI (file registry)", () => {
  it("refresh keeps young releases past --versions-to-keep with --versions-max-age, the variable or a config file", async () => {
    // Negative control: the count alone.
    expect(await refreshAbc(project(), ["--versions-to-keep", "1"])).toBe("live: c; pruned: b");
    expect(
      await refreshAbc(project(), ["--versions-to-keep", "1", "--versions-max-age", "3600"]),
    ).toBe("live: c, b, a");
    expect(await refreshAbc(project(), ["--versions-to-keep", "1"], { [VAR]: "3600" })).toBe(
      "live: c, b, a",
    );
    const config = { versionsToKeep: 1, versionsMaxAge: 3600 };
    expect(await refreshAbc(project(config), [])).toBe("live: c, b, a");
    // Flags win over the variable, which wins over the config file.
    expect(
      await refreshAbc(project(), ["--versions-to-keep", "1", "--versions-max-age", "0"], {
        [VAR]: "3600",
      }),
    ).toBe("live: c; pruned: b");
    expect(await refreshAbc(project(config), [], { [VAR]: "0" })).toBe("live: c; pruned: b");
  });

  it("prune --age prunes only what is beyond --keep and older, and defaults to the option", async () => {
    const cwd = project();
    await refreshAbc(cwd, ["--versions-to-keep", "1", "--versions-max-age", "3600"]);
    const store = createFileStore({ dir: join(cwd, ".vite-rolling") });
    await fileClock.setRegisteredAt(store, "a", HOURS_AGO(2));
    const location = store.location;
    expect(await ok(["prune", "--keep", "1", "--age", "3600"], cwd)).toBe(
      `kept: c, b in ${location}\nremoved: a\n`,
    );
    expect(await ok(["prune", "--keep", "1"], cwd, { [VAR]: "3600" })).toBe(
      `kept: c, b in ${location}\nremoved: nothing\n`,
    );
    // No age anywhere: the count alone.
    expect(await ok(["prune", "--keep", "1"], cwd)).toBe(`kept: c in ${location}\nremoved: b\n`);
  });

  it("refuses bad values in one line with the usage exit code", async () => {
    const cwd = project();
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [
        ["refresh", "--versions-max-age", "1h"],
        {},
        'vite-rolling refresh: --versions-max-age must be a whole number, received "1h".',
      ],
      [
        ["prune", "--age=-1"],
        {},
        'vite-rolling prune: --age must be a whole number of seconds from 0 to 2147483647, received "-1".',
      ],
      [
        ["prune", "--age"],
        {},
        "vite-rolling prune: --age must be a whole number of seconds from 0 to 2147483647, received true.",
      ],
      [
        ["prune", "--age", "2147483648"],
        {},
        "vite-rolling prune: maxAge must be a whole number of seconds from 0 (off) to 2147483647, received number 2147483648.",
      ],
      [
        ["refresh"],
        { [VAR]: "1d" },
        `vite-rolling refresh: environment variable ${VAR} must be a whole number of seconds from 0 (off) to 2147483647, received "1d".`,
      ],
    ];
    for (const [args, env, message] of cases) {
      const result = await runMain(args, { cwd, env });
      expect(
        result.stderr.startsWith(`${message} `) || result.stderr === `${message}\n`,
        result.stderr,
      ).toBe(true);
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(result.code, args.join(" ")).toBe(2);
    }
    // Nothing was registered by any of them.
    expect(await createFileStore({ dir: join(cwd, ".vite-rolling") }).releases()).toEqual([]);
  });

  it("documents both flags in --help", async () => {
    const prune = await ok(["prune", "--help"], project());
    expect(prune).toContain("--age <seconds>");
    expect(prune).toContain("--versions-max-age <seconds>");
    expect(await ok(["refresh", "--help"], project())).toContain("VITE_ROLLING_VERSIONS_MAX_AGE");
  });
});

describe("the CLI (Redis registry)", () => {
  const raw = new Redis(SHARED_REDIS_URL);
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(raw, `{${prefix}}*`);
    raw.disconnect();
  });

  it("refresh and prune carry the window to the server's scripts", async () => {
    const cwd = project();
    const prefix = uniquePrefix("cli-window");
    prefixes.push(prefix);
    const env = { REDIS_URL: SHARED_REDIS_URL, [VAR]: "3600" };
    const flags = ["--cache-key-prefix", prefix, "--versions-to-keep", "1"];
    expect(await refreshAbc(cwd, flags, env)).toBe("live: c, b, a");
    const keys = redisKeys(prefix, "recent-manifest-versions");
    const [time] = await raw.time();
    await raw.hset(
      keys.meta("a"),
      "registeredAt",
      new Date((Number(time) - 7200) * 1000).toISOString(),
    );
    expect(await ok(["prune", ...flags], cwd, env)).toMatch(/^kept: c, b in .*\nremoved: a\n$/);
    expect(await raw.exists(keys.manifest("a"), keys.meta("a"))).toBe(0);
    expect(await ok(["prune", ...flags, "--age", "0"], cwd, env)).toMatch(
      /^kept: c in .*\nremoved: b\n$/,
    );
  });
});

describe("prune-assets follows the window", () => {
  /** Release `n`'s build: a manifest naming its own hashed chunk. */
  function build(dir: string, n: number): string {
    mkdirSync(join(dir, "dist/.vite"), { recursive: true });
    mkdirSync(join(dir, "dist/assets"), { recursive: true });
    const chunk = `assets/main-D8kQ2xZ${n}.js`;
    writeFileSync(join(dir, "dist", chunk), `console.log(${n});`);
    writeFileSync(
      join(dir, "dist/.vite/manifest.json"),
      JSON.stringify({ "src/main.ts": { file: chunk, isEntry: true, src: "src/main.ts" } }),
    );
    return join(dir, "dist", chunk);
  }

  it("keeps the files of a young release past versionsToKeep, deletes them once it ages out", async () => {
    const cwd = project({ versionsToKeep: 1, versionsMaxAge: 3600 });
    const chunks: string[] = [];
    for (const n of [1, 2, 3]) {
      chunks.push(build(cwd, n));
      await ok(["refresh", "--release", `v${n}`], cwd);
      await ok(["prune-assets", "dist"], cwd);
    }
    expect(chunks.map((chunk) => existsSync(chunk))).toEqual([true, true, true]);

    const store = createFileStore({ dir: join(cwd, ".vite-rolling") });
    await fileClock.setRegisteredAt(store, "v1", HOURS_AGO(2));
    expect(await ok(["prune"], cwd)).toMatch(/\nremoved: v1\n$/);
    expect(await ok(["prune-assets", "dist"], cwd)).toContain("main-D8kQ2xZ1.js");
    expect(chunks.map((chunk) => existsSync(chunk))).toEqual([false, true, true]);
  });
});
