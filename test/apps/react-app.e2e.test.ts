// A React app as people write them (test/fixtures/react-app): react-router with two lazy
// routes, each with its own CSS, built by Vite 8 with @vitejs/plugin-react and the plugin,
// served through the Express adapter, loaded in Chromium; then the same app in dev mode
// through a real Vite dev server found by the plugin's hot file (module entry and the React
// Refresh preamble), with a hot update.
import { join } from "node:path";
import react from "@vitejs/plugin-react";
import { beforeAll, describe, expect, it } from "vitest";
import { tagsByKind } from "../helpers/vite.js";
import {
  type BuiltFixture,
  buildFixture,
  computed,
  expectFullReload,
  expectHotUpdate,
  filesOf,
  fixtureSuite,
  serveApp,
  startDevFixture,
  statusOf,
  waitForText,
  watchPage,
} from "./app-harness.js";

const GREEN = "rgb(0, 128, 0)";
const BLUE = "rgb(0, 0, 255)";
const ROOT_DIV = `<div id="root"></div>`;

describe("React + react-router lazy routes, built", () => {
  const suite = fixtureSuite("react-app");
  let built: BuiltFixture;

  beforeAll(async () => {
    built = await buildFixture(suite.dir, react());
  });

  const serve = async (withStatic: boolean) => {
    const app = await serveApp(built.vr, {
      outDir: withStatic ? built.outDir : undefined,
      head: (vite) => vite.styles("index.html"),
      body: (vite) => ROOT_DIV + vite.scripts("index.html"),
    });
    suite.closers.push(app.close);
    return app.url;
  };

  it("builds each lazy route into its own chunk with its own CSS", () => {
    for (const route of ["src/routes/Home.jsx", "src/routes/About.jsx"]) {
      expect(built.manifest["index.html"]?.dynamicImports).toContain(route);
      expect(filesOf(built.manifest, route).css).toHaveLength(1);
    }
  });

  it("renders the tags Vite itself writes into the built index.html", async () => {
    const url = await serve(true);
    const page = await (await fetch(`${url}/`)).text();
    const ours = tagsByKind(page, ["integrity"]);
    expect(ours).toEqual(tagsByKind(built.viteHtml, []));
    expect(ours.script).toHaveLength(1);
    expect(ours.stylesheet.length).toBeGreaterThan(0);
    // The library adds what Vite does not write: integrity from the plugin's sidecar.
    expect(page).toMatch(/<script type="module"[^>]* integrity="sha384-/);
  });

  it("loads in Chromium, then navigates to a lazy route: its chunk and CSS load, no error", async () => {
    const url = await serve(true);
    const page = await suite.browser.newPage();
    const log = watchPage(page);
    await page.goto(`${url}/`);
    await page.getByRole("heading", { name: "Home" }).waitFor();
    expect(await computed(page, ".home h1", "color")).toBe(GREEN);
    expect(await computed(page, "nav", "border-bottom-color")).toBe("rgb(10, 20, 30)");
    const about = filesOf(built.manifest, "src/routes/About.jsx");
    expect(statusOf(log, about.js)).toBeUndefined();

    // A client-side navigation: the marker survives only if the page did not reload.
    await page.evaluate(() => Object.assign(window, { __marker: "kept" }));
    await page.getByRole("link", { name: "About" }).click();
    await page.getByRole("heading", { name: "About" }).waitFor();
    expect(await page.evaluate(() => (window as { __marker?: string }).__marker)).toBe("kept");
    expect(await computed(page, ".about h1", "color")).toBe(BLUE);
    for (const file of [about.js, ...about.css]) expect(statusOf(log, file), file).toBe(200);
    expect(log.errors).toEqual([]);
    expect(log.failed).toEqual([]);
    await page.close();
  });

  it("negative control: without the static route the same page records its failed assets", async () => {
    const url = await serve(false);
    const page = await suite.browser.newPage();
    const log = watchPage(page);
    await page.goto(`${url}/`, { waitUntil: "load" });
    const entry = built.manifest["index.html"]!.file;
    expect(log.failed).toContainEqual(expect.stringContaining(`/static/${entry} 404`));
    expect(await page.locator("h1").count()).toBe(0);
    await page.close();
  });
});

describe("React + react-router, dev mode with a hot update", () => {
  const suite = fixtureSuite("react-app");

  it("serves modules from the dev server and applies an edit without a full reload", async () => {
    const { vr, server } = await startDevFixture(suite.dir, react());
    suite.closers.push(() => server.close());
    const app = await serveApp(vr, {
      head: (vite) => vite.reactRefresh() + vite.styles("src/main.jsx"),
      body: (vite) => ROOT_DIV + vite.scripts("src/main.jsx"),
    });
    suite.closers.push(app.close);
    const page = await suite.browser.newPage();
    const log = watchPage(page);
    await page.goto(`${app.url}/`);
    await waitForText(page, "Hello from the home route", log);
    // Styles come from the dev server (injected by the modules).
    await expect.poll(() => computed(page, ".home h1", "color")).toBe(GREEN);
    const port = server.config.server.port;
    expect(log.responses.some((r) => r.url().includes(`:${port}/static/src/main.jsx`))).toBe(true);

    await expectHotUpdate(
      page,
      join(suite.dir, "src/routes/Greeting.jsx"),
      [["Hello from the home route", "Edited while running"]],
      "Edited while running",
    );

    // The lazy route works from the dev server too.
    await page.getByRole("link", { name: "About" }).click();
    await expect.poll(() => computed(page, ".about h1", "color")).toBe(BLUE);
    expect(log.errors).toEqual([]);
    expect(log.failed).toEqual([]);
    await expectFullReload(page, join(suite.dir, "src/main.jsx"));
    await page.close();
  }, 120_000);
});
