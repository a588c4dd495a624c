// Every error of the engine, message pinned: it names the thing and says the fix.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createViteRolling } from "../../src/engine/front.js";
import { ViteRollingError } from "../../src/errors.js";
import { loadManifestFile, parseManifest } from "../../src/manifest/load.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolveEntries } from "../../src/manifest/walk.js";
import { tempDir } from "../helpers/tmp.js";

/** The error `run` throws (sync or async), which must be a ViteRollingError. */
async function errorOf(run: () => unknown): Promise<ViteRollingError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ViteRollingError);
    return error as ViteRollingError;
  }
  throw new Error("expected an error, none was thrown");
}

const dir = tempDir("engine-errors");
afterAll(() => dir.cleanup());

const REBUILD = "rebuild it with `vite build`.";
const SHAPE = (path: string, found: string) =>
  `[vite-rolling] [manifest] the file at "${path}" is not a Vite manifest: expected an object of chunks like { "src/main.ts": { "file": "assets/main-abc123.js", ... } }, found ${found}. Point \`manifestPath\` at the .vite/manifest.json that \`vite build\` writes with \`build.manifest: true\`.`;

describe("loading the manifest", () => {
  it("missing file: says to build with build.manifest or use the plugin", async () => {
    const path = join(dir.path, "nope", ".vite", "manifest.json");
    const error = await errorOf(() => loadManifestFile(path));
    expect(error.message).toBe(
      `[vite-rolling] [manifest] no manifest at "${path}". Run \`vite build\` with \`build.manifest: true\`, or add the \`vite-rolling/vite\` plugin to your Vite config, then point \`manifestPath\` at .vite/manifest.json in the build's outDir.`,
    );
    expect(error.code).toBe("ERR_MANIFEST_NOT_FOUND");
  });

  it("missing file at a relative path: shows where it was resolved", async () => {
    const error = await errorOf(() => loadManifestFile("no-such-dist/.vite/manifest.json"));
    expect(error.message).toContain(
      `no manifest at "no-such-dist/.vite/manifest.json" (resolved: ${join(process.cwd(), "no-such-dist/.vite/manifest.json")}).`,
    );
  });

  it("missing file at Vite 4's location: points at .vite/manifest.json", async () => {
    mkdirSync(join(dir.path, "old", ".vite"), { recursive: true });
    writeFileSync(join(dir.path, "old", ".vite", "manifest.json"), "{}");
    const path = join(dir.path, "old", "manifest.json");
    const error = await errorOf(() => loadManifestFile(path));
    expect(error.message).toContain(
      `no manifest at "${path}". There is one at "${join(dir.path, "old", ".vite", "manifest.json")}": Vite 5+ writes it there. Run`,
    );
  });

  it("unreadable: names the path and the system error", async () => {
    const error = await errorOf(() => loadManifestFile(dir.path));
    expect(error.message).toBe(
      `[vite-rolling] [manifest] cannot read the manifest at "${dir.path}" (EISDIR). Check that the path is a file this process may read.`,
    );
    expect(error.code).toBe("ERR_MANIFEST_UNREADABLE");
  });

  it.each([
    ['{"a.js": }', "line 1, column 10", 'unexpected "}"'],
    ['{\n  "a.js": {"file": "x.js"},\n}', "line 3, column 1", 'unexpected "}"'],
    ['{\n  "a.js": {"file": "x.js"\n', "line 3, column 1", "unexpected end of input"],
    ["", "line 1, column 1", "unexpected end of input"],
    ['{"a": "b\u0001"}', "line 1, column 9", 'unexpected "\\u0001"'],
    ['{"a": 1} x', "line 1, column 10", 'unexpected "x"'],
  ])("malformed JSON %j: %s", async (text, position, what) => {
    const error = await errorOf(() => parseManifest(text, "dist/.vite/manifest.json"));
    expect(error.message).toBe(
      `[vite-rolling] [manifest] the manifest at "dist/.vite/manifest.json" is not valid JSON: ${what} at ${position}. The file is truncated or was edited by hand: ${REBUILD}`,
    );
    expect(error.code).toBe("ERR_MANIFEST_JSON");
  });

  it("malformed JSON in a file: the same message, with the file's path", async () => {
    const path = join(dir.path, "broken.json");
    writeFileSync(path, '{"src/main.ts": {"file": "assets/main.js"');
    const error = await errorOf(() => loadManifestFile(path));
    expect(error.message).toContain(`the manifest at "${path}" is not valid JSON:`);
  });

  it.each([
    ["[]", "an array"],
    ['"hello"', '"hello"'],
    ["null", "null"],
    [
      '{"src/main.ts": ["assets/main.js"]}',
      "what looks like an SSR manifest (module ids mapped to lists of files)",
    ],
    ['{"src/main.ts": 3}', 'key "src/main.ts" holding number 3 instead of a chunk object'],
    ['{"src/main.ts": {"src": "src/main.ts"}}', 'chunk "src/main.ts" with no "file"'],
    ['{"src/main.ts": {"file": 1}}', 'chunk "src/main.ts" whose "file" is number 1, not a string'],
    [
      '{"src/main.ts": {"file": "a.js", "css": "a.css"}}',
      'chunk "src/main.ts" whose "css" is "a.css", not an array of strings',
    ],
    [
      '{"src/main.ts": {"file": "a.js", "isEntry": "yes"}}',
      'chunk "src/main.ts" whose "isEntry" is "yes", not true or false',
    ],
  ])("not a Vite manifest: %s", async (text, found) => {
    const error = await errorOf(() => parseManifest(text, "m.json"));
    expect(error.message).toBe(SHAPE("m.json", found));
    expect(error.code).toBe("ERR_MANIFEST_SHAPE");
  });

  it("an import naming a missing chunk", async () => {
    const text = JSON.stringify({ "src/main.ts": { file: "a.js", imports: ["_gone.js"] } });
    const error = await errorOf(() => parseManifest(text, "m.json"));
    expect(error.message).toBe(
      `[vite-rolling] [manifest] chunk "src/main.ts" in the manifest at "m.json" imports "_gone.js", which is not in the manifest. The manifest is incomplete or was edited by hand: ${REBUILD}`,
    );
    expect(error.code).toBe("ERR_MANIFEST_IMPORT");
  });

  it("a dynamic import naming a missing chunk", async () => {
    const text = JSON.stringify({ "src/main.ts": { file: "a.js", dynamicImports: ["src/x.ts"] } });
    const error = await errorOf(() => parseManifest(text, "m.json"));
    expect(error.message).toContain(
      `chunk "src/main.ts" in the manifest at "m.json" dynamically imports "src/x.ts", which is not in the manifest.`,
    );
  });

  it("accepts a manifest with a byte order mark", () => {
    expect(parseManifest('\ufeff{"a.ts": {"file": "a.js"}}', "m.json")).toEqual({
      "a.ts": { file: "a.js" },
    });
  });
});

