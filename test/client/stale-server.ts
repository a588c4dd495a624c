// A real node:http app for the stale-client browser tests: pages carrying the version tags,
// fragments, a form endpoint and a version endpoint, every answer stamped with X-App-Version.
// Its version is switched by a test (a deploy) or alternates per request (`roundRobin`: what a
// round-robin balancer does in the middle of a rolling deploy).
import { readFileSync } from "node:fs";
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
} from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { renderVersionTags, type StaleClientOptions } from "../../src/html/version-tags.js";
import type { MismatchAction } from "../../src/options.js";
import { launchChromium } from "../helpers/browser.js";
import { ROOT } from "../helpers/tmp.js";

export interface Hit {
  method: string;
  /** Path and query. */
  url: string;
  /** Version of the answer. */
  served: string;
  /** HTTP status of the answer. */
  status: number;
  /** `Sec-Fetch-Dest`: "document" for a full load, "empty" for htmx's XHR / fetch. */
  dest: string | undefined;
  clientVersion: string | undefined;
  /** `X-Vite-Rolling`: "1" on requests the script saw. */
  script: string | undefined;
  ifNoneMatch: string | undefined;
  body: string;
}

/** HTML of a page body or fragment, from the version answering, the URL and the request body. */
export type Route = (version: string, url: URL, body: string) => string;

export class StaleServer {
  /** The live version, when not `roundRobin`. */
  version = "A";
  /** Every page and fragment request alternates A, B, A… (the version endpoint too). */
  roundRobin = false;
  mismatch: MismatchAction = "reload";
  options: StaleClientOptions = {};
  /** Extra tags for <head> (after the version tags, before htmx). */
  head = "";
  hits: Hit[] = [];
  #turn = 0;
  #server: Server;
  #htmx: Buffer | null;
  base = "";

  /**
   * `pages`: path → body of a full page (boosted requests get the full page too); `fragments`:
   * path → HTML answered as is; `htmx`: the htmx major version to load, or null for none.
   */
  constructor(
    readonly htmx: 2 | 4 | null,
    readonly pages: Record<string, Route>,
    readonly fragments: Record<string, Route> = {},
  ) {
    this.#htmx = htmx ? readFileSync(join(ROOT, `node_modules/htmx${htmx}/dist/htmx.js`)) : null;
    this.#server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk;
      });
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x");
        if (url.pathname === "/htmx.js" && this.#htmx) {
          res.writeHead(200, { "content-type": "text/javascript" }).end(this.#htmx);
          return;
        }
        const page = this.pages[url.pathname];
        const fragment = this.fragments[url.pathname];
        const isVersion = url.pathname === "/version";
        if (!page && !fragment && !isVersion) {
          res.writeHead(404).end();
          return;
        }
        const served = this.roundRobin ? (this.#turn++ % 2 === 0 ? "A" : "B") : this.version;
        const hit: Hit = {
          method: req.method ?? "GET",
          url: url.pathname + url.search,
          served,
          status: 200,
          dest: header(req, "sec-fetch-dest"),
          clientVersion: header(req, "x-client-version"),
          script: header(req, "x-vite-rolling"),
          ifNoneMatch: header(req, "if-none-match"),
          body,
        };
        this.hits.push(hit);
        const headers = { "cache-control": "no-store", "x-app-version": served };
        if (isVersion) {
          // What the product's version endpoint does: a 304 from memory while current.
          const etag = `"${served}"`;
          hit.status = hit.ifNoneMatch === etag ? 304 : 200;
          res.writeHead(hit.status, { ...headers, etag, "content-type": "application/json" });
          res.end(hit.status === 304 ? undefined : JSON.stringify({ version: served }));
          return;
        }
        res.writeHead(200, { ...headers, "content-type": "text/html; charset=utf-8" });
        res.end(
          page ? this.#document(served, page(served, url, body)) : fragment!(served, url, body),
        );
      });
    });
  }

  /** A full page around `body`. */
  #document(version: string, body: string): string {
    const boost = this.htmx === 4 ? "hx-boost:inherited" : "hx-boost";
    const htmx = this.htmx
      ? `<meta name="htmx-config" content='{"historyCacheSize":0}'><script src="/htmx.js"></script>`
      : "";
    return `<!doctype html><html><head><title>t</title>
${renderVersionTags({ version, mismatch: this.mismatch, ...this.options })}
${this.head}${htmx}</head>
<body ${boost}="true"><p id="version">${version}</p>${body}</body></html>`;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.base;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** Full document loads, in order, as "url@version". */
  documents(): string[] {
    return this.hits.filter((h) => h.dest === "document").map((h) => `${h.url}@${h.served}`);
  }

  /** Requests of `path` (pathname) that are not full loads. */
  requests(path: string): Hit[] {
    return this.hits.filter((h) => h.dest !== "document" && h.url.split("?")[0] === path);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Waits on conditions, never sleeps: generous, since a loaded 2-core runner can be slow. */
export const WAIT = { timeout: 20_000, interval: 50 };

/** Evaluates `fn` in the page, or null while the page is between documents. */
export async function inPage<T>(page: Page, fn: () => T): Promise<T | null> {
  try {
    return await page.evaluate(fn);
  } catch {
    return null; // execution context destroyed by a navigation: poll again
  }
}

/** Collects the script's `[vite-rolling]` console warnings of `page`. */
export function warningsOf(page: Page): string[] {
  const warnings: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "warning" && msg.text().startsWith("[vite-rolling]"))
      warnings.push(msg.text());
  });
  return warnings;
}

