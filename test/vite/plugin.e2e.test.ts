import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { build, createLogger, type InlineConfig, type Logger } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import { parseSidecar, readSidecar, type Sidecar } from "../../src/manifest/sidecar.js";
import { stableJson } from "../../src/util/stable-json.js";
import { writeSidecarFile } from "../../src/vite/build-sidecar.js";
import defaultExport, {
  buildSidecar,
  digestFile,
  emptyOutDirWarning,
  manifestFileName,
  sidecarFileName,
  viteRolling,
} from "../../src/vite/plugin.js";
import { tempDir } from "../helpers/tmp.js";
import { writeFiles } from "../helpers/vite.js";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

/** A small app: HTML entry, TS with a CSS import, an asset, and a lazy chunk. */
function fixture(label: string, lazyText = "lazy"): string {
  const dir = tempDir(label);
  cleanups.push(dir.cleanup);
  const files: Record<string, string> = {
    "index.html":
      '<!doctype html><html><head><title>t</title></head><body><script type="module" src="/src/main.ts"></script></body></html>\n',
    "src/main.ts": [
      'import "./style.css";',
      'import logo from "./logo.svg";',
      "document.body.dataset.logo = logo;",
      'import("./lazy.ts").then((m) => m.run());',
      "",
    ].join("\n"),
    "src/lazy.ts": `export function run(): void { console.log(${JSON.stringify(lazyText)}); }\n`,
    "src/style.css": "body { color: rebeccapurple; }\n.a { background: url(./logo.svg); }\n",
    "src/logo.svg": `<svg xmlns="http://www.w3.org/2000/svg"><!-- ${"x".repeat(5000)} --></svg>\n`,
  };
  writeFiles(dir.path, files);
  return dir.path;
}

async function viteBuild(root: string, config: InlineConfig = {}): Promise<string[]> {
  const warnings: string[] = [];
  const silent = createLogger("silent");
  const customLogger: Logger = {
    ...silent,
    warn: (msg) => void warnings.push(msg),
    warnOnce: (msg) => void warnings.push(msg),
  };
  await build({
    root,
    configFile: false,
    logLevel: "silent",
    customLogger,
    plugins: [viteRolling()],
    ...config,
  });
  return warnings;
}

function sidecarOf(root: string, manifestDir = "dist/.vite"): Sidecar {
  const path = join(root, manifestDir, "vite-rolling.json");
  return parseSidecar(readFileSync(path, "utf8"), path);
}

