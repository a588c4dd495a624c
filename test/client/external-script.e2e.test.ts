// The stale-client script as an external file (the default, `staleClientScript: "external"`),
// in real Chromium through the real node:http adapter, under a strict CSP that allows scripts
// only by nonce: the page's short tag loads the file the middleware serves, the integrity pin
// holds, and the script does its job (a failed lazy import makes one guarded full load).
// Negative control: the same page with the file's bytes altered in transit is refused by the
// browser's integrity check, so nothing runs and nothing reloads.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viteRolling } from "../../src/adapters/node.js";
import { staleClientFile } from "../../src/html/stale-client-file.js";
import { createViteRolling } from "../../src/index.js";
import type { ViteRolling } from "../../src/types.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";
import { browserForFile, inPage, tabPerTest, WAIT } from "./stale-server.js";

const NONCE = "n0nce-ext-7b1e";
const CSP = `default-src 'none'; script-src 'nonce-${NONCE}'; style-src 'nonce-${NONCE}'; connect-src 'self'`;

const browser = browserForFile();
let dir: { path: string; cleanup: () => void };
let vr: ViteRolling;
let server: Server;
let base: string;
/** Page loads the server answered. */
let pageLoads = 0;
/** Alter the stale-client file's bytes on the way out (the negative control). */
let tamper = false;

beforeAll(async () => {
  dir = tempDir("client-external");
  const built = await buildApp(
    dir.path,
    { "src/main.js": "window.mainRan = true;" },
    {
      build: { rollupOptions: { input: "src/main.js" } },
    },
  );
  vr = createViteRolling({
    manifestPath: built.manifestPath,
    dev: false,
    registryDir: join(dir.path, "registry"),
    logger: { warn() {} },
  });
  await vr.ready();
  const handle = viteRolling(vr, { nonce: () => NONCE });
  server = createServer(async (req, res) => {
    if (tamper && req.url === staleClientFile().path) {
      // A proxy or cache that changed one byte: same name, other content.
      const body = staleClientFile().body.replace("vite-rolling:form", "vite-rolling:f0rm");
      res.writeHead(200, { "content-type": "text/javascript" }).end(body);
      return;
    }
    const vite = await handle(req, res);
    if (!vite) return;
    pageLoads++;
    res.setHeader("content-type", "text/html");
    res.setHeader("content-security-policy", CSP);
    res.end(`<!doctype html><html><head>
<script nonce="${NONCE}">window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.effectiveDirective));</script>
<script nonce="${NONCE}">window.mainRan = true;</script></head><body><p>page</p></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await vr?.close();
  dir?.cleanup();
});

describe("external stale-client script", () => {
  const tab = tabPerTest(browser);

  const state = () =>
    inPage(tab.page, () => ({
      version: (window as { __viteRolling?: { version: string } }).__viteRolling?.version,
      mainRan: (window as { mainRan?: boolean }).mainRan === true,
      violations: (window as { violations?: string[] }).violations,
      external: [...document.scripts].some((s) => s.src.includes("/__vite-rolling/")),
    }));

  /** A lazy import failed: Vite's event, which the script answers with one guarded load. */
  const preloadError = () =>
    inPage(tab.page, () => {
      const event = new Event("vite:preloadError", { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    });

  it("loads under a nonce-only CSP, pinned, and acts: a failed lazy import reloads once", async () => {
    tamper = false;
    await tab.page.goto(`${base}/page`);
    await expect.poll(state, WAIT).toEqual({
      version: vr.appVersion(),
      mainRan: true,
      violations: [],
      external: true,
    });
    const before = pageLoads;
    expect(await preloadError()).toBe(true);
    await expect.poll(() => pageLoads, WAIT).toBe(before + 1);
    // The reloaded document ran the script again (and no navigation is left in flight).
    await tab.page.waitForLoadState("load");
    await expect.poll(state, WAIT).toMatchObject({ version: vr.appVersion(), external: true });
  });

  it("negative control: altered bytes fail the integrity check, so nothing runs", async () => {
    tamper = true;
    const refused: string[] = [];
    tab.page.on("console", (msg) => {
      if (/integrity/i.test(msg.text())) refused.push(msg.text());
    });
    await tab.page.goto(`${base}/page`);
    await expect.poll(() => refused.length, WAIT).toBeGreaterThan(0);
    await expect.poll(state, WAIT).toMatchObject({ mainRan: true, external: true });
    expect((await state())?.version).toBeUndefined();
    const before = pageLoads;
    expect(await preloadError()).toBe(false);
    expect(pageLoads).toBe(before);
  });
});
