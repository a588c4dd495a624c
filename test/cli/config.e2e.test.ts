import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/args.js";
import { CLI_SWITCHES, loadCliOptions } from "../../src/cli/config.js";
import { createFileStore } from "../../src/registry/file-store.js";
import { runCli, runMain } from "../helpers/cli.js";
import { manifestOf } from "../helpers/store-contract.js";
import { tempDir } from "../helpers/tmp.js";

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.cleanup();
});

/** A project directory with a built manifest at Vite's default place. */
function project(files: Record<string, string> = {}): string {
  const dir = tempDir("cli-config");
  dirs.push(dir);
  mkdirSync(join(dir.path, "dist/.vite"), { recursive: true });
  writeFileSync(join(dir.path, "dist/.vite/manifest.json"), manifestOf("x"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text);
  return dir.path;
}

async function optionsFor(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const { args } = parseArgs(argv, CLI_SWITCHES);
  const err: string[] = [];
  const { options, configPath } = await loadCliOptions(
    args,
    { out: () => {}, err: (line) => err.push(line), env, cwd },
    { name: "refresh" },
  );
  return { options, configPath, err };
}

describe("CLI configuration", () => {
  it("finds vite-rolling.config.json in the cwd (spawned binary)", async () => {
    const cwd = project({
      "vite-rolling.config.json": JSON.stringify({ registryDir: "reg", cacheKeyPrefix: "app" }),
    });
    const result = await runCli(["refresh"], { cwd, env: { RELEASE_VERSION: "r1" } });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain(`registered r1 in ${join(cwd, "reg", "app")}`);
    const store = createFileStore({ dir: join(cwd, "reg"), prefix: "app" });
    expect((await store.releases()).map((r) => r.release)).toEqual(["r1"]);
  });

  it("loads vite-rolling.config.mjs (an object or a function of env) and .js before .json", async () => {
    const cwd = project({
      "vite-rolling.config.mjs":
        'export default ({ env }) => ({ cacheKeyPrefix: "mjs-" + env.STAGE });',
      "vite-rolling.config.json": JSON.stringify({ cacheKeyPrefix: "json" }),
    });
    const mjs = await optionsFor([], cwd, { STAGE: "prod" });
    expect(mjs.configPath).toBe(join(cwd, "vite-rolling.config.mjs"));
    expect(mjs.options.cacheKeyPrefix).toBe("mjs-prod");
    writeFileSync(join(cwd, "vite-rolling.config.js"), "export default { cacheKeyPrefix: 'js' };");
    expect((await optionsFor([], cwd)).options.cacheKeyPrefix).toBe("js");
  });

  it("reads --config <file> instead of looking in the cwd", async () => {
    const cwd = project({ "vite-rolling.config.json": JSON.stringify({ cacheKeyPrefix: "json" }) });
    mkdirSync(join(cwd, "deploy"));
    writeFileSync(join(cwd, "deploy/vr.json"), JSON.stringify({ cacheKeyPrefix: "explicit" }));
    const { options, configPath } = await optionsFor(["--config", "deploy/vr.json"], cwd);
    expect(configPath).toBe(join(cwd, "deploy/vr.json"));
    expect(options.cacheKeyPrefix).toBe("explicit");
  });

  it("applies flags > env > config file > defaults", async () => {
    const cwd = project({
      "vite-rolling.config.json": JSON.stringify({
        release: "from-config",
        redis: "redis://config:6379",
        versionsToKeep: 3,
        upstream: "blue",
      }),
    });
    const env = { RELEASE_VERSION: "from-env", REDIS_URL: "redis://env:6379" };
    const configOnly = await optionsFor([], cwd);
    expect(configOnly.options).toMatchObject({
      release: "from-config",
      redis: "redis://config:6379",
      versionsToKeep: 3,
    });
    const withEnv = await optionsFor([], cwd, env);
    expect(withEnv.options).toMatchObject({
      release: "from-env",
      redis: "redis://env:6379",
      upstream: "blue",
    });
    const withFlags = await optionsFor(
      ["--release", "from-flag", "--redis=redis://flag:1", "--versions-to-keep", "7"],
      cwd,
      env,
    );
    expect(withFlags.options).toMatchObject({
      release: "from-flag",
      redis: "redis://flag:1",
      versionsToKeep: 7,
      upstream: "blue",
    });
    // versionSetting names the variable the release comes from.
    const custom = await optionsFor(["--version-setting", "GIT_SHA"], cwd, {
      GIT_SHA: "abc123",
      RELEASE_VERSION: "ignored",
    });
    expect(custom.options.release).toBe("abc123");
    // No config, no env: the defaults, and Vite's default manifest path.
    const bare = await optionsFor([], project());
    expect(bare.options).toMatchObject({
      cacheKeyPrefix: "vite_manifest",
      versionsToKeep: 5,
      // Resolved: no option and no variable is the seed's bare prefix "".
      release: "",
      manifestPath: "dist/.vite/manifest.json",
    });
  });

  it("reports a broken or missing config file in one line", async () => {
    const cwd = project({ "vite-rolling.config.json": "{ nope" });
    const broken = await runMain(["status"], { cwd });
    // A usage error (the config is part of the command line): exit 2, line and column.
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(
      /^vite-rolling status: config file .*vite-rolling\.config\.json is not valid JSON: unexpected "n" at line 1, column 3\.\n$/,
    );
    const missing = await runMain(["status", "--config", "nope.json"], { cwd });
    expect(missing.stderr).toBe(
      `vite-rolling status: config file ${join(cwd, "nope.json")} does not exist; fix --config.\n`,
    );
    writeFileSync(join(cwd, "vite-rolling.config.json"), JSON.stringify({ versionsToKep: 3 }));
    expect((await runMain(["status"], { cwd })).stderr).toBe(
      'vite-rolling status: unknown option "versionsToKep". Did you mean "versionsToKeep"?\n',
    );
  });
});
