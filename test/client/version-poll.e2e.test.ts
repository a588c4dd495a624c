// Pages learn of a new release without any htmx response: the script checks the version
// endpoint (conditional: 304 while current) on an interval and when the tab becomes visible,
// fires `vite-rolling:stale`, and in "reload" mode makes the next link a full load instead of
// interrupting the user. "warn" never navigates. Real Chromium, real HTTP.
import { describe, expect, it } from "vitest";
import { browserForFile, inPage, StaleServer, staleTabPerTest, WAIT } from "./stale-server.js";

const PAGES = {
  "/page": () => `<a id="next" href="/next">next</a>`,
  "/next": () => `<h1 id="next-title">next</h1>`,
};
/** A request the test sends last: once it arrived, any earlier request has too. */
const FRAGMENTS = { "/marker": () => "ok" };
/** Records the stale events the page heard. */
const HEAD = `<script>window.staleEvents = [];
document.addEventListener("vite-rolling:stale", (e) => window.staleEvents.push(e.detail));</script>`;

const browser = browserForFile();

describe.each([null, 2, 4] as const)("version checks (htmx: %s)", (htmxMajor) => {
  const tab = staleTabPerTest(browser, () => {
    const app = new StaleServer(htmxMajor, PAGES, FRAGMENTS);
    app.head = HEAD;
    app.options = { pollInterval: 200 };
    return app;
  });
  const staleEvents = () =>
    inPage(tab.page, () => (window as { staleEvents?: unknown[] }).staleEvents);
  const checks = () => tab.app.requests("/version");

  /** Opens /page on A, lets it check while current, deploys B, waits for the event. */
  async function openThenDeploy() {
    const { app, page } = tab;
    await page.goto(`${app.base}/page`);
    await expect.poll(() => checks().length, WAIT).toBeGreaterThanOrEqual(2);
    app.version = "B";
    await expect
      .poll(staleEvents, WAIT)
      .toEqual([{ pageVersion: "A", serverVersion: "B", url: `${app.base}/page` }]);
  }

  it("checks conditionally (304 while current), tells the page of a release, never navigates by itself", async () => {
    const { app, page } = tab;
    await openThenDeploy();
    const before = checks().filter((h) => h.served === "A");
    expect(before.length).toBeGreaterThanOrEqual(2);
    for (const hit of before) expect(hit).toMatchObject({ ifNoneMatch: '"A"', status: 304 });
    // (A check already under way when the first answer came may be answered too: no event.)
    const after = checks().filter((h) => h.served === "B");
    expect(after.length).toBeGreaterThanOrEqual(1);
    for (const hit of after) expect(hit.status).toBe(200);
    expect(app.documents()).toEqual(["/page@A"]);
    expect(await inPage(page, () => location.pathname)).toBe("/page");
  });

  it("reload: the next link the user follows is a full load of the new release", async () => {
    const { app, page, warnings } = tab;
    await openThenDeploy();
    await page.click("#next");
    await expect
      .poll(() => inPage(page, () => document.getElementById("next-title")?.textContent), WAIT)
      .toBe("next");
    expect(app.documents()).toEqual(["/page@A", "/next@B"]);
    // Not fetched by htmx first: the browser followed the link itself.
    expect(app.requests("/next")).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it("warn: warns once and leaves navigation as it was", async () => {
    const { app, page, warnings } = tab;
    app.mismatch = "warn";
    await openThenDeploy();
    await page.click("#next");
    await expect
      .poll(() => inPage(page, () => document.getElementById("next-title")?.textContent), WAIT)
      .toBe("next");
    await expect
      .poll(() => warnings, WAIT)
      .toEqual(["[vite-rolling] page A, server B: reload to update"]);
    if (htmxMajor === null) {
      expect(app.documents()).toEqual(["/page@A", "/next@B"]); // a plain link is a full load
    } else {
      expect(app.documents()).toEqual(["/page@A"]); // boosted, as before the release
      expect(app.requests("/next")).toHaveLength(1);
    }
  });
});

describe("version checks on visibility", () => {
  const tab = staleTabPerTest(browser, () => new StaleServer(null, PAGES, FRAGMENTS));

  /** Opens the page, tells it the tab became visible, then sends the marker. */
  async function becomeVisible() {
    const { app, page } = tab;
    await page.goto(`${app.base}/page`);
    await page.evaluate(async () => {
      document.dispatchEvent(new Event("visibilitychange"));
      await fetch("/marker");
    });
    expect(app.requests("/marker")).toHaveLength(1);
  }

  it("a tab that becomes visible checks at once, whatever the interval", async () => {
    const { app } = tab;
    app.options = { pollInterval: 3_600_000 };
    await becomeVisible();
    await expect.poll(() => app.requests("/version"), WAIT).toMatchObject([{ status: 304 }]);
  });

  it("negative control: pollInterval: 0 never checks", async () => {
    const { app } = tab;
    app.options = { pollInterval: 0 };
    await becomeVisible();
    expect(app.requests("/version")).toEqual([]);
  });
});
