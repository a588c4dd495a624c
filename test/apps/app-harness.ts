// What the real-app tests share: a fixture copied into a temporary project, built with real
// Vite and the plugin, served through the library by Express, and watched in Chromium.
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express from "express";
import type { Browser, Page, Response } from "playwright-core";
import { createServer, type PluginOption, type ViteDevServer } from "vite";
import { afterAll, beforeAll, expect } from "vitest";
import { viteRolling as expressAdapter } from "../../src/adapters/express.js";
import type { TemplateHelpers } from "../../src/http/contract.js";
import { createViteRolling } from "../../src/index.js";
import type { Manifest } from "../../src/manifest/types.js";
import { setStaticHeaders } from "../../src/static/immutable-cache-control.js";
import type { ViteRolling } from "../../src/types.js";
import { viteRolling as vitePlugin } from "../../src/vite/plugin.js";
import { launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/ports.js";
import { waitUntil } from "../helpers/redis.js";
import { ROOT, tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

/** The URL prefix the built files are served under, Vite's `base`. */
export const BASE = "/static/";

/** A copy of `test/fixtures/<name>` in a fresh directory under the repo's .tmp/. */
export function copyFixture(name: string): { path: string; cleanup: () => void } {
  const dir = tempDir(`app-${name}`);
  cpSync(join(ROOT, "test/fixtures", name), dir.path, { recursive: true });
  return dir;
}

/** One describe block's fixture copy and Chromium; what it starts goes in `closers`. */
export interface FixtureSuite {
  dir: string;
  browser: Browser;
  /** Run after the block, last added first. */
  closers: (() => Promise<unknown> | undefined)[];
}

/**
 * Registers the hooks of a describe block that works on a copy of fixture `name`, made in
 * `beforeAll` (a block whose tests are all filtered out leaves nothing behind).
 */
export function fixtureSuite(name: string): FixtureSuite {
  let dir: { path: string; cleanup: () => void } | undefined;
  let browser: Browser | undefined;
  const closers: FixtureSuite["closers"] = [];
  beforeAll(async () => {
    dir = copyFixture(name);
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await browser?.close();
    dir?.cleanup();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("use the fixture suite inside hooks and tests");
    return value;
  };
  return {
    get dir() {
      return ready(dir).path;
    },
    get browser() {
      return ready(browser);
    },
    closers,
  };
}

/**
 * Edits `file` (replacing `from` by `to`) while `page` shows it, waits for `to` on the page,
 * and checks the page was updated in place: a marker set on `window` before survives.
 */
export async function expectHotUpdate(
  page: Page,
  file: string,
  edits: [from: string, to: string][],
  shown: string,
): Promise<void> {
  await page.evaluate(() => Object.assign(window, { __marker: "kept" }));
  let text = readFileSync(file, "utf8");
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  writeFileSync(file, text);
  await page.getByText(shown).waitFor();
  expect(await page.evaluate(() => (window as { __marker?: string }).__marker)).toBe("kept");
}

/**
 * Negative control of `expectHotUpdate`: an edit of the entry, which no module accepts, makes
 * Vite reload the page, and the same marker check sees it gone.
 */
export async function expectFullReload(page: Page, entry: string): Promise<void> {
  await page.evaluate(() => Object.assign(window, { __marker: "kept" }));
  const reloaded = page.waitForEvent("load");
  writeFileSync(entry, `${readFileSync(entry, "utf8")}\n// edited\n`);
  await reloaded;
  expect(await page.evaluate(() => (window as { __marker?: string }).__marker)).toBeUndefined();
}

export interface BuiltFixture {
  outDir: string;
  manifest: Manifest;
  /** The index.html Vite wrote: the oracle for the tags. */
  viteHtml: string;
  vr: ViteRolling;
}

/** `vite build` of the fixture's index.html with the framework's plugin and ours. */
export async function buildFixture(dir: string, framework: PluginOption): Promise<BuiltFixture> {
  const built = await buildApp(
    dir,
    {},
    {
      base: BASE,
      plugins: [framework, vitePlugin({ emptyOutDirWarning: false })],
      build: { rollupOptions: { input: join(dir, "index.html") } },
    },
  );
  const vr = createViteRolling({
    manifestPath: built.manifestPath,
    registryDir: join(dir, ".registry"),
    dev: false,
  });
  await vr.ready();
  return {
    outDir: built.outDir,
    manifest: JSON.parse(readFileSync(built.manifestPath, "utf8")) as Manifest,
    viteHtml: readFileSync(join(built.outDir, "index.html"), "utf8"),
    vr,
  };
}

/**
 * A real Vite dev server for the fixture, with the framework's plugin and ours, and a dev-mode
 * `vr` that finds it through the hot file the plugin writes (in the fixture's directory, never
 * the repo's default path other tests read): no port, host or base given to `vr`.
 */
export async function startDevFixture(
  dir: string,
  framework: PluginOption,
): Promise<{ vr: ViteRolling; server: ViteDevServer }> {
  const port = await freePort();
  const hotFile = join(dir, ".hot");
  const server = await createServer({
    root: dir,
    configFile: false,
    logLevel: "silent",
    base: BASE,
    // Its own pre-bundled dependencies: the default, the repo's node_modules/.vite, is shared
    // with every other dev server of the suite, whose optimizer may rewrite it mid-load.
    cacheDir: join(dir, ".vite-cache"),
    plugins: [framework, vitePlugin({ hotFile })],
    server: { host: "127.0.0.1", port, strictPort: true },
  });
  await server.listen();
  // The plugin writes it once the server listens.
  await waitUntil(() => existsSync(hotFile), "the plugin's hot file", 10_000);
  const vr = createViteRolling({
    // No build: dev mode must reach the dev server, not fall back to built files.
    manifestPath: join(dir, "no-build/.vite/manifest.json"),
    registryDir: join(dir, ".registry"),
    dev: true,
    hotFile,
    logger: { warn: () => {} },
  });
  await vr.ready();
  return { vr, server };
}

export interface ServeOptions {
  /** Built files served at BASE, as the README's Quick start does; omit to serve none. */
  outDir?: string;
  /** The page body's mount point and the tags, from the request's template helpers. */
  body: (vite: TemplateHelpers) => string;
  head?: (vite: TemplateHelpers) => string;
}

/** An Express app rendering every GET path through the library, on a loopback port. */
export async function serveApp(
  vr: ViteRolling,
  options: ServeOptions,
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.use(expressAdapter(vr));
  if (options.outDir) {
    app.use(BASE, express.static(options.outDir, { setHeaders: setStaticHeaders }));
  }
  app.get("/{*path}", (req, res, next) => {
    // Under BASE only built files answer (else Express's 404), as in a real app.
    if (req.path.startsWith(BASE)) return next();
    const { vite } = res.locals;
    res.send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fixture</title>${options.head?.(vite) ?? ""}</head>
<body>${options.body(vite)}</body></html>`);
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Everything that went wrong on a page, and every response it got. */
export interface PageLog {
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Requests that failed or answered 400 and above. */
  failed: string[];
  responses: Response[];
}

/** Starts recording `page`'s errors, failed requests and responses. */
export function watchPage(page: Page): PageLog {
  const log: PageLog = { errors: [], failed: [], responses: [] };
  page.on("console", (message) => {
    // Chromium's own favicon request is no request of the page (Playwright does not report it).
    if (message.location().url.endsWith("/favicon.ico")) return;
    if (message.type() === "error") log.errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => log.errors.push(`pageerror: ${error.message}`));
  page.on("requestfailed", (request) =>
    log.failed.push(`${request.url()} ${request.failure()?.errorText ?? "failed"}`),
  );
  page.on("response", (response) => {
    log.responses.push(response);
    if (response.status() >= 400) log.failed.push(`${response.url()} ${response.status()}`);
  });
  return log;
}

/**
 * Waits for `text` on a page served by a dev server, which may pre-bundle dependencies first
 * (slow on a busy machine); on timeout the page's errors and failed requests say why.
 */
export async function waitForText(page: Page, text: string, log: PageLog): Promise<void> {
  await page
    .getByText(text)
    .waitFor({ timeout: 60_000 })
    .catch((error: Error) => {
      throw new Error(`${error.message}\npage log: ${JSON.stringify(log, ["errors", "failed"])}`);
    });
}

/** The status of the response to `BASE + file`, or undefined when the page never asked. */
export function statusOf(log: PageLog, file: string): number | undefined {
  return log.responses.find((r) => new URL(r.url()).pathname === `${BASE}${file}`)?.status();
}

/** A chunk's own file and its CSS files, by source path. */
export function filesOf(manifest: Manifest, source: string): { js: string; css: string[] } {
  const chunk = manifest[source];
  if (!chunk) throw new Error(`${source} is not in the manifest: ${Object.keys(manifest)}`);
  return { js: chunk.file, css: chunk.css ?? [] };
}

/** The computed value of a CSS property of the first element matching `selector`. */
export function computed(page: Page, selector: string, property: string): Promise<string> {
  return page
    .locator(selector)
    .first()
    .evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);
}