describe("resolving entries", () => {
  const manifest: Manifest = {
    "src/main.ts": { file: "assets/main.js", isEntry: true },
    "src/admin.ts": { file: "assets/admin.js", isEntry: true },
    "src/maintenance.ts": { file: "assets/maint.js", isEntry: true },
    "src/lazy.ts": { file: "assets/lazy.js", isDynamicEntry: true },
    "_shared.js": { file: "assets/shared.js" },
    "src/logo.svg": { file: "assets/logo.svg", src: "src/logo.svg" },
  };

  it("unknown entry: names it, the manifest, and up to 3 closest entries", async () => {
    const error = await errorOf(() => resolveEntries(manifest, ["src/mian.ts"], "dist/m.json"));
    expect(error.message).toBe(
      '[vite-rolling] [manifest] entry "src/mian.ts" is not in the manifest at "dist/m.json". Closest entries: "src/main.ts", "src/admin.ts", "src/lazy.ts". Name entries by their source path relative to Vite\'s root, as in build.rollupOptions.input.',
    );
    expect(error.code).toBe("ERR_UNKNOWN_ENTRY");
  });

  it("unknown entry in a manifest without entries", async () => {
    const error = await errorOf(() => resolveEntries({}, ["src/main.ts"], "dist/m.json"));
    expect(error.message).toBe(
      '[vite-rolling] [manifest] entry "src/main.ts" is not in the manifest at "dist/m.json". The manifest has no entries: check build.rollupOptions.input in your Vite config. Name entries by their source path relative to Vite\'s root, as in build.rollupOptions.input.',
    );
  });

  it("an asset asked for as an entry", async () => {
    const error = await errorOf(() => resolveEntries(manifest, ["src/logo.svg"], "m.json"));
    expect(error.message).toBe(
      '[vite-rolling] [manifest] entry "src/logo.svg" is an asset (assets/logo.svg), not a script or stylesheet entry. Use vr.assetUrl("src/logo.svg") for its URL.',
    );
  });

  it("an import missing from an unvalidated manifest", async () => {
    const error = await errorOf(() =>
      resolveEntries({ "a.ts": { file: "a.js", imports: ["_b.js"] } }, ["a.ts"], "m.json"),
    );
    expect(error.message).toBe(
      `[vite-rolling] [manifest] chunk "a.ts" in the manifest at "m.json" imports "_b.js", which is not in the manifest. The manifest is incomplete or was edited by hand: ${REBUILD}`,
    );
  });
});