/** One Chromium for the test file (launched before all, closed after all). */
export function browserForFile(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}

/** What each test of a `tabPerTest` describe gets, fresh. */
export interface BrowserTab {
  context: BrowserContext;
  page: Page;
  /** The page's `[vite-rolling]` console warnings. */
  warnings: string[];
}

/** Gives each test of the enclosing describe its own browser context and page. */
export function tabPerTest(browser: () => Browser): BrowserTab {
  const tab: Partial<BrowserTab> = {};
  beforeEach(async () => {
    tab.context = await browser().newContext();
    tab.page = await tab.context.newPage();
    tab.warnings = warningsOf(tab.page);
  });
  afterEach(async () => {
    await tab.context?.close();
  });
  return tab as BrowserTab;
}

/** A `BrowserTab` and the app it talks to. */
export interface StaleTab extends BrowserTab {
  app: StaleServer;
}

/**
 * Gives each test of the enclosing describe a listening app (from `make`) and its own browser
 * context and page; closes them after it. Fields are set before each test runs.
 */
export function staleTabPerTest(browser: () => Browser, make: () => StaleServer): StaleTab {
  const tab: Partial<StaleTab> = tabPerTest(browser);
  beforeEach(async () => {
    tab.app = make();
    await tab.app.listen();
  });
  afterEach(async () => {
    await tab.app?.close();
  });
  return tab as StaleTab;
}

/**
 * A server for a real Vite build: `/assets-root/<file>` from `outDir`, every other path from
 * `page` (null: 404). Close it with `close()`.
 */
export async function builtAppServer(
  outDir: string,
  page: (url: URL, req: IncomingMessage) => { headers: OutgoingHttpHeaders; html: string } | null,
): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const file = url.pathname.startsWith("/assets-root/")
      ? url.pathname.slice("/assets-root/".length)
      : null;
    if (file === null) {
      const answer = page(url, req);
      if (answer) res.writeHead(200, { "content-type": "text/html", ...answer.headers });
      else res.writeHead(404);
      res.end(answer?.html);
      return;
    }
    try {
      const body = readFileSync(join(outDir, file));
      const type = file.endsWith(".css") ? "text/css" : "text/javascript";
      res.writeHead(200, { "content-type": type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
