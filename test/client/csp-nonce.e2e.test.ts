// Strict CSP and lazy CSS, in real Chromium with a real Vite build: Vite's preload helper
// inserts <link rel=stylesheet> for a lazy chunk's CSS and copies the nonce onto it from
// <meta property="csp-nonce">, which the version tags render when given a nonce. Negative
// control: the same page without that meta breaks the style-src policy.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderVersionTags } from "../../src/html/version-tags.js";
import { tempDir } from "../helpers/tmp.js";
import { type BuiltApp, buildApp } from "../helpers/vite.js";
import { browserForFile, builtAppServer, inPage, tabPerTest, WAIT } from "./stale-server.js";

const NONCE = "n0nce-3f2a9c";
const LAZY_COLOR = "rgb(1, 2, 3)";

const browser = browserForFile();
let dir: { path: string; cleanup: () => void };
let built: BuiltApp;
let server: Awaited<ReturnType<typeof builtAppServer>>;
let base: string;
/** Whether the page gets the CSP nonce meta (through the version tags). */
let withMeta: boolean;

beforeAll(async () => {
  dir = tempDir("client-csp");
  built = await buildApp(
    dir.path,
    {
      "src/main.js": `document.getElementById("go").addEventListener("click", async () => {
  const { paint } = await import("./lazy.js");
  paint();
});
document.getElementById("out").textContent = "ready";`,
      "src/lazy.js": `import "./lazy.css";
export const paint = () => { document.getElementById("out").textContent = "lazy loaded"; };`,
      "src/lazy.css": `#out { color: ${LAZY_COLOR}; }`,
    },
    { base: "/assets-root/", build: { rollupOptions: { input: "src/main.js" } } },
  );
  const manifest = JSON.parse(readFileSync(built.manifestPath, "utf8")) as Record<
    string,
    { file: string }
  >;
  server = await builtAppServer(built.outDir, (url) => {
    if (url.pathname !== "/page") return null;
    // With the meta: the full tags (script and meta under the nonce). Without: "ignore" and
    // no nonce, so no inline script and no meta; the page is otherwise the same.
    const tags = withMeta
      ? renderVersionTags({ version: "A", mismatch: "reload", nonce: NONCE })
      : renderVersionTags({ version: "A", mismatch: "ignore" });
    return {
      headers: {
        "cache-control": "no-store",
        "content-security-policy": `default-src 'none'; script-src 'self' 'nonce-${NONCE}'; style-src 'nonce-${NONCE}'; connect-src 'self'`,
      },
      html: `<!doctype html><html><head>
<script nonce="${NONCE}">window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.violations.push(e.effectiveDirective));</script>
${tags}
<script type="module" src="/assets-root/${manifest["src/main.js"]!.file}"></script></head>
<body><button id="go">go</button><p id="out"></p></body></html>`,
    };
  });
  base = server.base;
});

afterAll(async () => {
  await server?.close();
  dir?.cleanup();
});

describe("CSP nonce for lazy CSS", () => {
  const tab = tabPerTest(browser);

  async function openThenLoadLazy() {
    const { page } = tab;
    await page.goto(`${base}/page`);
    await expect.poll(() => page.textContent("#out"), WAIT).toBe("ready");
    await page.click("#go");
  }

  const state = () =>
    inPage(tab.page, () => ({
      text: document.getElementById("out")?.textContent,
      color: getComputedStyle(document.getElementById("out")!).color,
      violations: (window as { violations?: string[] }).violations,
      // The link Vite inserted for the lazy CSS, and the nonce it copied (IDL: Chromium hides
      // the attribute's value from scripts once parsed).
      links: [...document.querySelectorAll<HTMLLinkElement>("link[rel=stylesheet]")].map(
        (link) => link.nonce,
      ),
    }));

  it("with the version tags' meta, the lazy chunk's CSS applies and nothing is blocked", async () => {
    withMeta = true;
    await openThenLoadLazy();
    await expect.poll(state, WAIT).toEqual({
      text: "lazy loaded",
      color: LAZY_COLOR,
      violations: [],
      links: [NONCE],
    });
  });

  it("negative control: without the meta, style-src blocks the lazy CSS", async () => {
    withMeta = false;
    await openThenLoadLazy();
    await expect.poll(() => state().then((s) => s?.violations), WAIT).toContain("style-src-elem");
    const after = await state();
    expect(after?.color).not.toBe(LAZY_COLOR);
    expect(after?.links).toEqual([""]);
  });
});
