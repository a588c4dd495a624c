// A render with a per-request CSP nonce is the nonce-free render with ` nonce="..."` on every
// tag, nothing else changed: checked against a reference written independently of
// src/html (its own escaping, its own insertion), over many manifests, entry lists and nonces.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BuildRuntime } from "../../src/engine/build-runtime.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolveOptions } from "../../src/options.js";
import { referenceEscape } from "../helpers/reference-escape.js";

/**
 * The reference render: each line of the nonce-free HTML is one tag; the nonce goes last into
 * its opening tag, i.e. before the first `>` (attribute values are escaped, so none holds a
 * raw `>`).
 */
function referenceWithNonce(plain: string, nonce: string): string {
  const attribute = ` nonce="${referenceEscape(nonce)}"`;
  return plain
    .split("\n")
    .map((line) => {
      const end = line.indexOf(">");
      return end < 0 ? line : line.slice(0, end) + attribute + line.slice(end);
    })
    .join("\n");
}

/** A manifest of `entries` entries over a pool of shared chunks, imports and CSS seeded. */
function manifestOf(seed: number, entries: number, shared: number): Manifest {
  let state = seed >>> 0 || 1;
  const random = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const manifest: Manifest = {};
  for (let i = 0; i < shared; i++) {
    const imports = i > 0 ? [...new Set([random(i), random(i)])].map((j) => `_s${j}.js`) : [];
    manifest[`_s${i}.js`] = {
      file: `assets/s${i}-${seed}.js`,
      imports,
      ...(random(3) === 0 ? { css: [`assets/s${i}-${seed}.css`] } : {}),
      ...(random(2) === 0 ? { integrity: `sha384-s${i}+/=${seed}` } : {}),
    };
  }
  for (let i = 0; i < entries; i++) {
    const imports = [...new Set([random(shared), random(shared), random(shared)])];
    manifest[`src/e${i}.ts`] = {
      file: `assets/e${i}-${seed}.js`,
      src: `src/e${i}.ts`,
      isEntry: true,
      imports: imports.map((j) => `_s${j}.js`),
      css: random(2) === 0 ? [`assets/e${i}.css`] : [],
    };
  }
  return manifest;
}

async function runtimeOf(manifest: Manifest): Promise<BuildRuntime> {
  const options = resolveOptions({ manifestPath: "m.json", dev: false, base: "/static/" });
  const runtime = new BuildRuntime(options, {
    loadManifest: async () => ({ manifest, text: JSON.stringify(manifest) }),
  });
  await runtime.ready();
  return runtime;
}

const NONCES = fc.oneof(
  fc.base64String({ minLength: 4, maxLength: 44 }),
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.constantFrom(`"><script>alert(1)</script>`, "a&b<c>d'e\"f", "\u0000x", "ñ€😀", "$&$1$$"),
);

describe("rendering with a CSP nonce", () => {
  it("is the nonce-free page with the escaped nonce on every tag, for any entry list and nonce", async () => {
    const runtimes = await Promise.all(
      [1, 2, 3, 4].map((seed) => runtimeOf(manifestOf(seed, 8, 5 + seed * 6))),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: runtimes.length - 1 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 5 }),
        NONCES,
        async (which, picked, nonce) => {
          const runtime = runtimes[which]!;
          const entries = picked.map((i) => `src/e${i}.ts`);
          for (const render of ["styles", "scripts"] as const) {
            const plain = runtime[render](entries, { host: undefined });
            const withNonce = runtime[render](entries, { host: undefined, nonce });
            expect(withNonce).toBe(referenceWithNonce(plain, nonce));
            // Same answer on a second render (compiled once, then reused).
            expect(runtime[render](entries, { host: undefined, nonce })).toBe(withNonce);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("puts one nonce per tag on a large page, and none without a nonce", async () => {
    const runtime = await runtimeOf(manifestOf(7, 8, 60));
    const entries = ["src/e0.ts", "src/e1.ts", "src/e2.ts", "src/e3.ts"];
    const scripts = runtime.scripts(entries, { host: undefined, nonce: "n0nce" });
    const tags = scripts.split("\n").length;
    expect(tags).toBeGreaterThan(10);
    expect(scripts.match(/ nonce="n0nce"/g)).toHaveLength(tags);
    // Negative control: the reference is not vacuous (a page without the nonce differs).
    const plain = runtime.scripts(entries, { host: undefined });
    expect(plain).not.toContain("nonce");
    expect(referenceWithNonce(plain, "n0nce")).toBe(scripts);
    expect(referenceWithNonce(plain, "other")).not.toBe(scripts);
  });
});
