// The README's "Try it" path for real: `npm run build`, then `node examples/demo/start.mjs`
// (real Vite build, real registry, Express + Nunjucks behind the demo's front proxy), then
// `node examples/demo/deploy.mjs` rolls it to the next release. The demo's state goes to a
// temp dir (DEMO_STATE_DIR) and its port is a free one, so it collides with nothing.
// `npm run build` (tsc -p tsconfig.build.json) is the suite's global setup, run once before
// any test: building again here would rewrite dist/ under the example tests running alongside.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync } from "node:fs";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/nginx.js";
import { alive, descendantPids } from "../helpers/simulation/procs.js";
import { referencedAssets } from "../helpers/simulation/referenced-assets.js";
import { ROOT, tempDir } from "../helpers/tmp.js";

const run = promisify(execFile);

/** The text of each `<td>` in a row's HTML. */
function cellText(row: string): string[] {
  return [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map(([, inner]) =>
    inner!.replace(/<[^>]*>/g, "").trim(),
  );
}

/** The live-releases panel's rows, in order: release id, app version, marked as this page's. */
function panelRows(html: string): { release: string; appVersion: string; page: boolean }[] {
  const panel = /<aside class="releases"[\s\S]*?<\/aside>/.exec(html)?.[0] ?? "";
  return [...panel.matchAll(/<tr data-release="([^"]*)"([^>]*)>([\s\S]*?)<\/tr>/g)].map(
    ([, release, attributes, cells]) => ({
      release: release!,
      appVersion: cellText(cells!)[2] ?? "",
      page: attributes!.includes('aria-current="page"') && cells!.includes(">this page<"),
    }),
  );
}

describe("demo (README: npm run build, node examples/demo/start.mjs, deploy.mjs)", () => {
  let state: { path: string; cleanup: () => void };
  let port: number;
  let demo: ChildProcess;
  let output = "";
  let browser: Browser;
  const env = () => ({ ...process.env, PORT: String(port), DEMO_STATE_DIR: state.path });
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;

  beforeAll(async () => {
    state = tempDir("demo-smoke");
    browser = await launchChromium();
    port = await freePort();
    demo = spawn(process.execPath, ["examples/demo/start.mjs"], {
      cwd: ROOT,
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<void>((resolve) => demo.once("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(`vite-rolling demo: ${url("/")}`)) resolve();
      };
      demo.stdout!.on("data", onData);
      demo.stderr!.on("data", onData);
      void exited.then(() =>
        reject(new Error(`the demo exited before printing its URL:\n${output}`)),
      );
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      const children = await descendantPids(demo.pid!);
      const exited = new Promise((resolve) => demo.once("exit", resolve));
      demo.kill("SIGTERM");
      await exited;
      // start.mjs stops the current release's process; a previous one may still be draining.
      for (const pid of children) if (alive(pid)) process.kill(pid, "SIGTERM");
    }
    state?.cleanup();
  });

  async function version(): Promise<{ version: string; release: string }> {
    const answer = await fetch(url("/version"));
    expect(answer.status).toBe(200);
    return (await answer.json()) as { version: string; release: string };
  }

  it("serves / with X-App-Version and tags whose assets answer 200, and /version", async () => {
    const page = await fetch(url("/"));
    expect(page.status).toBe(200);
    const header = page.headers.get("x-app-version");
    expect(header).toMatch(/\S/);
    const html = await page.text();
    expect(html).toContain(`<meta name="app-version" content="${header}">`);
    const assets = [...referencedAssets(html).keys()];
    expect(assets.filter((a) => a.startsWith("/static/assets/")).length).toBeGreaterThan(0);
    for (const asset of assets) {
      const answer = await fetch(url(asset));
      expect(answer.status, asset).toBe(200);
      await answer.arrayBuffer();
    }
    expect(await version()).toMatchObject({ version: header, release: "r1" });
  });

  it("lists the registry's live releases and marks the one that rendered the page", async () => {
    // Negative control: a release built on disk but never registered is not listed.
    cpSync(`${state.path}/releases/r1`, `${state.path}/releases/r9`, { recursive: true });
    const page = await fetch(url("/items"));
    const rows = panelRows(await page.text());
    expect(rows).toEqual([
      { release: "r1", appVersion: page.headers.get("x-app-version"), page: true },
    ]);
    // The polled fragment marks the release its query names, and escapes what it echoes.
    const hostile = '"><script>alert(1)</script>';
    const fragment = await (
      await fetch(url(`/_demo/releases?page=${encodeURIComponent(hostile)}`))
    ).text();
    expect(panelRows(fragment)).toEqual([{ ...rows[0], page: false }]);
    expect(fragment).not.toContain("<script");
  });

  it("deploy.mjs rolls the running demo to the next release", async () => {
    const before = await version();
    // A tab open on r1 through the deploy: its panel (polled by htmx) shows r2 without a reload.
    const tab = await browser.newPage();
    const violations: string[] = [];
    tab.on("console", (m) => {
      if (m.text().includes("Content Security Policy")) violations.push(m.text());
    });
    await tab.goto(url("/"));
    // A mark on the document: gone after any full load.
    await tab.evaluate(() => {
      (window as { sameDocument?: boolean }).sameDocument = true;
    });
    const sameDocument = () =>
      tab.evaluate(() => (window as { sameDocument?: boolean }).sameDocument === true);
    expect(
      await tab.locator('[data-releases] tr[aria-current="page"]').getAttribute("data-release"),
    ).toBe("r1");
    const { stdout } = await run(process.execPath, ["examples/demo/deploy.mjs"], {
      cwd: ROOT,
      env: env(),
    });
    expect(stdout).toContain("rolled to r2");
    const after = await version();
    expect(after.release).toBe("r2");
    expect(after.version).not.toBe(before.version);
    const page = await fetch(url("/"));
    expect(page.headers.get("x-app-version")).toBe(after.version);
    // A new full load shows r2 marked, r1 still live, the unregistered r9 absent.
    expect(panelRows(await page.text())).toEqual([
      { release: "r2", appVersion: after.version, page: true },
      { release: "r1", appVersion: before.version, page: false },
    ]);

    // Until the polled panel shows r2, or the tab reloaded (which the next check then reports).
    await tab.waitForFunction(
      () =>
        !(window as { sameDocument?: boolean }).sameDocument ||
        document.querySelector('[data-releases] tr[data-release="r2"] .badge-serving'),
    );
    expect(await sameDocument()).toBe(true);
    expect(
      await tab.locator('[data-releases] tr[aria-current="page"]').getAttribute("data-release"),
    ).toBe("r1");
    // Control for that check: the next navigation is a full load (the marker goes), onto r2.
    await tab.click('nav a[href="/about"]');
    await tab.locator('[data-releases] tr[data-release="r2"][aria-current="page"]').waitFor();
    expect(await sameDocument()).toBe(false);
    expect(violations).toEqual([]);
    await tab.close();
  }, 60_000);
});
