import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectStatic } from "../../src/static/collect.js";
import {
  IMMUTABLE_CACHE_CONTROL,
  immutableCacheControl,
  setStaticHeaders,
} from "../../src/static/immutable-cache-control.js";
import { normalizeStaticPath } from "../../src/static/static-path.js";
import { createStaticUrl } from "../../src/static/static-url.js";
import { sha256Hex } from "../../src/version/hash.js";
import { tempDir } from "../helpers/tmp.js";
import { writeFiles } from "../helpers/vite.js";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

function dir(label: string, files: Record<string, string> = {}): string {
  const d = tempDir(label);
  cleanups.push(d.cleanup);
  writeFiles(d.path, files);
  return d.path;
}

const short = (text: string) => sha256Hex(text).slice(0, 12);

describe("createStaticUrl in production", () => {
  it("resolves source paths through staticfiles.json", async () => {
    const src = dir("url-src", { "css/styles.css": "a{}", "img/a b.png": "png" });
    const out = dir("url-out");
    const { manifestPath } = await collectStatic(src, out);
    const staticUrl = createStaticUrl({
      dev: false,
      staticManifestPath: manifestPath,
      staticBase: "/static/",
    });
    expect(staticUrl("css/styles.css")).toBe(`/static/css/styles.${short("a{}")}.css`);
    expect(staticUrl("/css/styles.css")).toBe(`/static/css/styles.${short("a{}")}.css`);
    expect(staticUrl("img/a b.png")).toBe(`/static/img/a%20b.${short("png")}.png`);
    const cdn = createStaticUrl({
      dev: false,
      staticManifestPath: manifestPath,
      staticBase: "https://cdn.example/s",
    });
    expect(cdn("css/styles.css")).toBe(`https://cdn.example/s/css/styles.${short("a{}")}.css`);
  });

  it("reads staticfiles.json once, then looks up synchronously", async () => {
    const src = dir("url-once-src", { "a.css": "one" });
    const out = dir("url-once-out");
    const { manifestPath } = await collectStatic(src, out);
    const staticUrl = createStaticUrl({ dev: false, staticManifestPath: manifestPath });
    const before = staticUrl("a.css");
    writeFileSync(manifestPath, "not json");
    expect(staticUrl("a.css")).toBe(before);
  });

  it("names an unknown path and the closest known ones", async () => {
    const src = dir("url-unknown-src", { "css/styles.css": "a", "css/print.css": "b" });
    const { manifestPath } = await collectStatic(src, dir("url-unknown-out"));
    const staticUrl = createStaticUrl({ dev: false, staticManifestPath: manifestPath });
    expect(() => staticUrl("css/style.css")).toThrow(
      `[vite-rolling] [static] no static file "css/style.css" in ${manifestPath}. Did you mean "css/styles.css", "css/print.css"? If the file is new, run "npx vite-rolling collect" again.`,
    );
  });

  it("accepts a manifest loaded in ready() and says what to set when there is none", () => {
    const manifest = {
      version: 1 as const,
      hash: "0".repeat(64),
      paths: { "a.js": "a.0123456789ab.js" },
    };
    expect(createStaticUrl({ dev: false, manifest })("a.js")).toBe("/static/a.0123456789ab.js");
    expect(() => createStaticUrl({ dev: false })("a.js")).toThrow(
      /needs staticManifestPath: run "npx vite-rolling collect <src> <out>"/,
    );
  });
});

