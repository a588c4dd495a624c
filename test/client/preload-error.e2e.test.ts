// vite:preloadError in real Chromium: a real Vite build whose lazy chunk a "deploy" deletes
// after the page loaded. The stale-client script turns the failure into one guarded full load.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderVersionTags } from "../../src/html/version-tags.js";
import type { MismatchAction } from "../../src/options.js";
import { tempDir } from "../helpers/tmp.js";
import { type BuiltApp, buildApp } from "../helpers/vite.js";
import { browserForFile, builtAppServer, tabPerTest, WAIT } from "./stale-server.js";

/** Chromium's message when a dynamic import's module cannot be fetched. */
const FETCH_FAILED = /dynamically imported module/;

interface ManifestChunk {
  file: string;
}

const browser = browserForFile();
let dir: { path: string; cleanup: () => void };
let app: BuiltApp;
let mismatch: MismatchAction;
let documents: string[];
let server: Awaited<ReturnType<typeof builtAppServer>>;
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
// A client-side router: pushes the new URL, then imports the route's chunk.
document.getElementById("route").addEventListener("click", async () => {
  history.pushState({}, "", "/page?to=next");
  const { hello } = await import("./lazy.js");
  document.getElementById("out").textContent = hello();
});
document.getElementById("out").textContent = "ready";`,
      "src/lazy.js": `export const hello = () => "lazy loaded";`,
    },
    { base: "/assets-root/", build: { rollupOptions: { input: "src/main.js" } } },
  );
  server = await builtAppServer(app.outDir, (url, req) => {
    if (url.pathname !== "/page") return null;
    if (req.headers["sec-fetch-dest"] === "document") documents.push(url.pathname + url.search);
    const manifest = JSON.parse(readFileSync(app.manifestPath, "utf8")) as Record<
      string,
      ManifestChunk
    >;
    return {
      headers: { "cache-control": "no-store" },
      html: `<!doctype html><html><head>${renderVersionTags({ version: "A", mismatch })}
<script type="module" src="/assets-root/${manifest["src/main.js"]!.file}"></script></head>
<body><button id="go">go</button><button id="route">route</button><p id="out"></p></body></html>`,
    };
  });
  base = server.base;
});

afterAll(async () => {
  await server?.close();
  dir?.cleanup();
});

describe("vite:preloadError", () => {
  const tab = tabPerTest(browser);
  let page: Page;
  let warnings: string[];
  let pageErrors: string[];

  beforeEach(() => {
    documents = [];
    ({ page, warnings } = tab);
    pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
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
    expect(warnings[0]).toBe(
      `[vite-rolling] page A, server ?: not loading ${base}/page?from=test again`,
    );
    await expect.poll(() => pageErrors.filter((m) => FETCH_FAILED.test(m)), WAIT).toHaveLength(1);
    expect(documents).toEqual(["/page?from=test", "/page?from=test"]);
  });

  it("reload: a router that pushed its URL first lands where the user was going", async () => {
    mismatch = "reload";
    await openThenDeploy();
    await page.click("#route");
    await expect.poll(() => documents, WAIT).toEqual(["/page?from=test", "/page?to=next"]);
    await expect.poll(() => page.textContent("#out").catch(() => null), WAIT).toBe("ready");
    expect(page.url()).toBe(`${base}/page?to=next`);
  });

  it("warn: logs and leaves the error to the app, no navigation", async () => {
    mismatch = "warn";
    await openThenDeploy();
    await page.click("#go");
    await expect.poll(() => pageErrors.filter((m) => FETCH_FAILED.test(m)), WAIT).toHaveLength(1);
    await expect.poll(() => warnings, WAIT).toHaveLength(1);
    expect(warnings[0]).toContain("server ?:");
    expect(documents).toEqual(["/page?from=test"]);
  });
});
