/**
 * Vite 8's chunk import map (`build.chunkImportMap`): the plugin records it in the sidecar and
 * `scripts()` writes it, nonce-carrying, before any module script or preload. Vite's own built
 * `index.html` is the oracle. (delivery-browser.test.ts loads such a page in Chromium.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpCore } from "../../src/http/core.js";
import { combineBuilds, createViteRolling } from "../../src/index.js";
import { parseSidecar, readSidecar, sidecarPathFor } from "../../src/manifest/sidecar.js";
import type { ViteRollingOptions } from "../../src/options.js";
import { importMapFileName, viteRolling as vitePlugin } from "../../src/vite/plugin.js";
import { tempDir } from "../helpers/tmp.js";
import { type BuiltApp, buildApp } from "../helpers/vite.js";

const FILES = {
  "index.html":
    '<!doctype html><html><head></head><body><script type="module" src="/src/main.ts"></script></body></html>',
  "src/main.ts": `import "./style.css";
import { dep } from "./dep";
console.log(dep);
addEventListener("click", () => import("./lazy").then((m) => m.run()));
`,
  "src/dep.ts": 'export const dep = "dep";\n',
  "src/style.css": "body { color: red; }\n",
  "src/lazy.ts":
    'import { dep } from "./dep";\nexport const run = () => console.log("lazy", dep);\n',
};

const dir = tempDir("delivery-import-map");
let withMap: BuiltApp;
let withoutMap: BuiltApp;
beforeAll(async () => {
  const config = { base: "/static/", plugins: [vitePlugin()] };
  withMap = await buildApp(join(dir.path, "map"), FILES, {
    ...config,
    build: { chunkImportMap: true },
  });
  withoutMap = await buildApp(join(dir.path, "plain"), FILES, config);
});
afterAll(() => dir.cleanup());

async function ready(app: BuiltApp, options: Partial<ViteRollingOptions> = {}) {
  const vr = createViteRolling({
    manifestPath: app.manifestPath,
    dev: false,
    cache: false,
    logger: { warn() {} },
    ...options,
  });
  await vr.ready();
  return vr;
}

/** Vite's own `<script type="importmap">` from its built index.html, and its position. */
function viteImportMap(app: BuiltApp): { json: unknown; beforeModules: boolean } {
  const html = readFileSync(join(app.outDir, "index.html"), "utf8");
  const match = /<script type="importmap">(.*?)<\/script>/s.exec(html)!;
  const firstModule = html.search(/<script type="module"|<link rel="modulepreload"/);
  return { json: JSON.parse(match[1]!), beforeModules: match.index < firstModule };
}

describe("the sidecar", () => {
  it("records the import map Vite emitted, as Vite wrote it into its own page", async () => {
    const sidecar = await readSidecar(sidecarPathFor(withMap.manifestPath));
    const emitted = JSON.parse(readFileSync(join(withMap.outDir, "importmap.json"), "utf8"));
    expect(sidecar?.importMap).toEqual(emitted);
    expect(sidecar?.importMap).toEqual(viteImportMap(withMap).json);
    expect(Object.keys(emitted.imports).length).toBeGreaterThan(0);
    // Without the option, no import map.
    expect((await readSidecar(sidecarPathFor(withoutMap.manifestPath)))?.importMap).toBeUndefined();
  });

  it("finds the map where Vite writes it: rolldown's fileName, else importmap.json", () => {
    expect(importMapFileName({ chunkImportMap: false })).toBeNull();
    expect(importMapFileName({ chunkImportMap: true })).toBe("importmap.json");
    expect(
      importMapFileName({
        chunkImportMap: true,
        rolldownOptions: { experimental: { chunkImportMap: { fileName: "maps/chunks.json" } } },
      }),
    ).toBe("maps/chunks.json");
  });

  it("names a malformed import map and the fix", () => {
    const sidecar = {
      version: 1,
      buildHash: "0".repeat(64),
      base: "/",
      integrity: {},
      files: {},
      importMap: { imports: { "/a.js": 1 } },
    };
    expect(() => parseSidecar(JSON.stringify(sidecar), "vite-rolling.json")).toThrow(
      '[vite-rolling] [sidecar] vite-rolling.json: "importMap.imports"["/a.js"] must be a string, received number 1. The file is written by the vite-rolling/vite plugin: rebuild with `vite build` to regenerate it.',
    );
  });
});

describe("scripts()", () => {
  it("writes the import map first, with the nonce, as Vite does", async () => {
    const vr = await ready(withMap);
    const html = vr.scripts("index.html", { nonce: "n<1" });
    const lines = html.split("\n");
    const match = /^<script type="importmap" nonce="n&lt;1">(.*)<\/script>$/.exec(lines[0]!);
    expect(match).not.toBeNull();
    expect(JSON.parse(match![1]!)).toEqual(viteImportMap(withMap).json);
    expect(viteImportMap(withMap).beforeModules).toBe(true);
    // Everything after it is what the page loads without a map.
    expect(
      lines.slice(1).every((l) => /^<(link rel="modulepreload"|script type="module")/.test(l)),
    ).toBe(true);
    expect(lines).toHaveLength(
      1 + (await ready(withoutMap)).scripts("index.html").split("\n").length,
    );
  });

  it("leaves it out with importMap: false, and without chunkImportMap", async () => {
    const vr = await ready(withMap);
    expect(vr.scripts("index.html", { importMap: false })).not.toContain("importmap");
    expect((await ready(withoutMap)).scripts("index.html")).not.toContain("importmap");
    expect(vr.styles("index.html")).not.toContain("importmap");
  });

  it("moves the map's URLs to a runtime base (the chunks import each other relatively)", async () => {
    const vr = await ready(withMap, { base: "https://cdn.example.com/app/" });
    const json = /<script type="importmap">(.*?)<\/script>/.exec(vr.scripts("index.html"))![1]!;
    const map = JSON.parse(json) as { imports: Record<string, string> };
    const original = viteImportMap(withMap).json as { imports: Record<string, string> };
    expect(map.imports).toEqual(
      Object.fromEntries(
        Object.entries(original.imports).map(([k, v]) => [
          k.replace("/static/", "https://cdn.example.com/app/"),
          v.replace("/static/", "https://cdn.example.com/app/"),
        ]),
      ),
    );
  });

  it("goes on a page once per build, however many times the request's helpers render scripts", async () => {
    const vr = await ready(withMap);
    const source = { nonce: () => "n", hints: () => null };
    const helpers = createHttpCore(vr).helpersFor(source, null, undefined);
    expect(helpers.scripts("index.html").match(/importmap/g)).toHaveLength(1);
    expect(helpers.scripts("index.html")).not.toContain("importmap");

    const other = await ready(withMap, { cacheKeyPrefix: "other" });
    const both = createHttpCore(combineBuilds({ a: vr, b: other })).helpersFor(
      source,
      null,
      undefined,
    );
    expect(both.scripts("index.html")).toContain("importmap");
    expect(both.scripts("index.html", "b")).toContain("importmap");
    expect(both.scripts("index.html", "a")).not.toContain("importmap");
    expect(both.scripts("index.html", "b")).not.toContain("importmap");
  });
});
