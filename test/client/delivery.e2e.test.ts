/**
 * Delivery extras in real Chromium, over real HTTP, from real Vite builds: Link headers, tags
 * and a strict CSP nonce together fetch every file once; prefetched lazy chunks are in the
 * cache before the lazy import runs; the import map works under the same nonce.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import express from "express";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viteRolling as adapter } from "../../src/adapters/express.js";
import { createViteRolling } from "../../src/engine/front.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolvePrefetch } from "../../src/manifest/walk.js";
import type { ViteRollingOptions } from "../../src/options.js";
import type { ViteRolling } from "../../src/types.js";
import { viteRolling as vitePlugin } from "../../src/vite/plugin.js";
import { launchChromium } from "../helpers/browser.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

/** Waits on conditions, never sleeps. */
const WAIT = { timeout: 20_000, interval: 50 };

// `lazy` and `other` share `shared.ts`, so it is a chunk of its own; `deeper` is a lazy chunk
// of a lazy chunk; `dep` is on the page already, so nothing prefetches it.
const FILES = {
  "src/main.ts": `import "./style.css";
import { dep } from "./dep";
const out = document.getElementById("out")!;
out.textContent = "ready " + dep;
document.getElementById("go")!.addEventListener("click", async () => {
  const { run } = await import("./lazy");
  out.textContent = await run();
});
document.getElementById("other")!.addEventListener("click", async () => {
  out.textContent = (await import("./other")).other;
});
`,
  "src/dep.ts": 'export const dep = "dep";\n',
  "src/style.css": "body { color: rgb(1, 2, 3); }\n",
  "src/shared.ts": 'export const shared = "shared";\n',
  "src/lazy.ts": `import "./lazy.css";
import { dep } from "./dep";
import { shared } from "./shared";
export async function run() {
  const { deeper } = await import("./deeper");
  return ["lazy", dep, shared, deeper, getComputedStyle(document.getElementById("out")!).color].join(" ");
}
`,
  "src/lazy.css": "#out { color: rgb(4, 5, 6); }\n",
  "src/other.ts": 'import { shared } from "./shared";\nexport const other = "other " + shared;\n',
  "src/deeper.ts": 'export const deeper = "deeper";\n',
};

const LAZY_TEXT = "lazy dep shared deeper rgb(4, 5, 6)";

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
};

interface Site {
  url: string;
  vr: ViteRolling;
  manifest: Manifest;
  /** Every request the server answered, in order: path only. */
  log: string[];
  /** The CSP nonce the next page declares; null: the page's own nonce. */
  cspOverride: string | null;
  /** Requests for these paths wait until the test releases them; `most`: most waiting at once. */
  hold: { paths: Set<string>; waiting: Map<string, () => void>; most: number } | null;
  close(): Promise<void>;
}

const work = tempDir("delivery-browser");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  work.cleanup();
});