describe("the front object", () => {
  const path = join(dir.path, "front.json");
  writeFileSync(path, JSON.stringify({ "src/main.ts": { file: "assets/main.js", isEntry: true } }));

  it("styles/scripts before ready(): says to await vr.ready()", async () => {
    const vr = createViteRolling({ manifestPath: path, dev: false });
    const error = await errorOf(() => vr.scripts("src/main.ts"));
    expect(error.message).toBe(
      "[vite-rolling] [render] scripts() was called before the manifest was loaded. `await vr.ready()` once at startup, before the server renders pages.",
    );
    expect((await errorOf(() => vr.styles("src/main.ts"))).message).toContain(
      "styles() was called before",
    );
  });

  it("after a failed ready(): says why, and that ready() can be retried", async () => {
    const missing = join(dir.path, "later.json");
    const vr = createViteRolling({ manifestPath: missing, dev: false });
    const loadError = await errorOf(() => vr.ready());
    const error = await errorOf(() => vr.scripts("src/main.ts"));
    expect(error.message).toBe(
      `[vite-rolling] [render] scripts() has no manifest: loading it failed (${loadError.message}). Fix that, then \`await vr.ready()\` again.`,
    );
    expect(error.cause).toBe(loadError);
    writeFileSync(missing, JSON.stringify({ "src/main.ts": { file: "assets/main.js" } }));
    await vr.ready();
    expect(vr.scripts("src/main.ts")).toContain("/assets/main.js");
  });

  it("entries that are not strings", async () => {
    const vr = createViteRolling({ manifestPath: path, dev: false });
    await vr.ready();
    const error = await errorOf(() => vr.scripts([42] as unknown as string[]));
    expect(error.message).toBe(
      '[vite-rolling] [render] scripts() expects an entry name or a list of them, like "src/main.ts" or ["src/main.ts"], received an array.',
    );
  });

  it("assetUrl of something the manifest does not know", async () => {
    const vr = createViteRolling({ manifestPath: path, dev: false });
    await vr.ready();
    const error = await errorOf(() => vr.assetUrl("src/mian.ts"));
    expect(error.message).toBe(
      `[vite-rolling] [manifest] assetUrl("src/mian.ts"): not a key or an output file of the manifest at "${path}". Closest keys: "src/main.ts". Pass a source path relative to Vite's root (e.g. "src/logo.svg") or an output file (e.g. "assets/logo-abc123.svg").`,
    );
  });

  it("an attributes hook returning an invalid attribute name or value", async () => {
    const bad = createViteRolling({
      manifestPath: path,
      dev: false,
      attributes: () => ({ 'x" onload="alert(1)': "y" }),
    });
    await bad.ready();
    expect((await errorOf(() => bad.scripts("src/main.ts"))).message).toBe(
      '[vite-rolling] [html] the attributes option returned "x\\" onload=\\"alert(1)" for a script tag, which is not a valid HTML attribute name (no spaces, quotes, <, >, / or =). Fix the name in your attributes function.',
    );
    const badValue = createViteRolling({
      manifestPath: path,
      dev: false,
      attributes: () => ({ "data-n": 3 as unknown as string }),
    });
    await badValue.ready();
    expect((await errorOf(() => badValue.scripts("src/main.ts"))).message).toBe(
      '[vite-rolling] [html] the attributes option returned number for attribute "data-n" of a script tag; use a string, true (bare attribute), or false / undefined (omit).',
    );
  });
});
