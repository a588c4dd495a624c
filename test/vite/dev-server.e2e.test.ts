// Dev mode as Laravel does it: the plugin's hot file names the running Vite dev server, the
// server side follows it (and falls back to the build without one), server.origin and CORS are
// set for a backend, CSS entries and HTML entries render, and the first paint is styled.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { createServer, type InlineConfig, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createViteRolling } from "../../src/index.js";
import type { ViteRolling } from "../../src/types.js";
import viteRolling from "../../src/vite/plugin.js";
import { launchChromium } from "../helpers/browser.js";
import { ROOT, tempDir } from "../helpers/tmp.js";
import { buildApp, writeFiles } from "../helpers/vite.js";

const FILES = {
  "src/main.ts": `import "./main.css"; import { n } from "./dep"; document.title = "main " + n;`,
  "src/dep.ts": `import "./dep.css"; export const n = 1;`,
  "src/main.css": "h1 { color: rgb(255, 0, 0); } .logo { background: url(./logo.svg); }",
  "src/dep.css": "h1 { font-style: italic; }",
  "src/lazy.ts": `import "./lazy.css"; export const lazy = 1;`,
  "src/lazy.css": "h1 { text-decoration: underline; }",
  "src/with-lazy.ts": `import "./main.css"; import("./lazy");`,
  "src/admin.css": "body { margin: 7px; }",
  "src/logo.svg": `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>`,
  "index.html": `<!doctype html><html><head><link rel="stylesheet" href="/src/admin.css"></head><body><script type="module" src="/src/main.ts"></script></body></html>`,
};

const WAIT = { timeout: 15_000, interval: 100 };

/** A logger that keeps what it was told. */
function recorder(): { warn(message: string): void; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (message: string) => warnings.push(message) };
}

const dir = tempDir("vite-dev-server");
const hotFile = join(dir.path, "run", "hot");
const servers: ViteDevServer[] = [];

async function startVite(
  config: InlineConfig = {},
): Promise<{ server: ViteDevServer; port: number }> {
  const server = await createServer({
    root: dir.path,
    configFile: false,
    logLevel: "silent",
    base: "/static/",
    plugins: [viteRolling({ hotFile })],
    server: { host: "127.0.0.1", port: 0, ws: false },
    // Small files would be inlined as data: URLs; the origin shows on a real URL.
    build: { assetsInlineLimit: 0 },
    ...config,
  });
  servers.push(server);
  await server.listen();
  const port = (server.httpServer!.address() as AddressInfo).port;
  // The hot file is written right after the socket listens.
  await vi.waitFor(() => expect(readFileSync(hotFile, "utf8")).toContain(`${port}`), WAIT);
  return { server, port };
}

