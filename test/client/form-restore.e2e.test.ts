// What the user typed survives the script's automatic reload of the page they are on, in real
// Chromium: fields are saved to sessionStorage right before the load and restored after it;
// secrets and opted-out fields never reach storage. Negative control: `formRestore: false`.
import { beforeEach, describe, expect, it } from "vitest";
import { browserForFile, inPage, StaleServer, staleTabPerTest, WAIT } from "./stale-server.js";

const EDIT = `<form id="f">
<input id="title" name="title"><textarea id="body" name="body"></textarea>
<input id="pw" name="pw" type="password"><input id="token" name="token" autocomplete="off">
<input id="secret" name="secret" data-vite-rolling-skip>
<input id="agree" name="agree" type="checkbox">
<input id="small" name="size" type="radio" value="s" checked><input id="large" name="size" type="radio" value="l">
<select id="color" name="color"><option>red</option><option>blue</option></select>
</form>
<form><input id="title2" name="title"></form>
<form data-vite-rolling-skip><input id="skipped" name="title"></form>
<button id="refresh" hx-get="/frag" hx-target="#slot">refresh</button><div id="slot"></div>`;

/** Records `input` events (the restore fires them so apps see the values) and what was saved. */
const HEAD = `<script>window.inputs = [];
document.addEventListener("input", (e) => window.inputs.push(e.target.id));</script>`;

const browser = browserForFile();

describe("form restore", () => {
  const tab = staleTabPerTest(browser, () => {
    const app = new StaleServer(2, { "/edit": () => EDIT }, { "/frag": (v) => `<p>${v}</p>` });
    app.head = HEAD;
    return app;
  });
  beforeEach(async () => {
    // Keeps what the previous document saved, before the script reads (and removes) it.
    await tab.context.addInitScript(() => {
      (window as { saved?: string | null }).saved = sessionStorage.getItem("vite-rolling:form");
    });
  });

  /** Types into every field, deploys B, and makes the page reload itself (a stale fragment). */
  async function typeThenGoStale() {
    const { app, page } = tab;
    await page.goto(`${app.base}/edit`);
    await expect.poll(() => inPage(page, () => "htmx" in window), WAIT).toBe(true);
    for (const [id, text] of [
      ["title", "my title"],
      ["body", "my body\nsecond line"],
      ["pw", "hunter2"],
      ["token", "one-time-123"],
      ["secret", "do-not-keep"],
      ["title2", "second form"],
      ["skipped", "skipped form"],
    ])
      await page.fill(`#${id}`, text!);
    await page.check("#agree");
    await page.check("#large");
    await page.selectOption("#color", "blue");
    app.version = "B";
    await page.click("#refresh");
    await expect
      .poll(
        () =>
          inPage(page, () => ({
            version: document.getElementById("version")?.textContent,
            ready: document.readyState,
          })),
        WAIT,
      )
      .toEqual({ version: "B", ready: "complete" });
    expect(app.documents()).toEqual(["/edit@A", "/edit@B"]);
  }

  const fields = () =>
    tab.page.evaluate(() => {
      const value = (id: string) => (document.getElementById(id) as HTMLInputElement).value;
      const checked = (id: string) => (document.getElementById(id) as HTMLInputElement).checked;
      return {
        title: value("title"),
        body: value("body"),
        pw: value("pw"),
        token: value("token"),
        secret: value("secret"),
        title2: value("title2"),
        skipped: value("skipped"),
        agree: checked("agree"),
        small: checked("small"),
        large: checked("large"),
        color: value("color"),
      };
    });

  it("restores what the user typed after the reload; passwords and opted-out fields never saved", async () => {
    const { page } = tab;
    await typeThenGoStale();
    expect(await fields()).toEqual({
      title: "my title",
      body: "my body\nsecond line",
      pw: "",
      token: "",
      secret: "",
      title2: "second form",
      skipped: "",
      agree: true,
      small: false,
      large: true,
      color: "blue",
    });
    const saved = await page.evaluate(() => (window as { saved?: string | null }).saved);
    expect(saved).toContain("my title");
    for (const secret of ["hunter2", "one-time-123", "do-not-keep", "skipped form"])
      expect(saved).not.toContain(secret);
    // Apps hear of the restored values; the saved state is gone once used.
    expect(await page.evaluate(() => (window as { inputs?: string[] }).inputs)).toEqual(
      expect.arrayContaining(["title", "body", "agree", "large", "color", "title2"]),
    );
    expect(await page.evaluate(() => sessionStorage.getItem("vite-rolling:form"))).toBeNull();
  });

  it("negative control: with formRestore: false the reload loses what was typed", async () => {
    const { app, page } = tab;
    app.options = { formRestore: false };
    await typeThenGoStale();
    expect(await fields()).toMatchObject({ title: "", body: "", agree: false, color: "red" });
    expect(await page.evaluate(() => (window as { saved?: string | null }).saved)).toBeNull();
  });
});
