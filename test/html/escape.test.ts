// Hostile base, entry, file name, nonce, integrity or attribute value: none can leave its tag.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BuildRuntime } from "../../src/engine/build-runtime.js";
import { DevRuntime } from "../../src/engine/dev-runtime.js";
import { escapeHtml, jsonForScript } from "../../src/html/escape.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolveOptions, type ViteRollingOptions } from "../../src/options.js";

const HOSTILE = `"><script>alert('x')</script>&amp;<!--`;
const HOSTILE_ESCAPED = "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;&lt;!--";

async function buildRuntime(manifest: Manifest, options: Partial<ViteRollingOptions> = {}) {
  const resolved = resolveOptions({ manifestPath: "m.json", dev: false, ...options });
  const runtime = new BuildRuntime(resolved, {
    loadManifest: async () => ({ manifest, text: JSON.stringify(manifest) }),
  });
  await runtime.ready();
  return runtime;
}

// Tags separated by newlines; attribute values double-quoted with no raw `"`, `<`, `>`, `&`
// only in the entities escapeHtml writes. Values may hold newlines, so the whole text is
// consumed tag by tag, never split.
const VALUE = `"(?:[^"<>&\\u0000]|&(?:amp|lt|gt|quot|#39|#xFFFD);)*"`;
const TAG = `<(link|script)((?: [^\\s"'<>/=\\u0000-\\u001f]+(?:=${VALUE})?)*)>(</script>)?(?:\\n|$)`;

function attributesOf(html: string): Record<string, string | true>[] {
  const tag = new RegExp(TAG, "y");
  const tags: Record<string, string | true>[] = [];
  while (tag.lastIndex < html.length) {
    const at = tag.lastIndex;
    const match = tag.exec(html);
    expect(match, html.slice(at)).not.toBeNull();
    expect(match![3] !== undefined, match![0]).toBe(match![1] === "script");
    const attributes: Record<string, string | true> = {};
    for (const a of match![2]!.matchAll(/ ([^\s=]+)(?:="([^"]*)")?/g)) {
      attributes[a[1]!] = a[2] === undefined ? true : unescapeHtml(a[2]);
    }
    tags.push(attributes);
  }
  return tags;
}

function unescapeHtml(value: string): string {
  const map: Record<string, string> = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#39;": "'",
    "&#xFFFD;": "\ufffd",
  };
  return value.replace(/&[^;]+;/g, (e) => map[e]!);
}

describe("escaping", () => {
  it("escapeHtml escapes the five characters and NUL", () => {
    expect(escapeHtml(HOSTILE)).toBe(HOSTILE_ESCAPED);
    expect(escapeHtml("a\u0000b")).toBe("a&#xFFFD;b");
  });

  it("jsonForScript cannot close a script element", () => {
    expect(jsonForScript("</script><!--")).toBe('"\\u003c/script>\\u003c!--"');
  });

  it("a hostile base, file name, nonce, integrity and attribute stay inside their values", async () => {
    const runtime = await buildRuntime(
      {
        [HOSTILE]: {
          file: `assets/${HOSTILE}.js`,
          isEntry: true,
          integrity: HOSTILE,
          css: [`assets/${HOSTILE}.css`],
        },
      },
      { base: HOSTILE, turboTrack: true, attributes: () => ({ "data-x": HOSTILE, defer: true }) },
    );
    const base = HOSTILE_ESCAPED;
    expect(runtime.styles([HOSTILE], { nonce: HOSTILE })).toBe(
      `<link rel="stylesheet" crossorigin href="${base}/assets/${HOSTILE_ESCAPED}.css" nonce="${HOSTILE_ESCAPED}" data-turbo-track="reload" data-x="${HOSTILE_ESCAPED}" defer>`,
    );
    expect(runtime.scripts([HOSTILE], { nonce: HOSTILE })).toBe(
      `<script type="module" crossorigin src="${base}/assets/${HOSTILE_ESCAPED}.js" integrity="${HOSTILE_ESCAPED}" nonce="${HOSTILE_ESCAPED}" data-turbo-track="reload" data-x="${HOSTILE_ESCAPED}" defer></script>`,
    );
  });

  it("a hostile entry in dev mode stays inside its src", () => {
    const dev = new DevRuntime(resolveOptions({ manifestPath: "m.json", dev: true }));
    expect(dev.scripts([HOSTILE], { nonce: HOSTILE })).toBe(
      [
        `<script type="module" src="http://localhost:3001/static/@vite/client" nonce="${HOSTILE_ESCAPED}"></script>`,
        `<script type="module" src="http://localhost:3001/static/${HOSTILE_ESCAPED}" nonce="${HOSTILE_ESCAPED}"></script>`,
      ].join("\n"),
    );
  });

  it("a NUL in a value cannot move the nonce", async () => {
    const runtime = await buildRuntime({ "a.ts": { file: "a\u0000b.js" } });
    expect(runtime.scripts(["a.ts"], { nonce: "N" })).toBe(
      '<script type="module" crossorigin src="/a&#xFFFD;b.js" nonce="N"></script>',
    );
  });

  const nasty = fc.string({
    unit: fc.oneof(
      fc.constantFrom('"', "'", "<", ">", "&", "=", " ", "/", "\u0000", "\n", "&amp;", "-->"),
      fc.string({ maxLength: 1, unit: "binary" }),
    ),
    maxLength: 12,
  });

  it("any base, file, nonce, integrity and attribute value round-trips through escaping", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          base: nasty.filter((s) => s.length > 0),
          file: nasty,
          css: nasty,
          nonce: nasty,
          integrity: nasty,
          value: nasty,
        }),
        async ({ base, file, css, nonce, integrity, value }) => {
          const runtime = await buildRuntime(
            {
              "src/e.ts": {
                file: `${file}.js`,
                isEntry: true,
                integrity,
                css: [`${css}.css`],
                imports: ["_d.js"],
              },
              "_d.js": { file: "d.js" },
            },
            { base, attributes: () => ({ "data-v": value }) },
          );
          const url = (f: string) =>
            (base.endsWith("/") ? base : `${base}/`) + f.replace(/^\/+/, "");
          const clean = (s: string) => s.replaceAll("\u0000", "\ufffd");
          const tags = attributesOf(
            `${runtime.styles(["src/e.ts"], { nonce })}\n${runtime.scripts(["src/e.ts"], { nonce })}`,
          );
          const nonceAttr = nonce ? { nonce: clean(nonce) } : {};
          const integrityAttr = integrity ? { integrity: clean(integrity) } : {};
          expect(tags).toEqual([
            {
              rel: "stylesheet",
              crossorigin: true,
              href: clean(url(`${css}.css`)),
              ...nonceAttr,
              "data-v": clean(value),
            },
            {
              rel: "modulepreload",
              crossorigin: true,
              href: clean(url("d.js")),
              ...nonceAttr,
              "data-v": clean(value),
            },
            {
              type: "module",
              crossorigin: true,
              src: clean(url(`${file}.js`)),
              ...integrityAttr,
              ...nonceAttr,
              "data-v": clean(value),
            },
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
