// Vite 5, 6, 7 and 8: one small real app built by each major's own build() with the plugin.
// For every page, the tags the library renders from that major's manifest are the tags that
// major wrote into its built HTML; the plugin's sidecar gives every tag its integrity and the
// app its version.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createViteRolling } from "../../src/index.js";
import type { Manifest } from "../../src/manifest/types.js";
import type { ViteRolling } from "../../src/types.js";
import { sriSha384 } from "../../src/version/hash.js";
import { viteRolling } from "../../src/vite/plugin.js";
import { tempDir } from "../helpers/tmp.js";
import {
  buildApp,
  loadVite,
  parseTags,
  tagsByKind,
  VITE_MAJORS,
  type ViteMajor,
} from "../helpers/vite.js";

const BASE = "/static/";
const PAGES = ["a.html", "b.html"];
const page = (src: string) =>
  `<!doctype html><html><head><title>${src}</title></head><body><script type="module" src="${src}"></script></body></html>\n`;

// Two pages sharing a chunk that has CSS; page a has CSS of its own and a lazy chunk with CSS
// (which must stay out of the tags); src/theme.css is an entry of its own.
const FILES: Record<string, string> = {
  "a.html": page("/src/a.ts"),
  "b.html": page("/src/b.ts"),
  "src/a.ts": `import "./a.css"; import { s } from "./shared";
document.title = s;
document.onclick = () => import("./lazy").then((m) => m.lazy());`,
  "src/b.ts": `import { s } from "./shared"; document.title = s + "b";`,
  "src/shared.ts": `import "./shared.css"; export const s = "shared" + Math.random();`,
  "src/lazy.ts": `import "./lazy.css"; export const lazy = () => console.log("lazy");`,
  "src/a.css": ".a { color: red; }\n",
  "src/shared.css": ".shared { color: blue; }\n",
  "src/lazy.css": ".lazy { color: green; }\n",
  "src/theme.css": "body { margin: 0; }\n",
};

/** A logger that keeps warnings (Vite 5 to 8 take the same Logger shape). */
function recordingLogger(warnings: string[]): Logger {
  return {
    ...createLogger("silent"),
    warn: (msg) => void warnings.push(msg),
    warnOnce: (msg) => void warnings.push(msg),
  };
}

describe.each(VITE_MAJORS)("Vite %i with the plugin", (major: ViteMajor) => {
  const dir = tempDir(`vite-major-${major}`);
  const warnings: string[] = [];
  let version = "";
  let outDir = "";
  let manifestPath = "";
  let manifest: Manifest = {};
  let vr: ViteRolling;
  const built = (file: string) => readFileSync(join(outDir, file), "utf8");
  const render = (entry: string) => vr.styles(entry) + vr.scripts(entry);

  beforeAll(async () => {
    const vite = await loadVite(major);
    version = vite.version;
    // A file of a previous build: the plugin's emptyOutDir warning reads the build's output
    // options, which Vite 8 calls rolldownOptions and Vite 5-7 rollupOptions.
    mkdirSync(join(dir.path, "dist"), { recursive: true });
    writeFileSync(join(dir.path, "dist/previous.js"), "");
    const app = await buildApp(
      dir.path,
      FILES,
      {
        base: BASE,
        customLogger: recordingLogger(warnings),
        plugins: [viteRolling()],
        build: {
          rollupOptions: {
            input: [...PAGES, "src/theme.css"].map((p) => join(dir.path, p)),
          },
        },
      },
      vite.build,
    );
    outDir = app.outDir;
    manifestPath = app.manifestPath;
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    // No `base`: the one the plugin recorded in the sidecar.
    vr = createViteRolling({ manifestPath, dev: false, logger: { warn() {} } });
    await vr.ready();
  });
  afterAll(() => dir.cleanup());

  it("builds the app with that major, and the app has what the comparison needs", () => {
    expect(version.split(".")[0]).toBe(String(major));
    const shared = manifest["a.html"]?.imports ?? [];
    expect(shared.length).toBeGreaterThan(0);
    expect(manifest["b.html"]?.imports).toEqual(shared);
    expect(shared.some((key) => manifest[key]?.css?.length)).toBe(true);
    expect(manifest["a.html"]?.css?.length).toBe(1);
    expect(manifest["a.html"]?.dynamicImports).toEqual(["src/lazy.ts"]);
    expect(manifest["src/lazy.ts"]?.css?.length).toBe(1);
  });

  it.each(PAGES)("%s: the tags equal the ones Vite wrote into its built HTML", (name) => {
    const ours = render(name);
    const vite = built(name);
    expect(parseTags(vite).length).toBeGreaterThanOrEqual(3);
    expect(tagsByKind(ours, ["integrity"])).toEqual(tagsByKind(vite));
    // The lazy chunk and its CSS load on demand, as in Vite's page.
    const lazy = manifest["src/lazy.ts"]!;
    for (const file of [lazy.file, ...(lazy.css ?? [])]) expect(ours).not.toContain(file);
  });

  it("a CSS entry renders its stylesheet and no script", () => {
    expect(parseTags(vr.styles("src/theme.css")).map((t) => t.url)).toEqual([
      `${BASE}${manifest["src/theme.css"]!.file}`,
    ]);
    expect(vr.scripts("src/theme.css")).toBe("");
  });

  it("every tag carries the integrity of the file it loads", () => {
    const tags = parseTags(render("a.html") + vr.styles("src/theme.css"));
    expect(tags.length).toBeGreaterThanOrEqual(5);
    for (const tag of tags) {
      expect(tag.url.startsWith(BASE)).toBe(true);
      const bytes = readFileSync(join(outDir, tag.url.slice(BASE.length)));
      expect(tag.attributes.integrity).toBe(sriSha384(bytes));
    }
  });

  it("knows the app version from the sidecar, and warned before emptyOutDir deleted files", () => {
    const sidecar = JSON.parse(built(".vite/vite-rolling.json")) as { buildHash: string };
    expect(vr.appVersion()).not.toBe("unknown");
    expect(vr.appVersion()).toBe(sidecar.buildHash.slice(0, 12));
    expect(warnings.filter((w) => w.includes("emptyOutDir"))).toHaveLength(1);
  });

  it("negative controls: a dropped preload, another page's HTML, a build without the sidecar", async () => {
    const ours = render("a.html");
    const preload = parseTags(ours).find((t) => t.kind === "modulepreload")!;
    const dropped = ours.replace(/<link rel="modulepreload"[^>]*>/, "");
    expect(dropped).not.toContain(preload.url);
    expect(tagsByKind(dropped, ["integrity"])).not.toEqual(tagsByKind(built("a.html")));
    expect(tagsByKind(ours, ["integrity"])).not.toEqual(tagsByKind(built("b.html")));

    // The same manifest without the plugin's sidecar: no version, no integrity.
    const bare = join(dir.path, "bare/.vite");
    mkdirSync(bare, { recursive: true });
    copyFileSync(manifestPath, join(bare, "manifest.json"));
    const plain = createViteRolling({
      manifestPath: join(bare, "manifest.json"),
      base: BASE,
      dev: false,
      logger: { warn() {} },
    });
    await plain.ready();
    expect(plain.appVersion()).toBe("unknown");
    expect(plain.scripts("a.html")).not.toContain("integrity");
    expect(tagsByKind(render("a.html"), ["integrity"])).toEqual(
      tagsByKind(plain.styles("a.html") + plain.scripts("a.html")),
    );
  });
});
