// Issue 12's reload loop, in real Chromium with htmx 2 and 4: fragments (load-triggered,
// polling, hx-post) behind a server that alternates releases per request, as a round-robin
// balancer does mid-deploy. The guard allows one automatic load per (version, URL); with the
// guard's memory wiped at every load (the negative control) the same page loops.
import { describe, expect, it } from "vitest";
import { browserForFile, inPage, StaleServer, staleTabPerTest, WAIT } from "./stale-server.js";

const browser = browserForFile();

const PAGES = {
  "/load": () => `<div id="slot" hx-get="/frag" hx-trigger="load"></div>`,
  "/poll": () => `<div id="slot" hx-get="/frag" hx-trigger="every 300ms"></div>`,
  "/form": () => `<form hx-post="/submit" hx-target="#result">
<input id="note" name="note" value="hello"><button id="send">send</button></form>
<div id="result"></div><a id="next" href="/other">next</a>`,
  "/other": () => `<h1 id="other">other</h1>`,
};
const FRAGMENTS = {
  "/frag": (version: string) => `<p id="frag">fragment ${version}</p>`,
  "/submit": (version: string, _: URL, body: string) =>
    `<p id="received">received ${new URLSearchParams(body).get("note")} on ${version}</p>`,
};

describe.each([2, 4] as const)("fragments with htmx %i", (htmxMajor) => {
  const tab = staleTabPerTest(browser, () => new StaleServer(htmxMajor, PAGES, FRAGMENTS));
  const frag = () => inPage(tab.page, () => document.getElementById("frag")?.textContent ?? null);

  it("a load-triggered fragment behind round robin: at most two automatic loads, then it swaps", async () => {
    const { app, page, warnings } = tab;
    app.roundRobin = true;
    await page.goto(`${app.base}/load`);
    await expect.poll(frag, WAIT).toMatch(/^fragment [AB]$/);
    await expect.poll(() => warnings, WAIT).toHaveLength(1);
    // Page A, fragment B: one load (B, /load); the page lands on A again, whose fragment (B)
    // the guard lets through instead of loading again. Never the fragment's URL.
    expect(app.documents()).toEqual(["/load@A", "/load@A"]);
    expect(warnings[0]).toContain(`not loading ${app.base}/load again`);
    // Every fragment request told the server the script handles staleness.
    expect(app.requests("/frag").map((h) => [h.clientVersion, h.script])).toEqual([
      ["A", "1"],
      ["A", "1"],
    ]);
  });

  it("negative control: with the guard's memory wiped at every load, the same page loops", async () => {
    const { app, context, page } = tab;
    app.roundRobin = true;
    await context.addInitScript(() => sessionStorage.clear());
    await page.goto(`${app.base}/load`);
    await expect.poll(() => app.documents().length, WAIT).toBeGreaterThanOrEqual(10);
    expect(new Set(app.documents())).toEqual(new Set(["/load@A"]));
    app.roundRobin = false; // end the loop, so that the context can close
    await expect.poll(frag, WAIT).toBe("fragment A");
  });

  it("a polling fragment behind round robin never loops and never leaves the page", async () => {
    const { app, page, warnings } = tab;
    app.roundRobin = true;
    await page.goto(`${app.base}/poll`);
    // Wait for polls after the last full load: each stale answer meets the guard.
    await expect
      .poll(() => {
        const last = app.hits.findLastIndex((h) => h.dest === "document");
        return app.hits.slice(last).filter((h) => h.url === "/frag").length;
      }, WAIT)
      .toBeGreaterThanOrEqual(6);
    // The first load, then at most one automatic load per (version, /poll): which versions
    // they land on depends on how polls and loads interleave on the balancer.
    const documents = app.documents();
    expect(documents.length).toBeLessThanOrEqual(3);
    expect(documents.filter((d) => !d.startsWith("/poll@"))).toEqual([]);
    expect(await inPage(page, () => location.pathname)).toBe("/poll");
    // One warning for the page, not one per poll.
    expect(warnings).toHaveLength(1);
  });

  it("a stale hx-post reaches the app and its answer is swapped in; the next link loads in full", async () => {
    const { app, page } = tab;
    await page.goto(`${app.base}/form`);
    await expect.poll(() => inPage(page, () => "htmx" in window), WAIT).toBe(true);
    app.version = "B"; // deployed while the user filled the form
    await page.fill("#note", "typed text");
    await page.click("#send");
    await expect
      .poll(() => inPage(page, () => document.getElementById("received")?.textContent), WAIT)
      .toBe("received typed text on B");
    expect(
      app
        .requests("/submit")
        .map((h) => [h.method, new URLSearchParams(h.body).get("note"), h.clientVersion, h.script]),
    ).toEqual([["POST", "typed text", "A", "1"]]);
    expect(app.documents()).toEqual(["/form@A"]);

    // The page knows it is stale: the boosted link is followed by the browser, a full load.
    await page.click("#next");
    await expect
      .poll(() => inPage(page, () => document.getElementById("other")?.textContent), WAIT)
      .toBe("other");
    expect(app.documents()).toEqual(["/form@A", "/other@B"]);
    expect(app.requests("/other")).toEqual([]);
  });
});