/** A real build served by Express with the adapter, a fresh nonce and a strict CSP per page. */
async function site(
  name: string,
  options: Partial<ViteRollingOptions>,
  chunkImportMap = false,
): Promise<Site> {
  const built = await buildApp(join(work.path, name), FILES, {
    base: "/static/",
    plugins: [vitePlugin()],
    build: { chunkImportMap, rollupOptions: { input: "src/main.ts" } },
  });
  const vr = createViteRolling({
    manifestPath: built.manifestPath,
    dev: false,
    cache: false,
    logger: { warn() {} },
    ...options,
  });
  await vr.ready();
  const log: string[] = [];
  const app = express();
  const state: Site = {
    url: "",
    vr,
    manifest: JSON.parse(await readFile(built.manifestPath, "utf8")) as Manifest,
    log,
    cspOverride: null,
    hold: null,
    close: async () => {},
  };
  app.use((req, res, next) => {
    log.push(req.path);
    res.locals.cspNonce = randomBytes(16).toString("base64");
    next();
  });
  app.use(adapter(vr));
  app.get("/page", (_req, res) => {
    const vite = res.locals.vite;
    const nonce = state.cspOverride ?? vite.nonce();
    res.set(
      "content-security-policy",
      `script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; object-src 'none'; base-uri 'none'`,
    );
    res.set("cache-control", "no-store");
    vite.preload("src/main.ts");
    // Vite's preload helper reads the nonce for the lazy chunks' CSS from this meta tag.
    res.send(`<!doctype html><html><head>
<meta property="csp-nonce" nonce="${vite.nonce()}">
${vite.styles("src/main.ts")}
</head><body><button id="go">go</button><button id="other">other</button><p id="out"></p>
${vite.scripts("src/main.ts")}
</body></html>`);
  });
  app.get("/favicon.ico", (_req, res) => void res.status(204).end());
  app.get("/static/*path", async (req, res) => {
    const hold = state.hold;
    if (hold?.paths.has(req.path)) {
      await new Promise<void>((resolve) => {
        hold.waiting.set(req.path, resolve);
        hold.most = Math.max(hold.most, hold.waiting.size);
      });
    }
    try {
      const body = await readFile(join(built.outDir, req.path.slice("/static/".length)));
      res.set("content-type", TYPES[extname(req.path)] ?? "application/octet-stream");
      // Hashed names never change: the headers a real deploy sends for them.
      res.set("cache-control", "public, max-age=31536000, immutable");
      res.send(body);
    } catch {
      res.status(404).end();
    }
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

const fileOf = (s: Site, key: string) => `/static/${s.manifest[key]!.file}`;
const cssOf = (s: Site, key: string) => s.manifest[key]!.css!.map((f) => `/static/${f}`);

/** How many times the server was asked for each path under /static/. */
function counts(log: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const path of log) if (path.startsWith("/static/")) out[path] = (out[path] ?? 0) + 1;
  return out;
}

/**
 * A page that records, from before its first byte: CSP violations, and every request it
 * makes (cache hits included: a preload the tag cannot use shows as a second request for the
 * same URL, even when the cache then answers it and the server never sees it).
 */
async function open(): Promise<{
  page: Page;
  requests: string[];
  violations: () => Promise<string[]>;
}> {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const list: string[] = [];
    Object.assign(window, { __violations: list });
    document.addEventListener("securitypolicyviolation", (e) =>
      list.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on("request", (request) => requests.push(new URL(request.url()).pathname));
  return {
    page,
    requests,
    violations: () =>
      page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
  };
}

/** Files the browser finished loading (Resource Timing), as paths. */
const loaded = (page: Page) =>
  page.evaluate(() =>
    performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname),
  );

describe.each([
  ["aggressive", false],
  ["waterfall", false],
  ["waterfall", true],
] as const)("prefetch %s, chunk import map %s", (prefetch, chunkImportMap) => {
  let s: Site;
  beforeAll(async () => {
    s = await site(
      `${prefetch}-${chunkImportMap}`,
      {
        prefetch,
        prefetchConcurrency: 2,
        linkHeader: true,
        earlyHints: true,
      },
      chunkImportMap,
    );
  });
  afterAll(() => s?.close());

  it("fetches every file once, lazy chunks before the click and never again", async () => {
    const { page, requests, violations } = await open();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // Chromium warns about a preload it could not use ("... is found, but is not used because
    // the request credentials mode does not match") or that nothing used.
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    const response = await page.goto(`${s.url}/page`);
    const link = response!.headers().link ?? "";
    // The page's files are announced in the Link header, with the page's nonce.
    const nonce = /nonce="([^"]+)"/.exec(link)?.[1];
    expect(nonce).toBeTruthy();
    expect(link).toContain(`<${fileOf(s, "src/main.ts")}>; rel=modulepreload; crossorigin`);
    expect(link).toContain(`<${cssOf(s, "src/main.ts")[0]}>; rel=preload; as=style; crossorigin`);
    await expect.poll(() => page.textContent("#out"), WAIT).toBe("ready dep");

    const lazy = [
      fileOf(s, "src/lazy.ts"),
      ...cssOf(s, "src/lazy.ts"),
      fileOf(s, "src/other.ts"),
      fileOf(s, "src/deeper.ts"),
      fileOf(s, sharedKey(s)),
    ];
    // Prefetched after load, each completely, before anything asks for them.
    await expect
      .poll(async () => {
        const done = await loaded(page);
        return lazy.filter((f) => !done.includes(f));
      }, WAIT)
      .toEqual([]);
    const before = s.log.length;
    for (const f of lazy) expect(s.log.indexOf(f), f).toBeGreaterThanOrEqual(0);
    // Link header, tags and prefetch together asked for each file once.
    const asked = counts(requests);
    expect(Object.entries(asked).filter(([, n]) => n !== 1)).toEqual([]);
    expect(Object.keys(asked).sort()).toEqual(Object.keys(counts(s.log)).sort());

    await page.click("#go");
    await expect.poll(() => page.textContent("#out"), WAIT).toBe(LAZY_TEXT);
    // The click fetched nothing: the lazy chunk, its import, its CSS and its own lazy chunk
    // all came from the cache.
    expect(s.log.slice(before).filter((p) => p.startsWith("/static/"))).toEqual([]);
    const perFile = counts(s.log);
    expect(Object.entries(perFile).filter(([, n]) => n !== 1)).toEqual([]);
    expect(Object.keys(perFile)).toEqual(
      expect.arrayContaining([...lazy, fileOf(s, "src/main.ts")]),
    );
    expect(await violations()).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

/** The manifest key of the chunk `lazy` and `other` share. */
function sharedKey(s: Site): string {
  const lazyImports = s.manifest["src/lazy.ts"]!.imports ?? [];
  const key = lazyImports.find((k) => (s.manifest["src/other.ts"]!.imports ?? []).includes(k));
  if (!key) throw new Error(`no shared chunk in ${JSON.stringify(s.manifest)}`);
  return key;
}

describe('"waterfall"', () => {
  it("keeps prefetchConcurrency fetches in flight, the next as one finishes", async () => {
    const s = await site("concurrency", { prefetch: "waterfall", prefetchConcurrency: 2 });
    try {
      const files = resolvePrefetch(s.manifest, ["src/main.ts"]).map((f) => `/static/${f}`);
      expect(files.length).toBeGreaterThan(3);
      s.hold = { paths: new Set(files), waiting: new Map(), most: 0 };
      const { page } = await open();
      await page.goto(`${s.url}/page`);
      for (let done = 0; done < files.length; done++) {
        const expected = Math.min(2, files.length - done);
        await expect.poll(() => s.hold!.waiting.size, WAIT).toBe(expected);
        const [path, release] = [...s.hold.waiting][0]!;
        s.hold.waiting.delete(path);
        release();
      }
      expect(s.hold.most).toBe(2);
      expect(counts(s.log)).toEqual(
        expect.objectContaining(Object.fromEntries(files.map((f) => [f, 1]))),
      );
      await page.context().close();
    } finally {
      await s.close();
    }
  });
});

describe("a strict CSP", () => {
  it("blocks the tags when the nonce is wrong (the browser tests above would notice one)", async () => {
    const s = await site("csp-control", { linkHeader: true });
    try {
      s.cspOverride = "wrong";
      const { page, violations } = await open();
      await page.goto(`${s.url}/page`);
      await expect.poll(async () => (await violations()).length, WAIT).toBeGreaterThan(0);
      expect(await page.textContent("#out")).toBe("");
      await page.context().close();
    } finally {
      await s.close();
    }
  });
});
