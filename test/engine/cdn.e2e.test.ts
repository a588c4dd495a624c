/**
 * `base` as a CDN origin: tags, preload links, import map and prefetch all point at it, and a
 * runtime base that differs from the build's (Vite's `base`, recorded in the sidecar) is
 * named in one warning at `ready()`, with the fix.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createViteRolling } from "../../src/index.js";
import type { ViteRollingOptions } from "../../src/options.js";
import { viteRolling as vitePlugin } from "../../src/vite/plugin.js";
import { tempDir } from "../helpers/tmp.js";
import { type BuiltApp, buildApp } from "../helpers/vite.js";

const CDN = "https://cdn.example.com/app/";
const FILES = {
  "src/main.ts": `import "./style.css";
import { dep } from "./dep";
addEventListener("click", () => import("./lazy").then((m) => m.run(dep)));
`,
  "src/dep.ts": 'export const dep = "dep";\n',
  "src/style.css": "body { color: red; }\n",
  "src/lazy.ts": "export const run = (x: string) => console.log(x);\n",
};

const dir = tempDir("delivery-cdn");
let onCdn: BuiltApp;
let onStatic: BuiltApp;
let relative: BuiltApp;
beforeAll(async () => {
  const build = (name: string, base: string) =>
    buildApp(join(dir.path, name), FILES, {
      base,
      plugins: [vitePlugin()],
      build: { chunkImportMap: true, rollupOptions: { input: "src/main.ts" } },
    });
  [onCdn, onStatic, relative] = await Promise.all([
    build("cdn", CDN),
    build("static", "/static/"),
    build("relative", "./"),
  ]);
});
afterAll(() => dir.cleanup());

async function ready(app: BuiltApp, options: Partial<ViteRollingOptions> = {}) {
  const warnings: string[] = [];
  const vr = createViteRolling({
    manifestPath: app.manifestPath,
    dev: false,
    cache: false,
    logger: { warn: (m) => warnings.push(m) },
    ...options,
  });
  await vr.ready();
  return { vr, warnings };
}

describe("a CDN base", () => {
  it("comes from the build when the option is left out: every URL on the CDN, no warning", async () => {
    const { vr, warnings } = await ready(onCdn, { prefetch: "aggressive" });
    const html = vr.styles("src/main.ts") + vr.scripts("src/main.ts");
    const urls = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThan(2);
    expect(urls.filter((u) => !u.startsWith(`${CDN}assets/`))).toEqual([]);
    const importMap = JSON.parse(/<script type="importmap">(.*?)<\/script>/.exec(html)![1]!);
    expect(
      Object.entries(importMap.imports as Record<string, string>)
        .flat()
        .filter((u) => !u.startsWith(CDN)),
    ).toEqual([]);
    const links = vr.preloadLinks("src/main.ts");
    expect(links.length).toBeGreaterThan(1);
    expect(links.filter((l) => !l.startsWith(`<${CDN}assets/`))).toEqual([]);
    expect(vr.assetUrl("src/main.ts")).toMatch(new RegExp(`^${CDN}assets/main-`));
    expect(warnings).toEqual([]);
  });

  it("as an option the build does not share: one warning naming both bases and the fix", async () => {
    const { vr, warnings } = await ready(onStatic, { base: CDN });
    expect(warnings).toEqual([
      `[vite-rolling] [base] the base option "${CDN}" differs from the base this build was made with ("/static/", recorded by the vite-rolling/vite plugin). Tags and Link headers use the option, but the lazy chunks and CSS that Vite's own code loads use the build's base, so they will not come from "${CDN}". Fix: set Vite's base to "${CDN}" in vite.config and rebuild, or drop the base option to use the build's.`,
    ]);
    await vr.reload();
    expect(warnings).toHaveLength(1);
    expect(vr.scripts("src/main.ts")).toContain(`src="${CDN}assets/main-`);
  });

  it("stays quiet when the bases agree, or the build's base is relative", async () => {
    expect((await ready(onCdn, { base: CDN.slice(0, -1) })).warnings).toEqual([]);
    expect((await ready(onStatic, { base: "/static" })).warnings).toEqual([]);
    const { vr, warnings } = await ready(relative, { base: CDN });
    expect(warnings).toEqual([]);
    const html = vr.scripts("src/main.ts");
    expect(html).toContain(`src="${CDN}assets/main-`);
    // Vite wrote the map relative to its own index.html ("./assets/..."); the page is elsewhere.
    const importMap = JSON.parse(/<script type="importmap">(.*?)<\/script>/.exec(html)![1]!);
    expect(Object.keys(importMap.imports).filter((u) => !u.startsWith(`${CDN}assets/`))).toEqual(
      [],
    );
  });
});
