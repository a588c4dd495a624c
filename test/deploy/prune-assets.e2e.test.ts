import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createViteRolling } from "../../src/index.js";
import { runMain } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const tmp = tempDir("prune-assets");
afterAll(() => tmp.cleanup());

/** A build of release `n`: its Vite manifest and chunk, and a static file of its own content. */
function build(dir: string, n: number): void {
  mkdirSync(join(dir, "dist/.vite"), { recursive: true });
  mkdirSync(join(dir, "dist/assets"), { recursive: true });
  mkdirSync(join(dir, "static/css"), { recursive: true });
  const chunk = `assets/main-D8kQ2xZ${n}.js`;
  writeFileSync(join(dir, "dist", chunk), `console.log(${n});`);
  writeFileSync(
    join(dir, "dist/.vite/manifest.json"),
    JSON.stringify({ "src/main.ts": { file: chunk, isEntry: true, src: "src/main.ts" } }),
  );
  writeFileSync(join(dir, "static/css/brand.css"), `body { --release: ${n}; }`);
}

async function cli(dir: string, ...args: string[]): Promise<string> {
  const result = await runMain(args, { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

function brandUrl(dir: string): string {
  const vr = createViteRolling({
    manifestPath: join(dir, "dist/.vite/manifest.json"),
    staticManifestPath: join(dir, "dist/static/staticfiles.json"),
    staticBase: "/static/",
    dev: false,
  });
  return vr.staticUrl("css/brand.css");
}

describe("prune-assets with the README's paths", () => {
  it("keeps every static file a kept release references, deletes those of pruned releases", async () => {
    const dir = tmp.path;
    const deploy = async (n: number) => {
      build(dir, n);
      await cli(dir, "collect", "static/", "dist/static/");
      await cli(
        dir,
        "refresh",
        "--release",
        `v${n}`,
        "--static-manifest-path",
        "dist/static/staticfiles.json",
        "--versions-to-keep",
        "2",
      );
      await cli(dir, "prune-assets", "dist");
    };
    await deploy(1);
    const v1 = brandUrl(dir).replace(/^\/static\//, "dist/static/");
    expect(v1).toMatch(/^dist\/static\/css\/brand\.[0-9a-f]{12}\.css$/);
    // What vr.staticUrl returns right after the README's steps exists.
    expect(existsSync(join(dir, v1))).toBe(true);
    expect(existsSync(join(dir, "dist/assets/main-D8kQ2xZ1.js"))).toBe(true);

    await deploy(2);
    const v2 = brandUrl(dir).replace(/^\/static\//, "dist/static/");
    expect(v2).not.toBe(v1);
    // v1 is still kept (versionsToKeep 2): a tab of v1 still asks for its brand.css.
    expect(existsSync(join(dir, v1))).toBe(true);
    expect(existsSync(join(dir, v2))).toBe(true);
    expect(readFileSync(join(dir, v1), "utf8")).toContain("--release: 1");

    // Negative control: once v1 leaves the keep window, its files go; v2's and v3's stay.
    await deploy(3);
    const v3 = brandUrl(dir).replace(/^\/static\//, "dist/static/");
    expect(existsSync(join(dir, v1))).toBe(false);
    expect(existsSync(join(dir, "dist/assets/main-D8kQ2xZ1.js"))).toBe(false);
    expect(existsSync(join(dir, v2))).toBe(true);
    expect(existsSync(join(dir, v3))).toBe(true);
    expect(existsSync(join(dir, "dist/assets/main-D8kQ2xZ2.js"))).toBe(true);
  });
});
