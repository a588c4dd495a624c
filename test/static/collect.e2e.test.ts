import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectStatic, hashedName } from "../../src/static/collect.js";
import { parseStaticManifest, readStaticManifest } from "../../src/static/static-manifest.js";
import { sha256Hex } from "../../src/version/hash.js";
import { tempDir } from "../helpers/tmp.js";
import { writeFiles } from "../helpers/vite.js";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

function dir(label: string): string {
  const d = tempDir(label);
  cleanups.push(d.cleanup);
  return d.path;
}

const write = writeFiles;

const SOURCES = {
  "css/styles.css": "body { color: red; }\n",
  "js/app.min.js": "console.log(1);\n",
  "img/logo.svg": "<svg/>\n",
  LICENSE: "MIT\n",
  ".DS_Store": "junk",
  "css/styles.css~": "backup",
};

describe("collectStatic", () => {
  it("writes content-hashed copies keeping folders, the originals, and staticfiles.json", async () => {
    const src = dir("collect-src");
    const out = dir("collect-out");
    write(src, SOURCES);
    const { manifest, manifestPath, files } = await collectStatic(src, out);
    expect(files).toBe(4);
    const cssHash = sha256Hex(SOURCES["css/styles.css"]).slice(0, 12);
    expect(manifest.paths).toEqual({
      LICENSE: `LICENSE.${sha256Hex("MIT\n").slice(0, 12)}`,
      "css/styles.css": `css/styles.${cssHash}.css`,
      "img/logo.svg": `img/logo.${sha256Hex("<svg/>\n").slice(0, 12)}.svg`,
      "js/app.min.js": `js/app.min.${sha256Hex("console.log(1);\n").slice(0, 12)}.js`,
    });
    for (const [source, hashed] of Object.entries(manifest.paths)) {
      const original = readFileSync(join(src, source), "utf8");
      expect(readFileSync(join(out, hashed), "utf8")).toBe(original);
      expect(readFileSync(join(out, source), "utf8")).toBe(original);
    }
    expect(existsSync(join(out, ".DS_Store"))).toBe(false);
    expect(manifestPath).toBe(join(out, "staticfiles.json"));
    const text = readFileSync(manifestPath, "utf8");
    expect(parseStaticManifest(text, manifestPath)).toEqual(manifest);
    expect(Object.keys(JSON.parse(text))).toEqual(["hash", "paths", "version"]);
    // No temp files left behind by the atomic writes.
    expect(readdirSync(join(out, "css")).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("gives the same hash for the same files and another for one changed byte", async () => {
    const [a, b, c] = [dir("collect-a"), dir("collect-b"), dir("collect-c")];
    write(a, SOURCES);
    write(b, SOURCES);
    write(c, { ...SOURCES, "img/logo.svg": "<svg/>\r" });
    const [ma, mb, mc] = await Promise.all([
      collectStatic(a, dir("collect-a-out")),
      collectStatic(b, join(b, "out")),
      collectStatic(c, join(c, "out")),
    ]);
    expect(ma.manifest.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(mb.manifest.hash).toBe(ma.manifest.hash);
    expect(mc.manifest.hash).not.toBe(ma.manifest.hash);
    expect(mc.manifest.paths["img/logo.svg"]).not.toBe(ma.manifest.paths["img/logo.svg"]);
    expect(mc.manifest.paths["css/styles.css"]).toBe(ma.manifest.paths["css/styles.css"]);
    // An output folder inside the source is not collected into itself.
    expect(Object.keys(mb.manifest.paths).some((p) => p.startsWith("out/"))).toBe(false);
  });

  it("keeps the previous release's hashed files when collecting a new one", async () => {
    const src = dir("collect-keep");
    const out = dir("collect-keep-out");
    write(src, { "a.css": "one" });
    const first = await collectStatic(src, out);
    write(src, { "a.css": "two" });
    const second = await collectStatic(src, out);
    expect(second.manifest.paths["a.css"]).not.toBe(first.manifest.paths["a.css"]);
    expect(readFileSync(join(out, first.manifest.paths["a.css"]!), "utf8")).toBe("one");
    expect(readFileSync(join(out, second.manifest.paths["a.css"]!), "utf8")).toBe("two");
    expect((await readStaticManifest(join(out, "staticfiles.json"))).paths["a.css"]).toBe(
      second.manifest.paths["a.css"],
    );
  });

  it("names the problem and the fix for bad input", async () => {
    const src = dir("collect-bad");
    await expect(collectStatic(join(src, "nope"), join(src, "out"))).rejects.toThrow(
      /source directory .*nope does not exist/,
    );
    await expect(collectStatic(src, src)).rejects.toThrow(/same directory/);
    write(src, { "staticfiles.json": "{}" });
    await expect(collectStatic(src, join(src, "out"))).rejects.toThrow(
      /staticfiles\.json would be overwritten .* Rename or move that file/,
    );
  });

  it("hashes names like Django's ManifestStaticFilesStorage", () => {
    const h = "a1b2c3d4e5f60000000000000000000000000000000000000000000000000000";
    expect(hashedName("css/styles.css", h)).toBe("css/styles.a1b2c3d4e5f6.css");
    expect(hashedName("js/app.min.js", h)).toBe("js/app.min.a1b2c3d4e5f6.js");
    expect(hashedName("LICENSE", h)).toBe("LICENSE.a1b2c3d4e5f6");
  });
});

describe("parseStaticManifest", () => {
  it("rejects bad shapes with the file name and the fix", () => {
    expect(() => parseStaticManifest("nope", "s.json")).toThrow(
      /s\.json is not valid JSON: unexpected "n" at line 1, column 1\. .*vite-rolling collect/,
    );
    expect(() => parseStaticManifest('{"version":1,"hash":"x","paths":{}}', "s.json")).toThrow(
      '"hash" must be 64 hex digits, received "x"',
    );
    const hash = "0".repeat(64);
    expect(() =>
      parseStaticManifest(JSON.stringify({ version: 1, hash, paths: { a: "../a" } }), "s.json"),
    ).toThrow('"paths"["a"] must be a relative path inside the output');
  });

  it("says how to create a missing staticfiles.json", async () => {
    await expect(readStaticManifest("/nonexistent/staticfiles.json")).rejects.toThrow(
      /cannot read \/nonexistent\/staticfiles\.json \(ENOENT\)\. Run "npx vite-rolling collect/,
    );
  });
});
