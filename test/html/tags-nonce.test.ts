// CompiledTags with a CSP nonce on a page the size of the bench's large one (47 tags: 10
// stylesheets, 34 modulepreloads, 3 scripts): whatever order requests render in, with whatever
// nonces, each render is the nonce-free page with the escaped nonce in exactly each tag's slot.
// The render keeps its last nonce's HTML and nonceAttribute its last nonce's attribute, so the
// sequence matters: a stale memo would answer with the previous request's nonce.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nonceAttribute } from "../../src/html/escape.js";
import { type CompiledTags, compileTags, type TagSpec } from "../../src/html/tags.js";
import { referenceEscape } from "../helpers/reference-escape.js";

function spec(kind: TagSpec["kind"], i: number): TagSpec {
  const ext = kind === "stylesheet" ? "css" : "js";
  return {
    kind,
    url: `/static/assets/${kind}-${i}-Ab12_x.${ext}`,
    crossorigin: true,
    ...(i % 3 === 0 ? {} : { integrity: `sha384-${kind}${i}+/=` }),
  };
}

const STYLES = Array.from({ length: 10 }, (_, i) => spec("stylesheet", i));
const SCRIPTS = [
  ...Array.from({ length: 34 }, (_, i) => spec("modulepreload", i)),
  ...Array.from({ length: 3 }, (_, i) => spec("script", i)),
];

/**
 * The page written independently of tags.ts: one tag a line, the nonce (when given) right
 * after href/src and integrity, before data-turbo-track.
 */
function referencePage(specs: readonly TagSpec[], nonce: string | undefined): string {
  const n = nonce ? ` nonce="${referenceEscape(nonce)}"` : "";
  return specs
    .map((s) => {
      const integrity = s.integrity ? ` integrity="${s.integrity}"` : "";
      const track = ' data-turbo-track="reload"';
      return s.kind === "script"
        ? `<script type="module" crossorigin src="${s.url}"${integrity}${n}${track}></script>`
        : `<link rel="${s.kind}" crossorigin href="${s.url}"${integrity}${n}${track}>`;
    })
    .join("\n");
}

const OPTIONS = { turboTrack: true, attributes: undefined };

const NONCE = fc.oneof(
  fc.base64String({ minLength: 4, maxLength: 44 }),
  fc.string({ minLength: 0, maxLength: 12 }),
  fc.constantFrom(`"><script>alert(1)</script>`, "a&b", "\u0000", "ñ€😀", "$&$1$$", "'", "<", ">"),
  fc.constant(undefined),
);

describe("CompiledTags.render with a CSP nonce, large page", () => {
  it("the nonce-free page is the reference page", () => {
    expect(compileTags(STYLES, OPTIONS).render()).toBe(referencePage(STYLES, undefined));
    expect(compileTags(SCRIPTS, OPTIONS).render()).toBe(referencePage(SCRIPTS, undefined));
  });

  it("any sequence of renders, any nonces: each is the reference page for its own nonce", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), NONCE), { minLength: 1, maxLength: 12 }),
        (renders) => {
          const tags: [CompiledTags, TagSpec[]][] = [
            [compileTags(STYLES, OPTIONS), STYLES],
            [compileTags(SCRIPTS, OPTIONS), SCRIPTS],
          ];
          for (const [styles, nonce] of renders) {
            const [compiled, specs] = tags[styles ? 0 : 1]!;
            // A nonce equal in value but another string object must answer the same.
            const copy = nonce === undefined ? undefined : [...nonce].join("");
            expect(compiled.render(nonce)).toBe(referencePage(specs, nonce));
            expect(compiled.render(copy)).toBe(referencePage(specs, nonce));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a page rendered for one nonce carries it on each of its 47 tags, and no other", () => {
    const styles = compileTags(STYLES, OPTIONS);
    const scripts = compileTags(SCRIPTS, OPTIONS);
    const page = (nonce?: string) => `${styles.render(nonce)}\n${scripts.render(nonce)}`;
    const first = page("r1+/=");
    const second = page('r2"<');
    expect(first.split("\n")).toHaveLength(47);
    expect(first.match(/ nonce="r1\+\/="/g)).toHaveLength(47);
    expect(second.match(/ nonce="r2&quot;&lt;"/g)).toHaveLength(47);
    // Back to the first nonce after another: its own page again, not the previous one.
    expect(page("r1+/=")).toBe(first);
    expect(page("r1+/=")).not.toContain("r2");
    // Negative control: without the nonce the page differs exactly by the attribute.
    expect(page()).not.toContain("nonce");
    expect(first.replaceAll(' nonce="r1+/="', "")).toBe(page());
  });
});

describe("nonceAttribute", () => {
  it("escapes each character escapeHtml escapes, also right after a nonce with none", () => {
    for (const c of ["&", "<", ">", '"', "'", "\u0000"]) {
      expect(nonceAttribute("plain")).toBe(' nonce="plain"');
      const attribute = nonceAttribute(`a${c}b`);
      expect(attribute).toBe(` nonce="a${referenceEscape(c)}b"`);
      // Negative control: the raw character would have been a different attribute.
      expect(attribute).not.toBe(` nonce="a${c}b"`);
    }
  });
});
