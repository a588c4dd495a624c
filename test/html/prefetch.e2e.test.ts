/**
 * Prefetch of lazy chunks (option `prefetch`) over a real Vite build: what is prefetched, in
 * which order, and how each mode writes it. The browser half runs in delivery-browser.test.ts.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createViteRolling } from "../../src/index.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolvePrefetch } from "../../src/manifest/walk.js";
import type { ViteRollingOptions } from "../../src/options.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

// page.ts loads `page-dep` statically and `lazy` lazily; lazy imports `page-dep` (on the page:
// never prefetched) and `shared` (shared with `other`, so a chunk), has CSS, and lazily loads
// `deeper`. admin.ts is another entry whose lazy chunk is `other`.
const FILES = {
  "src/page.ts": `import { pageDep } from "./page-dep";
console.log(pageDep);
addEventListener("click", () => import("./lazy").then((m) => m.run()));
`,
  "src/page-dep.ts": 'import "./page-dep.css";\nexport const pageDep = "page-dep";\n',
  "src/page-dep.css": ".a { color: red; }\n",
  "src/admin.ts":
    'addEventListener("click", () => import("./other").then((m) => console.log(m.other)));\n',
  "src/lazy.ts": `import "./lazy.css";
import { pageDep } from "./page-dep";
import { shared } from "./shared";
export const run = () => import("./deeper").then((m) => [pageDep, shared, m.deeper]);
`,
  "src/lazy.css": ".lazy { color: blue; }\n",
  "src/shared.ts": 'import "./shared.css";\nexport const shared = "shared";\n',
  "src/shared.css": ".shared { color: green; }\n",
  "src/other.ts": 'import { shared } from "./shared";\nexport const other = shared;\n',
  "src/deeper.ts": 'export const deeper = "deeper";\n',
  "src/theme.css": "body { margin: 0; }\n",
};

const dir = tempDir("delivery-prefetch");
let manifestPath: string;
let manifest: Manifest;
beforeAll(async () => {
  const built = await buildApp(dir.path, FILES, {
    base: "/static/",
    build: { rollupOptions: { input: ["src/page.ts", "src/admin.ts", "src/theme.css"] } },
  });
  manifestPath = built.manifestPath;
  manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
});
afterAll(() => dir.cleanup());

const file = (key: string) => manifest[key]!.file;
const css = (key: string) => manifest[key]!.css ?? [];
/** The manifest key of the chunk `lazy` and `other` share. */
const shared = () => manifest["src/other.ts"]!.imports![0]!;

async function ready(options: Partial<ViteRollingOptions>) {
  const vr = createViteRolling({
    manifestPath,
    base: "/static/",
    dev: false,
    cache: false,
    ...options,
  });
  await vr.ready();
  return vr;
}

describe("resolvePrefetch", () => {
  it("lists each lazy chunk, its imports, then their CSS; deeper levels after; nothing on the page", () => {
    // The build really split these the way the test needs.
    expect(manifest["src/lazy.ts"]!.imports).toEqual(expect.arrayContaining([shared()]));
    expect(resolvePrefetch(manifest, ["src/page.ts"])).toEqual([
      file("src/lazy.ts"),
      file(shared()),
      ...css(shared()),
      ...css("src/lazy.ts"),
      file("src/deeper.ts"),
    ]);
  });

  it("follows each entry's own lazy chunks, skipping what another entry loads", () => {
    expect(resolvePrefetch(manifest, ["src/admin.ts"])).toEqual([
      file("src/other.ts"),
      file(shared()),
      ...css(shared()),
    ]);
    const both = resolvePrefetch(manifest, ["src/page.ts", "src/admin.ts"]);
    expect(new Set(both).size).toBe(both.length);
    expect(both).toContain(file("src/other.ts"));
    expect(resolvePrefetch(manifest, ["src/theme.css"])).toEqual([]);
  });

  it("names a dynamic import missing from the manifest", () => {
    const broken: Manifest = {
      "src/a.ts": { file: "a.js", isEntry: true, dynamicImports: ["src/gone.ts"] },
    };
    expect(() => resolvePrefetch(broken, ["src/a.ts"], "m.json")).toThrow(
      'chunk "src/a.ts" in the manifest at "m.json" dynamically imports "src/gone.ts", which is not in the manifest.',
    );
  });
});

describe("prefetch in scripts()", () => {
  it("is off by default", async () => {
    const vr = await ready({});
    expect(vr.scripts("src/page.ts")).not.toContain("prefetch");
  });

  it('"aggressive": one low-priority prefetch link per file, after the module script, with the nonce', async () => {
    const vr = await ready({ prefetch: "aggressive" });
    const html = vr.scripts("src/page.ts", { nonce: "n1" });
    const lines = html.split("\n");
    const script = lines.findIndex((l) => l.startsWith('<script type="module"'));
    expect(lines.slice(script + 1)).toEqual(
      resolvePrefetch(manifest, ["src/page.ts"]).map(
        (f) =>
          `<link rel="prefetch" crossorigin href="/static/${f}" nonce="n1" fetchpriority="low">`,
      ),
    );
    // Nothing to prefetch: nothing written.
    expect(vr.scripts("src/theme.css")).toBe("");
  });

  it('"waterfall": one classic script with the nonce, the links as data, the concurrency', async () => {
    const vr = await ready({ prefetch: "waterfall", prefetchConcurrency: 2 });
    const html = vr.scripts("src/page.ts", { nonce: "n1" });
    const last = html.split("\n").at(-1)!;
    expect(last).toMatch(/^<script nonce="n1">\(\(links,n\)=>\{.*\}\)\(\[.*\],2\)<\/script>$/);
    const data = JSON.parse(/\)\((\[.*\]),2\)<\/script>$/.exec(last)![1]!) as unknown[];
    expect(data).toEqual(
      resolvePrefetch(manifest, ["src/page.ts"]).map((f) => ({
        rel: "prefetch",
        crossorigin: "",
        href: `/static/${f}`,
        fetchpriority: "low",
      })),
    );
  });

  it("asks the attributes hook about each prefetch, and escapes what it returns", async () => {
    const seen: string[] = [];
    const vr = await ready({
      prefetch: "waterfall",
      attributes: (kind, url) => {
        if (kind === "prefetch") seen.push(url);
        return kind === "prefetch" ? { "data-x": "</script><b>" } : {};
      },
    });
    const html = vr.scripts("src/page.ts");
    expect(seen).toEqual(resolvePrefetch(manifest, ["src/page.ts"]).map((f) => `/static/${f}`));
    expect(html).not.toContain("</script><b>");
    expect(html).toContain("\\u003c/script>\\u003cb>");
  });

  it("writes nothing in dev mode", () => {
    const vr = createViteRolling({ manifestPath, dev: true, prefetch: "aggressive" });
    expect(vr.scripts("src/page.ts")).not.toContain("prefetch");
  });
});
