import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nginxConfig } from "../../src/deploy/proxy-config.js";
import { ERROR_CODES, ViteRollingError } from "../../src/errors.js";
import { compileTags, toTagSpecs } from "../../src/html/tags.js";
import { parseManifest } from "../../src/manifest/load.js";
import { resolveEntries, resolvePrefetch } from "../../src/manifest/walk.js";
import { releaseIdProblem } from "../../src/registry/release-id.js";
import { checkRegisterInput } from "../../src/registry/store.js";
import { parseUpstream } from "../../src/registry/upstream.js";

const RUNS = 10_000;

/** Only documented errors: a ViteRollingError whose code ERROR_CODES lists. */
function documented(error: unknown): string {
  expect(error).toBeInstanceOf(ViteRollingError);
  const { code } = error as ViteRollingError;
  expect(Object.keys(ERROR_CODES)).toContain(code);
  return code;
}

function outcome(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return documented(error);
  }
}

// Tags one a line, every attribute value quoted with no raw quote, `<` or `>` inside (a newline
// inside a quoted value, from a nonce, is plain HTML).
const TAG = '<(?:link|script)(?: [a-z-]+(?:="[^"<>]*")?)*>(?:</script>)?';
const TAGS = new RegExp(`^(?:${TAG}(?:\\n${TAG})*)?$`);

const key = fc.oneof(
  fc.constantFrom("src/main.ts", "a", "b", "c", "style.css", "__proto__", "constructor"),
  fc.string({ maxLength: 8, unit: "binary" }),
);
const fileName = fc.oneof(
  fc.constantFrom("assets/a.js", "assets/b.css", "assets/c.png", "x.mjs"),
  fc.string({ maxLength: 12, unit: "binary" }).map((s) => `${s}.js`),
  fc.string({ maxLength: 12, unit: "binary" }),
);
/** A chunk importing mostly keys of its own manifest (`ref`), with a rare field of a wrong type. */
const chunkOf = (ref: fc.Arbitrary<string>) =>
  fc.record(
    {
      file: fc.oneof({ weight: 30, arbitrary: fileName }, fc.integer(), fc.constant(null)),
      src: fc.oneof({ weight: 30, arbitrary: fc.string() }, fc.integer()),
      isEntry: fc.oneof({ weight: 30, arbitrary: fc.boolean() }, fc.constant("yes")),
      imports: fc.oneof(
        { weight: 30, arbitrary: fc.array(ref, { maxLength: 3 }) },
        fc.constant("a"),
      ),
      dynamicImports: fc.array(ref, { maxLength: 2 }),
      css: fc.array(fileName, { maxLength: 2 }),
      assets: fc.array(fileName, { maxLength: 2 }),
      integrity: fc.oneof(
        { weight: 30, arbitrary: fc.string({ maxLength: 10, unit: "binary" }) },
        fc.integer(),
      ),
    },
    { requiredKeys: ["file"] },
  );
const manifestObject = fc
  .uniqueArray(
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom("src/main.ts", "a", "b", "c") }, key),
    {
      minLength: 1,
      maxLength: 6,
    },
  )
  .chain((keys) => {
    const ref = fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...keys) }, key);
    const junk = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.string()));
    const value = fc.oneof({ weight: 30, arbitrary: chunkOf(ref) }, junk);
    return fc
      .tuple(...keys.map(() => value))
      .map((values) => JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, values[i]]))));
  });
const manifestText = fc.oneof(
  { weight: 8, arbitrary: manifestObject },
  fc.json(),
  fc.string({ maxLength: 40, unit: "binary" }),
);

