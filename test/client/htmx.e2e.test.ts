// The stale-client script in real Chromium against htmx 2 and htmx 4, served by a real
// node:http server whose "current version" a test switches mid-session (a deploy).
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderVersionTags } from "../../src/html/version-tags.js";
import type { MismatchAction } from "../../src/options.js";
import { launchChromium } from "../helpers/browser.js";
import { ROOT } from "../helpers/tmp.js";

interface Hit {
  path: string;
  /** Version the response carried. */
  served: string;
  /** `Sec-Fetch-Dest`: "document" for a full load, "empty" for htmx's XHR / fetch. */
  dest: string | undefined;
  clientVersion: string | undefined;
  restore: boolean;
  /** `X-Vite-Rolling`: "1" on requests the script saw. */
  script: string | undefined;
}

/** The app under test: pages and a fragment, every response stamped with X-App-Version. */
class App {
  version = "A";
  mismatch: MismatchAction = "reload";
  /** Flapping: documents alternate A, B, A…; fragments answer the other version. */
  flap = false;
  hits: Hit[] = [];
  #lastDocument = "B";
  readonly server: Server;

  constructor(readonly htmx: 2 | 4) {
    const script = readFileSync(join(ROOT, `node_modules/htmx${htmx}/dist/htmx.js`));
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/htmx.js") {
        res.writeHead(200, { "content-type": "text/javascript" }).end(script);
        return;
      }
      const page = /^\/page\/([a-z]+)$/.exec(url.pathname)?.[1];
      if (!page && url.pathname !== "/frag") {
        res.writeHead(404).end();
        return;
      }
      const served = this.#versionFor(req, !page);
      this.hits.push({
        path: url.pathname,
        served,
        dest: header(req, "sec-fetch-dest"),
        clientVersion: header(req, "x-client-version"),
        restore: header(req, "hx-history-restore-request") === "true",
        script: header(req, "x-vite-rolling"),
      });
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "x-app-version": served,
      });
      res.end(
        page ? this.#page(page, served, url.searchParams.has("prevent")) : this.#frag(served),
      );
    });
  }

  #versionFor(req: IncomingMessage, fragment: boolean): string {
    if (!this.flap) return this.version;
    if (fragment) return this.#lastDocument === "A" ? "B" : "A";
    // Only documents flip; htmx requests for pages answer like fragments (the other version).
    if (header(req, "sec-fetch-dest") !== "document") return this.#lastDocument === "A" ? "B" : "A";
    this.#lastDocument = this.#lastDocument === "A" ? "B" : "A";
    return this.#lastDocument;
  }

  #page(name: string, version: string, prevent: boolean): string {
    const boost = this.htmx === 4 ? "hx-boost:inherited" : "hx-boost";
    const preventer = prevent
      ? `<script>document.addEventListener("vite-rolling:stale", (e) => { e.preventDefault(); window.staleDetail = e.detail; });</script>`
      : "";
    const slot = name === "flap" ? `<div id="slot" hx-get="/frag" hx-trigger="load"></div>` : "";
    return `<!doctype html><html><head><title>${name}</title>
<meta name="htmx-config" content='{"historyCacheSize":0}'>
${renderVersionTags({ version, mismatch: this.mismatch })}
${preventer}<script src="/htmx.js"></script></head>
<body ${boost}="true"><h1 id="title">${name}</h1><p id="version">${version}</p>
<a id="one" href="/page/one">one</a> <a id="two" href="/page/two?x=1">two</a> <a id="three" href="/page/three">three</a>
${slot}</body></html>`;
  }

  #frag(version: string): string {
    return `<p id="frag">fragment ${version}</p>`;
  }

  /** Full document loads, in order, as "path@version". */
  documents(): string[] {
    return this.hits.filter((h) => h.dest === "document").map((h) => `${h.path}@${h.served}`);
  }

  htmxRequests(): Hit[] {
    return this.hits.filter((h) => h.dest !== "document");
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** What the page shows, or null while it is between documents. */
async function snapshot(page: Page) {
  try {
    return await page.evaluate(() => ({
      path: location.pathname + location.search,
      title: document.getElementById("title")?.textContent ?? null,
      version: document.getElementById("version")?.textContent ?? null,
      frag: document.getElementById("frag")?.textContent ?? null,
      ready: document.readyState,
      htmx: "htmx" in window,
    }));
  } catch {
    return null; // execution context destroyed by a navigation: poll again
  }
}

/** Waits on conditions, never sleeps: generous, since a loaded 2-core runner can be slow. */
const WAIT = { timeout: 20_000, interval: 50 };

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each([2, 4] as const)("stale client with htmx %i", (htmxMajor) => {
  let app: App;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let warnings: string[];

  beforeEach(async () => {
    app = new App(htmxMajor);
    await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    context = await browser.newContext();
    page = await context.newPage();
    warnings = [];
    page.on("console", (msg) => {
      if (msg.type() === "warning" && msg.text().startsWith("[vite-rolling]"))
        warnings.push(msg.text());
    });
  });
  afterEach(async () => {
    await context?.close();
    await new Promise((resolve) => app.server.close(resolve));
  });

  async function open(path: string) {
    await page.goto(`${base}${path}`);
    await expect.poll(() => snapshot(page), WAIT).toMatchObject({ ready: "complete", htmx: true });
  }

  /** Records in sessionStorage (it survives full loads) whether htmx ever swapped. */
  async function watchSwaps() {
    await page.evaluate(() => {
      for (const name of ["htmx:afterSwap", "htmx:after:swap"])
        document.addEventListener(name, () => sessionStorage.setItem("swapped", "yes"));
    });
  }

  it("reload: one full navigation to the link's destination, never swapping stale content", async () => {
    await open("/page/one");
    await watchSwaps();
    app.version = "B";
    await page.click("#two");

    await expect
      .poll(() => snapshot(page), WAIT)
      .toMatchObject({ path: "/page/two?x=1", title: "two", version: "B", ready: "complete" });
    expect(app.documents()).toEqual(["/page/one@A", "/page/two@B"]);
    // The boosted request went out with the page's version and was answered by B.
    expect(app.htmxRequests()).toMatchObject([
      { path: "/page/two", served: "B", clientVersion: "A", script: "1" },
    ]);
    expect(await page.evaluate(() => sessionStorage.getItem("swapped"))).toBeNull();
    expect(await page.evaluate(() => window.__viteRolling)).toEqual({ version: "B" });

    // On B, boosted navigation works as usual again: no more full loads.
    await page.click("#three");
    await expect
      .poll(() => snapshot(page), WAIT)
      .toMatchObject({ path: "/page/three", version: "B" });
    expect(app.documents()).toEqual(["/page/one@A", "/page/two@B"]);
    expect(app.htmxRequests().at(-1)).toMatchObject({ clientVersion: "B", served: "B" });
    expect(warnings).toEqual([]);
  });

  it("warn: swaps as usual, warns once per page, never navigates", async () => {
    app.mismatch = "warn";
    await open("/page/one");
    app.version = "B";
    await page.click("#two");
    await expect
      .poll(() => snapshot(page), WAIT)
      .toMatchObject({ path: "/page/two?x=1", version: "B" });
    await page.click("#three");
    await expect
      .poll(() => snapshot(page), WAIT)
      .toMatchObject({ path: "/page/three", version: "B" });

    expect(app.documents()).toEqual(["/page/one@A"]);
    await expect.poll(() => warnings, WAIT).toHaveLength(1);
    expect(warnings[0]).toContain("page A, server B");
  });

  it("a prevented vite-rolling:stale event skips the default action", async () => {
    await open("/page/one?prevent");
    app.version = "B";
    await page.click("#two");
    await expect
      .poll(() => page.evaluate(() => (window as { staleDetail?: unknown }).staleDetail), WAIT)
      .toEqual({ pageVersion: "A", serverVersion: "B", url: `${base}/page/two?x=1` });
    // The app took over: htmx went on and swapped; no full load happened.
    await expect
      .poll(() => snapshot(page), WAIT)
      .toMatchObject({ path: "/page/two?x=1", version: "B" });
    expect(app.documents()).toEqual(["/page/one@A"]);
    expect(warnings).toEqual([]);
  });

  it("flapping versions A→B→A reload once per URL, then warn", async () => {
    app.flap = true;
    await page.goto(`${base}/page/flap`);
    // Each load's fragment comes from the other version; the guard lets the URL through once
    // whatever the version (keyed by version, two flapping releases got two loads), so the
    // second document keeps its page and swaps the fragment in.
    await expect
      .poll(() => snapshot(page), WAIT)
      .toMatchObject({ path: "/page/flap", frag: expect.stringMatching(/^fragment [AB]$/) });
    expect(app.documents()).toEqual(["/page/flap@A", "/page/flap@B"]);
    await expect.poll(() => warnings, WAIT).toHaveLength(1);
    expect(warnings[0]).toContain(`not loading ${base}/page/flap again`);
    // The guard's record: one key per URL loaded automatically.
    const keys = await page.evaluate(() =>
      Object.keys(sessionStorage).filter((key) => key.startsWith("vite-rolling:load:")),
    );
    expect(keys).toEqual([`vite-rolling:load:${base}/page/flap`]);
  });

  it("a history restore (cache miss) answered by a new version loads that URL in full", async () => {
    await open("/page/one");
    await page.click("#three");
    await expect
      .poll(() => snapshot(page), WAIT)
      .toMatchObject({ path: "/page/three", version: "A" });
    app.version = "B";
    await page.evaluate(() => history.back());

    await expect
      .poll(() => snapshot(page), WAIT)
      .toMatchObject({ path: "/page/one", version: "B", ready: "complete" });
    expect(app.documents()).toEqual(["/page/one@A", "/page/one@B"]);
    // htmx 4 restores through its request pipeline (with the script's headers); htmx 2 by a
    // bare XHR, answered as a normal page, whose version the script checks all the same.
    expect(app.htmxRequests()).toMatchObject([
      { path: "/page/three", served: "A", clientVersion: "A", restore: false },
      {
        path: "/page/one",
        served: "B",
        clientVersion: htmxMajor === 4 ? "A" : undefined,
        restore: true,
      },
    ]);
  });
});
