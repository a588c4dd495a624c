// Oracle test: for every HTML entry of a real build, the tags vite-rolling renders from the
// manifest are the tags Vite itself wrote into that built HTML page.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createViteRolling } from "../../src/index.js";
import type { Manifest } from "../../src/manifest/types.js";
import type { ViteRolling } from "../../src/types.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp, ofKind, parseTags } from "../helpers/vite.js";

const html = (src: string) =>
  `<!doctype html><html><head><title>${src}</title></head><body><script type="module" src="${src}"></script></body></html>`;

const css = (name: string) => `.${name} { content: "${name}"; }\n`;

// Module graph: a and b share `shared` (shared -> y -> n3: nested), c reaches the x <-> y cycle,
// d only n3; a lazily imports `lazy` (with CSS); src/style.css is an entry of its own. The
// code-splitting groups force cyc-x and cyc-y into two chunks that import each other.
const FILES: Record<string, string> = {
  "a.html": html("/src/a.ts"),
  "b.html": html("/src/b.ts"),
  "c.html": html("/src/c.ts"),
  "d.html": html("/src/d.ts"),
  "src/a.ts": `import "./a.css"; import { n1 } from "./n1"; import { x } from "./cyc-x"; import { s } from "./shared";
document.title = n1() + x() + s;
document.onclick = () => import("./lazy").then((m) => m.lazy());`,
  "src/b.ts": `import { n1 } from "./n1"; import { y } from "./cyc-y"; import { s } from "./shared";
document.title = n1() + y() + s;`,
  "src/c.ts": `import { n2 } from "./n2"; import { x } from "./cyc-x"; document.title = n2() + x();`,
  "src/d.ts": `import "./d.css"; import { n3 } from "./n3"; document.title = n3();`,
  "src/n1.ts": `import "./n1.css"; import { n2 } from "./n2"; export const n1 = () => "n1" + n2();`,
  "src/n2.ts": `import "./n2.css"; import { n3 } from "./n3"; export const n2 = () => "n2" + n3();`,
  "src/n3.ts": `import "./n3.css"; export const n3 = () => "n3";`,
  "src/shared.ts": `import "./shared.css"; export const s = "shared" + Math.random();`,
  "src/cyc-x.ts": `import "./x.css"; import { y } from "./cyc-y"; export const x = () => "x" + y();`,
  "src/cyc-y.ts": `import "./y.css"; import { x } from "./cyc-x"; export const y = () => "y" + typeof x;`,
  "src/lazy.ts": `import "./lazy.css"; export const lazy = () => console.log("lazy");`,
  "src/style.css": "body { color: red; }\n",
  ...Object.fromEntries(
    ["a", "d", "n1", "n2", "n3", "shared", "x", "y", "lazy"].map((n) => [`src/${n}.css`, css(n)]),
  ),
};
const PAGES = ["a.html", "b.html", "c.html", "d.html"];

function hasChunkCycle(manifest: Manifest): boolean {
  const state = new Map<string, "open" | "done">();
  const visit = (key: string): boolean => {
    if (state.get(key) === "open") return true;
    if (state.get(key) === "done") return false;
    state.set(key, "open");
    const found = (manifest[key]?.imports ?? []).some(visit);
    state.set(key, "done");
    return found;
  };
  return Object.keys(manifest).some(visit);
}

function longestImportChain(manifest: Manifest, key: string, seen = new Set<string>()): number {
  if (seen.has(key)) return 0;
  const next = new Set(seen).add(key);
  const depths = (manifest[key]?.imports ?? []).map((k) => longestImportChain(manifest, k, next));
  return 1 + Math.max(0, ...depths);
}

describe("tags match what Vite writes into built HTML", () => {
  const dir = tempDir("engine-oracle");
  let outDir = "";
  let manifest: Manifest = {};
  let vr: ViteRolling;

  beforeAll(async () => {
    const built = await buildApp(dir.path, FILES, {
      base: "/static/",
      build: {
        rollupOptions: {
          input: [...PAGES, "src/style.css"].map((p) => join(dir.path, p)),
          output: {
            codeSplitting: {
              includeDependenciesRecursively: false,
              groups: [
                { name: "cyc-x", test: /cyc-x/ },
                { name: "cyc-y", test: /cyc-y/ },
              ],
            },
          },
        },
      },
    });
    outDir = built.outDir;
    manifest = JSON.parse(readFileSync(built.manifestPath, "utf8"));
    vr = createViteRolling({ manifestPath: built.manifestPath, base: "/static/", dev: false });
    await vr.ready();
  });
  afterAll(() => dir.cleanup());

  it("builds a fixture that has what the comparison needs", () => {
    const entryImports = PAGES.map((p) => new Set(manifest[p]?.imports ?? []));
    const shared = Object.keys(manifest).filter(
      (k) => entryImports.filter((set) => set.has(k)).length >= 2,
    );
    expect(shared.length).toBeGreaterThan(0);
    // entry -> shared -> y -> n3
    expect(Math.max(...PAGES.map((p) => longestImportChain(manifest, p)))).toBeGreaterThanOrEqual(
      4,
    );
    expect(hasChunkCycle(manifest)).toBe(true);
    expect(Object.values(manifest).some((c) => !c.isEntry && c.css?.length && c.imports)).toBe(
      true,
    );
    expect(manifest["a.html"]?.dynamicImports).toEqual(["src/lazy.ts"]);
    expect(manifest["src/style.css"]?.file).toMatch(/\.css$/);
  });

  it.each(PAGES)("%s: same tags, same kinds, same order within each kind", (page) => {
    const vite = parseTags(readFileSync(join(outDir, page), "utf8"));
    const ours = parseTags(vr.styles(page) + vr.scripts(page));
    expect(vite.length).toBeGreaterThan(1);
    for (const kind of ["stylesheet", "modulepreload", "script"] as const) {
      // Attributes compared whole: crossorigin is written exactly as Vite writes it.
      expect(ofKind(ours, kind)).toEqual(ofKind(vite, kind));
    }
    // Across kinds our order is the documented one: stylesheets, preloads, the script.
    const order = ["stylesheet", "modulepreload", "script"];
    const ranks = ours.map((t) => order.indexOf(t.kind));
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
  });

  it("leaves dynamically imported chunks and their CSS out", () => {
    const lazy = manifest["src/lazy.ts"]!;
    const out = vr.styles("a.html") + vr.scripts("a.html");
    expect(out).not.toContain(lazy.file);
    for (const file of lazy.css ?? []) expect(out).not.toContain(file);
  });

  it("a CSS entry yields one stylesheet and no script", () => {
    const file = manifest["src/style.css"]!.file;
    expect(parseTags(vr.styles("src/style.css"))).toEqual([
      { kind: "stylesheet", url: `/static/${file}`, attributes: expect.any(Object) },
    ]);
    expect(vr.scripts("src/style.css")).toBe("");
  });

  it("several entries in one call share no tag, and miss none", () => {
    const all = [...PAGES, "src/style.css"];
    const tags = parseTags(vr.styles(all) + vr.scripts(all));
    const keys = tags.map((t) => `${t.kind} ${t.url}`);
    expect(new Set(keys).size).toBe(keys.length);
    const expected = new Set(
      PAGES.flatMap((p) => parseTags(readFileSync(join(outDir, p), "utf8"))).map(
        (t) => `${t.kind} ${t.url}`,
      ),
    );
    expected.add(`stylesheet /static/${manifest["src/style.css"]!.file}`);
    // A chunk another entry imports is preloaded by that entry and loaded as a script by
    // its own: both tags are expected, once each.
    expect(new Set(keys)).toEqual(expected);
  });
});