describe("fuzz: manifests through parseManifest, the walker and tag rendering", () => {
  it(`${RUNS} manifests: only documented errors, every rendered tag escaped`, () => {
    let rendered = 0;
    fc.assert(
      fc.property(
        manifestText,
        fc.boolean(),
        fc.array(fc.oneof({ weight: 4, arbitrary: fc.nat() }, key), { minLength: 1, maxLength: 3 }),
        fc.string({ maxLength: 8, unit: "binary" }),
        (text, bom, picks, nonce) => {
          let manifest: ReturnType<typeof parseManifest>;
          try {
            manifest = parseManifest(bom ? `\ufeff${text}` : text, "fuzz.json");
          } catch (error) {
            documented(error);
            return;
          }
          try {
            const keys = Object.keys(manifest);
            const names = picks.map((p) =>
              typeof p === "number" ? (keys[p % keys.length] ?? "") : p,
            );
            const tags = resolveEntries(manifest, names, "fuzz.json");
            resolvePrefetch(manifest, names, "fuzz.json");
            const html = compileTags(toTagSpecs(tags, "/static/", true), {
              turboTrack: true,
              attributes: undefined,
            }).render(nonce);
            if (!TAGS.test(html)) throw new Error(`unescaped output: ${html}`);
            rendered++;
          } catch (error) {
            documented(error);
          }
        },
      ),
      { numRuns: RUNS },
    );
    // Negative control of the generator: many manifests were valid and rendered.
    expect(rendered).toBeGreaterThan(RUNS / 10);
  });
});

/**
 * A cheap structural check of an nginx config: printable ASCII only, every statement ends in
 * `;`, `{` or `}`, braces balance, quotes pair up on each line. Plain code, not `expect`, in
 * the hot loop: the fuzz stays fast.
 */
function nginxShapeProblem(config: string): string | null {
  if (!/^[ -~\n]*$/.test(config)) return "a character outside printable ASCII";
  let depth = 0;
  for (const raw of config.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (!/[;{}]$/.test(line)) return `a statement without ";": ${line}`;
    if ((line.replace(/\\"/g, "").match(/"/g) ?? []).length % 2 !== 0)
      return `a lone quote: ${line}`;
    depth += (line.match(/{/g) ?? []).length - (line.match(/}/g) ?? []).length;
    if (depth < 0) return `an unopened "}": ${line}`;
  }
  return depth === 0 ? null : "an unclosed block";
}

function expectNginxShape(config: string): void {
  const problem = nginxShapeProblem(config);
  if (problem !== null) throw new Error(`not an nginx config: ${problem}\n${config}`);
}

const releaseId = fc.oneof(
  fc.string({ maxLength: 20, unit: "binary" }),
  fc.string({ maxLength: 20, unit: fc.constantFrom(..."aZ09._-'\"; {}$\u202e:/~") }),
  fc.stringMatching(/^[A-Za-z0-9._-]{1,140}$/),
);
const upstream = fc.oneof(
  fc.string({ maxLength: 30, unit: "binary" }),
  fc.string({ maxLength: 24, unit: fc.constantFrom(..."az09.:[]/;- ${}_") }),
  fc
    .tuple(
      fc.array(fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom(..."ab9-") }), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.integer({ min: 0, max: 70000 }),
    )
    .map(([labels, port]) => `${labels.join(".")}:${port}`),
);

describe("fuzz: release ids and upstreams, registry rule vs proxy-config", () => {
  it(`${RUNS} release ids: what the registry accepts, proxy-config renders as valid nginx`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(releaseId, (id) => {
        const registry = outcome(() => checkRegisterInput({ release: id, manifestText: "{}" }));
        expect(registry === null).toBe(releaseIdProblem(id) === null);
        if (registry !== null || id === "") return;
        accepted++;
        const config = nginxConfig({
          releases: [{ release: id, upstream: "127.0.0.1:3000" }],
          defaultRelease: id,
        });
        expectNginxShape(config);
        expect(config).toContain(id);
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });

  it(`${RUNS} upstreams: what refresh accepts, proxy-config renders; what it refuses, both refuse`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(upstream, (value) => {
        const registry = outcome(() =>
          checkRegisterInput({ release: "v1", manifestText: "{}", upstream: value }),
        );
        if (value === "") return;
        expect(registry === null).toBe(outcome(() => parseUpstream(value, "v1")) === null);
        const proxy = outcome(() =>
          expectNginxShape(
            nginxConfig({ releases: [{ release: "v1", upstream: value }], defaultRelease: "v1" }),
          ),
        );
        expect(proxy).toBe(registry);
        if (registry === null) accepted++;
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });
});
