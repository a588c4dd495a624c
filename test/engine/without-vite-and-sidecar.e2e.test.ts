// "Say what is off" (a build without the plugin's sidecar) and `withoutVite` (an app's own
// tests, with no build at all).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createViteRolling } from "../../src/index.js";
import viteRolling from "../../src/vite/plugin.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

const FILES = {
  "src/main.ts": `import "./main.css"; console.log("main");`,
  "src/main.css": "body { color: red; }",
  "src/logo.svg": `<svg xmlns="http://www.w3.org/2000/svg"></svg>`,
};
const INPUT = { build: { rollupOptions: { input: ["src/main.ts"] } }, base: "/static/" };

function recorder(): { warn(message: string): void; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (message: string) => warnings.push(message) };
}

describe("a build without the plugin's sidecar", () => {
  const bare = tempDir("sidecar-bare");
  const withPlugin = tempDir("sidecar-plugin");
  let bareManifest: string;
  let pluginManifest: string;

  beforeAll(async () => {
    bareManifest = (await buildApp(bare.path, FILES, INPUT)).manifestPath;
    pluginManifest = (
      await buildApp(withPlugin.path, FILES, {
        ...INPUT,
        plugins: [viteRolling({ hotFile: false })],
      })
    ).manifestPath;
  });
  afterAll(() => {
    bare.cleanup();
    withPlugin.cleanup();
  });

  it("ready() warns once: app version unknown, integrity off, and the fix", async () => {
    const logger = recorder();
    const vr = createViteRolling({ manifestPath: bareManifest, dev: false, cache: false, logger });
    await vr.ready();
    expect(vr.appVersion()).toBe("unknown");
    expect(logger.warnings).toEqual([
      `[vite-rolling] [sidecar] no build record at ${JSON.stringify(join(bare.path, "dist/.vite/vite-rolling.json"))} (the build ran without the vite-rolling/vite plugin): the app version is "unknown", so X-App-Version cannot tell releases apart and stale tabs are not detected; tags carry no integrity attribute. Fix: add viteRolling() from "vite-rolling/vite" to vite.config's plugins and run \`vite build\` again.`,
    ]);
    await vr.ready();
    await vr.reload();
    expect(logger.warnings).toHaveLength(1);
  });

  it("names only what is off: with an explicit app version, integrity alone", async () => {
    const logger = recorder();
    const vr = createViteRolling({
      manifestPath: bareManifest,
      dev: false,
      cache: false,
      appVersion: "v7",
      logger,
    });
    await vr.ready();
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain(": tags carry no integrity attribute. Fix:");
    expect(logger.warnings[0]).not.toContain("app version");
  });

  it("stays quiet with the plugin's sidecar (negative control), and with nothing off", async () => {
    const logger = recorder();
    const vr = createViteRolling({
      manifestPath: pluginManifest,
      dev: false,
      cache: false,
      logger,
    });
    await vr.ready();
    expect(vr.appVersion()).not.toBe("unknown");
    expect(vr.styles("src/main.ts")).toContain('integrity="sha384-');
    const quiet = createViteRolling({
      manifestPath: bareManifest,
      dev: false,
      cache: false,
      appVersion: "v7",
      integrity: false,
      logger,
    });
    await quiet.ready();
    expect(logger.warnings).toEqual([]);
  });
});

describe("withoutVite: an app's tests render pages with no build and no dev server", () => {
  it("ready() needs no manifest; tags are comments naming the entries; nothing warns", async () => {
    const logger = recorder();
    const vr = createViteRolling({
      manifestPath: "does/not/exist/manifest.json",
      dev: false,
      withoutVite: true,
      base: "/static/",
      logger,
    });
    await vr.ready();
    expect(vr.styles(["src/main.ts", "src/admin.css"])).toBe(
      "<!-- vite-rolling styles: src/main.ts src/admin.css -->",
    );
    expect(vr.scripts("src/main.ts", { nonce: "n" })).toBe(
      "<!-- vite-rolling scripts: src/main.ts -->",
    );
    // A name cannot end the comment early.
    expect(vr.scripts("a-->b<script>")).toBe(
      "<!-- vite-rolling scripts: a&#45;&#45;&gt;b&lt;script&gt; -->",
    );
    expect(vr.preloadLinks("src/main.ts")).toEqual([]);
    expect(vr.reactRefresh()).toBe("");
    expect(vr.assetUrl("src/logo.svg")).toBe("/static/src/logo.svg");
    expect(vr.versionTags()).toContain("unknown");
    expect(logger.warnings).toEqual([]);
  });

  it("in dev mode too: no dev server is looked for", async () => {
    const logger = recorder();
    const vr = createViteRolling({
      manifestPath: "none.json",
      dev: true,
      withoutVite: true,
      logger,
    });
    await vr.ready();
    expect(vr.scripts("index.html")).toBe("<!-- vite-rolling scripts: index.html -->");
    expect(logger.warnings).toEqual([]);
  });

  it("without it, the same app fails at ready() for the missing manifest (negative control)", async () => {
    const vr = createViteRolling({
      manifestPath: "does/not/exist/manifest.json",
      dev: false,
      cache: false,
    });
    await expect(vr.ready()).rejects.toThrow("no manifest at");
  });
});
