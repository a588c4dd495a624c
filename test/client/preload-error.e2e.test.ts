// vite:preloadError in real Chromium: a real Vite build whose lazy chunk a "deploy" deletes
// after the page loaded. The stale-client script turns the failure into one guarded full load.
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderVersionTags } from "../../src/html/version-tags.js";
import type { MismatchAction } from "../../src/options.js";
import { launchChromium } from "../helpers/browser.js";
import { tempDir } from "../helpers/tmp.js";
import { type BuiltApp, buildApp } from "../helpers/vite.js";

/** Chromium's message when a dynamic import's module cannot be fetched. */
const FETCH_FAILED = /dynamically imported module/;

interface ManifestChunk {
  file: string;
}

/** Waits on conditions, never sleeps: generous, since a loaded 2-core runner can be slow. */
const WAIT = { timeout: 20_000, interval: 50 };

let browser: Browser;
let dir: { path: string; cleanup: () => void };
let app: BuiltApp;
let mismatch: MismatchAction;
let documents: string[];
let server: Server;
let base: string;

beforeAll(async () => {
  dir = tempDir("client-preload");
  app = await buildApp(
    dir.path,
    {
      "src/main.js": `document.getElementById("go").addEventListener("click", async () => {
  const { hello } = await import("./lazy.js");
  document.getElementById("out").textContent = hello();
});
document.getElementById("out").textContent = "ready";`,
      "src/lazy.js": `export const hello = () => "lazy loaded";`,
    },
    { base: "/assets-root/", build: { rollupOptions: { input: "src/main.js" } } },
  );
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/page") {
      if (req.headers["sec-fetch-dest"] === "document") documents.push(url.pathname + url.search);
      const manifest = JSON.parse(readFileSync(app.manifestPath, "utf8")) as Record<
        string,
        ManifestChunk
      >;
      res.writeHead(200, { "content-type": "text/html", "cache-control": "no-store" });
      res.end(`<!doctype html><html><head>${renderVersionTags({ version: "A", mismatch })}
<script type="module" src="/assets-root/${manifest["src/main.js"]!.file}"></script></head>
<body><button id="go">go</button><p id="out"></p></body></html>`);
      return;
    }
    if (url.pathname.startsWith("/assets-root/")) {
      try {
        const body = readFileSync(join(app.outDir, url.pathname.slice("/assets-root/".length)));
        res.writeHead(200, { "content-type": "text/javascript" }).end(body);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  dir?.cleanup();
});

describe("vite:preloadError", () => {
  let context: BrowserContext;
  let page: Page;
  let warnings: string[];
  let pageErrors: string[];

  beforeEach(async () => {
    documents = [];
    context = await browser.newContext();
    page = await context.newPage();
    warnings = [];
    pageErrors = [];
    page.on("console", (msg) => {
      if (msg.type() === "warning" && msg.text().startsWith("[vite-rolling]"))
        warnings.push(msg.text());
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });
  afterEach(async () => {
    await context?.close();
  });

  /** Loads the page, then deletes the lazy chunk as a deploy of another release would. */
  async function openThenDeploy() {
    // Rebuilt per test: an earlier test deleted the chunk.
    app = await buildApp(
      dir.path,
      {},
      {
        base: "/assets-root/",
        build: { rollupOptions: { input: "src/main.js" } },
      },
    );
    await page.goto(`${base}/page?from=test`);
    await expect.poll(() => page.textContent("#out"), WAIT).toBe("ready");
    const manifest = JSON.parse(readFileSync(app.manifestPath, "utf8")) as Record<
      string,
      ManifestChunk
    >;
    rmSync(join(app.outDir, manifest["src/lazy.js"]!.file));
  }

  it("reload: a failed lazy import does one guarded full load of the current URL", async () => {
    mismatch = "reload";
    await openThenDeploy();
    await page.click("#go");
    await expect.poll(() => documents, WAIT).toEqual(["/page?from=test", "/page?from=test"]);
    await expect.poll(() => page.textContent("#out").catch(() => null), WAIT).toBe("ready");
    // Handled: Vite's import resolves to undefined (the app's destructuring fails) instead of
    // rejecting with the fetch error, and the navigation replaces the page.
    expect(pageErrors.filter((m) => FETCH_FAILED.test(m))).toEqual([]);

    // The chunk is still missing: the guard stops a second load and lets the error through.
    await page.click("#go");
    await expect.poll(() => warnings, WAIT).toHaveLength(1);
    expect(warnings[0]).toContain("lazy chunk failed");
    expect(warnings[0]).toContain("not again");
    await expect.poll(() => pageErrors.filter((m) => FETCH_FAILED.test(m)), WAIT).toHaveLength(1);
    expect(documents).toEqual(["/page?from=test", "/page?from=test"]);
  });

  it("warn: logs and leaves the error to the app, no navigation", async () => {
    mismatch = "warn";
    await openThenDeploy();
    await page.click("#go");
    await expect.poll(() => pageErrors.filter((m) => FETCH_FAILED.test(m)), WAIT).toHaveLength(1);
    await expect.poll(() => warnings, WAIT).toHaveLength(1);
    expect(warnings[0]).toContain("lazy chunk failed");
    expect(documents).toEqual(["/page?from=test"]);
  });
});