/** A backend rendering one page per path with the library's tags. */
function backend(
  render: (path: string, host: string) => string,
): Promise<{ server: Server; url: string }> {
  const server = createHttpServer((req, res) => {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(render(req.url ?? "/", req.headers.host ?? ""));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

beforeAll(() => writeFiles(dir.path, FILES));
afterAll(async () => {
  for (const server of servers) await server.close();
  dir.cleanup();
});

describe("the hot file", () => {
  let vr: ViteRolling;
  let logger: ReturnType<typeof recorder>;

  it("names the running server as bound; tags follow it; removed on close; a restart on another port is picked up", async () => {
    expect(existsSync(hotFile)).toBe(false);
    const first = await startVite();
    expect(JSON.parse(readFileSync(hotFile, "utf8"))).toEqual({
      version: 1,
      protocol: "http",
      host: "127.0.0.1",
      port: first.port,
      base: "/static/",
    });
    logger = recorder();
    vr = createViteRolling({
      manifestPath: join(dir.path, "no-build.json"),
      dev: true,
      hotFile,
      logger,
    });
    await vr.ready();
    expect(logger.warnings).toEqual([]);
    const html = vr.scripts("src/main.ts", { host: "app.test:8000" });
    const urls = [...html.matchAll(/ src="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toEqual([
      `http://127.0.0.1:${first.port}/static/@vite/client`,
      `http://127.0.0.1:${first.port}/static/src/main.ts`,
    ]);
    for (const url of urls) expect((await fetch(url)).status, url).toBe(200);

    await first.server.close();
    expect(existsSync(hotFile)).toBe(false);
    // No dev server and no build: the devServer* options, said once.
    await expect
      .poll(() => vr.scripts("src/main.ts"), WAIT)
      .toContain("http://localhost:3001/static/src/main.ts");
    await expect.poll(() => logger.warnings.length, WAIT).toBe(1);
    vr.scripts("src/main.ts");
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain("no Vite dev server runs (no hot file at");
    expect(logger.warnings[0]).toContain(
      "the tags point at the devServer* options: http://localhost:3001/static/",
    );

    const second = await startVite();
    expect(second.port).not.toBe(first.port);
    await expect
      .poll(() => vr.scripts("src/main.ts"), WAIT)
      .toContain(`http://127.0.0.1:${second.port}/static/src/main.ts`);
    await second.server.close();
  });

  it("is not written by a dev server without the plugin (negative control)", async () => {
    const server = await createServer({
      root: dir.path,
      configFile: false,
      logLevel: "silent",
      server: { host: "127.0.0.1", port: 0, ws: false },
    });
    await server.listen();
    expect(existsSync(hotFile)).toBe(false);
    await server.close();
  });

  it("falls back to the build's manifest when no dev server runs, with one warning", async () => {
    const built = await buildApp(
      dir.path,
      {},
      {
        base: "/static/",
        plugins: [viteRolling({ hotFile: false })],
        build: { rollupOptions: { input: ["src/main.ts", "src/admin.css"] } },
      },
    );
    const logger = recorder();
    const dev = createViteRolling({ manifestPath: built.manifestPath, dev: true, hotFile, logger });
    const prod = createViteRolling({ manifestPath: built.manifestPath, dev: false, cache: false });
    await dev.ready();
    await prod.ready();
    expect(dev.scripts("src/main.ts")).toBe(prod.scripts("src/main.ts"));
    expect(dev.styles("src/main.ts")).toBe(prod.styles("src/main.ts"));
    expect(dev.styles("src/main.ts")).toMatch(/integrity="sha384-/);
    expect(dev.appVersion()).toBe(prod.appVersion());
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain(
      `renders from the build at ${JSON.stringify(built.manifestPath)} (production-like tags)`,
    );
    // A dev server starting takes over from the build.
    const { server, port } = await startVite();
    await expect
      .poll(() => dev.scripts("src/main.ts"), WAIT)
      .toContain(`:${port}/static/@vite/client`);
    await server.close();
  });
});

describe("a running dev server with the plugin", () => {
  let server: ViteDevServer;
  let port: number;
  let vr: ViteRolling;

  beforeAll(async () => {
    ({ server, port } = await startVite());
    vr = createViteRolling({ manifestPath: join(dir.path, "no-build.json"), dev: true, hotFile });
    await vr.ready();
  });
  afterAll(() => server.close());

  it("sets server.origin: CSS asset URLs in modules point at the dev server", async () => {
    const js = await (await fetch(`http://127.0.0.1:${port}/static/src/main.css`)).text();
    expect(js).toContain(`http://127.0.0.1:${port}/static/src/logo.svg`);
    expect(js).not.toContain("__vite_rolling_dev_origin__");
  });

  it("allows the backend's origin by CORS: localhost and this machine, not others", async () => {
    const acao = async (origin: string) =>
      (
        await fetch(`http://127.0.0.1:${port}/static/src/dep.ts`, { headers: { origin } })
      ).headers.get("access-control-allow-origin");
    expect(await acao("http://localhost:8000")).toBe("http://localhost:8000");
    expect(await acao("http://127.0.0.1:8000")).toBe("http://127.0.0.1:8000");
    expect(await acao("http://evil.example")).toBeNull();
  });

  it("a CSS entry renders a stylesheet link to the dev server, and no script", async () => {
    const html = vr.styles("src/admin.css", { host: "localhost:8000" });
    expect(html).toBe(
      `<link rel="stylesheet" href="http://127.0.0.1:${port}/static/src/admin.css">`,
    );
    const response = await fetch(`http://127.0.0.1:${port}/static/src/admin.css`, {
      headers: { accept: "text/css,*/*;q=0.1" },
    });
    expect(response.headers.get("content-type")).toMatch(/text\/css/);
    expect(await response.text()).toContain("margin: 7px");
    expect(vr.scripts("src/admin.css")).not.toContain("admin.css");
  });

  it("styles() of a module entry links the CSS its static graph imports, in import order, not lazy CSS", async () => {
    const html = vr.styles(["src/main.ts", "src/with-lazy.ts"]);
    const href = /href="([^"]+)"/.exec(html)![1]!.replaceAll("&amp;", "&");
    expect(href).toBe(
      `http://127.0.0.1:${port}/static/@vite-rolling/styles.css?entry=src%2Fmain.ts&entry=src%2Fwith-lazy.ts`,
    );
    const response = await fetch(href);
    expect(response.headers.get("content-type")).toMatch(/text\/css/);
    expect(await response.text()).toBe(
      [
        '@import url("/static/src/main.css?direct");',
        '@import url("/static/src/dep.css?direct");',
        "",
      ].join("\n"),
    );
  });

  it("an index.html entry works in dev: its module scripts and stylesheets", async () => {
    const src = /src="([^"]*entry\.js[^"]*)"/.exec(vr.scripts("index.html"))![1]!;
    expect(await (await fetch(src)).text()).toBe('import "/static/src/main.ts";\n');
    const href = /href="([^"]+)"/.exec(vr.styles("index.html"))![1]!;
    const css = await (await fetch(href)).text();
    expect(css.split("\n")[0]).toBe('@import url("/static/src/admin.css?direct");');
    expect(css).toContain('@import url("/static/src/main.css?direct");');
  });

  it("an index.html entry without the plugin's dev server fails at the first render, naming the fix", () => {
    const bare = createViteRolling({
      manifestPath: "none.json",
      dev: true,
      hotFile: join(dir.path, "nohot"),
      logger: recorder(),
    });
    expect(() => bare.scripts("index.html")).toThrow(
      /\[vite-rolling\] \[render\] scripts\("index.html"\): .*Fix: add viteRolling\(\) from "vite-rolling\/vite"/,
    );
  });
});

