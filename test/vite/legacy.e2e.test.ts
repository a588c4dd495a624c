// Legacy browsers: a real @vitejs/plugin-legacy build. The library's legacy tags must equal
// what plugin-legacy wrote into Vite's own index.html, and must run the app in Chromium.
//
// Chromium supports modules, so it skips `nomodule` scripts and never takes the legacy path on
// its own (no flag turns modules off). The proof serves the library's legacy tags alone (no
// modern tags) with their `nomodule` attributes stripped by the route: Chromium then runs
// exactly the scripts a legacy browser runs, in the same order, under a strict nonce CSP. The
// app's marker appears only if SystemJS from the polyfills chunk imports the entry's System.register
// chunk (and its lazy chunk); the requests show no modern chunk was loaded. Negative control:
// the same page without the polyfills tag does not run.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import legacy from "@vitejs/plugin-legacy";
import nunjucks from "nunjucks";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viteRollingNunjucks } from "../../src/adapters/nunjucks.js";
import {
  compileLegacyScripts,
  legacyKey,
  legacyPolyfillsKey,
  resolveLegacy,
} from "../../src/html/legacy.js";
import { createViteRolling } from "../../src/index.js";
import type { ViteRolling } from "../../src/types.js";
import { viteRolling } from "../../src/vite/plugin.js";
import { launchChromium } from "../helpers/browser.js";
import { tempDir } from "../helpers/tmp.js";
import { type BuiltApp, buildApp } from "../helpers/vite.js";

const FILES: Record<string, string> = {
  "index.html":
    '<!doctype html><html><head><title>legacy</title></head><body><div id="app"></div><script type="module" src="/src/main.ts"></script></body></html>\n',
  "src/main.ts": [
    'import "./style.css";',
    'import { label } from "./shared";',
    'document.getElementById("app")!.dataset.ran = label();',
    'import("./lazy").then((m) => m.mark());',
    "",
  ].join("\n"),
  "src/shared.ts":
    'export const label = (): string => "ran-" + [1, 2].map((n) => n * 2).join("");\n',
  "src/lazy.ts": 'export function mark(): void { document.body.dataset.lazy = "yes"; }\n',
  "src/style.css": "#app { color: rebeccapurple; }\n",
};

const cleanups: (() => void)[] = [];
let app: BuiltApp;
let vr: ViteRolling;
let browser: Browser;
let server: Server;
let origin = "";
/** Pages the server answers, by path; everything under /static/ comes from the build. */
const pages = new Map<string, { html: string; nonce: string }>();

beforeAll(async () => {
  const dir = tempDir("legacy");
  cleanups.push(dir.cleanup);
  app = await buildApp(dir.path, FILES, {
    base: "/static/",
    plugins: [legacy({ targets: ["defaults", "ie 11"] }), viteRolling()],
  });
  vr = createViteRolling({ manifestPath: app.manifestPath, dev: false, appVersion: "legacy" });
  await vr.ready();
  browser = await launchChromium();
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const page = pages.get(path);
    if (page) {
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        // Only scripts carrying the nonce run; what they add ('strict-dynamic') may load.
        "content-security-policy": `script-src 'nonce-${page.nonce}' 'strict-dynamic'`,
      });
      res.end(page.html);
      return;
    }
    const file = normalize(path.replace(/^\/static\//, ""));
    if (!path.startsWith("/static/") || file.startsWith("..")) {
      res.writeHead(404).end();
      return;
    }
    try {
      const bytes = readFileSync(join(app.outDir, file));
      const type = extname(file) === ".css" ? "text/css" : "text/javascript";
      res.writeHead(200, { "content-type": type, "access-control-allow-origin": "*" }).end(bytes);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
  await vr?.close();
  for (const cleanup of cleanups) cleanup();
});

/** The legacy-related scripts of an HTML text (all but the external module scripts), in order. */
function legacyTagsOf(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*>[\s\S]*?<\/script>/g)]
    .map((m) => m[0])
    .filter((tag) => !/^<script type="module" crossorigin src=/.test(tag));
}

const withoutNonceAndIntegrity = (tag: string) =>
  tag.replace(/ nonce="[^"]*"/g, "").replace(/ integrity="[^"]*"/g, "");