/** Every file under dir, relative, with "/" separators. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path, base) : [relative(base, path).split("\\").join("/")];
  });
}

describe("viteRolling plugin: real vite build", () => {
  it("is a named build plugin, default and named export alike", () => {
    const [plugin] = viteRolling();
    expect(plugin!.name).toBe("vite-rolling");
    expect(plugin!.apply).toBe("build");
    expect(defaultExport).toBe(viteRolling);
  });

  it("writes a sidecar whose hashes match the files on disk, including CSS and assets", async () => {
    const root = fixture("plugin-a");
    // Sourcemaps on: the files end in a sourceMappingURL comment the hashes must cover.
    await viteBuild(root, { base: "/static/", build: { assetsInlineLimit: 0, sourcemap: true } });
    const out = join(root, "dist");
    expect(existsSync(join(out, ".vite/manifest.json"))).toBe(true);
    const sidecarText = readFileSync(join(out, ".vite/vite-rolling.json"), "utf8");
    const sidecar = parseSidecar(sidecarText, "sidecar");
    expect(sidecar.base).toBe("/static/");

    const emitted = walk(out).filter((f) => !f.startsWith(".vite/"));
    expect(Object.keys(sidecar.files).sort()).toEqual(emitted.sort());
    expect(emitted.some((f) => f.endsWith(".css"))).toBe(true);
    expect(emitted.some((f) => f.endsWith(".svg"))).toBe(true);
    expect(emitted.filter((f) => f.endsWith(".js")).length).toBeGreaterThanOrEqual(2);

    const scriptsAndStyles = emitted.filter((f) => /\.(m?js|css)$/.test(f)).sort();
    expect(Object.keys(sidecar.integrity).sort()).toEqual(scriptsAndStyles);
    for (const file of scriptsAndStyles) {
      const bytes = readFileSync(join(out, file));
      const expected = `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
      expect(sidecar.integrity[file]).toBe(expected);
    }
    // One sha384 per file: the content hash is its first 256 bits.
    for (const file of emitted) {
      const bytes = readFileSync(join(out, file));
      expect(sidecar.files[file]).toBe(
        createHash("sha384").update(bytes).digest("hex").slice(0, 64),
      );
    }
    expect(emitted.some((f) => f.endsWith(".js.map"))).toBe(true);

    // Sorted keys at every level, so equal builds give equal bytes.
    const parsed = JSON.parse(sidecarText) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([...Object.keys(parsed)].sort());
    expect(Object.keys(sidecar.files)).toEqual(Object.keys(sidecar.files).sort());
  });

  it("gives the same build hash for the same sources in different directories, another for one changed byte", async () => {
    const a = fixture("plugin-same-a");
    const b = fixture("plugin-same-b");
    const c = fixture("plugin-changed", "lazY");
    await viteBuild(a);
    await viteBuild(b);
    await viteBuild(c);
    const [sa, sb, sc] = [sidecarOf(a), sidecarOf(b), sidecarOf(c)];
    expect(sa.buildHash).toMatch(/^[0-9a-f]{64}$/);
    expect(sb.buildHash).toBe(sa.buildHash);
    expect(readFileSync(join(b, "dist/.vite/vite-rolling.json"), "utf8")).toBe(
      readFileSync(join(a, "dist/.vite/vite-rolling.json"), "utf8"),
    );
    expect(sc.buildHash).not.toBe(sa.buildHash);
  });

  it("keeps a manifest setting the user made and writes the sidecar next to it", async () => {
    const root = fixture("plugin-manifest");
    await viteBuild(root, { build: { manifest: "meta/assets.json" } });
    expect(existsSync(join(root, "dist/meta/assets.json"))).toBe(true);
    expect(existsSync(join(root, "dist/.vite/manifest.json"))).toBe(false);
    const sidecar = await readSidecar(join(root, "dist/meta/vite-rolling.json"));
    expect(sidecar?.base).toBe("/");
    expect(Object.keys(sidecar?.files ?? {})).not.toContain("meta/assets.json");
  });

  it("warns that emptyOutDir deletes the previous build on the second build, not the first", async () => {
    const root = fixture("plugin-empty");
    const first = await viteBuild(root);
    expect(first.filter((w) => w.includes("emptyOutDir"))).toEqual([]);
    const second = await viteBuild(root);
    const hits = second.filter((w) => w.includes("emptyOutDir"));
    expect(hits).toHaveLength(1);
    expect(hits[0]).toContain("404");
    expect(hits[0]).toContain("emptyOutDir: false");
    expect(hits[0]).toContain("npx vite-rolling prune-assets");
    const kept = await viteBuild(root, { build: { emptyOutDir: false } });
    expect(kept.filter((w) => w.includes("emptyOutDir"))).toEqual([]);
  });
});

describe("plugin hook logic on plain data", () => {
  it("derives the build hash from (name, hash) pairs only, whatever the order", () => {
    const a = digestFile("assets/a-1.js", new TextEncoder().encode("a"));
    const b = digestFile("assets/b-2.css", new TextEncoder().encode("b"));
    const img = digestFile("assets/c-3.png", new Uint8Array([1, 2, 3]));
    const one = buildSidecar("/", [
      ["assets/a-1.js", a],
      ["assets/b-2.css", b],
      ["assets/c-3.png", img],
    ]);
    const two = buildSidecar("/", [
      ["assets/c-3.png", img],
      ["assets/b-2.css", b],
      ["assets/a-1.js", a],
    ]);
    expect(two).toEqual(one);
    expect(Object.keys(one.integrity)).toEqual(["assets/a-1.js", "assets/b-2.css"]);
    expect(one.files["assets/c-3.png"]).toBe(
      createHash("sha384")
        .update(new Uint8Array([1, 2, 3]))
        .digest("hex")
        .slice(0, 64),
    );
    const renamed = buildSidecar("/", [
      ["assets/a-1.js", a],
      ["assets/b-2.css", b],
      ["assets/c-4.png", img],
    ]);
    expect(renamed.buildHash).not.toBe(one.buildHash);
  });

  it("leaves the manifest and the sidecar out of the build hash", () => {
    const js = digestFile("a.js", new Uint8Array([1]));
    const manifest = digestFile(".vite/manifest.json", new Uint8Array([2]));
    const without = buildSidecar("/", [["a.js", js]]);
    const withManifest = buildSidecar(
      "/",
      [
        ["a.js", js],
        [".vite/manifest.json", manifest],
      ],
      [".vite/manifest.json", ".vite/vite-rolling.json"],
    );
    expect(withManifest).toEqual(without);
  });

  it("replaces the sidecar whole and leaves no temp file, also when the write fails", () => {
    const dir = tempDir("sidecar-write");
    cleanups.push(dir.cleanup);
    const path = join(dir.path, ".vite", "vite-rolling.json");
    const first = buildSidecar("/", [["a.js", digestFile("a.js", "a")]]);
    const second = buildSidecar("/", [["b.js", digestFile("b.js", "b")]]);
    writeSidecarFile(path, first);
    writeSidecarFile(path, second);
    expect(readFileSync(path, "utf8")).toBe(stableJson(second));
    expect(readdirSync(dirname(path))).toEqual(["vite-rolling.json"]);
    // A non-empty directory where the sidecar goes: the rename fails, the temp file goes too.
    const blocked = join(dir.path, "blocked", "vite-rolling.json");
    mkdirSync(blocked, { recursive: true });
    writeFileSync(join(blocked, "keep"), "");
    expect(() => writeSidecarFile(blocked, first)).toThrow();
    expect(readdirSync(dirname(blocked))).toEqual(["vite-rolling.json"]);
  });

  it("places the manifest and sidecar where Vite does", () => {
    expect(manifestFileName(true)).toBe(".vite/manifest.json");
    expect(manifestFileName(undefined)).toBe(".vite/manifest.json");
    expect(manifestFileName("meta/m.json")).toBe("meta/m.json");
    expect(sidecarFileName(".vite/manifest.json")).toBe(".vite/vite-rolling.json");
    expect(sidecarFileName("manifest.json")).toBe("vite-rolling.json");
  });

  it("turns build.manifest on only when the user left it unset", () => {
    const hook = viteRolling()[0]!.config as (c: InlineConfig) => InlineConfig | undefined;
    expect(hook({})).toEqual({ build: { manifest: true } });
    expect(hook({ build: { manifest: false } })).toBeUndefined();
    expect(hook({ build: { manifest: "m.json" } })).toBeUndefined();
  });

  it("warns about emptyOutDir exactly when Vite would delete existing files", () => {
    const root = "/app";
    const facts = { root, outDir: "/app/dist", emptyOutDir: undefined, entries: ["assets"] };
    expect(emptyOutDirWarning(facts)).toContain("/app/dist");
    expect(emptyOutDirWarning({ ...facts, emptyOutDir: null })).not.toBeNull();
    expect(emptyOutDirWarning({ ...facts, emptyOutDir: true })).not.toBeNull();
    expect(emptyOutDirWarning({ ...facts, emptyOutDir: false })).toBeNull();
    expect(emptyOutDirWarning({ ...facts, entries: null })).toBeNull();
    expect(emptyOutDirWarning({ ...facts, entries: [] })).toBeNull();
    expect(emptyOutDirWarning({ ...facts, entries: [".git"] })).toBeNull();
    // Outside the root Vite does not empty unless told to.
    expect(emptyOutDirWarning({ ...facts, outDir: "/srv/dist" })).toBeNull();
    expect(emptyOutDirWarning({ ...facts, outDir: "/srv/dist", emptyOutDir: true })).not.toBeNull();
    expect(emptyOutDirWarning({ ...facts, outDir: "/app" })).toBeNull();
    expect(emptyOutDirWarning({ ...facts, outDir: "/app/..dist" })).not.toBeNull();
  });
});

describe("parseSidecar", () => {
  const good = buildSidecar("/static/", [["a.js", digestFile("a.js", new Uint8Array([1]))]]);

  it("round-trips a valid sidecar", () => {
    expect(parseSidecar(JSON.stringify(good), "x.json")).toEqual(good);
  });

  it("names the file, the field and the fix", () => {
    expect(() => parseSidecar("{", "dist/.vite/vite-rolling.json")).toThrow(
      /dist\/\.vite\/vite-rolling\.json is not valid JSON.*Rebuild with `vite build`/,
    );
    expect(() => parseSidecar("[]", "s.json")).toThrow(
      "[vite-rolling] [sidecar] s.json: expected a JSON object, received an array.",
    );
    expect(() => parseSidecar(JSON.stringify({ ...good, buildHash: "abc" }), "s.json")).toThrow(
      '"buildHash" must be 64 hex digits, received "abc"',
    );
    expect(() =>
      parseSidecar(JSON.stringify({ ...good, integrity: { "a.js": "sha256-x" } }), "s.json"),
    ).toThrow('"integrity"["a.js"] must be a sha384-<base64> value');
    expect(() => parseSidecar(JSON.stringify({ ...good, version: 2 }), "s.json")).toThrow(
      '"version" must be 1',
    );
  });

  it("reads a missing sidecar as null (the build did not use the plugin)", async () => {
    expect(await readSidecar("/nonexistent/vite-rolling.json")).toBeNull();
  });
});
