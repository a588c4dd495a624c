// The whole skew story in real Chromium, through the Express adapter: a tab opened on release
// A keeps working after the server moved to release B, whose disk has none of A's files. Its
// lazy chunk comes from the registry (retainAssets) with no reload; its next navigation
// lands on B in one full load.
import { rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express from "express";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viteRolling } from "../../src/adapters/express.js";
import { refresh } from "../../src/deploy/refresh.js";
import { createViteRolling } from "../../src/engine/front.js";
import { resolveOptions } from "../../src/options.js";
import type { ViteRolling } from "../../src/types.js";
import { viteRolling as vitePlugin } from "../../src/vite/plugin.js";
import { launchChromium } from "../helpers/browser.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

const WAIT = { timeout: 20_000, interval: 50 };

const sources = (release: string) => ({
  "src/main.js": `document.getElementById("go").addEventListener("click", async () => {
  const { hello } = await import("./lazy.js");
  document.getElementById("out").textContent = hello();
});
document.getElementById("out").textContent = "ready ${release}";`,
  "src/lazy.js": `export const hello = () => "lazy from ${release}";`,
});

describe("an old tab across a deploy, in Chromium", () => {
  const dir = tempDir("client-retained");
  const registryDir = join(dir.path, "registry");
  const dists: Record<string, string> = {};
  const vrs: Record<string, ViteRolling> = {};
  let current = "A";
  const documents: string[] = [];
  let browser: Browser;
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    for (const release of ["A", "B"]) {
      const built = await buildApp(join(dir.path, release), sources(release), {
        base: "/static/",
        plugins: [vitePlugin()],
        build: { rollupOptions: { input: "src/main.js" } },
      });
      dists[release] = built.outDir;
      const options = {
        manifestPath: built.manifestPath,
        release,
        registryDir,
        retainAssets: true,
      };
      await refresh(resolveOptions(options, {}), {});
      vrs[release] = createViteRolling({ ...options, dev: false, logger: { warn() {} } });
      await vrs[release]!.ready();
    }
    // One process per release in production; here one server whose release the test switches.
    const apps = Object.fromEntries(
      ["A", "B"].map((release) => {
        const app = express();
        app.use(viteRolling(vrs[release]!));
        app.use("/static", express.static(dists[release]!));
        app.use("/htmx.js", (_req, res) =>
          res.sendFile(join(process.cwd(), "node_modules/htmx2/dist/htmx.min.js")),
        );
        app.get("/page/:name", (req, res) => {
          if (req.headers["sec-fetch-dest"] === "document")
            documents.push(`${release} ${req.path}`);
          const { vite } = res.locals;
          res.send(`<!doctype html><html><head><script src="/htmx.js"></script></head>
<body hx-boost="true"><h1>${release} ${req.params.name}</h1><a id="next" href="/page/two">two</a>
<button id="go">go</button><p id="out"></p>${vite.scripts("src/main.js")}</body></html>`);
        });
        return [release, app];
      }),
    );
    server = createServer((req, res) => apps[current]!(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await Promise.all(Object.values(vrs).map((vr) => vr.close()));
    dir.cleanup();
  });

  it("loads A's lazy chunk from the registry, then moves to B in one full load", async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/page/one`);
    await expect.poll(() => page.textContent("#out"), WAIT).toBe("ready A");

    // The deploy: B serves now, and A's files are gone from every disk.
    current = "B";
    rmSync(dists.A!, { recursive: true, force: true });

    await page.click("#go");
    await expect.poll(() => page.textContent("#out"), WAIT).toBe("lazy from A");
    expect(documents).toEqual(["A /page/one"]);

    await page.click("#next");
    await expect.poll(() => page.textContent("h1"), WAIT).toBe("B two");
    await expect.poll(() => page.textContent("#out"), WAIT).toBe("ready B");
    expect(documents).toEqual(["A /page/one", "B /page/two"]);
    await page.close();
  });
});