describe("first paint in Chromium", () => {
  let browser: Browser;
  let server: ViteDevServer;
  let page: { server: Server; url: string };
  let vr: ViteRolling;

  beforeAll(async () => {
    ({ server } = await startVite());
    vr = createViteRolling({ manifestPath: join(dir.path, "no-build.json"), dev: true, hotFile });
    await vr.ready();
    browser = await launchChromium();
    page = await backend((path, host) => {
      const entries = path.startsWith("/html") ? "index.html" : "src/main.ts";
      // A classic script after the stylesheets runs before any module script: what it reads
      // is the first paint's style.
      const styles = path.endsWith("/unstyled") ? "" : vr.styles(entries, { host });
      return `<!doctype html><html><head>${styles}</head><body><h1>Hi</h1>
<script>window.firstPaint = getComputedStyle(document.querySelector("h1")).color;</script>
${vr.scripts(entries, { host })}</body></html>`;
    });
  });
  afterAll(async () => {
    await browser?.close();
    page?.server.close();
    await server?.close();
  });

  const visit = async (path: string) => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    tab.on("requestfailed", (r) => errors.push(`failed ${r.url()}`));
    tab.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    await tab.goto(page.url + path, { waitUntil: "domcontentloaded" });
    await expect.poll(() => tab.title(), WAIT).toBe("main 1");
    return { tab, errors };
  };

  it.each(["/js", "/html"])(
    "%s: the first paint is styled, then the link gives way to Vite's styles",
    async (path) => {
      const { tab, errors } = await visit(path);
      expect(await tab.evaluate(() => (window as { firstPaint?: string }).firstPaint)).toBe(
        "rgb(255, 0, 0)",
      );
      // Modules ran: their <style> tags hold the CSS, the first-paint link is gone, still red.
      expect(
        await tab.evaluate(
          () => document.querySelectorAll("link[rel=stylesheet][href*='@vite-rolling']").length,
        ),
      ).toBe(0);
      expect(await tab.evaluate(() => getComputedStyle(document.querySelector("h1")!).color)).toBe(
        "rgb(255, 0, 0)",
      );
      expect(errors).toEqual([]);
      await tab.close();
    },
  );

  it("without styles() the first paint is unstyled (negative control)", async () => {
    const { tab, errors } = await visit("/js/unstyled");
    expect(await tab.evaluate(() => (window as { firstPaint?: string }).firstPaint)).toBe(
      "rgb(0, 0, 0)",
    );
    expect(await tab.evaluate(() => getComputedStyle(document.querySelector("h1")!).color)).toBe(
      "rgb(255, 0, 0)",
    );
    expect(errors).toEqual([]);
    await tab.close();
  });
});