describe("createStaticUrl in dev", () => {
  it("appends ?v=<12 hex of the content> and re-hashes only when mtime or size changes", () => {
    const root = dir("url-dev", { "css/styles.css": "aaaa" });
    const file = join(root, "css/styles.css");
    const staticUrl = createStaticUrl({ dev: true, staticRoot: root });
    const t1 = 1_600_000_000;
    utimesSync(file, t1, t1);
    expect(staticUrl("css/styles.css")).toBe(`/static/css/styles.css?v=${short("aaaa")}`);

    // Same size, same mtime, other bytes: the cached hash is used, proving no re-read.
    writeFileSync(file, "bbbb");
    utimesSync(file, t1, t1);
    expect(staticUrl("css/styles.css")).toBe(`/static/css/styles.css?v=${short("aaaa")}`);

    // A new mtime: re-hashed from the bytes.
    utimesSync(file, t1 + 100, t1 + 100);
    expect(staticUrl("css/styles.css")).toBe(`/static/css/styles.css?v=${short("bbbb")}`);

    // A new size with the same mtime: re-hashed too.
    writeFileSync(file, "ccccc");
    utimesSync(file, t1 + 100, t1 + 100);
    expect(staticUrl("css/styles.css")).toBe(`/static/css/styles.css?v=${short("ccccc")}`);
  });

  it("leaves the query off when staticDevVersionQuery is false (no staticRoot needed)", () => {
    const staticUrl = createStaticUrl({
      dev: true,
      staticDevVersionQuery: false,
      staticBase: "/s",
    });
    expect(staticUrl("css/a.css")).toBe("/s/css/a.css");
  });

  it("names the missing file, or the missing staticRoot", () => {
    const root = dir("url-dev-missing");
    expect(() => createStaticUrl({ dev: true, staticRoot: root })("css/nope.css")).toThrow(
      `no static file "css/nope.css" under staticRoot ${root}`,
    );
    expect(() => createStaticUrl({ dev: true })("a.css")).toThrow(/needs staticRoot/);
  });

  it("refuses paths that leave the static root", () => {
    const root = dir("url-dev-trav", { "a.css": "a" });
    const staticUrl = createStaticUrl({ dev: true, staticRoot: join(root) });
    expect(() => staticUrl("../package.json")).toThrow(/contains "\.\."/);
    expect(() => staticUrl("css/../../x")).toThrow(/contains "\.\."/);
    expect(() => staticUrl("..\\x")).toThrow(/backslash/);
    const prod = createStaticUrl({
      dev: false,
      manifest: { version: 1, hash: "0".repeat(64), paths: {} },
    });
    expect(() => prod("../etc/passwd")).toThrow(/contains "\.\."/);
  });
});

describe("normalizeStaticPath", () => {
  it("canonicalizes slashes and dots", () => {
    expect(normalizeStaticPath("/css//./a.css")).toBe("css/a.css");
    expect(() => normalizeStaticPath("/")).toThrow(/names no file/);
    expect(() => normalizeStaticPath("a\0b")).toThrow(/NUL/);
  });
});

describe("immutableCacheControl", () => {
  it.each([
    "assets/index-DnE4xK9q.js",
    "assets/index-B-x9_aQ1.css",
    "assets/logo-Cw3fK2aZ.svg",
    // Real Vite 8 hashes that run capitals into lower case into digits.
    "assets/main-CVXFk9bk.js",
    "assets/format-CyQI1YV3.css",
    "index-DnE4xK9q.js.map",
    "/srv/app/dist/assets/vendor-a1B2c3D4e5.mjs",
    "css/styles.a1b2c3d4e5f6.css",
    "LICENSE.a1b2c3d4e5f6",
    "js/app.min.0123456789ab.js",
  ])("is immutable for hashed %s", (name) => {
    expect(immutableCacheControl(name)).toBe(IMMUTABLE_CACHE_CONTROL);
  });

  it.each([
    "css/styles.css",
    "index.html",
    "bootstrap-datepicker.js",
    "date-picker-DatePicker.js",
    "my-component_name.css",
    "lib-20240101.js",
    "jquery-3.7.1.min.js",
    "README-CHANGELOG.md",
    "assets/index-abc.js",
    "css/styles.a1b2c3d4e5.css",
  ])("is null for unhashed %s", (name) => {
    expect(immutableCacheControl(name)).toBeNull();
  });

  it("sets the header through setHeaders (express.static / serve-static)", () => {
    const sink = () => {
      const headers: Record<string, string> = {};
      const res = {
        setHeader(name: string, value: string) {
          headers[name] = value;
        },
      };
      return { headers, res };
    };
    const hashed = sink();
    setStaticHeaders(hashed.res, "/srv/dist/assets/index-DnE4xK9q.js");
    expect(hashed.headers).toEqual({ "Cache-Control": IMMUTABLE_CACHE_CONTROL });
    const plain = sink();
    setStaticHeaders(plain.res, "/srv/index.html");
    expect(plain.headers).toEqual({});
  });
});
