import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ViteRollingError } from "../../src/errors.js";
import type { Manifest, ResolvedTag } from "../../src/manifest/types.js";
import { resolveEntries } from "../../src/manifest/walk.js";

const brief = (tags: ResolvedTag[]) => tags.map((t) => `${t.kind} ${t.file}`);

describe("resolveEntries", () => {
  const manifest: Manifest = {
    "src/main.ts": {
      file: "assets/main.js",
      isEntry: true,
      imports: ["_a.js", "_b.js"],
      dynamicImports: ["src/lazy.ts"],
      css: ["assets/main.css"],
    },
    "_a.js": { file: "assets/a.js", imports: ["_c.js"], css: ["assets/a.css"] },
    "_b.js": { file: "assets/b.js", imports: ["_c.js"], css: ["assets/b.css", "assets/a.css"] },
    "_c.js": { file: "assets/c.js", css: ["assets/c.css"] },
    "src/lazy.ts": { file: "assets/lazy.js", isDynamicEntry: true, css: ["assets/lazy.css"] },
    "src/admin.ts": { file: "assets/admin.js", isEntry: true, imports: ["_c.js"] },
    "src/style.css": { file: "assets/style.css", isEntry: true, integrity: "sha384-style" },
  };

  it("orders CSS depth-first then the entry's own, preloads post-order, then the script", () => {
    expect(brief(resolveEntries(manifest, ["src/main.ts"]))).toEqual([
      "stylesheet assets/c.css",
      "stylesheet assets/a.css",
      "stylesheet assets/b.css",
      "stylesheet assets/main.css",
      "modulepreload assets/c.js",
      "modulepreload assets/a.js",
      "modulepreload assets/b.js",
      "script assets/main.js",
    ]);
  });

  it("yields only a stylesheet for a CSS entry, with its integrity", () => {
    expect(resolveEntries(manifest, ["src/style.css"])).toEqual([
      { kind: "stylesheet", file: "assets/style.css", integrity: "sha384-style" },
    ]);
  });

  it("shares one walk between entries: no tag twice", () => {
    expect(
      brief(resolveEntries(manifest, ["src/admin.ts", "src/main.ts", "src/admin.ts"])),
    ).toEqual([
      "stylesheet assets/c.css",
      "modulepreload assets/c.js",
      "script assets/admin.js",
      "stylesheet assets/a.css",
      "stylesheet assets/b.css",
      "stylesheet assets/main.css",
      "modulepreload assets/a.js",
      "modulepreload assets/b.js",
      "script assets/main.js",
    ]);
  });

  it("survives import cycles, including one back to the entry, without preloading the entry", () => {
    const cyclic: Manifest = {
      "src/e.ts": { file: "assets/e.js", isEntry: true, imports: ["_x.js"] },
      "_x.js": { file: "assets/x.js", imports: ["_y.js", "src/e.ts"], css: ["assets/x.css"] },
      "_y.js": { file: "assets/y.js", imports: ["_x.js", "_y.js"], css: ["assets/y.css"] },
    };
    expect(brief(resolveEntries(cyclic, ["src/e.ts"]))).toEqual([
      "stylesheet assets/y.css",
      "stylesheet assets/x.css",
      "modulepreload assets/y.js",
      "modulepreload assets/x.js",
      "script assets/e.js",
    ]);
  });

  it("carries chunk integrity and the manifest key of JS chunks", () => {
    const signed: Manifest = {
      "src/e.ts": { file: "assets/e.js", isEntry: true, imports: ["_x.js"], integrity: "sha384-e" },
      "_x.js": { file: "assets/x.js", integrity: "sha384-x" },
    };
    expect(resolveEntries(signed, ["src/e.ts"])).toEqual([
      { kind: "modulepreload", file: "assets/x.js", chunk: "_x.js", integrity: "sha384-x" },
      { kind: "script", file: "assets/e.js", chunk: "src/e.ts", integrity: "sha384-e" },
    ]);
  });

  it("accepts source paths written with a leading / or ./", () => {
    const plain = resolveEntries(manifest, ["src/admin.ts"]);
    expect(resolveEntries(manifest, ["/src/admin.ts"])).toEqual(plain);
    expect(resolveEntries(manifest, ["./src/admin.ts"])).toEqual(plain);
  });

  it("does not modify the manifest", () => {
    const before = structuredClone(manifest);
    resolveEntries(
      manifest,
      Object.keys(manifest).filter((k) => manifest[k]!.isEntry),
    );
    expect(manifest).toEqual(before);
  });
});

// Random manifests: chunk i may import any JS chunk (self and cycles included), CSS files are
// drawn from a small shared pool, some chunks are CSS entries.
interface Generated {
  manifest: Manifest;
  keys: string[];
  jsKeys: string[];
}

const CSS_POOL = 6;

