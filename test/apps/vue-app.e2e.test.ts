// A Vue 3 app as people write them (test/fixtures/vue-app): single-file components with
// scoped CSS and an async component, built by Vite 8 with @vitejs/plugin-vue and the plugin,
// served through the Express adapter, loaded in Chromium; then the same app in dev mode
// through a real Vite dev server found by the plugin's hot file, with index.html as the entry
// in both modes, and a hot update of a template and its scoped style.
import { join } from "node:path";
import vue from "@vitejs/plugin-vue";
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
const APP_DIV = `<div id="app"></div>`;
const DETAILS = "src/components/Details.vue";

describe("Vue 3 single-file components with scoped CSS and an async component, built", () => {
  const suite = fixtureSuite("vue-app");
  let built: BuiltFixture;

  beforeAll(async () => {
    built = await buildFixture(suite.dir, vue());
  });

  it("builds the async component into its own chunk with its own CSS", () => {
    expect(built.manifest["index.html"]?.dynamicImports).toContain(DETAILS);
    expect(filesOf(built.manifest, DETAILS).css).toHaveLength(1);
  });

  it("renders the tags Vite writes, loads in Chromium, then loads the async component", async () => {
    const app = await serveApp(built.vr, {
      outDir: built.outDir,
      head: (vite) => vite.styles("index.html"),
      body: (vite) => APP_DIV + vite.scripts("index.html"),
    });
    suite.closers.push(app.close);
    const html = await (await fetch(`${app.url}/`)).text();
    const ours = tagsByKind(html, ["integrity"]);
    expect(ours).toEqual(tagsByKind(built.viteHtml, []));
    expect(ours.script).toHaveLength(1);

    const page = await suite.browser.newPage();
    const log = watchPage(page);
    await page.goto(`${app.url}/`);
    await page.getByRole("heading", { name: "Vue fixture" }).waitFor();
    // Scoped CSS: the rule reaches the component's own elements through its data-v attribute.
    expect(await computed(page, "h1", "color")).toBe(GREEN);
    expect(await computed(page, ".greeting", "font-style")).toBe("italic");
    const details = filesOf(built.manifest, DETAILS);
    expect(statusOf(log, details.js)).toBeUndefined();

    await page.getByRole("button", { name: "Show details" }).click();
    await page.getByText("Loaded on demand").waitFor();
    await expect.poll(() => computed(page, ".details", "color")).toBe(BLUE);
    for (const file of [details.js, ...details.css]) expect(statusOf(log, file), file).toBe(200);
    expect(log.errors).toEqual([]);
    expect(log.failed).toEqual([]);
    await page.close();
  });
});

describe("Vue 3, dev mode with a hot update", () => {
  const suite = fixtureSuite("vue-app");

  it("serves modules from the dev server and applies an edit without a full reload", async () => {
    const { vr, server } = await startDevFixture(suite.dir, vue());
    suite.closers.push(() => server.close());
    // The same entry as the build's, index.html: the plugin's dev server loads its scripts.
    const app = await serveApp(vr, {
      head: (vite) => vite.styles("index.html"),
      body: (vite) => APP_DIV + vite.scripts("index.html"),
    });
    suite.closers.push(app.close);
    const page = await suite.browser.newPage();
    const log = watchPage(page);
    await page.goto(`${app.url}/`);
    await waitForText(page, "Hello from a single-file component", log);
    await expect.poll(() => computed(page, "h1", "color")).toBe(GREEN);
    const port = server.config.server.port;
    expect(log.responses.some((r) => r.url().includes(`:${port}/static/src/App.vue`))).toBe(true);

    // Template and scoped style of one component, both hot.
    await expectHotUpdate(
      page,
      join(suite.dir, "src/components/Greeting.vue"),
      [
        ["Hello from a single-file component", "Edited while running"],
        ["font-style: italic", "font-style: normal"],
      ],
      "Edited while running",
    );
    await expect.poll(() => computed(page, ".greeting", "font-style")).toBe("normal");

    await page.getByRole("button", { name: "Show details" }).click();
    await expect.poll(() => computed(page, ".details", "color")).toBe(BLUE);
    expect(log.errors).toEqual([]);
    expect(log.failed).toEqual([]);
    await expectFullReload(page, join(suite.dir, "src/main.js"));
    await page.close();
  }, 120_000);
});