/** Loads a page served with `nonce`; the app's markers, the files fetched and the page errors. */
async function visit(path: string, html: string, nonce: string) {
  pages.set(path, { html, nonce });
  const page = await browser.newPage();
  const requested: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => void requested.push(new URL(r.url()).pathname));
  page.on("pageerror", (e) => void errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(origin + path, { waitUntil: "load" });
  // The legacy entry and its lazy chunk load asynchronously after `load`; a page that cannot
  // run shows no marker, so wait for the lazy marker with a bound, then read both.
  await page
    .waitForFunction(() => document.body.dataset.lazy === "yes", undefined, { timeout: 10_000 })
    .catch(() => undefined);
  const markers = await page.evaluate(() => ({
    ran: document.getElementById("app")?.dataset.ran ?? null,
    lazy: document.body.dataset.lazy ?? null,
    system: typeof (window as unknown as { System?: unknown }).System,
  }));
  await page.close();
  return { ...markers, requested, errors };
}

const shell = (head: string, body: string) =>
  `<!doctype html><html><head><title>t</title><link rel="icon" href="data:,">${head}</head><body><div id="app"></div>\n${body}\n</body></html>`;

describe("legacyScripts: a real @vitejs/plugin-legacy build", () => {
  it("equals the legacy tags plugin-legacy wrote into Vite's own index.html", () => {
    const vite = readFileSync(join(app.outDir, "index.html"), "utf8");
    const theirs = legacyTagsOf(vite);
    // Detection + fallback (module), Safari fix, polyfills, entry: all five plugin-legacy writes.
    expect(theirs).toHaveLength(5);
    const ours = vr.legacyScripts("index.html").split("\n");
    expect(ours.map(withoutNonceAndIntegrity)).toEqual(theirs);
  });

  it("puts the request's nonce on every script and the polyfills' integrity from the sidecar", () => {
    const html = vr.legacyScripts(["index.html"], { nonce: "r4nd0m" });
    const scripts = html.match(/<script\b/g) ?? [];
    expect(scripts).toHaveLength(5);
    expect(html.match(/ nonce="r4nd0m"/g)).toHaveLength(5);
    const manifest = JSON.parse(readFileSync(app.manifestPath, "utf8"));
    const polyfills: string = manifest[legacyPolyfillsKey(manifest)!].file;
    const bytes = readFileSync(join(app.outDir, polyfills));
    const sri = `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
    expect(html).toContain(
      `id="vite-legacy-polyfill" src="/static/${polyfills}" integrity="${sri}"`,
    );
    // The sidecar covers both of Vite 8's passes (legacy chunks, then modern ones).
    const sidecar = JSON.parse(readFileSync(join(app.outDir, ".vite/vite-rolling.json"), "utf8"));
    expect(Object.keys(sidecar.files)).toEqual(
      expect.arrayContaining([
        polyfills,
        manifest["index-legacy.html"].file,
        manifest["index.html"].file,
      ]),
    );
    // Compiled once: another nonce is the only difference.
    expect(vr.legacyScripts("index.html", { nonce: "other" })).toBe(
      html.replaceAll("r4nd0m", "other"),
    );
  });

  it("renders through the template helpers' Nunjucks tag the same", () => {
    const env = new nunjucks.Environment(null, { autoescape: true });
    viteRollingNunjucks(env, vr);
    const out = env.renderString('{% vite_legacy_scripts "index.html" %}', { nonce: "n0nce" });
    expect(out).toBe(vr.legacyScripts("index.html", { nonce: "n0nce" }));
  });

  it("names the fix for an entry the legacy build does not have", () => {
    expect(() => vr.legacyScripts("src/nope.ts")).toThrow(
      /legacyScripts\("src\/nope.ts"\): the manifest at ".*" has legacy chunks but no "src\/nope-legacy.ts" and no "src\/nope.ts"/,
    );
  });

  it("modern Chromium: runs the modern chunks and fetches no legacy file", async () => {
    const nonce = "bW9kZXJu";
    const html = shell(
      vr.scripts("index.html", { nonce }),
      vr.legacyScripts("index.html", { nonce }),
    );
    const result = await visit("/modern", html, nonce);
    expect(result.errors).toEqual([]);
    expect(result.ran).toBe("ran-24");
    expect(result.lazy).toBe("yes");
    expect(result.requested.filter((p) => p.includes("-legacy"))).toEqual([]);
  });

  it("legacy path: the nomodule scripts alone run the app through SystemJS", async () => {
    const nonce = "bGVnYWN5";
    const tags = vr.legacyScripts("index.html", { nonce });
    // What a browser without modules runs: the nomodule scripts (modern tags left out).
    const html = shell("", tags.replaceAll(" nomodule", ""));
    const result = await visit("/legacy", html, nonce);
    expect(result.errors).toEqual([]);
    expect(result.system).toBe("object");
    expect(result.ran).toBe("ran-24");
    expect(result.lazy).toBe("yes");
    const statics = result.requested.filter((p) => p.startsWith("/static/assets/"));
    expect(statics.filter((p) => p.endsWith(".js") && !p.includes("-legacy"))).toEqual([]);
    expect(statics.some((p) => /\/index-legacy-[\w-]+\.js$/.test(p))).toBe(true);
    expect(statics.some((p) => /\/lazy-legacy-[\w-]+\.js$/.test(p))).toBe(true);
  });

  it("negative control: without the polyfills tag the legacy path fails", async () => {
    const nonce = "bm9wb2x5";
    const tags = vr
      .legacyScripts("index.html", { nonce })
      .split("\n")
      .filter((tag) => !tag.includes('id="vite-legacy-polyfill"'))
      .join("\n");
    const result = await visit("/no-polyfills", shell("", tags.replaceAll(" nomodule", "")), nonce);
    expect(result.ran).toBeNull();
    expect(result.system).toBe("undefined");
    expect(result.errors.join("\n")).toContain("System is not defined");
  });

  it("negative control: without the nonce CSP blocks the legacy entry script", async () => {
    const tags = vr.legacyScripts("index.html").replaceAll(" nomodule", "");
    const result = await visit("/no-nonce", shell("", tags), "unused");
    expect(result.ran).toBeNull();
  });
});

describe("legacyScripts without plugin-legacy", () => {
  it("is empty for a build without legacy chunks", async () => {
    const dir = tempDir("legacy-none");
    cleanups.push(dir.cleanup);
    const modern = await buildApp(dir.path, FILES, { plugins: [viteRolling()] });
    const plain = createViteRolling({ manifestPath: modern.manifestPath, dev: false });
    await plain.ready();
    expect(plain.legacyScripts("index.html", { nonce: "x" })).toBe("");
    await plain.close();
  }, 120_000);
});

describe("legacy tags on plain data", () => {
  const chunk = (file: string) => ({ file, isEntry: true });
  const manifest = {
    "../../app/vite/legacy-polyfills-legacy": chunk("assets/polyfills-legacy-P.js"),
    "src/a.ts": chunk("assets/a-1.js"),
    "src/a-legacy.ts": chunk("assets/a-legacy-1.js"),
    "src/b.ts": chunk("assets/b-2.js"),
    "src/b-legacy.ts": chunk("assets/b-legacy-2.js"),
    "src/admin.css": chunk("assets/admin-3.css"),
  };

  it("names legacy chunks as Vite's manifest does", () => {
    expect(legacyKey("src/main.ts")).toBe("src/main-legacy.ts");
    expect(legacyKey("index.html")).toBe("index-legacy.html");
    expect(legacyKey("pages/.hidden")).toBe("pages/.hidden-legacy");
    expect(legacyKey("src.v2/main")).toBe("src.v2/main-legacy");
  });

  it("gives each of several entries its own id, imported by the fallback too; CSS entries add nothing", () => {
    const plan = resolveLegacy(
      manifest,
      ["src/a.ts", "src/admin.css", "src/b.ts", "src/a.ts"],
      "m.json",
    );
    expect(plan).toEqual({
      polyfills: "assets/polyfills-legacy-P.js",
      entries: ["assets/a-legacy-1.js", "assets/b-legacy-2.js"],
      modern: true,
    });
    const html = compileLegacyScripts(plan!, "/s/", null, {
      turboTrack: false,
      attributes: null,
    }).render();
    expect(html).toContain('id="vite-legacy-entry" data-src="/s/assets/a-legacy-1.js"');
    expect(html).toContain('id="vite-legacy-entry-2" data-src="/s/assets/b-legacy-2.js"');
    expect(html).toContain(
      "n.onload=function(){System.import(document.getElementById('vite-legacy-entry').getAttribute('data-src'));System.import(document.getElementById('vite-legacy-entry-2').getAttribute('data-src'))}",
    );
    expect(resolveLegacy(manifest, ["src/admin.css"], "m.json")).toBeNull();
  });

  it("without modern chunks (renderModernChunks: false): no nomodule, no detection, no Safari fix", () => {
    const legacyOnly = {
      "vite/legacy-polyfills-legacy": chunk("assets/polyfills-legacy-P.js"),
      "src/a-legacy.ts": chunk("assets/a-legacy-1.js"),
    };
    const plan = resolveLegacy(legacyOnly, ["src/a.ts"], "m.json")!;
    const html = compileLegacyScripts(plan, "/", null, {
      turboTrack: false,
      attributes: null,
    }).render();
    expect(html).not.toContain("nomodule");
    expect(html).not.toContain('type="module"');
    expect(html.match(/<script\b/g)).toHaveLength(2);
  });
});