const generated = (acyclic: boolean) =>
  fc
    .integer({ min: 1, max: 10 })
    .chain((n) =>
      fc.array(
        fc.record({
          imports: fc.uniqueArray(fc.nat(n - 1), { maxLength: 4 }),
          css: fc.uniqueArray(fc.nat(CSS_POOL - 1), { maxLength: 3 }),
          cssEntry: fc.boolean(),
          entry: fc.boolean(),
        }),
        { minLength: n, maxLength: n },
      ),
    )
    .map((specs): Generated => {
      const keys = specs.map((s, i) =>
        s.cssEntry ? `src/s${i}.css` : s.entry ? `src/e${i}.ts` : `_c${i}.js`,
      );
      const isJs = (i: number) => !specs[i]!.cssEntry;
      const manifest: Manifest = {};
      specs.forEach((s, i) => {
        const key = keys[i]!;
        if (s.cssEntry) {
          manifest[key] = { file: `assets/s${i}.css`, isEntry: true };
          return;
        }
        const imports = s.imports
          .filter((j) => isJs(j) && (!acyclic || j > i))
          .map((j) => keys[j]!);
        manifest[key] = {
          file: `assets/c${i}.js`,
          ...(s.entry ? { isEntry: true } : {}),
          ...(imports.length ? { imports } : {}),
          ...(s.css.length ? { css: s.css.map((c) => `assets/pool${c}.css`) } : {}),
        };
      });
      return { manifest, keys, jsKeys: keys.filter((_, i) => isJs(i)) };
    });

const withEntries = (acyclic: boolean) =>
  generated(acyclic).chain((g) =>
    fc.tuple(
      fc.constant(g),
      fc.array(
        fc.oneof(
          { weight: 9, arbitrary: fc.constantFrom(...g.keys) },
          { weight: 1, arbitrary: fc.constantFrom("src/missing.ts", "nope", "") },
        ),
        { minLength: 1, maxLength: 5 },
      ),
    ),
  );

function reachable(manifest: Manifest, from: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    stack.push(...(manifest[key]?.imports ?? []));
  }
  return seen;
}

describe("resolveEntries over generated manifests", () => {
  it("emits every reachable CSS file once, every reachable chunk, no tag twice; fails only on unknown entries", () => {
    fc.assert(
      fc.property(withEntries(false), ([{ manifest, keys }, entries]) => {
        const unknown = entries.filter((e) => !keys.includes(e));
        let tags: ResolvedTag[];
        try {
          tags = resolveEntries(manifest, entries, "gen.json");
        } catch (error) {
          expect(error).toBeInstanceOf(ViteRollingError);
          expect((error as ViteRollingError).code).toBe("ERR_UNKNOWN_ENTRY");
          expect(unknown.length).toBeGreaterThan(0);
          return;
        }
        expect(unknown).toEqual([]);

        const ids = tags.map((t) => `${t.kind} ${t.file}`);
        expect(new Set(ids).size).toBe(ids.length);

        const closure = reachable(manifest, entries);
        const expectedCss = new Set(
          [...closure].flatMap((k) => {
            const c = manifest[k]!;
            return c.file.endsWith(".css") ? [c.file] : (c.css ?? []);
          }),
        );
        const css = tags.filter((t) => t.kind === "stylesheet").map((t) => t.file);
        expect(css.length).toBe(expectedCss.size);
        expect(new Set(css)).toEqual(expectedCss);

        const jsEntries = new Set(entries.filter((e) => !manifest[e]!.file.endsWith(".css")));
        const scripts = tags.filter((t) => t.kind === "script").map((t) => t.file);
        expect(new Set(scripts)).toEqual(new Set([...jsEntries].map((e) => manifest[e]!.file)));

        // Every reachable JS chunk is loaded: preloaded, or the script of a requested entry.
        const loaded = new Set(tags.filter((t) => t.kind !== "stylesheet").map((t) => t.file));
        for (const key of closure) {
          if (!manifest[key]!.file.endsWith(".css")) expect(loaded).toContain(manifest[key]!.file);
        }
        // Nothing is preloaded after it already ran as a script.
        tags.forEach((t, i) => {
          if (t.kind === "modulepreload") {
            expect(tags.slice(0, i).some((u) => u.kind === "script" && u.file === t.file)).toBe(
              false,
            );
          }
        });
      }),
      { numRuns: 400 },
    );
  });

  it("in an acyclic manifest, a chunk's tag comes after the tags of everything it imports", () => {
    fc.assert(
      fc.property(withEntries(true), ([{ manifest, keys }, entries]) => {
        const known = entries.filter((e) => keys.includes(e));
        fc.pre(known.length > 0);
        const tags = resolveEntries(manifest, known);
        const position = new Map<string, number>();
        tags.forEach((t, i) => {
          if (t.kind !== "stylesheet" && !position.has(t.chunk)) position.set(t.chunk, i);
        });
        for (const [key, at] of position) {
          for (const imported of manifest[key]!.imports ?? []) {
            expect(position.get(imported)).toBeLessThan(at);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
