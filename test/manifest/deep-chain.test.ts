import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/manifest/load.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolveEntries, resolvePrefetch } from "../../src/manifest/walk.js";

/** entry -> c1 -> c2 -> ... -> c<depth>, each with its own CSS, the last with a lazy chunk. */
function chain(depth: number): Manifest {
  const manifest: Manifest = {
    "src/main.ts": { file: "assets/main.js", isEntry: true, imports: ["c1"], css: ["main.css"] },
    lazy: { file: "assets/lazy.js", imports: ["lazy-dep"] },
    "lazy-dep": { file: "assets/lazy-dep.js", css: ["lazy-dep.css"] },
  };
  for (let i = 1; i <= depth; i++) {
    manifest[`c${i}`] = {
      file: `assets/c${i}.js`,
      css: [`c${i}.css`],
      ...(i < depth ? { imports: [`c${i + 1}`] } : { dynamicImports: ["lazy"] }),
    };
  }
  return manifest;
}

describe("a 20,000-deep import chain (issue 14)", () => {
  const depth = 20_000;
  const manifest = parseManifest(JSON.stringify(chain(depth)), "deep.json");

  it("resolves without a RangeError, in Vite's order: deepest CSS first, preloads post-order", () => {
    const tags = resolveEntries(manifest, ["src/main.ts"]);
    const css = tags.filter((t) => t.kind === "stylesheet").map((t) => t.file);
    const preloads = tags.filter((t) => t.kind === "modulepreload").map((t) => t.file);
    expect(css).toHaveLength(depth + 1);
    expect(css.slice(0, 2)).toEqual([`c${depth}.css`, `c${depth - 1}.css`]);
    expect(css.at(-1)).toBe("main.css");
    expect(preloads).toHaveLength(depth);
    expect(preloads.slice(0, 2)).toEqual([`assets/c${depth}.js`, `assets/c${depth - 1}.js`]);
    expect(preloads.at(-1)).toBe("assets/c1.js");
    expect(tags.at(-1)).toMatchObject({ kind: "script", file: "assets/main.js" });
  });

  it("prefetches the lazy chunk at the end of the chain", () => {
    expect(resolvePrefetch(manifest, ["src/main.ts"])).toEqual([
      "assets/lazy.js",
      "assets/lazy-dep.js",
      "lazy-dep.css",
    ]);
  });

  it("a short chain gives the same order (negative control of the deep one)", () => {
    const tags = resolveEntries(chain(3), ["src/main.ts"]).map((t) => `${t.kind} ${t.file}`);
    expect(tags).toEqual([
      "stylesheet c3.css",
      "stylesheet c2.css",
      "stylesheet c1.css",
      "stylesheet main.css",
      "modulepreload assets/c3.js",
      "modulepreload assets/c2.js",
      "modulepreload assets/c1.js",
      "script assets/main.js",
    ]);
  });
});