describe.each([5, 6, 7, 8])("Vite %i dev server", (major) => {
  it("writes the hot file, sets server.origin, answers the graph's CSS, removes the file on close", async () => {
    const vite: { createServer: typeof createServer } = await import(
      major === 8 ? "vite" : `vite${major}`
    );
    const majorHot = join(dir.path, `hot-${major}`);
    const server = await vite.createServer({
      root: dir.path,
      configFile: false,
      logLevel: "silent",
      base: "/static/",
      plugins: [viteRolling({ hotFile: majorHot })],
      server: { host: "127.0.0.1", port: 0, ws: false },
      build: { assetsInlineLimit: 0 },
    });
    await server.listen();
    const port = (server.httpServer!.address() as AddressInfo).port;
    await vi.waitFor(
      () => expect(readFileSync(majorHot, "utf8")).toContain(`"port": ${port},`),
      WAIT,
    );
    const vr = createViteRolling({ manifestPath: "none.json", dev: true, hotFile: majorHot });
    await vr.ready();
    const href = /href="([^"]+)"/.exec(vr.styles("src/main.ts"))![1]!;
    expect(await (await fetch(href)).text()).toBe(
      '@import url("/static/src/main.css?direct");\n@import url("/static/src/dep.css?direct");\n',
    );
    const js = await (await fetch(`http://127.0.0.1:${port}/static/src/main.css`)).text();
    expect(js).toContain(`http://127.0.0.1:${port}/static/src/logo.svg`);
    await server.close();
    expect(existsSync(majorHot)).toBe(false);
  });
});

describe("the hot file when the process ends", () => {
  it.each(["SIGINT", "SIGTERM"] as const)(
    "is removed on %s, and the process still ends by it",
    async (signal) => {
      const childHot = join(dir.path, `hot-${signal}`);
      const script = join(dir.path, `serve-${signal}.mts`);
      writeFiles(dir.path, {
        [`serve-${signal}.mts`]: `
import { createServer } from "vite";
import viteRolling from ${JSON.stringify(join(ROOT, "src/vite/plugin.ts"))};
const server = await createServer({
  root: ${JSON.stringify(dir.path)}, configFile: false, logLevel: "silent",
  plugins: [viteRolling({ hotFile: ${JSON.stringify(childHot)} })],
  server: { host: "127.0.0.1", port: 0, ws: false },
});
await server.listen();
`,
      });
      const child = spawn(process.execPath, ["--import", "tsx", script], {
        cwd: ROOT,
        stdio: "ignore",
      });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.once("exit", (code, sig) => resolve(sig ?? code)),
      );
      await vi.waitFor(() => expect(existsSync(childHot)).toBe(true), {
        timeout: 30_000,
        interval: 100,
      });
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(existsSync(childHot)).toBe(false);
    },
  );
});
